/**
 * Compiling a template's statics, once per call site. The strings array of a
 * tagged template is the same object for every call from one source location
 * (ECMA-262 GetTemplateObject), so it is the template's fingerprint: it is
 * compiled once, cached in a WeakMap, and given a small id that the wire uses.
 *
 * Compiling finds each hole's context — text, attribute value, URL attribute —
 * and adds quotes around holes that stand as unquoted attribute values, so that
 * escaping `& < > " '` is always enough.
 */
import { URL_ATTRIBUTES } from "./escape.ts";

/** Where a hole stands in the HTML. */
export const enum Hole {
  /** Element content (or a comment, or an attribute-name position). */
  Text = 0,
  /** Inside a quoted attribute value. */
  Attr = 1,
  /** At the start of a URL attribute's value (href, src, …). */
  Url = 2,
  /**
   * The whole unquoted value of an attribute (`checked=${on}`): the hole renders
   * the attribute itself — `name` for true, nothing for false/null/undefined,
   * `name="value"` otherwise — so boolean attributes work as expected.
   */
  Whole = 3,
  /**
   * A hole right after a URL-start hole with nothing between (`href="${a}${b}"`):
   * the scheme may be split across them, so the run is checked as one.
   */
  UrlCont = 4,
  /** An attribute-name position (`<input ${x}>`): only attribute names pass. */
  Tag = 5,
  /** Inside an event-handler (`on*`) or `srcdoc` value: script context, `raw()` only. */
  Script = 6,
}

/** Attributes whose value is script or a document: no escaping makes a value safe there. */
export function isScriptAttribute(name: string): boolean {
  return name.startsWith("on") || name === "srcdoc";
}

/** A compiled template. */
export interface Compiled {
  /** Fingerprint id: small, per process. */
  readonly id: number;
  /** Statics as sent and rendered (quotes added where needed). */
  readonly statics: readonly string[];
  /** Context of each hole. */
  readonly holes: readonly Hole[];
  /** For `Hole.Whole` holes, the attribute name as written; else undefined. */
  readonly names: readonly (string | undefined)[];
}

const cache = new WeakMap<TemplateStringsArray, Compiled>();
const byId: (readonly string[])[] = [];

/** Statics of a fingerprint id (for the wire). */
export function staticsOf(id: number): readonly string[] | undefined {
  return byId[id];
}

/** Compiles (once) and returns the template for a strings array. */
export function compile(strings: TemplateStringsArray): Compiled {
  let c = cache.get(strings);
  if (c === undefined) {
    c = analyse(strings);
    cache.set(strings, c);
    byId[c.id] = c.statics;
  }
  return c;
}

const enum St { Data, TagName, InTag, AttrName, AfterName, BeforeValue, Dq, Sq, Unq, AutoQ, Comment, EndTag }

/**
 * Scans the statics with a small HTML tokenizer (enough of WHATWG §13.2.5 to
 * know where each hole stands) and returns the compiled template.
 */
function analyse(strings: TemplateStringsArray): Compiled {
  const statics: string[] = [];
  const holes: Hole[] = [];
  const names: (string | undefined)[] = [];
  let st = St.Data;
  let attr = "";
  let valueStart = false;
  let unqStart = 0;
  let urlRun = false;
  for (let n = 0; n < strings.length; n++) {
    const src = strings[n] as string;
    let out = "";
    for (let i = 0; i < src.length; i++) {
      const ch = src[i] as string;
      const ws = ch === " " || ch === "\n" || ch === "\t" || ch === "\r" || ch === "\f";
      switch (st) {
        case St.Data:
          if (ch === "<") {
            if (src.startsWith("<!--", i)) { st = St.Comment; out += "<!--"; i += 3; continue; }
            const next = src[i + 1];
            if (next === "/") st = St.EndTag;
            else if (next !== undefined && /[a-zA-Z]/.test(next)) st = St.TagName;
          }
          break;
        case St.Comment:
          if (src.startsWith("-->", i)) { st = St.Data; out += "-->"; i += 2; continue; }
          break;
        case St.EndTag:
          if (ch === ">") st = St.Data;
          break;
        case St.TagName:
          if (ws) st = St.InTag;
          else if (ch === ">") st = St.Data;
          break;
        case St.InTag:
          if (ch === ">") st = St.Data;
          else if (!ws && ch !== "/") { st = St.AttrName; attr = ch.toLowerCase(); }
          break;
        case St.AttrName:
          if (ch === "=") st = St.BeforeValue;
          else if (ch === ">") st = St.Data;
          else if (ws) st = St.AfterName;
          else attr += ch.toLowerCase();
          break;
        case St.AfterName:
          if (ch === "=") st = St.BeforeValue;
          else if (ch === ">") st = St.Data;
          else if (!ws && ch !== "/") { st = St.AttrName; attr = ch.toLowerCase(); }
          break;
        case St.BeforeValue:
          if (ch === '"') { st = St.Dq; valueStart = true; out += ch; continue; }
          if (ch === "'") { st = St.Sq; valueStart = true; out += ch; continue; }
          if (ch === ">") st = St.Data;
          else if (!ws) { st = St.Unq; unqStart = out.length; }
          break;
        case St.Dq:
          if (ch === '"') st = St.InTag;
          break;
        case St.Sq:
          if (ch === "'") st = St.InTag;
          break;
        case St.Unq:
          if (ws) st = St.InTag;
          else if (ch === ">") st = St.Data;
          break;
        case St.AutoQ:
          // A value we opened a quote for ends here: close the quote first.
          if (ws || ch === ">") { out += '"'; st = ch === ">" ? St.Data : St.InTag; }
          else if (ch === '"') { out += "&quot;"; continue; }
          break;
      }
      valueStart = false;
      out += ch;
    }
    if (n === strings.length - 1) {
      if (st === St.AutoQ) out += '"';
      statics.push(out);
      break;
    }
    // A hole follows this static: decide its context.
    if (src !== "") urlRun = false;
    const whole = st === St.BeforeValue ? wholeAttribute(out, strings[n + 1] as string, n + 1 === strings.length - 1) : undefined;
    names.push(whole?.name);
    let hole: Hole;
    if (whole !== undefined) {
      out = whole.before;
      st = St.InTag;
      hole = Hole.Whole;
    } else if (st === St.BeforeValue || st === St.Dq || st === St.Sq || st === St.Unq || st === St.AutoQ) {
      if (st === St.BeforeValue) { out += '"'; valueStart = true; }
      // Re-open an unquoted value with a quote so that the hole cannot end it.
      if (st === St.Unq) out = `${out.slice(0, unqStart)}"${out.slice(unqStart)}`;
      if (st !== St.Dq && st !== St.Sq) st = St.AutoQ;
      const url = URL_ATTRIBUTES.has(attr);
      hole = isScriptAttribute(attr) ? Hole.Script
        : url && valueStart ? Hole.Url
        : url && urlRun ? Hole.UrlCont
        : Hole.Attr;
    } else if (st === St.TagName || st === St.InTag || st === St.AttrName || st === St.AfterName) {
      hole = Hole.Tag;
    } else {
      hole = Hole.Text;
    }
    urlRun = hole === Hole.Url || hole === Hole.UrlCont;
    holes.push(hole);
    valueStart = false;
    statics.push(out);
  }
  return { id: byId.length, statics, holes, names };
}

/**
 * `<input checked=${on}>`: the hole is the attribute's whole value when the
 * next static goes on with whitespace, `>` or `/`. Returns the static without
 * `name=` and the name as written.
 */
function wholeAttribute(out: string, next: string, nextIsLast: boolean): { before: string; name: string } | undefined {
  const c = next[0];
  // An empty static between two holes joins them into one value: not whole.
  if (c === undefined ? !nextIsLast : c !== ">" && c !== "/" && !/\s/.test(c)) return undefined;
  const m = /([^\s"'<>\/=]+)\s*=\s*$/.exec(out);
  return m === null ? undefined : { before: out.slice(0, m.index), name: m[1] as string };
}
