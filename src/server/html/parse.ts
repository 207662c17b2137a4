/**
 * A small, tolerant HTML parser: it turns HTML Weft rendered into a tree of
 * elements and text. The server reads it for htmx out-of-band fragments
 * (src/server/htmx/fragment-doc.ts: source spans, ids only); the test kit
 * (`weft-live/testing`, src/testing/dom.ts) for selectors and forms. It is
 * not a browser's parser (no implied tags, no foster parenting, no adoption
 * agency): it reads the HTML Weft renders — balanced templates — exactly,
 * and anything else without throwing. Dependency-free.
 *
 * Invariants: parsing never throws and is linear in the input; a stray end tag
 * closes the nearest open element of that name, or is ignored.
 */
import { decodeAttribute } from "../template/char-refs.ts";

/**
 * An element of the parsed view.
 *
 * @example
 * const el: HtmlElement = parseHtml('<a href="/x">x</a>').children[0] as HtmlElement; // el.attrs.get("href") === "/x"
 */
export interface HtmlElement {
  readonly kind: "element";
  /** Lower-case tag name. */
  readonly tag: string;
  /** Attributes by lower-case name, values decoded; the first of a repeated name wins, as in browsers. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: HtmlNode[];
  readonly parent: HtmlElement | undefined;
}

/**
 * Text between tags, decoded.
 *
 * @example
 * const t: HtmlText = { kind: "text", text: "a & b" };
 */
export interface HtmlText {
  readonly kind: "text";
  readonly text: string;
}

/**
 * A node of the parsed view.
 *
 * @example
 * const isEl = (n: HtmlNode): n is HtmlElement => n.kind === "element";
 */
export type HtmlNode = HtmlElement | HtmlText;

/** Elements without an end tag (fragment-doc.ts reads it too). */
export const VOID_ELEMENTS: ReadonlySet<string> = new Set(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]);
/** Elements whose body is text up to their end tag. */
const RAW = new Set(["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"]);

/**
 * Tags and attributes are read char by char (regexes cost several times as
 * much here, and htmx fragments parse every render). They read what
 * `<(\/?)([A-Za-z][^\s/>]*)` and
 * `[\s/]*([^\s/>"'=][^\s/>=]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*)))?` would.
 */
const SPACE = /\s/;

/** `\s` as regexes read it: ASCII tab to carriage return, space, and Unicode spaces. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || (c > 127 && SPACE.test(String.fromCharCode(c)));
}

/** The end of a tag name starting at `from`: the first whitespace, "/" or ">". */
function nameEnd(html: string, from: number, stopAtEquals: boolean): number {
  let i = from;
  for (; i < html.length; i++) {
    const c = html.charCodeAt(i);
    if (c === 47 || c === 62 || (stopAtEquals && c === 61) || isSpace(c)) break;
  }
  return i;
}

/**
 * Where an element sits in the source that {@link parseHtml} read (offsets
 * into that string). An element closed by an ancestor's end tag, or by the end
 * of the input, ends there, with no end tag of its own (`closeStart === end`).
 *
 * @example
 * const spans = new Map<HtmlElement, SourceSpan>();
 * parseHtml("<i><b>x</b></i>", { spans }).children[0]; // the <i>: spans.get(it) is { start: 0, openEnd: 3, closeStart: 11, end: 15 }
 */
export interface SourceSpan {
  /** The start tag's `<`. */
  start: number;
  /** Just after the start tag's `>`: where the content begins. */
  openEnd: number;
  /** Where the content ends: the end tag's `<` (`openEnd` for a void or self-closed element). */
  closeStart: number;
  /** Just after the end tag. */
  end: number;
}

/**
 * Options of {@link parseHtml}.
 *
 * @example
 * parseHtml(html, { spans: new Map(), idsOnly: true });
 */
export interface ParseOptions {
  /** Filled with each element's source span. */
  spans?: Map<HtmlElement, SourceSpan> | undefined;
  /** Keep only `id` attributes and no text (default false). */
  idsOnly?: boolean | undefined;
}

/**
 * Parses `html` into a synthetic root element (tag `#root`) holding its nodes.
 * Given `spans`, it also records each element's {@link SourceSpan} there
 * (htmx fragments slice the source by them); with `idsOnly`, it keeps no
 * text and no attribute but `id` (what the fragments read: a quarter faster).
 *
 * @example
 * const root = parseHtml('<p class="a">Hi &amp; bye</p>');
 * textOf(root); // "Hi & bye"
 */
export function parseHtml(html: string, options: ParseOptions = {}): HtmlElement {
  const { spans, idsOnly = false } = options;
  const root = element("#root", new Map(), undefined);
  let open: HtmlElement = root;
  let lower: string | undefined; // html lower-cased, made once, on the first raw-text element
  // How many open elements have each tag: a stray end tag is ignored without walking every
  // open element (which, for "<div>" n times then "</p>" n times, would be quadratic).
  const opened = new Map<string, number>();
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    const end = lt < 0 ? html.length : lt;
    if (end > i && !idsOnly) addText(open, html.slice(i, end));
    if (lt < 0) break;
    if (html.startsWith("<!--", lt)) {
      // From lt + 2, as browsers read "<!-->" and "<!--->" as whole (empty) comments.
      const close = html.indexOf("-->", lt + 2);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const slash = html.charCodeAt(lt + 1) === 47;
    const first = html.charCodeAt(lt + (slash ? 2 : 1)) | 32; // lower-cased if a letter
    if (first < 97 || first > 122) {
      // "<!doctype …>", "<?…>" or a lone "<": skip a declaration, keep a lone "<" as text.
      if (html[lt + 1] === "!" || html[lt + 1] === "?") i = skipTo(html, ">", lt) ;
      else {
        if (!idsOnly) addText(open, "<");
        i = lt + 1;
      }
      continue;
    }
    const nameAt = lt + (slash ? 2 : 1);
    const after = nameEnd(html, nameAt + 1, false);
    const tag = html.slice(nameAt, after).toLowerCase();
    if (slash) {
      i = skipTo(html, ">", after);
      if (!opened.get(tag)) continue;
      for (let e: HtmlElement | undefined = open; e !== undefined && e !== root; e = e.parent) {
        opened.set(e.tag, opened.get(e.tag)! - 1);
        if (e.tag !== tag) continue;
        if (spans !== undefined) closeSpans(spans, open, e, lt, i);
        open = e.parent!;
        break;
      }
      continue;
    }
    const { attrs, next, selfClosed } = readAttributes(html, after, idsOnly);
    const el = element(tag, attrs, open);
    open.children.push(el);
    spans?.set(el, { start: lt, openEnd: next, closeStart: next, end: next });
    i = next;
    if (RAW.has(tag)) {
      lower ??= html.toLowerCase();
      const close = lower.indexOf(`</${tag}`, i);
      const body = html.slice(i, close < 0 ? html.length : close);
      if (body !== "" && !idsOnly) el.children.push({ kind: "text", text: tag === "textarea" || tag === "title" ? decodeAttribute(body) : body });
      i = close < 0 ? html.length : skipTo(html, ">", close);
      if (spans !== undefined) closeSpans(spans, el, el, close < 0 ? html.length : close, i);
    } else if (!VOID_ELEMENTS.has(tag) && !selfClosed) {
      open = el;
      opened.set(tag, (opened.get(tag) ?? 0) + 1);
    }
  }
  if (spans !== undefined && open !== root) closeSpans(spans, open, root, html.length, html.length);
  return root;
}

/**
 * Ends the spans of `from` and its open ancestors up to `to`: `to` at its end
 * tag (`<` at `at`, `>` before `end`), the ones inside it where that end tag
 * closed them (at `at`, with no end tag of their own). With `to` the root,
 * every open element ends at `at` (the end of the input).
 */
function closeSpans(spans: Map<HtmlElement, SourceSpan>, from: HtmlElement, to: HtmlElement, at: number, end: number): void {
  for (let e: HtmlElement | undefined = from; e !== undefined && e.tag !== "#root"; e = e.parent) {
    const span = spans.get(e);
    if (span === undefined) break;
    span.closeStart = at;
    span.end = e === to ? end : at;
    if (e === to) break;
  }
}

/**
 * The text content of a node, as `textContent` gives it.
 *
 * @example
 * textOf(parseHtml("<b>1</b><i>2</i>")); // "12"
 */
export function textOf(node: HtmlNode): string {
  if (node.kind === "text") return node.text;
  let out = "";
  for (const c of node.children) out += textOf(c);
  return out;
}

/**
 * Every element under `root`, in document order (root excluded).
 *
 * @example
 * for (const el of descendants(root)) if (el.tag === "form") forms.push(el);
 */
export function* descendants(root: HtmlElement): Generator<HtmlElement> {
  for (const c of root.children) {
    if (c.kind !== "element") continue;
    yield c;
    yield* descendants(c);
  }
}

function element(tag: string, attrs: Map<string, string>, parent: HtmlElement | undefined): HtmlElement {
  return { kind: "element", tag, attrs, children: [], parent };
}

function addText(parent: HtmlElement, raw: string): void {
  parent.children.push({ kind: "text", text: decodeAttribute(raw) });
}

function skipTo(html: string, ch: string, from: number): number {
  const at = html.indexOf(ch, from);
  return at < 0 ? html.length : at + 1;
}

/** Reads attributes from `at` to the end of the start tag. */
function readAttributes(html: string, at: number, idsOnly: boolean): { attrs: Map<string, string>; next: number; selfClosed: boolean } {
  const attrs = new Map<string, string>();
  let i = at;
  while (readAttribute(html, i)) {
    const { nameAt, nameEnd: ne, valueAt, valueEnd } = ATTR;
    // idsOnly: only a two-letter name can be "id"; nothing else is sliced.
    if (!idsOnly || (ne - nameAt === 2 && (html.charCodeAt(nameAt) | 32) === 105 && (html.charCodeAt(nameAt + 1) | 32) === 100)) {
      const name = html.slice(nameAt, ne).toLowerCase();
      if (!attrs.has(name)) attrs.set(name, decodeAttribute(html.slice(valueAt, valueEnd)));
    }
    i = ATTR.end;
  }
  while (i < html.length && isSpace(html.charCodeAt(i))) i++;
  const selfClosed = html[i] === "/";
  return { attrs, next: skipTo(html, ">", i), selfClosed };
}

/**
 * Where one attribute of a start tag lies in the source: its name
 * (`nameAt`…`nameEnd`), its raw value (`valueAt`…`valueEnd`, inside any
 * quotes; with no `=`, both are `nameEnd`) and its end (`end`).
 *
 * @example
 * attributeAt('<p a="1">', 2); // { nameAt: 3, nameEnd: 4, valueAt: 6, valueEnd: 7, end: 8 }
 */
export interface AttributeSpan {
  readonly nameAt: number;
  readonly nameEnd: number;
  readonly valueAt: number;
  readonly valueEnd: number;
  readonly end: number;
}

/** Where {@link readAttribute} found the last attribute (one shared record: the parser is not reentrant and allocates none per attribute). */
const ATTR = { nameAt: 0, nameEnd: 0, valueAt: 0, valueEnd: 0, end: 0 };

/**
 * The attribute of a start tag at `at` (after any whitespace and slashes), as
 * the parser reads it; undefined at the end of the tag. The record returned
 * is shared and overwritten by the next read: take what you need first.
 * htmx fragments (src/server/htmx/fragments.ts) rewrite start tags with it.
 *
 * @example
 * for (let a = attributeAt(tag, 2); a !== undefined; a = attributeAt(tag, a.end)) names.push(tag.slice(a.nameAt, a.nameEnd));
 */
export function attributeAt(html: string, at: number): AttributeSpan | undefined {
  return readAttribute(html, at) ? ATTR : undefined;
}

/**
 * Reads the attribute at `at` (after whitespace and slashes) into `ATTR`:
 * where its name and raw value lie, and its end; false at the end of the
 * start tag. A quote with no closing quote is read as part of an unquoted value.
 */
function readAttribute(html: string, at: number): boolean {
  const len = html.length;
  let i = at;
  while (i < len && (html.charCodeAt(i) === 47 || isSpace(html.charCodeAt(i)))) i++;
  const c = html.charCodeAt(i);
  if (i >= len || c === 62 || c === 34 || c === 39 || c === 61) return false;
  const end = nameEnd(html, i + 1, true);
  ATTR.nameAt = i;
  ATTR.nameEnd = end;
  let j = end;
  while (j < len && isSpace(html.charCodeAt(j))) j++;
  if (html.charCodeAt(j) !== 61) return value(end, end, end);
  j++;
  while (j < len && isSpace(html.charCodeAt(j))) j++;
  const q = html.charCodeAt(j);
  if (q === 34 || q === 39) {
    const close = html.indexOf(q === 34 ? '"' : "'", j + 1);
    if (close >= 0) return value(j + 1, close, close + 1);
  }
  let k = j;
  while (k < len && html.charCodeAt(k) !== 62 && !isSpace(html.charCodeAt(k))) k++;
  return value(j, k, k);
}

function value(at: number, end: number, attrEnd: number): true {
  ATTR.valueAt = at;
  ATTR.valueEnd = end;
  ATTR.end = attrEnd;
  return true;
}
