/**
 * Which attribute values a browser reads as URLs, and whether a whole value is
 * safe: every URL in it relative or of a safe scheme. A value is checked whole
 * (static text, holes and character references together) because the browser
 * reads it whole: `href=" ${x}"` and `href="java${x}"` choose their scheme
 * as much as `href="${x}"` does.
 */
import { sanitizeUrl, UNSAFE_URL, URL_ATTRIBUTES } from "./escape.ts";

/** How an attribute's value holds URLs. */
export const enum UrlKind {
  /** One URL (`href`, `src`, `action`, …). */
  One = 1,
  /** A `srcset`: comma-separated candidates, each a URL and descriptors. */
  Srcset = 2,
  /** `<meta content>`: a refresh (`0;url=…`) may navigate. */
  Refresh = 3,
  /** SVG `<animate>`/`<set>` `to`/`from`/`by`/`values`: `;`-separated values that may animate an `href`. */
  Animation = 4,
  /** `ping`: space-separated URLs. */
  Spaced = 5,
}

const ANIMATION_TAGS = new Set(["animate", "set"]);
const ANIMATION_ATTRS = new Set(["to", "from", "by", "values"]);

/**
 * The URL kind of attribute `attr` (lower-case) on element `tag` (lower-case), or 0 for none.
 * @example urlKind("meta", "content") // UrlKind.Refresh
 */
export function urlKind(tag: string, attr: string): UrlKind | 0 {
  if (attr === "srcset" || attr === "imagesrcset") return UrlKind.Srcset;
  if (attr === "ping") return UrlKind.Spaced;
  if (URL_ATTRIBUTES.has(attr)) return UrlKind.One;
  if (tag === "meta" && attr === "content") return UrlKind.Refresh;
  if (ANIMATION_TAGS.has(tag) && ANIMATION_ATTRS.has(attr)) return UrlKind.Animation;
  return 0;
}

/**
 * True when every URL in `value` (decoded text) is relative or of a safe scheme.
 * @example isSafeUrlValue(UrlKind.Srcset, "/a.png 1x, javascript:x 2x") // false
 */
export function isSafeUrlValue(kind: UrlKind, value: string): boolean {
  switch (kind) {
    case UrlKind.One: return safe(value);
    case UrlKind.Srcset: return srcsetUrls(value).every(safe);
    case UrlKind.Refresh: return safe(refreshTarget(value));
    case UrlKind.Animation: return value.split(";").every(safe);
    case UrlKind.Spaced: return value.split(/[\t\n\f\r ]/).every(safe);
  }
}

function safe(url: string): boolean {
  return sanitizeUrl(url) !== UNSAFE_URL || url.replace(/[\u0000-\u0020\u007f]/g, "").startsWith(UNSAFE_URL);
}

/** What a static prefix decides about a URL's scheme. */
export const enum Prefix {
  /** Holes after it may still choose the scheme: check the whole value at render. */
  Open,
  /** Relative, or of a safe scheme: nothing after it changes that. */
  Fixed,
  /** Of a scheme that is not safe (`javascript:`…): values after it are script or worse. */
  Unsafe,
}

/**
 * What the decoded static text before a URL's first hole decides. Only `/`,
 * `?`, `#`, `\` or a complete scheme fix it; anything else (letters,
 * whitespace, controls) leaves it open.
 * @example classifyPrefix("java") // Prefix.Open; classifyPrefix("/go?") // Prefix.Fixed
 */
export function classifyPrefix(decoded: string): Prefix {
  const p = decoded.replace(/[\u0000-\u0020\u007f]/g, "");
  const end = p.search(/[/?#\\:]/);
  if (end < 0) return Prefix.Open;
  if (p[end] !== ":") return Prefix.Fixed;
  return safe(p) ? Prefix.Fixed : Prefix.Unsafe;
}

/** The URLs of a srcset (HTML §4.8.4.3.11 candidate parsing; descriptors skipped). */
function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  const n = value.length;
  let i = 0;
  while (i < n) {
    while (i < n && (isSpace(value.charCodeAt(i)) || value[i] === ",")) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(value.charCodeAt(i))) i++;
    let end = i;
    if (value[end - 1] === ",") {
      while (end > start && value[end - 1] === ",") end--;
    } else {
      // Descriptors run to the next comma outside parentheses.
      let depth = 0;
      for (; i < n && (depth > 0 || value[i] !== ","); i++) {
        if (value[i] === "(") depth++;
        else if (value[i] === ")" && depth > 0) depth--;
      }
    }
    urls.push(value.slice(start, end));
  }
  return urls;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/**
 * The URL a refresh value would load (HTML §4.2.5.3 shared declarative refresh
 * steps), or "" when it names none. A value that is not a refresh names none.
 * Leniently: a missing separator after the time still yields the rest.
 */
function refreshTarget(content: string): string {
  let i = 0;
  const n = content.length;
  while (i < n && isSpace(content.charCodeAt(i))) i++;
  const timeStart = i;
  while (i < n && ((content[i] as string) >= "0" && (content[i] as string) <= "9" || content[i] === ".")) i++;
  if (i === timeStart) return "";
  while (i < n && (isSpace(content.charCodeAt(i)) || content[i] === ";" || content[i] === ",")) i++;
  let rest = content.slice(i);
  const m = /^url[\t\n\f\r ]*=[\t\n\f\r ]*/i.exec(rest);
  if (m !== null) rest = rest.slice(m[0].length);
  const q = rest[0];
  if (q === '"' || q === "'") {
    const close = rest.indexOf(q, 1);
    rest = close < 0 ? rest.slice(1) : rest.slice(1, close);
  }
  return rest;
}
