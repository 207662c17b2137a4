import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRendered, type Rendered } from "./rendered.ts";

/** A counter view: <p>Count: N</p><ul>items</ul>, items from a second template. */
const STATICS = {
  0: ["<p>Count: ", "</p><ul>", "</ul>"],
  1: ["<li>", "</li>"],
};

function counter(): Rendered {
  const r = createRendered();
  r.full({ s: 0, d: ["1", { l: [{ s: 1, d: ["a"] }] }] }, STATICS);
  return r;
}

describe("Rendered", () => {
  it("builds the HTML of a full render", () => {
    const r = createRendered();
    assert.equal(r.hasTree, false);
    const html = r.full({ s: 0, d: ["1", { l: [{ s: 1, d: ["a"] }, { s: 1, d: ["b"] }] }] }, STATICS);
    assert.equal(html, "<p>Count: 1</p><ul><li>a</li><li>b</li></ul>");
    assert.equal(r.hasTree, true);
  });

  it("replaces the tree on a later full render", () => {
    const r = counter();
    assert.equal(r.full("plain"), "plain");
  });

  it("merges a slot diff into the tree", () => {
    const r = counter();
    assert.equal(r.diff({ 0: "2" }), "<p>Count: 2</p><ul><li>a</li></ul>");
    assert.equal(r.diff({ 1: { n: 1, u: { 0: { 0: "z" } } } }), "<p>Count: 2</p><ul><li>z</li></ul>");
  });

  it("grows and shrinks lists by diff", () => {
    const r = counter();
    assert.equal(r.diff({ 1: { n: 3, u: { 1: { s: 1, d: ["b"] }, 2: { s: 1, d: ["c"] } } } }), "<p>Count: 1</p><ul><li>a</li><li>b</li><li>c</li></ul>");
    assert.equal(r.diff({ 1: { n: 1 } }), "<p>Count: 1</p><ul><li>a</li></ul>");
  });

  it("keeps statics from earlier messages for later diffs", () => {
    const r = createRendered();
    r.full({ s: 0, d: ["1", { l: [] }] }, { 0: STATICS[0] });
    // Template 1 arrives with the diff that first uses it; template 0 is not resent.
    assert.equal(r.diff({ 1: { n: 1, u: { 0: { s: 1, d: ["x"] } } } }, { 1: STATICS[1] }), "<p>Count: 1</p><ul><li>x</li></ul>");
    assert.equal(r.diff({ 0: "5" }), "<p>Count: 5</p><ul><li>x</li></ul>");
  });

  it("keeps statics across a reset, for the full render that follows a rejoin", () => {
    const r = counter();
    r.reset();
    assert.equal(r.hasTree, false);
    assert.equal(r.full({ s: 1, d: ["again"] }), "<li>again</li>");
  });

  it("lets a later statics table replace an entry with the same id", () => {
    const r = counter();
    assert.equal(r.full({ s: 1, d: ["x"] }, { 1: ["<b>", "</b>"] }), "<b>x</b>");
  });

  it("rejects a diff that does not fit the tree and drops the tree", () => {
    const r = counter();
    assert.throws(() => r.diff({ 0: { n: 1 } }), TypeError); // a list diff on a text slot
    assert.equal(r.hasTree, false);
  });

  it("rejects a slot index out of range", () => {
    assert.throws(() => counter().diff({ 7: "x" }), TypeError);
  });

  it("rejects a diff before any full render", () => {
    const r = createRendered();
    assert.throws(() => r.diff({ 0: "1" }), TypeError);
    assert.equal(r.hasTree, false);
  });

  it("rejects a render that uses unknown statics and keeps no tree", () => {
    const r = createRendered();
    assert.throws(() => r.full({ s: 9, d: [] }), TypeError);
    assert.equal(r.hasTree, false);
  });

  it("rejects a malformed statics table", () => {
    assert.throws(() => counter().diff({ 0: "2" }, { 2: [1, 2] }), TypeError);
    assert.throws(() => counter().diff({ 0: "2" }, { x: ["a"] }), TypeError);
    assert.throws(() => counter().diff({ 0: "2" }, "nope"), TypeError);
  });

  it("rejects a full render that is not a tree", () => {
    for (const bad of [undefined, null, 5, {}]) {
      const r = counter();
      assert.throws(() => r.full(bad), TypeError);
      assert.equal(r.hasTree, false);
    }
  });
});
