/**
 * Random template call sites for the template phase of the fuzzer: each draws
 * one hole position from a family (tag names, end tags, attribute lists and
 * names, every URL attribute with static text around the hole, srcset, meta
 * refresh, SVG animation, comments, markup declarations, raw-text, RCDATA and
 * script bodies, foreign content), wraps it in random static text, and ends
 * with a canary: a second hole in an `href`, which is classified wrongly if
 * the compiler lost track of where the first hole left the tokenizer.
 *
 * @example
 * fc.sample(templateSite, { seed: 1, numRuns: 3 }).map((s) => s.parts.join("${x}"));
 */
import fc from "fast-check";

/** A generated call site: statics around one hostile hole and the canary hole. */
export interface TemplateSite {
  /** Family of the first hole, for the counts. */
  readonly family: string;
  /** Statics: parts[0] + hole + parts[1] + canary + parts[2]. */
  readonly parts: readonly [string, string, string];
  /** True when the first hole is an attribute list: names from the value may appear. */
  readonly names: boolean;
}

const TAGS = ["a", "img", "p", "div", "form", "button", "iframe", "object", "embed", "base", "meta", "video", "input", "source", "link", "svg a", "svg use", "svg animate", "svg set", "math mi"];
const ATTRS = ["href", "HREF", "src", "srcset", "imagesrcset", "action", "formaction", "xlink:href", "data", "poster", "ping", "cite", "background", "content", "to", "values", "from", "title", "class", "style", "value", "onclick", "OnLoad", "srcdoc", "http-equiv", "codebase"];
const PREFIXES = ["", " ", "\n\t ", "\u0001", "java", "JaVa", "javascript", "jav&#97;", "&#x6a;ava", "&#32;", "&Tab;", "&NewLine;j", "j&#x0A;ava", "java&colon;", "/", "./", "?q=", "#", "https://x.test/", "http:", "mailto:", "data:", "0;url=", "0; URL='", "/a.png 1x, ", "/a.png 1x,", "/a;", "a b ", "&amp;", "&", "&#", "&#10", "&#x6", "jav&", "&colon", "&Ta"];
const SUFFIXES = ["", "/y", "script:alert(1)", "&#58;alert(1)", ":x", " 1x", ", javascript:x 2x", ";javascript:x", "'", "&"];
const QUOTES = ['"', "'", ""];
const BODIES = ["script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript", "plaintext", "template", "svg><style", "svg><script", "svg><title", "svg><foreignObject><textarea", "math><mi><title"];
const BODY_TEXT = ["", "var a = ", "a < b ", "<a href=\"", "<!--", "<!--<script>", "</scrip", "<b>", "<", "x</titl", "-->", "<![CDATA["];
const JUNK = ["", " ", "<p>", "</p>", "<!-- c -->", "<br/>", "x", "<svg>", "</svg>", "<math>", "<template>", "&amp;"];

const pick = (xs: readonly string[]) => fc.constantFrom(...xs);

function openTag(tag: string): [string, string] {
  const [outer, inner] = tag.split(" ");
  return inner === undefined ? [`<${outer}`, ""] : [`<${outer}><${inner}`, `</${outer}>`];
}

/** Index of the attribute-value family in `families`. */
const URL_FAMILY = 4;
const families: fc.Arbitrary<{ family: string; before: string; after: string; names?: boolean }>[] = [
  fc.tuple(pick(["", "di", "div", "a", "scr"]), pick([">", " x>", "v>", "/>", " href=\"/\">"])).map(([a, b]) => ({ family: "tag name", before: `<${a}`, after: b })),
  fc.tuple(pick(["", "di", "p ", "a title=\""]), pick([">", "\">", " >"])).map(([a, b]) => ({ family: "end tag", before: `<p></${a}`, after: b })),
  fc.tuple(pick(TAGS), pick([" ", "\n", " id=\"a\"", " id='a' ", "/"]), pick([">", " >", "/>", "=1>", " = 'x'>", "x>", "-y>", "=\"", " title=\"t\">"]))
    .map(([t, a, b]) => { const [o, c] = openTag(t); return { family: "attribute list", before: `${o}${a}`, after: `${b === "=\"" ? "=\"x\">" : b}${c}`, names: true }; }),
  fc.tuple(pick(TAGS), pick(["data-", "x", "on", "hr", "xlink:"]), pick(["=\"x\">", ">", " a>", "=y>"])).map(([t, a, b]) => { const [o, c] = openTag(t); return { family: "attribute name", before: `${o} ${a}`, after: `${b}${c}` }; }),
  fc.tuple(pick(TAGS), pick(ATTRS), pick(QUOTES), pick(PREFIXES), pick(SUFFIXES)).map(([t, a, q, p, s]) => {
    const [o, c] = openTag(t);
    // An unquoted value cannot hold whitespace or quotes in its static text.
    const ps = q === "" ? p.replace(/[\s'"=<>`]/g, "") : p.replaceAll(q, "");
    const ss = q === "" ? s.replace(/[\s'"=<>`]/g, "") : s.replaceAll(q, "");
    return { family: `attribute value${q === "" ? " (unquoted)" : ""}`, before: `${o} ${a}=${q}${ps}`, after: `${ss}${q}>${c}` };
  }),
  fc.tuple(pick(TAGS), pick(ATTRS)).map(([t, a]) => { const [o, c] = openTag(t); return { family: "whole attribute", before: `${o} ${a}=`, after: `>${c}` }; }),
  fc.tuple(pick(["<!--", "<!-- ", "<!---", "<!-- -", "<!-- --", "<!-- --!", "<!--<!--"]), pick(["-->", " -->", ">", "->", "!>", "--!>", "- ->", ""])).map(([a, b]) => ({ family: "comment", before: a, after: `${b}<p>t</p>-->` })),
  fc.tuple(pick(["<!", "<!-", "<?", "<!DOCTYPE ", "<!doctype html PUBLIC \"", "</ ", "</1", "<![CDATA["]), pick([">", "\">", "]]>", " >"])).map(([a, b]) => ({ family: "markup declaration", before: a, after: b })),
  fc.tuple(pick(BODIES), pick(BODY_TEXT), pick(["", " ", "-->", "</b>", ";"])).map(([b, t, u]) => {
    const tags = b.split("><");
    const close = tags.map((x) => `</${x}>`).reverse().join("");
    return { family: `<${tags[tags.length - 1]}> body${tags.length > 1 ? ` in <${tags[0]}>` : ""}`, before: `<${b}>${t}`, after: `${u}${close}` };
  }),
  pick(["<p>", "", "<td>", "<svg><text>", "<math><mtext>", "<select><option>", "<table>"]).map((a) => ({ family: "text", before: a, after: "" })),
];

/** One random call site. */
// URL attribute values have the most shapes (tag × attribute × quote × prefix × suffix): drawn 4× as often.
const weighted = families.map((arbitrary, i) => ({ weight: i === URL_FAMILY ? 4 : 1, arbitrary }));
export const templateSite: fc.Arbitrary<TemplateSite> = fc.tuple(fc.oneof(...weighted), pick(JUNK), pick(JUNK)).map(([f, j1, j2]) => ({
  family: f.family,
  parts: [`${j1}${f.before}`, `${f.after}${j2}<a href="`, `">canary</a>`] as [string, string, string],
  names: f.names === true,
}));

const PIECES = [
  "<", ">", '"', "'", "&", "`", "=", "/", " ", "\t", "\n", "\u0000", "\u0001", ",", ";", "-", "!", "?", ":",
  "<script>", "</script>", "</style>", "</textarea>", "</title", "<img src=x onerror=alert(1)>", "img src=x onerror=alert(1)",
  "-->", "--!>", "<!--", "]]>", "javascript:", "JaVaScRiPt:", "java\tscript:", " javascript:", "script:", "java", "data:", "vbscript:",
  "alert(1)", "https://x.test/", "&#106;", "&#x3a;", "&colon;", "&Tab;", "onclick", "onload=", "srcdoc", "x=y", " 1x", "0;url=",
  "href", "disabled", "\u2028", "\ud800", "#106;", "#x6a;", "6;", "a;", "97;", "b;", ";", "colon;", "avascript:", "#106;avascript:x", "6;avascript:x",
];

/** A hostile value: strings built from tricky pieces, or arrays of them. */
export const hostileValue: fc.Arbitrary<string | string[]> = fc.oneof(
  { weight: 6, arbitrary: fc.array(pick(PIECES), { maxLength: 8 }).map((p) => p.join("")) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 8 }) },
  { weight: 1, arbitrary: fc.array(fc.array(pick(PIECES), { maxLength: 3 }).map((p) => p.join("")), { maxLength: 3 }) },
);

/** Values for the canary hole: dangerous URLs. */
export const canaryValue = pick(["javascript:alert(1)", " javascript:alert(1)", "JaVa\tScRiPt:x", "data:text/html,x", "/ok"]);
