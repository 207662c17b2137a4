import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RenderedTree, TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, toHtml } from "../../protocol/tree.ts";
import { createWeft } from "../app.ts";
import { defineView } from "../view.ts";
import { mountView } from "../../testing/index.ts";
import { renderView } from "../render-view.ts";
import { staticsOf } from "./compile.ts";
import { diffTree, StaticsLedger } from "./diff.ts";
import { html } from "./html.ts";
import { keyed, KeyedListError } from "./keyed.ts";
import { renderToString, renderTree } from "./render-tree.ts";

interface Item {
  id: number;
  t: string;
}

const li = (x: Item) => html`<li id="i${x.id}">${x.t}</li>`;
const list = (items: readonly Item[]) => html`<ul>${keyed(items, (x) => x.id, li)}</ul>`;
const items = (n: number): Item[] => Array.from({ length: n }, (_, i) => ({ id: i, t: `item ${i}` }));

/** The diff of the list's slot between two renders, and the client's HTML after applying it (as JSON, as on the wire). */
function change(a: readonly Item[], b: readonly Item[]): { d: TreeDiff | undefined; html: string } {
  const ledger = new StaticsLedger();
  const prev = renderTree(list(a));
  ledger.collect(prev);
  const diff = diffTree(prev, renderTree(list(b)), ledger);
  const client = JSON.parse(JSON.stringify(prev)) as RenderedTree;
  const after = diff === undefined ? client : applyDiff(client, JSON.parse(JSON.stringify(diff)) as TreeDiff);
  return { d: (diff as { 0?: TreeDiff } | undefined)?.[0], html: toHtml(after, staticsOf) };
}

describe("keyed()", () => {
  it("renders like an array of templates, and its keys never travel", () => {
    const tree = renderTree(list(items(2)));
    assert.equal(renderToString(list(items(2))), `<ul><li id="i0">item 0</li><li id="i1">item 1</li></ul>`);
    const s = renderTree(li({ id: 0, t: "" })).s;
    assert.equal(JSON.stringify(tree.d[0]), JSON.stringify({ l: [{ s, d: ["0", "item 0"] }, { s, d: ["1", "item 1"] }] }));
  });

  it("takes any iterable and renders nothing for an empty one", () => {
    assert.equal(renderToString(html`<ul>${keyed(new Set(["a", "b"]), (x) => x, (x) => html`<li>${x}</li>`)}</ul>`), "<ul><li>a</li><li>b</li></ul>");
    assert.equal(renderToString(html`<ul>${keyed([], (x: string) => x, (x) => html`<li>${x}</li>`)}</ul>`), "<ul></ul>");
  });

  it("sends the statics of its items once: items share them", () => {
    const ledger = new StaticsLedger();
    ledger.collect(renderTree(list(items(3))));
    assert.equal(Object.keys(ledger.take() ?? {}).length, 2);
  });

  it("deletes the first of 1,000 items with one run of the rest", () => {
    const a = items(1_000);
    const { d, html: out } = change(a, a.slice(1));
    assert.deepEqual(d, { o: [[1, 999]] });
    assert.equal(out, renderToString(list(a.slice(1))));
  });

  it("moves one item with three runs and no item sent", () => {
    const a = items(1_000);
    const b = [a[500]!, ...a.slice(0, 500), ...a.slice(501)];
    const { d, html: out } = change(a, b);
    assert.deepEqual(d, { o: [[500, 1], [0, 500], [501, 499]] });
    assert.equal(out, renderToString(list(b)));
  });

  it("inserts one item with only that item in full", () => {
    const a = items(1_000);
    const b = [...a.slice(0, 10), { id: 5_000, t: "new" }, ...a.slice(10)];
    const { d, html: out } = change(a, b);
    const s = renderTree(li({ id: 5_000, t: "new" })).s;
    assert.deepEqual(d, { o: [[0, 10], 1, [10, 990]], u: { 10: { s, d: ["5000", "new"] } } });
    assert.equal(out, renderToString(list(b)));
  });

  it("sends a moved item's changed slots with its new index", () => {
    const a = items(5);
    const b = [{ id: 4, t: "moved and changed" }, ...a.slice(0, 4)];
    const { d, html: out } = change(a, b);
    assert.deepEqual(d, { o: [[4, 1], [0, 4]], u: { 0: { 1: "moved and changed" } } });
    assert.equal(out, renderToString(list(b)));
  });

  it("patches items by index when the keys kept their order", () => {
    const a = items(5);
    const b = a.map((x) => (x.id === 3 ? { ...x, t: "changed" } : x));
    assert.deepEqual(change(a, b).d, { n: 5, u: { 3: { 1: "changed" } } });
    assert.equal(change(a, a.slice()).d, undefined);
  });

  it("tells apart the number 1 and the string \"1\"", () => {
    const r = (keys: (string | number)[]) => renderToString(html`${keyed(keys, (k) => k, (k) => html`<b>${typeof k}</b>`)}`);
    assert.equal(r([1, "1"]), "<b>number</b><b>string</b>");
  });

  it("fails the render on duplicate keys, naming them", () => {
    assert.throws(() => renderTree(list([{ id: 1, t: "a" }, { id: 2, t: "b" }, { id: 1, t: "c" }, { id: 2, t: "d" }])), (e: unknown) => {
      assert.ok(e instanceof KeyedListError);
      assert.match(e.message, /duplicate keys 1, 2 in one render/);
      return true;
    });
    assert.throws(() => renderTree(html`${keyed(["x", "x"], (k) => k, (k) => k)}`), /duplicate key "x" in one render/);
  });

  it("refuses a key that is not a string or a finite number", () => {
    for (const [bad, word] of [[{}, "an object"], [null, "null"], [undefined, "a undefined"], [NaN, "NaN"], [[1], "an array"], [true, "a boolean"]] as const) {
      assert.throws(() => renderTree(html`${keyed([0], () => bad as never, () => "x")}`), (e: unknown) => {
        assert.ok(e instanceof KeyedListError);
        assert.equal(e.message, `Weft: keyed(): the key of item 0 is ${word}; keys must be strings or finite numbers`);
        return true;
      });
    }
  });

  it("refuses missing functions and a non-iterable at the call", () => {
    assert.throws(() => keyed([1], undefined as never, () => "x"), /needs a key function and a render function/);
    assert.throws(() => keyed(5 as unknown as number[], (x) => x, () => "x"), /needs an array or an iterable of items, got number/);
  });

  it("names the view whose render had a duplicate key", () => {
    const V = defineView({ mount: () => ({ ids: [1, 1] }), render: (s) => html`<ul>${keyed(s.ids, (k) => k, (k) => html`<li>${k}</li>`)}</ul>` });
    assert.throws(() => renderView(V, { ids: [1, 1] }, "/todos"), /duplicate key 1 in one render; each item needs a key of its own \(in the view at "\/todos"\)/);
  });

  it("answers a duplicate key in a live view with E_RENDER and keeps the last good state", async () => {
    const V = defineView({
      mount: () => ({ ids: ["a", "b"] }),
      events: { dup: (s: { ids: string[] }) => ({ ids: [...s.ids, "a"] }), add: (s: { ids: string[] }) => ({ ids: [...s.ids, "c"] }) },
      render: (s) => html`<ul>${keyed(s.ids, (k) => k, (k) => html`<li id=${k}>${k}</li>`)}</ul>`,
    });
    const v = await mountView(V);
    await v.event("dup");
    assert.equal(v.errors[0]?.code, "E_RENDER");
    assert.match(String((v.errors[0]?.cause as Error).message), /duplicate key "a".*in the view at "\/"/);
    assert.equal(v.count("li"), 2);
    await v.event("add");
    assert.equal(v.text("#c"), "c");
    assert.equal(v.count("li"), 3);
  });
});

describe("a page whose render has a duplicate key", () => {
  it("answers 500 and reports the error naming the key and the view", async () => {
    const V = defineView({ mount: () => ({ ids: [7, 7] }), render: (s) => html`<ul>${keyed(s.ids, (k) => k, (k) => html`<li>${k}</li>`)}</ul>` });
    const errors: unknown[] = [];
    const app = createWeft({ views: { "/dup": V }, secret: "keyed-test-secret-0123456789abcdef", onError: (err) => errors.push(err) });
    try {
      const { port } = await app.listen(0);
      const res = await fetch(`http://127.0.0.1:${port}/dup`);
      await res.arrayBuffer();
      assert.equal(res.status, 500);
      assert.ok(errors.some((e) => e instanceof KeyedListError && /duplicate key 7 .*in the view at "\/dup"/.test(e.message)), String(errors));
    } finally {
      await app.close();
    }
  });
});

describe("applyDiff of a keyed diff", () => {
  const tree = (): RenderedTree => ({ l: ["a", "b", "c"] });

  it("refuses runs outside the old list, an old item taken twice, and holes", () => {
    assert.throws(() => applyDiff(tree(), { o: [[2, 2]] }), /bad old run/);
    assert.throws(() => applyDiff(tree(), { o: [[-1, 1]] }), /bad old run/);
    assert.throws(() => applyDiff(tree(), { o: [[0, 2], [1, 1]] }), /item 1 twice/);
    assert.throws(() => applyDiff(tree(), { o: [1] }), /bad new run/);
    assert.throws(() => applyDiff(tree(), { o: [2], u: { 0: "x", 5: "y" } }), /bad index 5/);
    assert.throws(() => applyDiff(tree(), { o: [1, [0, 1]], u: { 1: "x" } }), /keyed holes/);
    assert.throws(() => applyDiff(tree(), { o: [1], u: { 0: { 0: "x" } } }), /slot diff: no template/);
    assert.throws(() => applyDiff("x", { o: [] }), /keyed diff: no list/);
  });

  it("rebuilds the list from runs and new items", () => {
    assert.deepEqual(applyDiff(tree(), { o: [[2, 1], 1, [0, 1]], u: { 1: "n" } }), { l: ["c", "n", "a"] });
    assert.deepEqual(applyDiff(tree(), { o: [] }), { l: [] });
  });
});
