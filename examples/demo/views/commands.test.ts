// The demo's JS commands page, tested with weft-live/testing (the commands themselves run in a browser: test/e2e/js-commands.test.ts).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mountView } from "../../../src/testing/index.ts";
import { Commands } from "./commands.ts";

describe("demo: JS commands", () => {
  it("carries its command lists as JSON in the binding attributes", async () => {
    const v = await mountView(Commands);
    assert.deepEqual(JSON.parse(v.attr("#toggle-details", "weft-click") ?? ""), [["toggleClass", { names: "open", to: "#details" }]]);
    assert.deepEqual(JSON.parse(v.attr("#open-dialog", "weft-click") ?? ""), [["show", { to: "#dialog" }], ["focusFirst", { to: "#dialog" }]]);
    assert.deepEqual(JSON.parse(v.attr("#greet-form", "weft-submit") ?? "").at(-1), ["push", { event: "greet" }]);
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
