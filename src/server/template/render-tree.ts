/**
 * Renders a template into the tree that travels on the wire (see
 * protocol/messages.ts, RenderedTree): statics by fingerprint id, dynamic
 * slots escaped for the context their call site's compilation found
 * (compile.ts); no context analysis happens here.
 */
import type { RenderedTree, TemplateNode } from "../../protocol/messages.ts";
import { toHtml } from "../../protocol/tree.ts";
import { decodeAttribute } from "./char-refs.ts";
import { compile, staticsOf, type Compiled, type UrlPlan } from "./compile.ts";
import { escapeHtml, sanitizeUrl, UNSAFE_URL } from "./escape.ts";
import { Hole } from "./holes.ts";
import { JsonText, Raw, Template } from "./html.ts";
import { duplicateKeys, Keyed, KEYS, type Key, type KeyedListNode } from "./keyed.ts";
import { isSafeUrlValue, UrlKind } from "./url-check.ts";
import { LiveViewRef } from "../child-views/live-view.ts";
import { childHole, inComponent } from "../child-views/scope.ts";
import { ComponentRef } from "../components/define.ts";
import { componentHole } from "../components/scope.ts";
import { StreamRef, streamAttr } from "../streams/ref.ts";

/**
 * Renders a template into a tree. Throws a `TypeError` when a value that is
 * not `raw()` stands where no escaping makes it safe (docs/security.md).
 * @example renderTree(html`<b>${name}</b>`) // { s: 0, d: ["Ada"] }
 */
export function renderTree(t: Template): TemplateNode {
  const c = compile(t.strings);
  const values = t.values;
  const d: RenderedTree[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const hole = c.holes[i] as Hole;
    const v = values[i];
    if (hole === Hole.Text) d[i] = textValue(v);
    else if (hole === Hole.Attr) d[i] = attrValue(v);
    else if (hole === Hole.Url) {
      d[i] = attrValue(v);
      const plan = c.plans[i];
      if (plan !== undefined) checkUrl(plan, values, d);
    } else if (hole === Hole.Whole) d[i] = wholeAttr(c.names[i] as string, c.kinds[i] as number, v);
    else if (hole === Hole.Names) d[i] = namesValue(v);
    else if (hole === Hole.Comment) d[i] = commentValue(v);
    else d[i] = rawOnly(c, i, v);
  }
  return { s: c.id, d };
}

/** Renders a template straight to HTML (pages, tests). */
export function renderToString(t: Template): string {
  return toHtml(renderTree(t), staticsOf);
}

function textValue(v: unknown): RenderedTree {
  if (typeof v === "string") return escapeHtml(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (v === null || v === undefined || typeof v === "boolean") return "";
  if (v instanceof Template) return renderTree(v);
  if (v instanceof Raw) return v.html;
  if (v instanceof JsonText) return escapeHtml(v.text);
  if (Array.isArray(v)) return { l: v.map(textValue) };
  if (v instanceof Keyed) return keyedList(v);
  if (v instanceof LiveViewRef) return childHole(v);
  if (v instanceof ComponentRef) return inComponent(componentHole, v);
  return escapeHtml(String(v));
}

/** A keyed list: items as an array's, keys recorded for the diff (keyed.ts); duplicates fail the render. */
function keyedList(v: Keyed): KeyedListNode {
  const n = v.items.length;
  const l: RenderedTree[] = new Array(n);
  const keys: Key[] = new Array(n);
  const seen = new Set<Key>();
  let dupes: Key[] | undefined;
  for (let i = 0; i < n; i++) {
    const k = v.keyOf(i);
    if (seen.has(k)) (dupes ??= []).push(k);
    else seen.add(k);
    keys[i] = k;
    l[i] = textValue(v.render(i));
  }
  if (dupes !== undefined) duplicateKeys(dupes);
  return { l, [KEYS]: keys };
}

/** The unescaped text of an attribute value: arrays join with spaces (class lists). */
function attrText(v: unknown): string {
  if (v === null || v === undefined || typeof v === "boolean") return "";
  if (v instanceof Template) return renderToString(v);
  if (v instanceof Raw) return v.html;
  if (v instanceof JsonText) return v.text;
  if (Array.isArray(v)) return v.map(attrText).filter((x) => x !== "").join(" ");
  if (v instanceof Keyed) return v.items.map((_, i) => attrText(v.render(i))).filter((x) => x !== "").join(" ");
  return String(v);
}

function attrValue(v: unknown): string {
  return v instanceof Raw ? v.html : escapeHtml(attrText(v));
}

/**
 * The last hole of a URL value has rendered: read the value as the browser
 * will — the statics and the rendered slots as emitted, character references
 * decoded over the whole (a static `&` and a value's `#106;` make `j`) — and,
 * when any URL in it is unsafe, replace the holes: the first by
 * `plan.neutral`, the rest by nothing. A value whose every hole is raw() is
 * the author's and is not checked.
 */
function checkUrl(plan: UrlPlan, values: readonly unknown[], d: RenderedTree[]): void {
  const { first, last, parts } = plan;
  let emitted = parts[0] as string;
  let trusted = true;
  for (let j = first, k = 1; j <= last; j++, k++) {
    if (!(values[j] instanceof Raw)) trusted = false;
    emitted += (d[j] as string) + (parts[k] as string);
  }
  if (trusted || isSafeUrlValue(plan.kind, decodeAttribute(emitted))) return;
  d[first] = plan.neutral;
  for (let j = first + 1; j <= last; j++) d[j] = "";
  if (plan.unsafeAlone !== undefined) throw new TypeError(`Weft: the static text of a ${plan.kind === UrlKind.Srcset ? "srcset" : "URL"} attribute makes an unsafe URL on its own: ${JSON.stringify(plan.unsafeAlone)}`);
}

function wholeAttr(name: string, kind: number, v: unknown): string {
  if (v === true) return name;
  if (v === false || v === null || v === undefined) return "";
  if (kind === -1) return `${name}="${scriptValue(v)}"`;
  if (kind === 0 || v instanceof Raw) return `${name}="${attrValue(v)}"`;
  const text = attrText(v);
  const safe = kind === UrlKind.One ? sanitizeUrl(text) : isSafeUrlValue(kind, text) ? text : UNSAFE_URL;
  return `${name}="${escapeHtml(safe)}"`;
}

/**
 * `<input ${x}>`: only attribute names (`"disabled"`, `"checked required"`,
 * arrays of names) pass, never `on*` or `srcdoc`; null/undefined/false render
 * nothing. One pass over the characters: linear in the value's length.
 */
function namesValue(v: unknown): string {
  if (v instanceof Raw) return v.html;
  if (v instanceof StreamRef) return streamAttr(v);
  const s = attrText(v);
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    if (c === 32 || c === 9 || c === 10 || c === 12 || c === 13) {
      if (i > start) checkName(s, start, i);
      start = i + 1;
    } else if (!isNameChar(c, i === start)) {
      badName(s.slice(start, i + 1));
    }
  }
  return s;
}

/** `[A-Za-z_:][-A-Za-z0-9_:.]*`: no quotes, `=`, `/`, `>` or controls. */
function isNameChar(c: number, first: boolean): boolean {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58) return true;
  return !first && ((c >= 48 && c <= 57) || c === 45 || c === 46);
}

function checkName(s: string, start: number, end: number): void {
  const name = s.slice(start, Math.min(end, start + 6)).toLowerCase();
  if (name.startsWith("on") || (name === "srcdoc" && end - start === 6)) badName(s.slice(start, end));
}

function badName(name: string): never {
  throw new TypeError(`Weft: a value in an attribute-name position must be attribute names (not on* or srcdoc, no values); got ${JSON.stringify(name.slice(0, 40))}`);
}

// Comments do not decode references: `&#45;` and `&#33;` keep `-` and `!`
// out of the value, and the spaces keep static dashes from meeting a `>`.
const COMMENT_SPECIAL = /[-!&<>"']/g;
const COMMENT_ENTITY: Record<string, string> = { "-": "&#45;", "!": "&#33;", "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `<!-- ${x} -->`: no value, empty or not, can end the comment or start one. */
function commentValue(v: unknown): string {
  if (v instanceof Raw) return v.html;
  return ` ${attrText(v).replace(COMMENT_SPECIAL, (ch) => COMMENT_ENTITY[ch] as string)} `;
}

/** Positions no escaping makes safe (Hole.Script, Hole.Refuse, Hole.TagName, Hole.Body): raw() only, json() in script, digits in a tag name. */
function rawOnly(c: Compiled, i: number, v: unknown): string {
  if (v instanceof Raw) return v.html;
  const hole = c.holes[i] as Hole;
  if (v instanceof JsonText && hole === Hole.Body && c.kinds[i] === 1) return v.forScript();
  if (hole === Hole.TagName && typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return String(v);
  // In a body, even "" could join statics into an end tag the compiler did not see.
  if (hole !== Hole.Body && (v === null || v === undefined || v === false)) return "";
  if (hole === Hole.Script) return scriptValue(v);
  throw new TypeError(`Weft: a value ${c.names[i] ?? ""} must be wrapped in raw(); escaping cannot make it safe there`);
}

/** `onclick="${x}"`: escaping cannot make a value safe in script; only raw() or json() may stand here. */
function scriptValue(v: unknown): string {
  if (v instanceof Raw) return v.html;
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof JsonText) return escapeHtml(v.forScript());
  throw new TypeError("Weft: a value in an event-handler (on*) or srcdoc attribute must be wrapped in raw(); escaping cannot make it safe");
}
