/**
 * HTML escaping. One function serves text and quoted attribute values: Weft
 * always quotes attribute values (an unquoted hole gets quotes added when the
 * template is compiled), so escaping `& < > " '` is enough in both contexts.
 */
const SPECIAL = /[&<>"']/;
const SPECIAL_G = /[&<>"']/g;
const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Escapes a string for HTML text or a quoted attribute value.
 * @example escapeHtml(`<a href="x">`) // "&lt;a href=&quot;x&quot;&gt;"
 */
export function escapeHtml(value: string): string {
  // Most values (numbers, names) hold nothing to escape: test before replacing.
  return SPECIAL.test(value) ? value.replace(SPECIAL_G, (c) => ENTITY[c] as string) : value;
}

/**
 * Attributes whose value is a URL that the browser may navigate to or load
 * (on any element: `<object data>`, `<embed src>`, `<base href>`, svg `<use href>`…).
 * `srcset`/`imagesrcset` hold several, `ping` a space-separated list; `<meta content>`
 * and SVG animation values are URLs by their element (url-check.ts).
 */
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  "href", "src", "action", "formaction", "poster", "cite", "background", "xlink:href", "data", "srcset", "imagesrcset", "ping",
  "codebase", "classid", "archive", "longdesc", "lowsrc", "dynsrc", "manifest", "icon", "profile", "usemap",
]);

// Browsers ignore ASCII whitespace and control characters inside a scheme
// ("java\tscript:"), so they are stripped before the scheme is read.
const CONTROL = /[\u0000-\u0020\u007f]+/g;
const SAFE_SCHEME = /^(?:https?|mailto|tel|ftp|sms):/i;
const HAS_SCHEME = /^[^/?#]*:/;

/** What an unsafe URL becomes. */
export const UNSAFE_URL = "about:invalid#weft-unsafe-url";

/**
 * Neutralises a URL placed at the start of a URL attribute: relative URLs and
 * http(s)/mailto/tel/ftp/sms pass; `javascript:`, `data:`, `vbscript:` and any
 * other scheme become `about:invalid#weft-unsafe-url`. Wrap in `raw()` to opt out.
 * @example sanitizeUrl("javascript:alert(1)") // "about:invalid#weft-unsafe-url"
 */
export function sanitizeUrl(url: string): string {
  const probe = url.replace(CONTROL, "");
  if (!HAS_SCHEME.test(probe) || SAFE_SCHEME.test(probe)) return url;
  return UNSAFE_URL;
}
