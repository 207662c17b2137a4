/**
 * Property: in every hole context the compiler knows, a hostile value either
 * is refused (TypeError, where the position takes raw() only) or renders HTML
 * that a real parser (parse5, as a browser) reads with exactly the elements,
 * attributes and comments the template wrote — no on* attribute the template
 * did not write, every URL of a safe scheme, script and style bodies as written.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { elements, SAFE_SCHEMES, schemeOf, scriptBodies, shape, urlsIn } from "../../../test/support/html-tree.ts";
import { html, type Template, type TemplateValue } from "./html.ts";
import { renderToString } from "./render-tree.ts";

/** A strings array made once per context (one call site each). */
function site(parts: string[]): TemplateStringsArray {
  return Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
}

/** What a context may do with a hostile value. */
type Rule = "render" | "refuse" | "names" | "digits";

interface Context { name: string; make: (v: TemplateValue) => Template; rule: Rule; benign: TemplateValue }

function ctx(name: string, parts: string[], rule: Rule = "render", benign: TemplateValue = "a"): Context {
  const strings = site(parts);
  return { name, make: (v) => html(strings, ...parts.slice(1).map(() => v)), rule, benign };
}

const URL_ELEMENTS: [string, string, string][] = [
  ["<a href=", ">x</a>", "href"], ["<img src=", ">", "src"], ["<form action=", "></form>", "action"],
  ["<button formaction=", ">x</button>", "formaction"], ["<svg><a xlink:href=", "></a></svg>", "xlink:href"],
  ["<object data=", "></object>", "data"], ["<video poster=", "></video>", "poster"], ["<blockquote cite=", "></blockquote>", "cite"],
  ["<svg><use href=", "/></svg>", "href"], ["<base href=", ">", "href"], ["<iframe src=", "></iframe>", "src"],
  ["<embed src=", ">", "src"], ["<a ping=", ">x</a>", "ping"], ["<table background=", "></table>", "background"],
];
const PREFIXES = ["", " ", "\n  ", "\t\u0001", "java", "JaVa", "jav&#97;", "&#x20;", "&Tab;", "j&NewLine;", "/x?q=", "https://a.test/", "#", "&", "&#10", "&#x6"];
const SOME_PREFIXES = ["", "\n ", "java", "jav&#97;"];
const SUFFIXES = ["", "/y", "script:alert(1)", "&#58;alert(1)"];

const CONTEXTS: Context[] = [
  ctx("text", ["<p>", "</p>"]),
  ctx("double-quoted attribute", [`<p title="`, `">x</p>`]),
  ctx("single-quoted attribute", [`<p title='`, `'>x</p>`]),
  ctx("unquoted attribute", ["<p title=", " id=b>x</p>"]),
  ctx("unquoted attribute after static text", ["<p class=a", ">x</p>"]),
  ctx("two holes in one unquoted value", ["<p class=", "-", ">x</p>"]),
  ctx("whole attribute", ["<input value=", ">"]),
  // Every prefix × suffix on the first (href), the telling few on each other URL attribute.
  ...URL_ELEMENTS.flatMap(([open, close, attr], n) => (n === 0 ? PREFIXES : SOME_PREFIXES).flatMap((p) => (n === 0 ? SUFFIXES : [""]).flatMap((s) => [
    ctx(`${attr} "${p}…${s}"`, [`${open}"${p}`, `${s}"${close}`]),
    ...(p === "" && s === "" ? [ctx(`${attr} whole`, [open, close])] : []),
    ...(/[\s"'=<>`]/.test(p + s) ? [] : [ctx(`${attr} unquoted ${p}…${s}`, [`${open}${p}`, `${s}${close}`])]),
  ]))),
  ctx("href from two holes", [`<a href="`, "", `">x</a>`]),
  ctx("href from two holes with text between", [`<a href="`, "/", `">x</a>`]),
  ctx("srcset first candidate", [`<img srcset="`, ` 1x, /b.png 2x">`]),
  ctx("srcset later candidate", [`<img srcset="/a.png 1x, `, `">`]),
  ctx("srcset between commas", [`<img srcset="/a.png 1x,`, `,/c.png">`]),
  ctx("srcset twice", [`<img srcset="`, ` 1x, `, ` 2x">`]),
  ctx("srcset whole", ["<img srcset=", ">"]),
  ctx("meta refresh url", [`<meta http-equiv="refresh" content="0;url=`, `">`]),
  ctx("meta refresh content", [`<meta http-equiv="refresh" content="`, `">`]),
  ctx("meta refresh whole", [`<meta http-equiv="refresh" content=`, `>`]),
  ctx("svg animate values", [`<svg><a><animate attributeName="href" values="/a;`, `"/></a></svg>`]),
  ctx("svg set to", [`<svg><a><set attributeName="href" to=" `, `"/></a></svg>`]),
  ctx("tag name", ["<", ">x"], "refuse"),
  ctx("inside a tag name", ["<h", ">x"], "digits"),
  ctx("end tag name", ["<p>x</", ">"], "refuse"),
  ctx("end tag attribute", ["<p>x</p ", ">"], "refuse"),
  ctx("attribute list", ["<p ", ">x</p>"], "names", ""),
  ctx("attribute list after a value", [`<p id="a"`, `/>x`], "names", ""),
  ctx("attribute name followed by =", ["<p ", "=1>x</p>"], "refuse"),
  ctx("inside an attribute name", ["<p data-", ">x</p>"], "refuse"),
  ctx("event handler", [`<p onclick="`, `">x</p>`], "refuse"),
  ctx("srcdoc", ["<iframe srcdoc=", "></iframe>"], "refuse"),
  ctx("javascript: static scheme", [`<a href="javascript:go(`, `)">x</a>`], "refuse"),
  ctx("comment", ["<!-- ", " --><p>a</p>"]),
  ctx("comment, no spaces", ["<!--", "--><p>a</p>"]),
  ctx("comment start then >", ["<!--", "><p>a</p>-->"]),
  ctx("comment after a dash", ["<!-- -", "> <p>a</p> -->"]),
  ctx("comment after two dashes", ["<!-- --", "> <p>a</p> -->"]),
  ctx("comment between dashes", ["<!-- -", "-> <p>a</p> -->"]),
  ctx("markup declaration", ["<!", "><p>a</p>"], "refuse"),
  ctx("processing instruction", ["<?", "><p>a</p>"], "refuse"),
  ctx("doctype", ["<!DOCTYPE ", "><p>a</p>"], "refuse"),
  ...["script", "style", "xmp", "iframe", "noembed", "noframes", "noscript"].map((t) => ctx(`<${t}> body`, [`<${t}>var a = `, `;</${t}><p>a</p>`], "refuse")),
  ctx("svg <style> body", ["<svg><style>", "</style></svg>"], "refuse"),
  ctx("plaintext", ["<plaintext>", ""], "refuse"),
  ctx("textarea", ["<textarea>", "</textarea><p>a</p>"]),
  ctx("title", ["<title>", "</title><p>a</p>"]),
  ctx("textarea after markup-like text", [`<textarea><a href="`, `"></textarea><p>a</p>`], "refuse"),
  ctx("template contents", [`<template><a href="`, `" title=`, `>`, `</a></template>`]),
];

const PIECES = [
  "<", ">", '"', "'", "&", "`", "=", "/", " ", "\t", "\n", "\f", "\u0000", "\u0001", "\u007f", ",", ";", "(", ")", "-", "!", "?",
  "<script>", "</script>", "</style>", "</textarea>", "</title", "<img src=x onerror=alert(1)>", IMG(), "-->", "--!>", "<!--", "]]>",
  "javascript:", "JaVaScRiPt:", "java\tscript:", " javascript:", "\u0001javascript:", "script:", "java", "data:", "vbscript:", "alert(1)",
  "http:", "https://x.test/", "&quot;", "&lt;", "&#39;", "&#106;", "&#x3a;", "&colon;", "&Tab;", "&amp;", "onclick", "onmouseover=", "srcdoc",
  "x=y", " 1x", "0;url=", "url=", "href", "disabled", "#106;", "6;", "a;", "#x6a;", "\u202e", "\ufeff", "\u00a0", "\u2028", "\ud800", "😀",
];
function IMG(): string {
  return "img src=x onerror=alert(1)";
}

const hostileString: fc.Arbitrary<string> = fc
  .array(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) }), { maxLength: 8 })
  .map((p) => p.join(""));
const hostile: fc.Arbitrary<TemplateValue> = fc.oneof(
  { weight: 6, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<TemplateValue>(null, undefined, true, false, 0, -1.5) },
);

function check(c: Context, v: TemplateValue, want: string[], wantBodies: string[]): void {
  let out: string;
  try {
    out = renderToString(c.make(v));
  } catch (err) {
    assert.ok(err instanceof TypeError, `${c.name}: ${String(err)}`);
    assert.notEqual(c.rule, "render", `${c.name} refused ${JSON.stringify(v)}: ${err.message}`);
    return;
  }
  const isNothing = v === null || v === undefined || v === false;
  if (c.rule === "digits") {
    // `<h${n}>`: a non-negative integer makes the name longer, nothing else renders.
    assert.ok(isNothing || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0), `${c.name} took ${JSON.stringify(v)}: ${out}`);
    assert.deepEqual(elements(out).map((e) => e.tag), [`h${isNothing ? "" : String(v)}`], out);
    return;
  }
  if (c.rule === "refuse") {
    // Only nothing-values render there (`true` as a bare attribute name, like `<iframe srcdoc>`).
    assert.ok(isNothing || v === true, `${c.name} took ${JSON.stringify(v)}: ${out}`);
    return;
  }
  const els = elements(out);
  if (c.rule === "names") {
    // Only names from the value, without values, never on* or srcdoc.
    const added = els[0]!.attrs.filter((a) => a.name !== "id");
    for (const a of added) {
      assert.equal(a.value, "", `${c.name}: ${out}`);
      assert.ok(!a.name.startsWith("on") && a.name !== "srcdoc", `${c.name}: ${out}`);
    }
    assert.deepEqual(shape(out).slice(1), want.slice(1), out);
    return;
  }
  // null/undefined/booleans drop a whole attribute by design: only values that print must keep the shape.
  if (!isNothing && v !== true) assert.deepEqual(shape(out), want, `${c.name} with ${JSON.stringify(v)}: ${out}`);
  for (const e of els) {
    for (const u of urlsIn(e)) {
      const scheme = schemeOf(u);
      assert.ok(scheme === undefined || SAFE_SCHEMES.has(scheme), `${c.name}: ${e.tag} URL ${JSON.stringify(u)} in ${out}`);
    }
  }
  const bodies = scriptBodies(els);
  assert.deepEqual(bodies, wantBodies, `${c.name}: script/style bodies changed: ${out}`);
}

describe("renderTree: every hole context against a real HTML parser (property)", () => {
  it("refuses a hostile value or renders exactly the structure the template wrote, with safe URLs", () => {
    const benign = CONTEXTS.map((c) => {
      let out = "";
      // A raw()-only position renders null as nothing, except a body, which refuses even that.
      try { out = renderToString(c.make(c.rule === "refuse" || c.rule === "digits" ? null : c.benign)); } catch { /* never renders */ }
      const els = elements(out);
      return { want: shape(out), bodies: scriptBodies(els) };
    });
    fc.assert(
      fc.property(hostile, (v) => {
        CONTEXTS.forEach((c, i) => check(c, v, benign[i]!.want, benign[i]!.bodies));
      }),
      { numRuns: 200, seed: 0x7e3a, includeErrorInReport: true },
    );
  });
});
