/**
 * Where a template hole stands in the HTML, as the compiler (scanner.ts)
 * decides once per call site, and how each kind renders (render-tree.ts).
 */

/** Where a hole stands in the HTML. */
export const enum Hole {
  /** Element content, or RCDATA (`<textarea>`, `<title>`) before any markup-like text: escaped. */
  Text = 0,
  /** Inside an attribute value (quoted, or quoted by the compiler): escaped. */
  Attr = 1,
  /**
   * Inside a URL attribute whose static text so far leaves the scheme open
   * (`href="${x}"`, `href=" ${x}"`, `href="java${x}"`, any `srcset`): escaped,
   * and the attribute's whole value is checked when its last hole renders.
   */
  Url = 2,
  /**
   * The whole unquoted value of an attribute (`checked=${on}`): the hole renders
   * the attribute itself — `name` for true, nothing for false/null/undefined,
   * `name="value"` otherwise (URL attributes checked, script attributes refused).
   */
  Whole = 3,
  /** A standalone attribute-name position (`<input ${x}>`): only attribute names pass. */
  Names = 5,
  /** Inside an event-handler (`on*`) or `srcdoc` value: script context, `raw()` or `json()` only. */
  Script = 6,
  /**
   * A position where no escaping makes a value safe — tag names, end tags,
   * inside attribute names, values of dynamically named attributes, markup
   * declarations, URLs with an unsafe static scheme, RCDATA after
   * markup-like text: `raw()` only; null/undefined/false render nothing.
   */
  Refuse = 7,
  /** Inside a comment: escaped, dashes and `!` too, padded with spaces so that no value ends it. */
  Comment = 8,
  /**
   * In a tag name (`<h${level}>`, `</h${level}>`): a non-negative integer
   * (digits only, so it cannot make a raw-text element's name), `raw()`, or
   * null/undefined/false for nothing; anything else is refused.
   */
  TagName = 10,
  /** In a raw-text or script body (`<script>`, `<style>`, …): `raw()` only (or `json()` in a script), even for null. */
  Body = 9,
}
