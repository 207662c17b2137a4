import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { html, json, renderToString } from "../index.ts";
import { JS, JS_URL_ATTRIBUTES, JsCommands, MAX_JS_COMMANDS } from "./js-commands.ts";
import { URL_ATTRIBUTES } from "./template/escape.ts";

/** The attribute value the browser reads back from `<b weft-click="…">`: entities decoded. */
function attrOf(markup: string): string {
  const m = /weft-click="([^"]*)"/.exec(markup);
  assert.ok(m, `no weft-click in ${markup}`);
  return (m[1] as string).replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

describe("JS command builder", () => {
  it("builds the wire JSON of [name, args] pairs, in order", () => {
    const js = JS.show("#m").addClass("open", { to: "#panel" }).push("opened");
    assert.equal(String(js), '[["show",{"to":"#m"}],["addClass",{"names":"open","to":"#panel"}],["push",{"event":"opened"}]]');
    assert.equal(js.toString(), String(js));
  });

  it("returns a new list from every call and leaves the one it extends unchanged", () => {
    const base = JS.hide("#a");
    const one = base.focus("#b");
    const two = base.push("x");
    assert.equal(String(JS), "[]");
    assert.equal(String(base), '[["hide",{"to":"#a"}]]');
    assert.equal(one.commands.length, 2);
    assert.deepEqual(two.commands[1], ["push", { event: "x" }]);
    assert.notEqual(one, base);
  });

  it("encodes every command with its options", () => {
    const js = JS.show({ to: "#m", display: "flex" }).hide().toggle({ display: "grid" }).removeClass("a b", "#x").toggleClass("on")
      .setAttribute("aria-expanded", "true", "#b").removeAttribute("disabled", { to: "#s" }).transition("fade", { to: "#t", time: 300 })
      .dispatch("copy", { to: "#c", detail: { n: 1 }, bubbles: false }).focus("#f").focusFirst("#d")
      .push("save", { value: { id: 7, tags: ["a"] }, target: "card-1" });
    assert.deepEqual(JSON.parse(String(js)), [
      ["show", { to: "#m", display: "flex" }],
      ["hide", {}],
      ["toggle", { display: "grid" }],
      ["removeClass", { names: "a b", to: "#x" }],
      ["toggleClass", { names: "on" }],
      ["setAttribute", { name: "aria-expanded", value: "true", to: "#b" }],
      ["removeAttribute", { name: "disabled", to: "#s" }],
      ["transition", { names: "fade", to: "#t", time: 300 }],
      ["dispatch", { event: "copy", to: "#c", detail: { n: 1 }, bubbles: false }],
      ["focus", { to: "#f" }],
      ["focusFirst", { to: "#d" }],
      ["push", { event: "save", value: { id: 7, tags: ["a"] }, target: "card-1" }],
    ]);
  });

  it("serialises through JSON.stringify and json() as the command array", () => {
    assert.equal(JSON.stringify({ open: JS.show("#m") }), '{"open":[["show",{"to":"#m"}]]}');
    assert.equal(json(JS.hide("#m")).text, '[["hide",{"to":"#m"}]]');
  });

  it("escapes <, >, & and ' in its JSON so that it cannot end a script or a single-quoted attribute", () => {
    const s = String(JS.hide("</script><b x='1'>&"));
    assert.doesNotMatch(s, /[<>&']/);
    assert.deepEqual(JSON.parse(s), [["hide", { to: "</script><b x='1'>&" }]]);
  });

  it("renders in an attribute value of a template as its JSON, escaped, quoted or not", () => {
    const hostile = `"><script>alert(1)</script>'`;
    const js = JS.hide(hostile).push("x", { value: { q: `"'<>&` } });
    for (const markup of [renderToString(html`<b weft-click=${js}>x</b>`), renderToString(html`<b weft-click="${js}">x</b>`)]) {
      assert.doesNotMatch(markup, /<script/);
      assert.equal(markup.match(/"/g)?.length, 2, "only the attribute's own quotes");
      assert.deepEqual(JSON.parse(attrOf(markup)), js.commands);
    }
  });

  it("renders as escaped JSON text in element content", () => {
    const markup = renderToString(html`<p>${JS.hide("</p><i>")}</p>`);
    assert.equal(markup, "<p>[[&quot;hide&quot;,{&quot;to&quot;:&quot;\\u003c/p\\u003e\\u003ci\\u003e&quot;}]]</p>");
  });

  it("refuses a command list in an event-handler attribute (script context)", () => {
    assert.throws(() => renderToString(html`<b onclick=${JS.hide("#m")}>x</b>`), TypeError);
  });

  it("refuses event-handler and srcdoc attributes, malformed names, and neutralises unsafe URLs", () => {
    assert.throws(() => JS.setAttribute("onclick", "alert(1)"), /refuses event-handler/);
    assert.throws(() => JS.setAttribute("ONLOAD", "x"), /refuses event-handler/);
    assert.throws(() => JS.setAttribute("srcdoc", "<b>"), /refuses/);
    assert.throws(() => JS.setAttribute('x" onclick="y', "1"), /attribute name/);
    assert.throws(() => JS.setAttribute("", "1"), /must not be empty/);
    assert.deepEqual(JS.setAttribute("href", "javascript:alert(1)").commands[0]?.[1], { name: "href", value: "about:invalid#weft-unsafe-url" });
    assert.deepEqual(JS.setAttribute("HREF", "/ok").commands[0]?.[1], { name: "HREF", value: "/ok" });
    assert.deepEqual(JS.setAttribute("Data", " data:text/html,x").commands[0]?.[1], { name: "Data", value: "about:invalid#weft-unsafe-url" });
  });

  it("keeps any value of an attribute that is not a URL attribute, colons and scheme names included", () => {
    for (const [name, value] of [["title", "Transcript: 3"], ["aria-label", "Export data: CSV"], ["title", "javascript: the good parts"], ["data-x", "data:1"]] as const) {
      assert.deepEqual(JS.setAttribute(name, value).commands[0]?.[1], { name, value });
    }
  });

  it("treats as URLs a short list of attributes, each also a URL attribute of templates", () => {
    for (const name of JS_URL_ATTRIBUTES) {
      assert.ok(URL_ATTRIBUTES.has(name), name);
      assert.equal(JS.setAttribute(name, "vbscript:x").commands[0]?.[1]["value"], "about:invalid#weft-unsafe-url", name);
    }
  });

  it("refuses values the client cannot take: non-strings, empty event names, bad times, non-JSON values", () => {
    const anyJs = JS as unknown as Record<string, (...a: unknown[]) => unknown>;
    assert.throws(() => anyJs["addClass"]?.call(JS, 5), /names must be a string/);
    assert.throws(() => anyJs["hide"]?.call(JS, 5), /target must be/);
    assert.throws(() => JS.hide({ to: "" }), /to must not be empty/);
    assert.throws(() => JS.push(""), /event must not be empty/);
    assert.throws(() => JS.dispatch(""), /event must not be empty/);
    assert.throws(() => JS.transition("x", { time: -1 }), /time must be/);
    assert.throws(() => JS.transition("x", { time: Number.NaN }), /time must be/);
    assert.throws(() => JS.transition("x", { time: 60_001 }), /time must be/);
    assert.throws(() => JS.push("x", { value: [1] as never }), /value must be an object/);
    assert.throws(() => JS.push("x", { value: { n: 1n } as never }), /JSON value/);
    const cyclic: Record<string, unknown> = {};
    cyclic["self"] = cyclic;
    assert.throws(() => JS.dispatch("x", { detail: cyclic as never }), /JSON value/);
  });

  it("writes class names with single spaces and refuses an empty list", () => {
    assert.deepEqual(JS.addClass("  a \t b\n").commands[0]?.[1], { names: "a b" });
    assert.throws(() => JS.toggleClass("  "), /at least one class/);
  });

  it("copies push values and dispatch details, so that a later change of the object does not change the list", () => {
    const value = { n: 1 };
    const js = JS.push("x", { value });
    value.n = 2;
    assert.equal(String(js), '[["push",{"event":"x","value":{"n":1}}]]');
  });

  it(`holds at most ${MAX_JS_COMMANDS} commands`, () => {
    let js = JS;
    for (let i = 0; i < MAX_JS_COMMANDS; i++) js = js.focus();
    assert.throws(() => js.focus(), /at most 64/);
  });

  it("has an example of every command in docs/client.md's js-commands section", () => {
    const doc = readFileSync(new URL("../../docs/client.md", import.meta.url), "utf8");
    const section = doc.slice(doc.indexOf("<!-- section: js-commands -->"), doc.indexOf("<!-- section: ", doc.indexOf("<!-- section: js-commands -->") + 1));
    const names = Object.getOwnPropertyNames(JsCommands.prototype).filter((n) => !["constructor", "toString", "toJSON", "add"].includes(n));
    assert.ok(names.length >= 13);
    for (const n of names) assert.match(section, new RegExp(`JS\\.${n}\\(`), n);
  });
});
