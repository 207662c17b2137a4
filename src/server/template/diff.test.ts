import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RenderedTree, TemplateNode, TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, toHtml } from "../../protocol/tree.ts";
import { staticsOf } from "./compile.ts";
import { diffTree, StaticsLedger } from "./diff.ts";
import { html, type Template } from "./html.ts";
import { renderToString, renderTree } from "./render-tree.ts";

const item = (label: string, done = false) => html`<li class="${done ? "done" : ""}">${label}</li>`;
const other = (label: string) => html`<li><em>${label}</em></li>`;
const badge = (n: number) => html`<span class="badge">${n}</span>`;

interface State {
  title: string;
  count: number;
  items: Template[];
  badge?: number;
}

const view = (s: State) =>
  html`<section><h1>${s.title}</h1><p>${s.count}</p>${s.badge === undefined ? null : badge(s.badge)}<ul>${s.items}</ul></section>`;

const base: State = { title: "Todos", count: 0, items: [item("a"), item("b")] };

const idOf = (t: Template): number => renderTree(t).s;

/** Keys of a statics table as numbers, sorted. */
function ids(table: Record<string, string[]> | undefined): number[] {
  return Object.keys(table ?? {}).map(Number).sort((a, b) => a - b);
}

/** A client: holds a tree and the statics it was sent, applies what travels. */
class Client {
  readonly statics = new Map<number, readonly string[]>();
  tree: RenderedTree;
  constructor(tree: RenderedTree, statics: Record<string, string[]> | undefined) {
    this.tree = wire(tree);
    this.learn(statics);
  }
  learn(statics: Record<string, string[]> | undefined): void {
    for (const [k, v] of Object.entries(wire(statics ?? {}))) this.statics.set(Number(k), v);
  }
  apply(diff: TreeDiff, statics: Record<string, string[]> | undefined): void {
    this.learn(statics);
    this.tree = applyDiff(this.tree, wire(diff));
  }
  html(): string {
    return toHtml(this.tree, (id) => this.statics.get(id));
  }
}

function wire<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** Renders `first`, then diffs to `next`; returns the diff, its statics, and the client after it. */
function step(first: Template, next: Template) {
  const ledger = new StaticsLedger();
  const a = renderTree(first);
  ledger.collect(a);
  const client = new Client(a, ledger.take());
  const diff = diffTree(a, renderTree(next), ledger);
  const statics = ledger.take();
  if (diff !== undefined) client.apply(diff, statics);
  return { diff, statics, client };
}

describe("diffTree", () => {
  it("diffs an unchanged tree to undefined", () => {
    const ledger = new StaticsLedger();
    assert.equal(diffTree(renderTree(view(base)), renderTree(view(base)), ledger), undefined);
    assert.equal(ledger.take(), undefined);
  });

  it("diffs an unchanged string to undefined and a changed one to the new string", () => {
    const ledger = new StaticsLedger();
    assert.equal(diffTree("a", "a", ledger), undefined);
    assert.equal(diffTree("a", "b", ledger), "b");
  });

  it("sends only the slot that changed", () => {
    const { diff, statics, client } = step(view(base), view({ ...base, count: 1 }));
    assert.deepEqual(diff, { 1: "1" });
    assert.equal(statics, undefined);
    assert.equal(client.html(), renderToString(view({ ...base, count: 1 })));
  });

  it("sends every changed slot and no unchanged one", () => {
    const { diff } = step(view(base), view({ ...base, title: "<T>", count: 2 }));
    assert.deepEqual(diff, { 0: "&lt;T&gt;", 1: "2" });
  });

  it("sends a nested template's changed slot, not the template", () => {
    const { diff, statics } = step(view({ ...base, badge: 1 }), view({ ...base, badge: 2 }));
    assert.deepEqual(diff, { 2: { 0: "2" } });
    assert.equal(statics, undefined);
  });

  it("sends the full node when a template takes the place of another", () => {
    const next = view({ ...base, items: [other("a"), item("b")] });
    const { diff, statics, client } = step(view(base), next);
    assert.deepEqual(diff, { 3: { n: 2, u: { 0: { s: idOf(other("a")), d: ["a"] } } } });
    assert.deepEqual(ids(statics), [idOf(other("a"))]);
    assert.equal(client.html(), renderToString(next));
  });

  it("sends the full node when a template replaces text, and text when text replaces a template", () => {
    const on = step(view(base), view({ ...base, badge: 7 }));
    assert.deepEqual(on.diff, { 2: { s: idOf(badge(7)), d: ["7"] } });
    assert.deepEqual(ids(on.statics), [idOf(badge(7))]);
    assert.equal(on.client.html(), renderToString(view({ ...base, badge: 7 })));
    const off = step(view({ ...base, badge: 7 }), view(base));
    assert.deepEqual(off.diff, { 2: "" });
    assert.equal(off.statics, undefined);
    assert.equal(off.client.html(), renderToString(view(base)));
  });

  it("replaces a list with text and text with a list", () => {
    const slot = (x: string | string[]) => html`<p>${x}</p>`;
    const toText = step(slot(["a", "b"]), slot("c"));
    assert.deepEqual(toText.diff, { 0: "c" });
    const toList = step(slot("c"), slot(["a", "b"]));
    assert.deepEqual(toList.diff, { 0: { l: ["a", "b"] } });
    assert.equal(toList.client.html(), "<p>ab</p>");
  });
});

describe("diffTree: lists", () => {
  it("sends only the new items and the length when a list grows", () => {
    const next = view({ ...base, items: [item("a"), item("b"), item("c"), item("d")] });
    const { diff, statics, client } = step(view(base), next);
    const li = idOf(item("c"));
    assert.deepEqual(diff, { 3: { n: 4, u: { 2: { s: li, d: ["", "c"] }, 3: { s: li, d: ["", "d"] } } } });
    assert.equal(statics, undefined, "the item template is already known");
    assert.equal(client.html(), renderToString(next));
  });

  it("sends just the length when a list shrinks", () => {
    const next = view({ ...base, items: [item("a")] });
    const { diff, client } = step(view(base), next);
    assert.deepEqual(diff, { 3: { n: 1 } });
    assert.equal(client.html(), renderToString(next));
  });

  it("sends the length when a list empties", () => {
    const { diff, client } = step(view(base), view({ ...base, items: [] }));
    assert.deepEqual(diff, { 3: { n: 0 } });
    assert.equal(client.html(), renderToString(view({ ...base, items: [] })));
  });

  it("sends only the changed slot of a changed item", () => {
    const items = [item("a"), item("b"), item("c")];
    const next = view({ ...base, items: [item("a"), item("b", true), item("c")] });
    const { diff, client } = step(view({ ...base, items }), next);
    assert.deepEqual(diff, { 3: { n: 3, u: { 1: { 0: "done" } } } });
    assert.equal(client.html(), renderToString(next));
  });

  it("sends a change and a shrink together", () => {
    const items = [item("a"), item("b"), item("c")];
    const next = view({ ...base, items: [item("z"), item("b")] });
    const { diff, client } = step(view({ ...base, items }), next);
    assert.deepEqual(diff, { 3: { n: 2, u: { 0: { 1: "z" } } } });
    assert.equal(client.html(), renderToString(next));
  });

  it("diffs an unchanged list to undefined, even an empty one", () => {
    const ledger = new StaticsLedger();
    assert.equal(diffTree({ l: [] }, { l: [] }, ledger), undefined);
    assert.equal(diffTree({ l: ["a"] }, { l: ["a"] }, ledger), undefined);
  });
});

describe("StaticsLedger", () => {
  it("collects every template's statics from a first full render", () => {
    const ledger = new StaticsLedger();
    const tree = renderTree(view({ ...base, badge: 1 }));
    ledger.collect(tree);
    const table = ledger.take();
    const want = [idOf(view(base)), idOf(item("a")), idOf(badge(1))].sort((a, b) => a - b);
    assert.deepEqual(ids(table), want);
    for (const id of want) assert.deepEqual(table?.[id], staticsOf(id));
  });

  it("sends one statics entry for all the items of a list", () => {
    const ledger = new StaticsLedger();
    ledger.collect(renderTree(view({ ...base, items: ["a", "b", "c", "d", "e"].map((x) => item(x)) })));
    assert.deepEqual(ids(ledger.take()), [idOf(view(base)), idOf(item("a"))].sort((a, b) => a - b));
  });

  it("knows each of many templates once, whatever their ids (word boundaries of its bitset included)", () => {
    const ledger = new StaticsLedger();
    // 70 distinct templates: ids span at least three 30-bit words.
    const trees = Array.from({ length: 70 }, (_, i) => renderTree(compileOne(i)));
    for (const t of trees.slice(0, 35)) ledger.collect(t);
    const first = ids(ledger.take());
    assert.equal(first.length, 35);
    for (const t of trees) ledger.collect(t);
    const second = ids(ledger.take());
    assert.equal(second.length, 35);
    assert.deepEqual(second.filter((id) => first.includes(id)), []);
    for (const t of trees) ledger.collect(t);
    assert.equal(ledger.take(), undefined);
    ledger.reset();
    for (const t of trees) ledger.collect(t);
    assert.equal(ids(ledger.take()).length, 70);
  });

  it("hands out collected statics once", () => {
    const ledger = new StaticsLedger();
    ledger.collect(renderTree(view(base)));
    assert.notEqual(ledger.take(), undefined);
    assert.equal(ledger.take(), undefined);
  });

  it("sends no statics with diffs that use only known templates", () => {
    const ledger = new StaticsLedger();
    let prev: TemplateNode = renderTree(view(base));
    ledger.collect(prev);
    ledger.take();
    for (const s of [{ ...base, count: 1 }, { ...base, items: [item("x"), item("y"), item("z")] }, { ...base, items: [] }]) {
      const next = renderTree(view(s));
      assert.notEqual(diffTree(prev, next, ledger), undefined);
      assert.equal(ledger.take(), undefined);
      prev = next;
    }
  });

  it("sends a new template's statics once, the first time it appears", () => {
    const ledger = new StaticsLedger();
    const states: State[] = [base, { ...base, badge: 1 }, base, { ...base, badge: 2 }];
    let prev: RenderedTree = renderTree(view(states[0]!));
    ledger.collect(prev);
    ledger.take();
    const sent: number[][] = [];
    for (const s of states.slice(1)) {
      const next = renderTree(view(s));
      diffTree(prev, next, ledger);
      sent.push(ids(ledger.take()));
      prev = next;
    }
    assert.deepEqual(sent, [[idOf(badge(0))], [], []]);
  });

  it("sends a template's statics once even when it appears many times in one diff", () => {
    const ledger = new StaticsLedger();
    const prev = renderTree(view({ ...base, items: [] }));
    ledger.collect(prev);
    ledger.take();
    const diff = diffTree(prev, renderTree(view({ ...base, items: [other("a"), other("b"), other("c")] })), ledger);
    assert.notEqual(diff, undefined);
    assert.deepEqual(ids(ledger.take()), [idOf(other("a"))]);
  });

  it("forgets what the client holds on reset", () => {
    const ledger = new StaticsLedger();
    const tree = renderTree(view(base));
    ledger.collect(tree);
    ledger.take();
    ledger.collect(tree);
    assert.equal(ledger.take(), undefined);
    ledger.reset();
    ledger.collect(tree);
    assert.deepEqual(ids(ledger.take()), [idOf(view(base)), idOf(item("a"))].sort((a, b) => a - b));
  });
});

/** A template of its own for each `i` (a fresh strings array each time). */
function compileOne(i: number) {
  const strings = Object.assign([`<i data-n="${i}">`, "</i>"], { raw: [`<i data-n="${i}">`, "</i>"] }) as unknown as TemplateStringsArray;
  return html(strings, String(i));
}
