/**
 * The template compiler's tokenizer: reads a call site's statics with the
 * states of WHATWG HTML §13.2.5 that decide where a hole stands (data, tag
 * open, tag and attribute names, the three value states, markup declarations,
 * comments, raw-text/RCDATA/script bodies) and gives each hole its context.
 *
 * Invariant: where this scanner and a browser could read a position
 * differently, the scanner's reading is the stricter one (it refuses, or it
 * sees markup where the browser sees text or a comment) — never the reverse.
 */
import { decodeAttribute } from "./char-refs.ts";
import { UNSAFE_URL } from "./escape.ts";
import { Hole } from "./holes.ts";
import { BodyKind, BodyScan, bodyKind } from "./raw-text.ts";
import { classifyPrefix, isSafeUrlValue, Prefix, UrlKind, urlKind } from "./url-check.ts";

/** A URL attribute value with holes whose static text leaves the scheme open. */
export interface UrlPlan {
  readonly kind: UrlKind;
  /** Indices of the value's first and last holes. */
  readonly first: number;
  readonly last: number;
  /** The static text around the holes as written, undecoded: a reference may span a static and a value (holes + 1 parts). */
  readonly parts: readonly string[];
  /** What the first hole renders instead when the value is unsafe (the others render nothing). */
  readonly neutral: string;
  /** The decoded value with `neutral` in place when that is itself unsafe (the statics alone make an unsafe URL); else undefined. */
  readonly unsafeAlone: string | undefined;
}

/** What the scanner learns about a call site. */
export interface Scanned {
  readonly statics: string[];
  readonly holes: Hole[];
  /** Whole: the attribute name as written; Refuse/Body: why. */
  readonly names: (string | undefined)[];
  /** Whole: the attribute's URL kind (0: none; -1: a script attribute). Body: 1 in a script. */
  readonly kinds: number[];
  /** Url: the plan, on the value's last hole. */
  readonly plans: (UrlPlan | undefined)[];
}

/**
 * Attributes whose value is script or a document: no escaping makes a value safe there.
 * @example isScriptAttribute("onclick") // true
 */
export function isScriptAttribute(name: string): boolean {
  return name.startsWith("on") || name === "srcdoc";
}

const enum S {
  Data, TagOpen, EndTagOpen, TagName, BeforeAttr, AttrName, AfterAttrName, BeforeValue, Dq, Sq, Unq, AutoQ,
  MarkupDecl, Bogus, CommentStart, CommentStartDash, Comment, CommentEndDash, CommentEnd, CommentEndBang, Body,
}

interface Value { kind: UrlKind | 0; dynamic: boolean; src: string; parts: string[]; holes: number[]; mode: Prefix | undefined }

function isWs(c: string | undefined): boolean {
  return c === " " || c === "\n" || c === "\t" || c === "\r" || c === "\f";
}

function isAlpha(c: string | undefined): boolean {
  return c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z"));
}

/**
 * Scans a call site's statics.
 * @example scan(["<a href=", ">x</a>"]).holes // [Hole.Whole]
 */
export function scan(strings: readonly string[]): Scanned {
  return new Scanner().run(strings);
}

class Scanner {
  private readonly r: Scanned = { statics: [], holes: [], names: [], kinds: [], plans: [] };
  private st = S.Data;
  private out = "";
  private tag = "";
  private isEnd = false;
  private attr = "";
  private dynamic = false;
  private nameStart = 0;
  private nameEnd = 0;
  private unqStart = 0;
  private value: Value | undefined;
  private body: BodyScan | undefined;

  run(strings: readonly string[]): Scanned {
    for (let n = 0; n < strings.length; n++) {
      this.out = "";
      this.chars(strings[n] as string);
      if (n === strings.length - 1) {
        if (this.st === S.AutoQ) this.out += '"';
        this.endValue();
        this.r.statics.push(this.out);
        break;
      }
      this.hole(n, strings[n + 1] as string, n + 1 === strings.length - 1);
      this.r.statics.push(this.out);
    }
    return this.r;
  }

  private chars(src: string): void {
    for (let i = 0; i < src.length; i++) {
      if (this.st === S.Body) {
        const end = (this.body as BodyScan).scan(src, i);
        if (end < 0) { this.out += src.slice(i); return; }
        this.out += src.slice(i, end);
        this.body = undefined;
        this.st = S.Data;
        i = end;
      }
      const ch = src[i] as string;
      const skip = this.step(ch, src, i);
      if (skip < 0) { this.out += "&quot;"; continue; }
      this.out += ch;
      if (skip > 0) { this.out += src.slice(i + 1, i + 1 + skip); i += skip; }
    }
  }

  /** One character in the current state; returns how many following characters it consumed too. */
  private step(ch: string, src: string, i: number): number {
    switch (this.st) {
      case S.Data:
        if (ch === "<") this.st = S.TagOpen;
        return 0;
      case S.TagOpen:
        if (isAlpha(ch)) { this.st = S.TagName; this.tag = ch.toLowerCase(); this.isEnd = false; }
        else if (ch === "/") this.st = S.EndTagOpen;
        else if (ch === "!") this.st = S.MarkupDecl;
        else if (ch === "?") this.st = S.Bogus;
        else this.st = ch === "<" ? S.TagOpen : S.Data;
        return 0;
      case S.EndTagOpen:
        if (isAlpha(ch)) { this.st = S.TagName; this.tag = ch.toLowerCase(); this.isEnd = true; }
        else this.st = ch === ">" ? S.Data : S.Bogus;
        return 0;
      case S.TagName:
        if (isWs(ch) || ch === "/") this.st = S.BeforeAttr;
        else if (ch === ">") this.endTag();
        else this.tag += ch.toLowerCase();
        return 0;
      case S.BeforeAttr:
        if (ch === ">") this.endTag();
        else if (!isWs(ch) && ch !== "/") this.startName(ch);
        return 0;
      case S.AttrName:
        if (isWs(ch) || ch === "/" || ch === "=" || ch === ">") {
          this.nameEnd = this.out.length;
          this.st = isWs(ch) ? S.AfterAttrName : ch === "/" ? S.BeforeAttr : ch === "=" ? S.BeforeValue : S.Data;
          if (ch === ">") this.endTag();
        } else this.attr += ch.toLowerCase();
        return 0;
      case S.AfterAttrName:
        if (ch === "=") this.st = S.BeforeValue;
        else if (ch === ">") this.endTag();
        else if (ch === "/") this.st = S.BeforeAttr;
        else if (!isWs(ch)) this.startName(ch);
        return 0;
      case S.BeforeValue:
        if (ch === '"' || ch === "'") { this.st = ch === '"' ? S.Dq : S.Sq; this.startValue(); }
        else if (ch === ">") this.endTag();
        else if (!isWs(ch)) { this.st = S.Unq; this.unqStart = this.out.length; this.startValue(); this.valueChar(ch); }
        return 0;
      case S.Dq:
      case S.Sq:
        if (ch === (this.st === S.Dq ? '"' : "'")) { this.endValue(); this.st = S.BeforeAttr; }
        else this.valueChar(ch);
        return 0;
      case S.Unq:
        if (isWs(ch) || ch === ">") { this.endValue(); this.st = S.BeforeAttr; if (ch === ">") this.endTag(); }
        else this.valueChar(ch);
        return 0;
      case S.AutoQ:
        // A value the compiler opened a quote for ends here: close the quote first.
        if (isWs(ch) || ch === ">") { this.out += '"'; this.endValue(); this.st = S.BeforeAttr; if (ch === ">") this.endTag(); }
        else if (ch === '"') { this.valueChar(ch); return -1; } // written as &quot;
        else this.valueChar(ch);
        return 0;
      case S.MarkupDecl:
        if (src.startsWith("--", i)) { this.st = S.CommentStart; return 1; }
        this.st = ch === ">" ? S.Data : S.Bogus; // DOCTYPE, CDATA and the rest end at the first `>`
        return 0;
      case S.Bogus:
        if (ch === ">") this.st = S.Data;
        return 0;
      default:
        this.comment(ch);
        return 0;
    }
  }

  /** Comment states (§13.2.5.43–52): `-->`, `--!>` and the abrupt `<!-->`, `<!--->` end a comment. */
  private comment(ch: string): void {
    const st = this.st;
    if (ch === ">" && st !== S.Comment && st !== S.CommentEndDash) { this.st = S.Data; return; }
    if (ch === "-") this.st = st === S.CommentStart ? S.CommentStartDash : st === S.Comment || st === S.CommentEndBang ? S.CommentEndDash : S.CommentEnd;
    else if (ch === "!" && st === S.CommentEnd) this.st = S.CommentEndBang;
    else this.st = S.Comment;
  }

  private startName(ch: string): void {
    this.st = S.AttrName;
    this.attr = ch.toLowerCase();
    this.dynamic = false;
    this.nameStart = this.out.length;
  }

  private endTag(): void {
    this.st = S.Data;
    const kind = this.isEnd ? undefined : bodyKind(this.tag);
    if (kind !== undefined) { this.st = S.Body; this.body = new BodyScan(this.tag, kind); }
  }

  private startValue(): void {
    const kind = this.dynamic || this.isEnd ? 0 : urlKind(this.tag, this.attr);
    this.value = { kind, dynamic: this.dynamic, src: "", parts: [], holes: [], mode: undefined };
  }

  private valueChar(ch: string): void {
    if (this.value !== undefined && this.value.kind !== 0) this.value.src += ch;
  }

  private endValue(): void {
    const v = this.value;
    this.value = undefined;
    if (v === undefined || v.holes.length === 0) return;
    v.parts.push(v.src);
    const parts = v.parts;
    const first = v.holes[0] as number;
    const last = v.holes[v.holes.length - 1] as number;
    // After a non-empty prefix, `#` ends any scheme the prefix began (it has no
    // `:`) and any character reference it left open (`&#x6` + `ab…` would be one).
    const neutral = (parts[0] as string).replace(/[\u0000-\u0020]/g, "") === "" ? UNSAFE_URL : "#weft-unsafe-url";
    const alone = decodeAttribute(parts[0] + neutral + parts.slice(1).join(""));
    const unsafeAlone = isSafeUrlValue(v.kind as UrlKind, alone) ? undefined : alone;
    this.r.plans[last] = { kind: v.kind as UrlKind, first, last, parts, neutral, unsafeAlone };
  }

  /** Decides the context of hole `n`, which sits between this static and `next`. */
  private hole(n: number, next: string, nextIsLast: boolean): void {
    const r = this.r;
    let hole: Hole;
    let note: string | undefined;
    let kind = 0;
    switch (this.st) {
      case S.Data: hole = Hole.Text; break;
      case S.Body: {
        const body = this.body as BodyScan;
        if (body.kind === BodyKind.RcData) {
          hole = body.markup ? Hole.Refuse : Hole.Text;
          note = `in <${body.tag}> after markup-like text (a browser reads it as text, a template compiled alone cannot tell)`;
        } else {
          hole = Hole.Body;
          note = `in the body of <${body.tag}>${body.kind === BodyKind.Script ? " (or json())" : ""}`;
          kind = body.kind === BodyKind.Script ? 1 : 0;
        }
        break;
      }
      case S.TagOpen: case S.EndTagOpen: case S.TagName:
        // Digits after a letter keep a name (`<h${2}>`); right after `<` even they are refused.
        hole = this.st === S.TagName ? Hole.TagName : Hole.Refuse; note = "in a tag name";
        if (this.st !== S.TagName) { this.tag = ""; this.isEnd = this.st === S.EndTagOpen; }
        this.st = S.TagName;
        break;
      case S.MarkupDecl: case S.Bogus:
        hole = Hole.Refuse; note = "in a markup declaration (<!…>, <?…>, DOCTYPE)"; this.st = S.Bogus; break;
      case S.BeforeAttr: case S.AfterAttrName: case S.AttrName:
        if (!this.isEnd && this.st !== S.AttrName && standalone(next, nextIsLast)) { hole = Hole.Names; this.st = S.BeforeAttr; break; }
        hole = Hole.Refuse;
        note = this.isEnd ? "in an end tag" : "in an attribute name";
        if (this.st !== S.AttrName) { this.startName(""); this.st = S.AttrName; }
        this.dynamic = true;
        break;
      case S.BeforeValue:
        if (isWhole(next, nextIsLast)) {
          if (this.dynamic || this.isEnd) { hole = Hole.Refuse; note = this.isEnd ? "in an end tag" : "in the value of an attribute whose name is a hole"; }
          else {
            hole = Hole.Whole;
            note = this.out.slice(this.nameStart, this.nameEnd);
            kind = isScriptAttribute(this.attr) ? -1 : urlKind(this.tag, this.attr);
            this.out = this.out.slice(0, this.nameStart);
          }
          this.st = S.BeforeAttr;
          break;
        }
        this.out += '"';
        this.startValue();
        this.st = S.AutoQ;
        [hole, note] = this.valueHole(n);
        break;
      case S.Dq: case S.Sq: case S.Unq: case S.AutoQ:
        // Re-open an unquoted value with a quote so that the hole cannot end it.
        if (this.st === S.Unq) { this.out = `${this.out.slice(0, this.unqStart)}"${this.out.slice(this.unqStart)}`; this.st = S.AutoQ; }
        [hole, note] = this.valueHole(n);
        break;
      default:
        hole = Hole.Comment;
        this.st = S.Comment;
    }
    r.holes.push(hole);
    r.names.push(note);
    r.kinds.push(kind);
    r.plans.push(undefined);
  }

  private valueHole(n: number): [Hole, string | undefined] {
    const v = this.value as Value;
    if (this.isEnd) return [Hole.Refuse, "in an end tag"];
    if (v.dynamic) return [Hole.Refuse, "in the value of an attribute whose name is a hole"];
    if (isScriptAttribute(this.attr)) return [Hole.Script, undefined];
    if (v.kind === 0) return [Hole.Attr, undefined];
    v.parts.push(v.src);
    v.src = "";
    v.mode ??= v.kind === UrlKind.One && !endsInReference(v.parts[0] as string) ? classifyPrefix(decodeAttribute(v.parts[0] as string)) : Prefix.Open;
    if (v.mode === Prefix.Fixed) return [Hole.Attr, undefined];
    if (v.mode === Prefix.Unsafe) return [Hole.Refuse, `in the URL attribute ${this.attr} after a static scheme that is not http(s), mailto, tel, ftp or sms`];
    v.holes.push(n);
    return [Hole.Url, undefined];
  }
}

/**
 * True when `s` ends in a character reference a following value could go on
 * (`&`, `&#`, `&#x6`, `&co`): what it decodes to is known only with the value.
 */
function endsInReference(s: string): boolean {
  const amp = s.lastIndexOf("&");
  return amp >= 0 && /^[#A-Za-z0-9]*$/.test(s.slice(amp + 1));
}

/**
 * `<input ${x}>`: a hole is a standalone attribute list when the next static
 * goes on with whitespace, `/` or `>` (or the template ends) and no `=`
 * follows: `<a ${x}=1>` or `<a ${x}y>` would make it part of a name.
 */
function standalone(next: string, nextIsLast: boolean): boolean {
  const c = next[0];
  if (c === undefined) return nextIsLast;
  if (c === ">" || c === "/") return true;
  if (!isWs(c)) return false;
  for (const ch of next) if (!isWs(ch)) return ch !== "=";
  return true;
}

/**
 * `checked=${on}`: the hole is the attribute's whole value when the next static
 * goes on with whitespace, `>` or `/>` (`href=${x}/y` is one value, as a browser reads it).
 */
function isWhole(next: string, nextIsLast: boolean): boolean {
  const c = next[0];
  // An empty static between two holes joins them into one value: not whole.
  return c === undefined ? nextIsLast : c === ">" || (c === "/" && next[1] === ">") || isWs(c);
}
