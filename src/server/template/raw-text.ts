/**
 * Bodies of elements whose content is not markup (WHATWG HTML §13.1.2): the
 * template compiler must end them exactly where a browser does, or a hole it
 * takes for text could be script. RCDATA (`textarea`, `title`) decodes
 * character references, so an escaped value is text there; raw text (`style`,
 * `xmp`, `iframe`, `noembed`, `noframes`, `noscript` with scripting on) and
 * script data (`script`) do not, and `plaintext` never ends.
 *
 * Inside `<svg>`/`<math>` these names are ordinary elements whose content is
 * markup. The compiler cannot always know (a template nested in another is
 * compiled alone), so it reads them as here: raw-text bodies refuse every
 * hole, which is safe in either reading, and RCDATA bodies refuse holes once
 * their static text looks like markup (see BodyScan.markup).
 */

/** How an element's body is tokenized. */
export const enum BodyKind { RcData = 1, RawText = 2, Script = 3, Plaintext = 4 }

const KINDS: Readonly<Record<string, BodyKind>> = {
  textarea: BodyKind.RcData, title: BodyKind.RcData,
  style: BodyKind.RawText, xmp: BodyKind.RawText, iframe: BodyKind.RawText, noembed: BodyKind.RawText,
  noframes: BodyKind.RawText, noscript: BodyKind.RawText,
  script: BodyKind.Script, plaintext: BodyKind.Plaintext,
};

/**
 * The body kind of a start tag's element (lower-case name), or undefined for markup.
 * @example bodyKind("textarea") // BodyKind.RcData
 */
export function bodyKind(tag: string): BodyKind | undefined {
  return Object.hasOwn(KINDS, tag) ? KINDS[tag] : undefined;
}

/** Script data sub-states (§13.2.5.15–32), enough to find the end tag. */
const enum Sd { Data, Escaped, EscapedDash, EscapedDashDash, Double, DoubleDash, DoubleDashDash }

/**
 * The scan of one element's body, across statics and holes.
 * @example new BodyScan("style", BodyKind.RawText).scan("a{}</style>", 0) // 3
 */
export class BodyScan {
  /** True once the static body holds `<` followed by a letter, `/`, `!`, `?` or a hole. */
  markup = false;
  private sd = Sd.Data;

  constructor(readonly tag: string, readonly kind: BodyKind) {}

  /**
   * Scans `src` from `from`; returns the index of the `<` that starts the
   * element's end tag, or -1 when the body goes on past the end of `src`.
   */
  scan(src: string, from: number): number {
    for (let i = from; i < src.length; i++) {
      if (src[i] !== "<") {
        if (this.kind === BodyKind.Script) this.scriptChar(src, i);
        continue;
      }
      const next = src[i + 1];
      if (next === undefined || /[A-Za-z/!?]/.test(next)) this.markup = true;
      if (this.kind === BodyKind.Plaintext) continue;
      if (next === "/" && this.endsHere(src, i) && this.sd !== Sd.Double && this.sd !== Sd.DoubleDash && this.sd !== Sd.DoubleDashDash) return i;
      if (this.kind === BodyKind.Script) i = this.scriptLt(src, i);
    }
    return -1;
  }

  /** `</tag` followed by whitespace, `/` or `>` (an "appropriate end tag"). */
  private endsHere(src: string, i: number): boolean {
    const end = i + 2 + this.tag.length;
    if (src.slice(i + 2, end).toLowerCase() !== this.tag) return false;
    const c = src[end];
    return c === "\t" || c === "\n" || c === "\f" || c === "\r" || c === " " || c === "/" || c === ">";
  }

  /** A `<` in script data: `<!--` escapes; `<script` / `</script` toggle the double escape. */
  private scriptLt(src: string, i: number): number {
    if (this.sd === Sd.Data) {
      if (src.startsWith("<!--", i)) { this.sd = Sd.EscapedDashDash; return i + 3; }
      return i;
    }
    const close = src[i + 1] === "/";
    const word = /^[A-Za-z]*/.exec(src.slice(i + (close ? 2 : 1), i + (close ? 2 : 1) + 7))?.[0] ?? "";
    const after = src[i + (close ? 2 : 1) + word.length];
    const delimited = after === "\t" || after === "\n" || after === "\f" || after === "\r" || after === " " || after === "/" || after === ">";
    if (word.toLowerCase() === "script" && delimited) {
      const doubled = this.sd === Sd.Double || this.sd === Sd.DoubleDash || this.sd === Sd.DoubleDashDash;
      // `<script` starts the double escape, `</script` inside it ends it.
      this.sd = close === doubled ? (close ? Sd.Escaped : Sd.Double) : doubled ? Sd.Double : Sd.Escaped;
      return i + (close ? 2 : 1) + word.length - 1;
    }
    this.sd = this.sd >= Sd.Double ? Sd.Double : Sd.Escaped;
    return i;
  }

  /** Dashes and `>` in script data: `-->` leaves the escape. */
  private scriptChar(src: string, i: number): void {
    const c = src[i];
    const sd = this.sd;
    if (sd === Sd.Data) return;
    const double = sd >= Sd.Double;
    if (c === "-") {
      this.sd = sd === Sd.Escaped || sd === Sd.Double ? (double ? Sd.DoubleDash : Sd.EscapedDash) : (double ? Sd.DoubleDashDash : Sd.EscapedDashDash);
    } else if (c === ">" && (sd === Sd.EscapedDashDash || sd === Sd.DoubleDashDash)) {
      this.sd = Sd.Data;
    } else {
      this.sd = double ? Sd.Double : Sd.Escaped;
    }
  }
}
