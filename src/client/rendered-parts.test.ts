import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRendered } from "./rendered.ts";

const statics = { 0: ["<main>", "", "</main>"], 1: ["<p>", "</p>"] };

describe("Rendered with components", () => {
  it("builds a component's tree in place of its node, its root marked with the escaped id", () => {
    const r = createRendered();
    const html = r.full({ s: 0, d: [{ c: "a" }, { c: 'b"<' }] }, statics, { a: { s: 1, d: ["1"] }, 'b"<': { s: 1, d: ["2"] } });
    assert.equal(html, '<main><p weft-component="a">1</p><p weft-component="b&#34;&#60;">2</p></main>');
  });

  it("applies a frame that carries only a component's diff, and drops removed components", () => {
    const r = createRendered();
    r.full({ s: 0, d: [{ c: "a" }, { c: "b" }] }, statics, { a: { s: 1, d: ["1"] }, b: { s: 1, d: ["2"] } });
    assert.equal(r.diff(undefined, undefined, { a: { 0: "5" } }), '<main><p weft-component="a">5</p><p weft-component="b">2</p></main>');
    assert.equal(r.diff({ 1: "" }, undefined, { b: null }), '<main><p weft-component="a">5</p></main>');
    assert.throws(() => r.diff({ 1: { c: "b" } }), /unknown component b/, "a removed component is gone");
    assert.equal(r.hasTree, false, "a diff that does not fit drops the tree");
  });

  it("refuses a malformed component map and a forged cycle without recursing forever", () => {
    const r = createRendered();
    assert.throws(() => r.full({ s: 0, d: [{ c: "a" }, ""] }, statics, [1]), /bad parts/);
    assert.throws(() => r.full({ s: 0, d: [{ c: "a" }, ""] }, statics, { a: { c: "a" } }), /components too deep/);
    assert.equal(r.hasTree, false);
  });
});
