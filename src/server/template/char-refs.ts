/**
 * Character references in attribute values, decoded as a browser does before
 * it reads a URL (WHATWG HTML §13.2.5.72–80): `jav&#97;script:` is
 * `javascript:` to the browser, so URL checks look at the decoded text.
 *
 * Only references that decode to ASCII can change a URL's scheme or where it
 * ends (`:`, `/`, `?`, `#`, letters, whitespace), so the named table holds
 * exactly those (all 54 of the 2,231 HTML named references; `&fjlig;` is the
 * only one that gives letters). Any other named reference decodes to
 * non-ASCII, which no scheme may contain: it is left as written, and a check
 * that sees `&` and `;` there is at least as strict as one that sees the
 * decoded character.
 */

const NAMED: Readonly<Record<string, string>> = {
  "AMP;": "&", "AMP": "&", "DiacriticalGrave;": "`", "GT;": ">", "GT": ">", "Hat;": "^", "LT;": "<", "LT": "<",
  "NewLine;": "\n", "QUOT;": '"', "QUOT": '"', "Tab;": "\t", "UnderBar;": "_", "VerticalLine;": "|",
  "amp;": "&", "amp": "&", "apos;": "'", "ast;": "*", "bsol;": "\\", "colon;": ":", "comma;": ",", "commat;": "@",
  "dollar;": "$", "equals;": "=", "excl;": "!", "fjlig;": "fj", "grave;": "`", "gt;": ">", "gt": ">",
  "lbrace;": "{", "lbrack;": "[", "lcub;": "{", "lowbar;": "_", "lpar;": "(", "lsqb;": "[", "lt;": "<", "lt": "<",
  "midast;": "*", "num;": "#", "percnt;": "%", "period;": ".", "plus;": "+", "quest;": "?", "quot;": '"', "quot": '"',
  "rbrace;": "}", "rbrack;": "]", "rcub;": "}", "rpar;": ")", "rsqb;": "]", "semi;": ";", "sol;": "/",
  "verbar;": "|", "vert;": "|",
};
/** Longest name in NAMED, with its `;`. */
const LONGEST = 17;

/**
 * Decodes the character references of an attribute value (numeric, and the
 * named ones that give ASCII; see the module comment).
 * @example decodeAttribute("jav&#97;script&colon;") // "javascript:"
 */
export function decodeAttribute(s: string): string {
  let amp = s.indexOf("&");
  if (amp < 0) return s;
  let out = "";
  let from = 0;
  while (amp >= 0) {
    out += s.slice(from, amp);
    const ref = s[amp + 1] === "#" ? numeric(s, amp) : named(s, amp);
    if (ref === undefined) { out += "&"; from = amp + 1; }
    else { out += ref.text; from = ref.end; }
    amp = s.indexOf("&", from);
  }
  return out + s.slice(from);
}

interface Ref { text: string; end: number }

/** `&#106;`, `&#x6A`, …: digits may be many, the `;` may be missing. */
function numeric(s: string, amp: number): Ref | undefined {
  let i = amp + 2;
  const hex = s[i] === "x" || s[i] === "X";
  if (hex) i++;
  const start = i;
  let code = 0;
  for (; i < s.length; i++) {
    const d = hex ? parseInt(s[i] as string, 16) : (s.charCodeAt(i) - 48);
    if (Number.isNaN(d) || d < 0 || d > (hex ? 15 : 9)) break;
    code = Math.min(code * (hex ? 16 : 10) + d, 0x110000);
  }
  if (i === start) return undefined;
  if (s[i] === ";") i++;
  // §13.2.5.80: NUL, surrogates and values past U+10FFFF become U+FFFD.
  const bad = code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff);
  return { text: bad ? "\ufffd" : String.fromCodePoint(code), end: i };
}

/**
 * The longest name in NAMED at `amp`. Names are letters and a `;`; only the
 * legacy ones (`amp`, `lt`, `gt`, `quot`, up to 4 letters) match without it,
 * and those are not decoded before `=` or an alphanumeric (attribute rule).
 */
function named(s: string, amp: number): Ref | undefined {
  let end = amp + 1;
  while (end < s.length && end - amp <= LONGEST && isLetter(s.charCodeAt(end))) end++;
  if (s[end] === ";") {
    const text = lookup(s.slice(amp + 1, end + 1));
    if (text !== undefined) return { text, end: end + 1 };
  }
  for (let stop = Math.min(end, amp + 5); stop > amp + 2; stop--) {
    const text = lookup(s.slice(amp + 1, stop));
    if (text === undefined) continue;
    const next = s[stop];
    if (next !== undefined && /[=A-Za-z0-9]/.test(next)) return undefined;
    return { text, end: stop };
  }
  return undefined;
}

function lookup(name: string): string | undefined {
  return Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
