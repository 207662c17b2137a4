import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RenderedTree, TemplateNode } from "../../protocol/messages.ts";
import { staticsOf } from "./compile.ts";
import { sanitizeUrl, URL_ATTRIBUTES } from "./escape.ts";
import { html, raw, type Template, type TemplateValue } from "./html.ts";
import { renderToString, renderTree } from "./render-tree.ts";

const UNSAFE = "about:invalid#weft-unsafe-url";
const XSS = "javascript:alert(1)";

/** Attributes of one start tag, as a browser's tokenizer reads them. */
interface StartTag {
  name: string;
  attrs: [name: string, value: string][];
}

/**
 * Reads the start tags of `src` the way WHATWG §13.2.5 does for the states
 * these templates reach (data, tag, attribute name and the three value states,
 * comments, end tags). Enough to tell whether a value broke out of its attribute.
 */
function startTags(src: string): StartTag[] {
  const tags: StartTag[] = [];
  const WS = /[\t\n\f\r ]/;
  let i = 0;
  while (i < src.length) {
    if (src.startsWith("<!--", i)) {
      const end = src.indexOf("-->", i + 4);
      i = end < 0 ? src.length : end + 3;
    } else if (src[i] === "<" && src[i + 1] === "/") {
      const end = src.indexOf(">", i);
      i = end < 0 ? src.length : end + 1;
    } else if (src[i] === "<" && /[a-zA-Z]/.test(src[i + 1] ?? "")) {
      i++;
      let name = "";
      while (i < src.length && !WS.test(src[i]!) && src[i] !== ">" && src[i] !== "/") name += src[i++];
      const tag: StartTag = { name: name.toLowerCase(), attrs: [] };
      tags.push(tag);
      for (;;) {
        while (i < src.length && (WS.test(src[i]!) || src[i] === "/")) i++;
        if (i >= src.length) break;
        if (src[i] === ">") { i++; break; }
        let an = src[i++]!;
        while (i < src.length && !WS.test(src[i]!) && !"/>=".includes(src[i]!)) an += src[i++];
        while (i < src.length && WS.test(src[i]!)) i++;
        let av = "";
        if (src[i] === "=") {
          i++;
          while (i < src.length && WS.test(src[i]!)) i++;
          const q = src[i];
          if (q === '"' || q === "'") {
            const end = src.indexOf(q, i + 1);
            av = src.slice(i + 1, end < 0 ? src.length : end);
            i = end < 0 ? src.length : end + 1;
          } else {
            while (i < src.length && !WS.test(src[i]!) && src[i] !== ">") av += src[i++];
          }
        }
        tag.attrs.push([an.toLowerCase(), av]);
      }
    } else {
      i++;
    }
  }
  return tags;
}

/** Decodes the entities escapeHtml produces (and only those). */
function unescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e] as string);
}

/** The scheme a browser reads from an attribute value, or undefined for a relative URL. */
function browserScheme(attrValue: string): string | undefined {
  // WHATWG URL: strip leading/trailing C0 control or space, remove tab and newline anywhere.
  const url = unescape(attrValue).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url)?.[1]?.toLowerCase();
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

function statics(t: Template): readonly string[] {
  const s = staticsOf(renderTree(t).s);
  assert.ok(s !== undefined);
  return s;
}

describe("renderTree: text", () => {
  it("escapes text holes", () => {
    assert.equal(renderToString(html`<p>${"<script>alert('x')</script> & more"}</p>`), "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more</p>");
  });

  it("renders a template as its fingerprint id and escaped slots", () => {
    const tree = renderTree(html`<b>${"<i>"}</b><i>${"ok"}</i>`);
    assert.equal(typeof tree.s, "number");
    assert.deepEqual(tree.d, ["&lt;i&gt;", "ok"]);
    assert.deepEqual(staticsOf(tree.s), ["<b>", "</b><i>", "</i>"]);
  });

  it("renders numbers and bigints as their decimal text", () => {
    assert.equal(renderToString(html`<p>${0}|${-1.5}|${1e21}|${12345678901234567890n}</p>`), "<p>0|-1.5|1e+21|12345678901234567890</p>");
  });

  it("renders null, undefined and booleans as nothing", () => {
    assert.equal(renderToString(html`<p>${null}${undefined}${true}${false}</p>`), "<p></p>");
    assert.deepEqual(renderTree(html`<p>${null}${undefined}${true}${false}</p>`).d, ["", "", "", ""]);
  });

  it("escapes a hole inside a comment, dashes and `!` too, and pads it so that it cannot close the comment", () => {
    assert.equal(renderToString(html`<!-- ${"--!><script>x</script>"} -->`), "<!--  &#45;&#45;&#33;&gt;&lt;script&gt;x&lt;/script&gt;  -->");
    assert.equal(renderToString(html`<!--${""}>-->`), "<!--  >-->");
  });
});

describe("renderTree: attributes", () => {
  it("escapes double-quoted attribute values so that quotes cannot break out", () => {
    const out = renderToString(html`<div title="${`x" onmouseover="alert(1)`}"></div>`);
    assert.equal(out, `<div title="x&quot; onmouseover=&quot;alert(1)"></div>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["title", `x&quot; onmouseover=&quot;alert(1)`]]);
  });

  it("escapes single-quoted attribute values so that quotes cannot break out", () => {
    const out = renderToString(html`<div title='${`x' onmouseover='alert(1)`}'></div>`);
    assert.equal(out, `<div title='x&#39; onmouseover=&#39;alert(1)'></div>`);
    assert.equal(startTags(out)[0]?.attrs.length, 1);
  });

  it("quotes an unquoted attribute hole so that the value stays one attribute", () => {
    const out = renderToString(html`<a class=${"x onmouseover=alert(1)"}>y</a>`);
    assert.equal(out, `<a class="x onmouseover=alert(1)">y</a>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["class", "x onmouseover=alert(1)"]]);
  });

  it("quotes an unquoted hole that follows the end of the tag name's attributes", () => {
    const out = renderToString(html`<input value=${"a b"} disabled>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["value", "a b"], ["disabled", ""]]);
  });

  it("quotes an unquoted value that starts before the hole", () => {
    const out = renderToString(html`<a class=btn-${"x onmouseover=alert(1)"}>y</a>`);
    assert.equal(out, `<a class="btn-x onmouseover=alert(1)">y</a>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["class", "btn-x onmouseover=alert(1)"]]);
  });

  it("quotes an unquoted value with static text on both sides of the hole", () => {
    const out = renderToString(html`<a class=a${"b c"}d id=z>y</a>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["class", "ab cd"], ["id", "z"]]);
  });

  it("keeps a hole after an `=` inside an unquoted value in one attribute", () => {
    // The quote must open where the value starts (after `href=`), not at the last `=`.
    const out = renderToString(html`<a href=/search?q=${"x onmouseover=alert(1)"}>y</a>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["href", "/search?q=x onmouseover=alert(1)"]]);
  });

  it("escapes a quote that a static places inside an auto-quoted value", () => {
    const out = renderToString(html`<a class=${"x"}"y>z</a>`);
    assert.deepEqual(startTags(out)[0]?.attrs, [["class", "x&quot;y"]]);
  });

  it("renders a whole unquoted attribute hole as the attribute itself: the name for true, nothing for false, null or undefined", () => {
    const input = (v: TemplateValue) => renderToString(html`<input type="checkbox" checked=${v}>`);
    assert.equal(input(true), `<input type="checkbox" checked>`);
    for (const v of [false, null, undefined]) assert.deepEqual(startTags(input(v))[0]?.attrs, [["type", "checkbox"]], String(v));
    assert.deepEqual(startTags(input(`a" b`))[0]?.attrs, [["type", "checkbox"], ["checked", "a&quot; b"]]);
  });

  it("renders null, undefined and booleans in a quoted attribute as an empty value", () => {
    assert.equal(renderToString(html`<a class="${null}" id="${undefined}" title='${false}' lang="${true}"></a>`), `<a class="" id="" title='' lang=""></a>`);
  });

  it("joins an array in an attribute with spaces, dropping empty entries", () => {
    assert.equal(renderToString(html`<a class=${["a", null, "", false, "b<", 3]}></a>`), `<a class="a b&lt; 3"></a>`);
  });

  it("escapes a nested template rendered into an attribute", () => {
    assert.equal(renderToString(html`<a title="${html`<b>${'"'}</b>`}"></a>`), `<a title="&lt;b&gt;&amp;quot;&lt;/b&gt;"></a>`);
  });
});

describe("renderTree: URL attributes", () => {
  it("neutralises a dangerous URL at the start of a URL attribute, quoted or not", () => {
    assert.equal(renderToString(html`<a href="${XSS}">x</a>`), `<a href="${UNSAFE}">x</a>`);
    assert.equal(renderToString(html`<a href='${XSS}'>x</a>`), `<a href='${UNSAFE}'>x</a>`);
    assert.equal(renderToString(html`<a href=${XSS}>x</a>`), `<a href="${UNSAFE}">x</a>`);
    assert.equal(renderToString(html`<a href = "${XSS}">x</a>`), `<a href = "${UNSAFE}">x</a>`);
    assert.equal(renderToString(html`<a HREF="${XSS}">x</a>`), `<a HREF="${UNSAFE}">x</a>`);
  });

  it("neutralises dangerous URLs in every URL attribute", () => {
    for (const name of URL_ATTRIBUTES) {
      const strings = Object.assign([`<x ${name}="`, `">`], { raw: [`<x ${name}="`, `">`] }) as unknown as TemplateStringsArray;
      // In a srcset, whitespace separates the URL from its descriptors: no tab inside the scheme there.
      const url = name.endsWith("srcset") ? "JaVaScRiPt:alert(1)" : " JaVa\tScRiPt:alert(1)";
      assert.equal(renderToString(html(strings, url)), `<x ${name}="${UNSAFE}">`, name);
    }
  });

  it("keeps safe URLs and escapes them", () => {
    assert.equal(renderToString(html`<a href="${"/a?b=1&c=2"}">x</a>`), `<a href="/a?b=1&amp;c=2">x</a>`);
    assert.equal(renderToString(html`<img src=${"https://x.test/a.png"}>`), `<img src="https://x.test/a.png">`);
    assert.equal(renderToString(html`<a href="${"mailto:a@b.test"}">x</a>`), `<a href="mailto:a@b.test">x</a>`);
  });

  it("only escapes a value after static text that already makes the URL relative", () => {
    // After `/` (or `?`, `#`) the value cannot choose the scheme; other prefixes are checked whole (contexts.test.ts).
    assert.equal(renderToString(html`<a href="/go?to=${XSS}">x</a>`), `<a href="/go?to=${XSS}">x</a>`);
    assert.equal(renderToString(html`<a href=/go/${XSS}>x</a>`), `<a href="/go/${XSS}">x</a>`);
  });

  it("does not sanitise attributes that hold no URL", () => {
    assert.equal(renderToString(html`<a title="${XSS}" data-href=${XSS}>x</a>`), `<a title="${XSS}" data-href="${XSS}">x</a>`);
  });

  it("neutralises a dangerous URL given as an array in a URL attribute", () => {
    const out = renderToString(html`<a href=${[XSS]}>x</a>`);
    assert.equal(browserScheme(startTags(out)[0]?.attrs[0]?.[1] ?? ""), "about", out);
  });

  it("neutralises a dangerous URL given as a nested template in a URL attribute", () => {
    const out = renderToString(html`<a href="${html`${XSS}`}">x</a>`);
    assert.equal(browserScheme(startTags(out)[0]?.attrs[0]?.[1] ?? ""), "about", out);
  });

  it("neutralises a dangerous URL that adjacent holes assemble at the start of the value", () => {
    // `${prefix}${url}` with an empty prefix puts `url` at the start of the href.
    const empty = renderToString(html`<a href="${""}${XSS}">x</a>`);
    assert.equal(browserScheme(startTags(empty)[0]?.attrs[0]?.[1] ?? ""), "about", empty);
    const split = renderToString(html`<a href="${"java"}${"script:alert(1)"}">x</a>`);
    assert.equal(browserScheme(startTags(split)[0]?.attrs[0]?.[1] ?? ""), "about", split);
  });
});

describe("renderTree: raw", () => {
  it("inserts raw() text holes unescaped", () => {
    assert.equal(renderToString(html`<div>${raw("<b>bold</b>")}</div>`), "<div><b>bold</b></div>");
  });

  it("inserts raw() attribute and URL holes unescaped and unsanitised", () => {
    assert.equal(renderToString(html`<a title="${raw("&amp;")}" href=${raw(XSS)}>x</a>`), `<a title="&amp;" href="${XSS}">x</a>`);
  });

  it("escapes the same string when it is not wrapped in raw()", () => {
    assert.equal(renderToString(html`<div>${"<b>bold</b>"}</div>`), "<div>&lt;b&gt;bold&lt;/b&gt;</div>");
  });
});

describe("renderTree: nesting and lists", () => {
  it("renders a nested template as a nested node", () => {
    const inner = (name: string) => html`<b>${name}</b>`;
    const t = html`<p>${inner("<Ada>")}</p>`;
    const tree = renderTree(t);
    const child = tree.d[0] as TemplateNode;
    assert.deepEqual(child.d, ["&lt;Ada&gt;"]);
    assert.notEqual(child.s, tree.s);
    assert.equal(renderToString(t), "<p><b>&lt;Ada&gt;</b></p>");
  });

  it("renders an array of templates as a list", () => {
    const item = (x: string) => html`<li>${x}</li>`;
    const t = html`<ul>${["a", "<b>", "c"].map(item)}</ul>`;
    const list = renderTree(t).d[0] as { l: RenderedTree[] };
    assert.equal(list.l.length, 3);
    assert.deepEqual(list.l.map((n) => (n as TemplateNode).d[0]), ["a", "&lt;b&gt;", "c"]);
    assert.equal(renderToString(t), "<ul><li>a</li><li>&lt;b&gt;</li><li>c</li></ul>");
  });

  it("renders an empty array as an empty list and nothing in the HTML", () => {
    assert.deepEqual(renderTree(html`<ul>${[]}</ul>`).d, [{ l: [] }]);
    assert.equal(renderToString(html`<ul>${[]}</ul>`), "<ul></ul>");
  });

  it("renders mixed arrays item by item, escaping strings and skipping nothing-values", () => {
    const t = html`<p>${["<", 1, null, true, raw("<br>"), html`<i>${"x"}</i>`, ["y", "&"]]}</p>`;
    assert.equal(renderToString(t), "<p>&lt;1<br><i>x</i>y&amp;</p>");
  });
});

describe("renderTree: fingerprints", () => {
  it("gives every call from one call site the same fingerprint id", () => {
    const row = (x: TemplateValue) => html`<tr><td>${x}</td></tr>`;
    assert.equal(renderTree(row(1)).s, renderTree(row("two")).s);
    assert.equal(renderTree(row(null)).s, renderTree(row([])).s);
  });

  it("gives distinct call sites distinct fingerprint ids, even with equal text", () => {
    const a = html`<p>${1}</p>`;
    const b = html`<p>${1}</p>`;
    const c = html`<div>${1}</div>`;
    const ids = new Set([renderTree(a).s, renderTree(b).s, renderTree(c).s]);
    assert.equal(ids.size, 3);
  });

  it("records the statics of an id with the quotes compilation adds", () => {
    assert.deepEqual(statics(html`<a class=x${"y"}>z</a>`), ['<a class="x', '">z</a>']);
  });
});

// ---------------------------------------------------------------------------
// Property: hostile values never escape their hole.

const PIECES = [
  "<", ">", '"', "'", "&", "`", "=", "/", " ", "\t", "\n", "\r", "\f", "\u0000", "\u0001", "\u007f",
  "<script>", "</script>", "<img src=x onerror=alert(1)>", "-->", "--!>", "<!--", "</a>",
  "javascript:", "JaVaScRiPt:", "java\tscript:", " javascript:", "\u0001javascript:", "data:", "vbscript:", "alert(1)",
  "http:", "https://x.test/", "&quot;", "&lt;", "&#39;", "&amp;", "&#x3c;", "onmouseover=", "x=y",
  "\u202e", "\ufeff", "\u00a0", "\u2028", "\ud800", "\udfff", "😀", "e\u0301", "ＪＡＶＡＳＣＲＩＰＴ:",
];

const hostile: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...PIECES) },
      { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
      { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 6 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(""));

/** One hole in each context the compiler knows; `expected` is the attributes each start tag must have. */
const page = (v: string, w: string) => html`<div title="${v}" class=${w} data-x='${v}' id=x${w}><a href=${v}>${w}</a><img src="${w}" alt=${v}><form action='${v}'><button formaction=${w}>${[v, html`<i>${w}</i>`]}</button></form><a href="/go?to=${v}" title=${w}>${v}</a><!-- ${w} --></div>`;
const expected: [string, string[]][] = [
  ["div", ["title", "class", "data-x", "id"]],
  ["a", ["href"]],
  ["img", ["src", "alt"]],
  ["form", ["action"]],
  ["button", ["formaction"]],
  ["i", []],
  ["a", ["href", "title"]],
];
const REFERENCE = renderToString(page("a", "a"));
const SAFE_SCHEMES = new Set(["http", "https", "mailto", "tel", "ftp", "sms"]);

describe("renderTree: hostile values (property)", () => {
  it("never lets a value add a tag, a quote or an attribute, and never lets a URL attribute carry a dangerous scheme", () => {
    fc.assert(
      fc.property(hostile, hostile, (v, w) => {
        const t = page(v, w);
        const out = renderToString(t);
        // Every `<`, `>` and quote in the output is one the template itself
        // writes: the same page with harmless values has exactly as many.
        for (const ch of ["<", ">", '"', "'"]) assert.equal(count(out, ch), count(REFERENCE, ch), `count of ${ch}`);
        // Every `&` from a value starts one of our entities.
        const dynamic = renderTree(t).d.filter((x): x is string => typeof x === "string");
        for (const d of dynamic) assert.doesNotMatch(d, /&(?!amp;|lt;|gt;|quot;|#39;|#45;|#33;)/);

        // The tags and attributes are exactly those the template wrote.
        const tags = startTags(out);
        assert.deepEqual(tags.map((x) => [x.name, x.attrs.map((a) => a[0])]), expected);

        // Attribute values read back as the value (URL attributes: the sanitised value).
        const div = tags[0]!.attrs;
        assert.equal(unescape(div[0]![1]), v);
        assert.equal(unescape(div[1]![1]), w);
        assert.equal(unescape(div[3]![1]), "x" + w);
        assert.equal(unescape(tags[1]!.attrs[0]![1]), sanitizeUrl(v));

        // No URL attribute starts with a scheme other than the safe ones.
        for (const tag of tags) {
          for (const [name, value] of tag.attrs) {
            if (!URL_ATTRIBUTES.has(name)) continue;
            const scheme = browserScheme(value);
            if (scheme === undefined || SAFE_SCHEMES.has(scheme)) continue;
            assert.equal(unescape(value), UNSAFE, `${name}=${JSON.stringify(value)}`);
          }
        }
      }),
      { numRuns: 500, seed: 0x5eed },
    );
  });
});
