// The demo's JS commands page, tested with weft-live/testing (the commands themselves run in a browser: test/e2e/js-commands.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JsCommands } from "../../../src/index.ts";
import { mountView } from "../../../src/testing/index.ts";
import { Commands, COMMANDS_SCRIPT } from "./commands.ts";

/** The commands of every list in the page's `weft-*` attributes. */
function commandsIn(markup: string): Set<string> {
  const lists = [...markup.matchAll(/ weft-[a-z]+="(\[[^"]*)"/g)].map((m) => (m[1] ?? "").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&"));
  return new Set(lists.flatMap((l) => (JSON.parse(l) as [string, unknown][]).map(([name]) => name)));
}

describe("demo: JS commands", () => {
  it("carries its command lists as JSON in the binding attributes", async () => {
    const v = await mountView(Commands);
    assert.deepEqual(JSON.parse(v.attr("#toggle-details", "weft-click") ?? ""), [["toggleClass", { names: "open", to: "#details" }]]);
    assert.deepEqual(JSON.parse(v.attr("#open-dialog", "weft-click") ?? ""), [["show", { to: "#dialog" }], ["focusFirst", { to: "#dialog-body" }]]);
    assert.deepEqual(JSON.parse(v.attr("#greet-form", "weft-submit") ?? "").at(-1), ["push", { event: "greet" }]);
  });

  it("uses every command of JS, and its page script runs a list with Weft.js", async () => {
    const v = await mountView(Commands);
    const all = Object.getOwnPropertyNames(JsCommands.prototype).filter((n) => !["constructor", "toString", "toJSON", "add"].includes(n));
    assert.ok(all.length >= 13, all.join());
    assert.deepEqual([...commandsIn(v.html())].sort(), all.sort());
    assert.match(COMMANDS_SCRIPT, /Weft\.js\(/);
    assert.match(COMMANDS_SCRIPT, /addEventListener\("demo:note"/);
    assert.deepEqual(JSON.parse(v.attr("#tell-page", "weft-click") ?? ""), [["dispatch", { event: "demo:note", detail: { likes: 0, at: v.text("#clock") } }]]);
    assert.equal(v.attr("#page-note", "weft-ignore"), "", "the page's script owns the note's text");
  });

  it("closes the dialog on Escape and keeps Tab inside it", async () => {
    const v = await mountView(Commands);
    const close = [["hide", { to: "#dialog" }], ["focus", { to: "#open-dialog" }]];
    assert.deepEqual(JSON.parse(v.attr("#dialog", "weft-keydown") ?? ""), close);
    assert.equal(v.attr("#dialog", "weft-key"), "Escape");
    assert.deepEqual(JSON.parse(v.attr("#dialog-cancel", "weft-click") ?? ""), close);
    // Tab past the last control lands on the end guard, which moves focus to the first; Shift+Tab the other way round.
    assert.deepEqual(JSON.parse(v.attr("#trap-end", "weft-focus") ?? ""), [["focusFirst", { to: "#dialog-body" }]]);
    assert.deepEqual(JSON.parse(v.attr("#trap-start", "weft-focus") ?? ""), [["focus", { to: "#dialog-cancel" }]]);
  });

  it("greets with the name a push sends (clipped to 60 characters) and counts likes", async () => {
    const v = await mountView(Commands);
    await v.event("greet", { name: "Ada" });
    assert.equal(v.text("#greeting"), "Hello, Ada!");
    await v.event("greet", { name: "x".repeat(100) });
    assert.equal(v.text("#greeting"), `Hello, ${"x".repeat(60)}!`);
    await v.event("like");
    await v.event("like");
    assert.equal(v.text("#likes"), "2 likes");
  });
});
