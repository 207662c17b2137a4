/**
 * Hole contexts other than plain text and quoted values: positions where no
 * escaping is enough (tag and attribute names, script, markup declarations),
 * URL attributes with static text around the hole, raw-text and RCDATA
 * elements, comments. Each output is read back with a real HTML parser.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { elements, refreshUrl, SAFE_SCHEMES, schemeOf, shape, srcsetUrls } from "../../../test/support/html-tree.ts";
import { html, json, raw, type Template, type TemplateValue } from "./html.ts";
import { renderToString } from "./render-tree.ts";

const XSS = "javascript:alert(1)";
const IMG = "img src=x onerror=alert(1)";

function refuses(make: () => Template, what: string): void {
  assert.throws(() => renderToString(make()), TypeError, what);
}

/** The one attribute `name` of the first element with that attribute. */
function attr(out: string, name: string): string {
  for (const e of elements(out)) for (const a of e.attrs) if (a.name === name) return a.value;
  assert.fail(`no ${name} in ${out}`);
}

function assertSafeUrl(url: string, out: string): void {
  const scheme = schemeOf(url);
  assert.ok(scheme === undefined || SAFE_SCHEMES.has(scheme), `unsafe URL ${JSON.stringify(url)} in ${out}`);
}

describe("renderTree: tag-name and markup-declaration positions", () => {
  const cases: [string, (x: TemplateValue) => Template][] = [
    ["<${x}>", (x) => html`<${x}>`],
    ["</${x}>", (x) => html`<p></${x}>`],
    ["<div${x}>", (x) => html`<div${x}>`],
    ["<di${x}v>", (x) => html`<di${x}v>`],
    ["</div ${x}>", (x) => html`<div></div ${x}>`],
    ["</a title=${x}>", (x) => html`<a></a title="${x}">`],
    ["<!${x}>", (x) => html`<!${x}>`],
    ["<!-${x}>", (x) => html`<!-${x}>`],
    ["<?${x}>", (x) => html`<?${x}>`],
    ["<!DOCTYPE ${x}>", (x) => html`<!DOCTYPE ${x}>`],
    ["</ ${x}>", (x) => html`</ ${x}>`],
  ];
  for (const [name, make] of cases) {
    it(`refuses a value in ${name} unless it is raw()`, () => {
      refuses(() => make(IMG), name);
      refuses(() => make("b"), name);
      assert.doesNotThrow(() => renderToString(make(raw("b"))));
    });
  }

  it("renders nothing for null or undefined in a tag-name position", () => {
    assert.equal(renderToString(html`<p${null}>x</p>`), "<p>x</p>");
  });

  it("takes a non-negative integer after a tag name's first letter, and nothing else", () => {
    const heading = (n: TemplateValue) => html`<h${n}>${"t"}</h${n}>`;
    assert.equal(renderToString(heading(2)), "<h2>t</h2>");
    for (const v of [-1, 1.5, NaN, Infinity, "2", "1 onclick=alert(1)", 2n]) refuses(() => heading(v), String(v));
    refuses(() => html`<${1}>`, "right after <");
  });
});

describe("renderTree: attribute-name positions", () => {
  it("accepts attribute names in a standalone attribute position", () => {
    assert.equal(renderToString(html`<input ${"disabled"}>`), "<input disabled>");
    assert.equal(renderToString(html`<input type="checkbox" ${"checked required"} id="a">`), `<input type="checkbox" checked required id="a">`);
    assert.equal(renderToString(html`<input ${["aria-busy", "data-x"]}/>`), "<input aria-busy data-x/>");
    assert.equal(renderToString(html`<input ${null}>`), "<input >");
  });

  it("refuses event-handler and srcdoc names, values, quotes and tag ends in an attribute-name position", () => {
    for (const v of ["onclick", "ONLOAD", "disabled onmouseover", "srcdoc", "x=1", "a=alert(1)", `x"`, "x>", "><script>", "a/b", "x\u0000", IMG]) {
      refuses(() => html`<input ${v}>`, JSON.stringify(v));
    }
  });

  it("refuses a value inside an attribute name or followed by `=`", () => {
    refuses(() => html`<a ${"href"}=1>x</a>`, "<a ${x}=1>");
    refuses(() => html`<a ${"href"} = "1">x</a>`, "<a ${x} = 1>");
    refuses(() => html`<a x${"y"}>x</a>`, "<a x${y}>");
    refuses(() => html`<a ${"x"}y>x</a>`, "<a ${x}y>");
    refuses(() => html`<a ${"hr"}${"ef"}>x</a>`, "<a ${x}${y}>");
  });

  it("refuses a value of an attribute whose name holds a hole", () => {
    refuses(() => html`<a ${raw("href")}="${XSS}">x</a>`, "dynamic name, quoted");
    refuses(() => html`<a ${raw("href")}=${XSS}>x</a>`, "dynamic name, whole");
    refuses(() => html`<a h${raw("ref")}="${XSS}">x</a>`, "name with a hole inside");
  });

  it("refuses values in event-handler and srcdoc attributes unless raw()", () => {
    refuses(() => html`<a onclick="${"alert(1)"}">x</a>`, "onclick quoted");
    refuses(() => html`<a onclick=${"alert(1)"}>x</a>`, "onclick whole");
    refuses(() => html`<a ONMOUSEOVER='go(${"1"})'>x</a>`, "onmouseover in a value");
    refuses(() => html`<iframe srcdoc="${"<script>alert(1)</script>"}"></iframe>`, "srcdoc");
    refuses(() => html`<iframe srcdoc=${"<script>alert(1)</script>"}></iframe>`, "srcdoc whole");
    assert.equal(renderToString(html`<a onclick="${raw("go()")}">x</a>`), `<a onclick="go()">x</a>`);
    assert.equal(renderToString(html`<a onclick=${null}>x</a>`), `<a >x</a>`);
  });
});

describe("renderTree: comments", () => {
  it("keeps a hole inside its comment, whatever the value and the static text around it", () => {
    const makers: ((x: string) => Template)[] = [
      (x) => html`<!-- ${x} --><p>a</p>`,
      (x) => html`<!--${x}--><p>a</p>`,
      (x) => html`<!--${x}><p>a</p>-->`,
      (x) => html`<!-- -${x}> <p>a</p> -->`,
      (x) => html`<!-- --${x}> <p>a</p> -->`,
      (x) => html`<!-- ${x}-> <p>a</p> -->`,
      (x) => html`<!-- -${x}-> <p>a</p> -->`,
    ];
    for (const make of makers) {
      const want = shape(renderToString(make("a")));
      for (const v of ["", "-", "--", "!", "-->", "--!>", ">", "--><img src=x onerror=alert(1)>", "<!--", "-- >"]) {
        const out = renderToString(make(v));
        assert.deepEqual(shape(out), want, out);
      }
    }
  });
});

describe("renderTree: URL attributes with static text around the hole", () => {
  const prefixes = [" ", "\n  ", "\t", "\u0001", "java", "JAVA", "jav&#97;", "&#x20;", "&Tab;", "j&NewLine;ava", " java\n"];
  for (const p of prefixes) {
    it(`neutralises a dangerous scheme after the static prefix ${JSON.stringify(p)}`, () => {
      for (const v of [XSS, "script:alert(1)", "javascript:alert(1)", "data:text/html,x", "vbscript:x"]) {
        for (const t of [
          html(tpl([`<a href="${p}`, `">x</a>`]), v),
          html(tpl([`<a href='${p}`, `'>x</a>`]), v),
          html(tpl([`<a href=${p.replace(/\s/g, "") || "x"}`, `>x</a>`]), v),
          html(tpl([`<form action="${p}`, `"></form>`]), v),
        ]) {
          const out = renderToString(t);
          for (const e of elements(out)) for (const a of e.attrs) if (a.name === "href" || a.name === "action") assertSafeUrl(a.value, out);
        }
      }
    });
  }

  it("refuses a value in a URL whose static scheme is not a safe one, even written with character references", () => {
    refuses(() => html`<a href="javascript:go(${"1"})">x</a>`, "javascript: static");
    refuses(() => html`<a href="jav&#97;script:${"alert(1)"}">x</a>`, "entity in static scheme");
    refuses(() => html`<a href="javascript&colon;${"alert(1)"}">x</a>`, "&colon;");
    refuses(() => html`<a href="&#x6A;avascript:${"x"}">x</a>`, "hex entity");
    refuses(() => html`<iframe src="data:text/html,${"<script>"}"></iframe>`, "data: static");
  });

  it("neutralises a dangerous scheme that a static suffix completes", () => {
    const out = renderToString(html`<a href="${"javascript"}&#58;alert(1)">x</a>`);
    assertSafeUrl(attr(out, "href"), out);
    const out2 = renderToString(html`<a href="${"java"}script:alert(1)">x</a>`);
    assertSafeUrl(attr(out2, "href"), out2);
  });

  it("reads a character reference that a static `&` and a value make together, as the browser does", () => {
    for (const t of [
      html`<a href="&${"#106;avascript:alert(1)"}">x</a>`,
      html`<a href="jav&${"#97;script:alert(1)"}">x</a>`,
      html`<a href="&#10${"6;avascript:alert(1)"}">x</a>`,
      html`<a href="&#x6${"a;avascript:alert(1)"}">x</a>`,
      html`<a href="&#${"32;javascript:alert(1)"}">x</a>`,
      html`<a href="&#${"6;avascript:alert(1)"}">x</a>`,
      html`<a href="&#${"x6a;avascript:alert(1)"}">x</a>`,
      html`<a href="&${"#x6a;avascript:alert(1)"}">x</a>`,
      html`<a href=&${"#106;avascript:alert(1)"}>x</a>`,
      html`<img srcset="/a.png 1x, &${"#106;avascript:alert(1)"} 2x">`,
    ]) {
      const out = renderToString(t);
      for (const e of elements(out)) for (const a of e.attrs) for (const u of a.name === "srcset" ? srcsetUrls(a.value) : [a.value]) assertSafeUrl(u, out);
    }
  });

  it("keeps safe URLs and relative prefixes as they are", () => {
    assert.equal(renderToString(html`<a href=" ${"/a"}">x</a>`), `<a href=" /a">x</a>`);
    assert.equal(renderToString(html`<a href="/go?to=${XSS}">x</a>`), `<a href="/go?to=${XSS}">x</a>`);
    assert.equal(renderToString(html`<a href="https://x.test/${XSS}">x</a>`), `<a href="https://x.test/${XSS}">x</a>`);
    assert.equal(renderToString(html`<a href="${"https:"}//x.test/">x</a>`), `<a href="https://x.test/">x</a>`);
  });

  it("checks every candidate of a srcset", () => {
    for (const t of [
      html`<img srcset="${"/a.png"} 1x, ${XSS} 2x">`,
      html`<img srcset="/a.png 1x, ${XSS} 2x">`,
      html`<img srcset="/a.png 1x,${XSS}">`,
      html`<img srcset=${`/a.png 1x, ${XSS} 2x`}>`,
      html`<img srcset="/a.png 1x, java${"script:alert(1)"} 2x">`,
      html`<source srcset="${"/a.png"},${XSS}">`,
    ]) {
      const out = renderToString(t);
      for (const u of srcsetUrls(attr(out, "srcset"))) assertSafeUrl(u, out);
    }
    assert.equal(renderToString(html`<img srcset="${"/a.png"} 1x, ${"/b.png"} 2x">`), `<img srcset="/a.png 1x, /b.png 2x">`);
  });

  it("checks the URL of a meta refresh", () => {
    for (const t of [
      html`<meta http-equiv="refresh" content="0;url=${XSS}">`,
      html`<meta http-equiv="refresh" content="0; URL='${XSS}'">`,
      html`<meta http-equiv="refresh" content="${`0;url=${XSS}`}">`,
      html`<meta http-equiv="refresh" content=${`0, ${XSS}`}>`,
    ]) {
      const out = renderToString(t);
      const url = refreshUrl(attr(out, "content"));
      if (url !== undefined) assertSafeUrl(url, out);
    }
  });

  it("checks URLs in svg, object, embed, base, button and animation attributes", () => {
    const outs = [
      renderToString(html`<svg><a xlink:href="${XSS}"><use href=" ${XSS}"/></a></svg>`),
      renderToString(html`<object data="${XSS}"></object><embed src=" ${XSS}"><base href="${XSS}">`),
      renderToString(html`<button formaction="  ${XSS}">x</button><iframe src="\n${XSS}"></iframe>`),
      renderToString(html`<svg><a><animate attributeName="href" to="${XSS}"/><set attributeName="href" to=" ${XSS}"/><animate attributeName="href" values="/a;${XSS}"/></a></svg>`),
    ];
    for (const out of outs) {
      for (const e of elements(out)) {
        for (const a of e.attrs) {
          if (a.name === "attributename") continue;
          if (a.name === "values") for (const v of a.value.split(";")) assertSafeUrl(v, out);
          else assertSafeUrl(a.value, out);
        }
      }
    }
  });

  it("keeps sanitising a whole-attribute hole", () => {
    assert.equal(renderToString(html`<a href=${XSS}>x</a>`), `<a href="about:invalid#weft-unsafe-url">x</a>`);
  });
});

describe("renderTree: raw-text and RCDATA elements", () => {
  for (const tag of ["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript"]) {
    it(`refuses a value in the body of <${tag}> unless it is raw()`, () => {
      refuses(() => html(tpl([`<${tag}>var n = `, `</${tag}>`]), "1;alert(document.cookie)//"), tag);
      refuses(() => html(tpl([`<${tag} id="a">`, `</${tag}>`]), "x"), `${tag} with attributes`);
      assert.equal(renderToString(html(tpl([`<${tag}>`, `</${tag}>`]), raw("1"))), `<${tag}>1</${tag}>`);
    });
  }

  it("refuses a value anywhere after <plaintext>", () => {
    refuses(() => html`<plaintext><p>${"x"}</p>`, "plaintext");
  });

  it("refuses a value in an svg <style> or <script>", () => {
    refuses(() => html`<svg><style>${"a{}"}</style></svg>`, "svg style");
    refuses(() => html`<svg><script>${"alert(1)"}</script></svg>`, "svg script");
  });

  it("finds the end of a script that holds `<!--` the way a browser does", () => {
    // `<!--<script>` inside a script makes the first `</script>` part of it (double-escaped).
    refuses(() => html`<script><!--<script></script><p>${"x"}</p>--></script>`, "double-escaped");
    assert.equal(renderToString(html`<script><!-- a --></script><p>${"<x>"}</p>`), "<script><!-- a --></script><p>&lt;x&gt;</p>");
  });

  it("escapes a value in <textarea> and <title> so that it cannot end the element", () => {
    for (const v of ["</textarea><img src=x onerror=alert(1)>", "</title><img src=x onerror=alert(1)>", "</TEXTAREA >"]) {
      const out = renderToString(html`<textarea>${v}</textarea><title>${v}</title>`);
      assert.deepEqual(shape(out), ["<textarea >", "<title >"], out);
      assert.equal(elements(out)[0]?.text, v);
    }
  });

  it("reads markup inside <textarea> and <title> statics as text, as a browser does", () => {
    // In the browser this href is text: the hole is not a URL attribute (so no
    // sanitising), and a value cannot end the textarea.
    refuses(() => html`<textarea><a href="${XSS}"></textarea>`, "markup-like text then a hole");
    assert.equal(renderToString(html`<textarea>a < b ${"<"}</textarea>`), "<textarea>a < b &lt;</textarea>");
  });

  it("renders holes in <template> contents with the usual rules", () => {
    const out = renderToString(html`<template><a href="${XSS}" title=${"x onmouseover=1"}>${"<b>"}</a></template>`);
    assert.deepEqual(shape(out), ["<template >", "<a href title>"]);
    assertSafeUrl(attr(out, "href"), out);
  });
});

/** A strings array made at run time (a fresh call site). */
function tpl(parts: string[]): TemplateStringsArray {
  return Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
}

describe("json()", () => {
  it("puts a value in a script body as JSON that cannot end the script or open a comment", () => {
    const value = { name: "</script><script>alert(1)</script>", note: "<!-- \u2028 & -->", n: [1, null] };
    const out = renderToString(html`<script type="application/json">${json(value)}</script><p>${"x"}</p>`);
    const els = elements(out);
    assert.deepEqual(els.map((e) => e.tag), ["script", "p"], out);
    assert.deepEqual(JSON.parse(els[0]!.text), value);
    assert.doesNotMatch(els[0]!.text, /[<>&\u2028\u2029]/);
  });

  it("cannot leave a '…' or `…` literal it is put in by mistake", () => {
    const value = "'+alert(1)+'`${alert(2)}`";
    const out = renderToString(html`<script>var a = '${json(value)}'; var b = \`${json(value)}\`;</script>`);
    const body = elements(out)[0]!.text;
    assert.doesNotMatch(body.slice(body.indexOf("'") + 1, body.lastIndexOf("'")), /['`$]/);
    assert.deepEqual(JSON.parse(json(value).forScript()), value);
  });

  it("reads back as the JSON text in an attribute, and as escaped text elsewhere", () => {
    const value = { q: `"'<>&` };
    const out = renderToString(html`<div data-state="${json(value)}" onclick=${json(value)}>${json(value)}</div>`);
    const div = elements(out)[0]!;
    assert.deepEqual(JSON.parse(div.attrs[0]!.value), value);
    assert.deepEqual(JSON.parse(div.attrs[1]!.value), value);
    assert.deepEqual(shape(out), ["<div data-state onclick>"]);
  });

  it("is still refused in a style body and in tag names", () => {
    refuses(() => html`<style>${json("a")}</style>`, "style");
    refuses(() => html`<${json("a")}>`, "tag name");
  });

  it("throws for a value JSON cannot hold", () => {
    assert.throws(() => json(undefined), TypeError);
    assert.throws(() => json(() => 1), TypeError);
  });
});
