import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RenderedTree, TreeDiff } from "./messages.ts";
import { applyDiff, isListDiff, isListNode, isTemplateNode, toHtml } from "./tree.ts";

const STATICS: Record<number, string[]> = {
  1: ["<div>", "<ul>", "</ul></div>"],
  2: ["<li>", "</li>"],
  3: ["<b>", "</b>"],
};
const lookup = (id: number) => STATICS[id];

/** `<div>{text}<ul>{items}</ul></div>` with `<li>` items. */
function page(): RenderedTree {
  return { s: 1, d: ["hi", { l: [{ s: 2, d: ["a"] }, { s: 2, d: ["b"] }] }] };
}

const pageHtml = (tree: RenderedTree) => toHtml(tree, lookup);

describe("toHtml", () => {
  it("returns a string tree as it is", () => {
    assert.equal(toHtml("<b>x</b>", lookup), "<b>x</b>");
  });

  it("interleaves statics and slots", () => {
    assert.equal(toHtml({ s: 3, d: ["x"] }, lookup), "<b>x</b>");
  });

  it("renders lists item after item and nested templates in place", () => {
    assert.equal(pageHtml(page()), "<div>hi<ul><li>a</li><li>b</li></ul></div>");
  });

  it("renders an empty list as nothing", () => {
    assert.equal(toHtml({ l: [] }, lookup), "");
    assert.equal(toHtml({ l: [{ l: [] }, "x"] }, lookup), "x");
  });

  it("throws a TypeError for unknown statics", () => {
    assert.throws(() => toHtml({ s: 99, d: [] }, lookup), TypeError);
    assert.throws(() => toHtml({ l: [{ s: 99, d: [] }] }, lookup), TypeError);
  });
});

describe("node guards", () => {
  it("tells templates, lists and list diffs apart", () => {
    assert.ok(isTemplateNode({ s: 1, d: [] }) && !isListNode({ s: 1, d: [] }) && !isListDiff({ s: 1, d: [] }));
    assert.ok(isListNode({ l: [] }) && !isTemplateNode({ l: [] }) && !isListDiff({ l: [] }));
    assert.ok(isListDiff({ n: 0 }) && !isTemplateNode({ n: 0 }) && !isListNode({ n: 0 }));
    assert.ok(!isTemplateNode({ 0: "x" }) && !isListNode({ 0: "x" }) && !isListDiff({ 0: "x" }));
    assert.ok(!isTemplateNode(null) && !isListNode("l") && !isListDiff(undefined));
  });
});

describe("applyDiff", () => {
  it("replaces a position with a string, a template or a list", () => {
    assert.equal(applyDiff(page(), "x"), "x");
    assert.deepEqual(applyDiff("x", { s: 3, d: ["y"] }), { s: 3, d: ["y"] });
    assert.deepEqual(applyDiff(page(), { l: ["a"] }), { l: ["a"] });
    assert.deepEqual(applyDiff(undefined, "new"), "new");
  });

  it("patches only the slots a slot diff names", () => {
    const tree = applyDiff(page(), { 0: "bye" });
    assert.equal(pageHtml(tree), "<div>bye<ul><li>a</li><li>b</li></ul></div>");
  });

  it("patches nested slots", () => {
    const tree = applyDiff(page(), { 1: { n: 2, u: { 1: { 0: "B" } } } });
    assert.equal(pageHtml(tree), "<div>hi<ul><li>a</li><li>B</li></ul></div>");
  });

  it("mutates the client's tree in place", () => {
    const tree = page();
    assert.equal(applyDiff(tree, { 0: "x" }), tree);
  });

  it("appends list items", () => {
    const tree = applyDiff(page(), { 1: { n: 4, u: { 2: { s: 2, d: ["c"] }, 3: "<hr>" } } });
    assert.equal(pageHtml(tree), "<div>hi<ul><li>a</li><li>b</li><li>c</li><hr></ul></div>");
  });

  it("truncates a list to its new length", () => {
    assert.equal(pageHtml(applyDiff(page(), { 1: { n: 1 } })), "<div>hi<ul><li>a</li></ul></div>");
    assert.equal(pageHtml(applyDiff(page(), { 1: { n: 0 } })), "<div>hi<ul></ul></div>");
  });

  it("changes and truncates in one list diff", () => {
    assert.equal(pageHtml(applyDiff(page(), { 1: { n: 1, u: { 0: { 0: "z" } } } })), "<div>hi<ul><li>z</li></ul></div>");
  });

  it("applies a diff that travelled as JSON", () => {
    const diff = JSON.parse(JSON.stringify({ 0: "x", 1: { n: 3, u: { 2: { s: 2, d: ["c"] } } } })) as TreeDiff;
    assert.equal(pageHtml(applyDiff(page(), diff)), "<div>x<ul><li>a</li><li>b</li><li>c</li></ul></div>");
  });

  it("leaves the tree as it was for an empty slot diff", () => {
    assert.equal(pageHtml(applyDiff(page(), {})), pageHtml(page()));
  });
});

describe("applyDiff: diffs that do not fit", () => {
  it("rejects a slot diff for a string or a list position", () => {
    assert.throws(() => applyDiff("text", { 0: "x" }), TypeError);
    assert.throws(() => applyDiff({ l: [] }, { 0: "x" }), TypeError);
    assert.throws(() => applyDiff(undefined, { 0: "x" }), TypeError);
  });

  it("rejects a slot index out of range", () => {
    assert.throws(() => applyDiff(page(), { 2: "x" }), TypeError);
    assert.throws(() => applyDiff(page(), { "-1": "x" }), TypeError);
    assert.throws(() => applyDiff(page(), { "0.5": "x" }), TypeError);
    assert.throws(() => applyDiff(page(), { foo: "x" } as TreeDiff), TypeError);
  });

  it("rejects a list diff for a position that holds no list", () => {
    assert.throws(() => applyDiff(page(), { n: 1 }), TypeError);
    assert.throws(() => applyDiff("x", { n: 0 }), TypeError);
    assert.throws(() => applyDiff(page(), { 0: { n: 0 } }), TypeError);
  });

  it("rejects a bad list length", () => {
    for (const n of [-1, 1.5, Number.NaN]) assert.throws(() => applyDiff(page(), { 1: { n } }), TypeError, String(n));
    assert.throws(() => applyDiff(page(), { 1: { n: "2" } } as unknown as TreeDiff), TypeError);
  });

  it("rejects a list index at or past the new length", () => {
    assert.throws(() => applyDiff(page(), { 1: { n: 2, u: { 2: "x" } } }), TypeError);
    assert.throws(() => applyDiff(page(), { 1: { n: 2, u: { "-1": "x" } } }), TypeError);
  });

  it("rejects a list diff that grows the list without sending the new items", () => {
    assert.throws(() => applyDiff(page(), { 1: { n: 3 } }), TypeError);
    assert.throws(() => applyDiff(page(), { 1: { n: 4, u: { 2: "x" } } }), TypeError);
  });

  it("rejects a list diff that sends the last new item but skips one before it", () => {
    // 2 items, n 4, only index 3 sent: index 2 would be a hole in the client's list.
    assert.throws(() => applyDiff(page(), { 1: { n: 4, u: { 3: "x" } } }), TypeError);
  });

  it("rejects a slot diff for a new list item", () => {
    assert.throws(() => applyDiff(page(), { 1: { n: 3, u: { 2: { 0: "x" } } } }), TypeError);
  });
});
