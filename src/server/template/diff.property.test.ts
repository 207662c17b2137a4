/**
 * The property the protocol rests on: a client that starts from the first full
 * render and applies every diff the server sends holds, at every step, exactly
 * the HTML a full render of the current state gives.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RenderedTree, TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, toHtml } from "../../protocol/tree.ts";
import { diffTree, StaticsLedger } from "./diff.ts";
import { html, type Template } from "./html.ts";
import { renderToString, renderTree } from "./render-tree.ts";

interface Item {
  title: string;
  done: boolean;
  note: string | null;
}

interface Entry {
  kind: "a" | "b";
  text: string;
  n: number;
}

interface State {
  count: number;
  text: string;
  link: string;
  nested: { label: string; flag: boolean; tags: string[] } | null;
  items: Item[];
  entries: Entry[];
}

const note = (s: string) => html`<small title="${s}">${s}</small>`;
const item = (it: Item, i: number) =>
  html`<li class="item ${it.done ? "done" : ""}" data-i="${i}">${it.title}${it.note === null ? null : note(it.note)}</li>`;
const entryA = (e: Entry) => html`<p class="a">${e.text}</p>`;
const entryB = (e: Entry) => html`<div class="b"><b>${e.n}</b><i>${e.text}</i></div>`;
const nested = (n: NonNullable<State["nested"]>) =>
  html`<aside>${n.label}${n.flag ? html`<em>${n.label}</em>` : "off"}<span>${n.tags}</span></aside>`;

const view = (s: State): Template =>
  html`<main data-count="${s.count}"><h1>${s.count}</h1><input value="${s.text}" disabled=${s.nested?.flag}><a href="${s.link}">${s.text}</a>${s.nested === null ? null : nested(s.nested)}<ul>${s.items.map(item)}</ul>${s.entries.map((e) => (e.kind === "a" ? entryA(e) : entryB(e)))}</main>`;

const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("", "a", "b", "x y") },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.constantFrom("<script>alert(1)</script>", `"`, "'", "&", "&lt;", "<", ">", "javascript:", " JaVa\tScRiPt:", "data:", "\u0000", "\u202e", "\ud800", "😀", "é", "-->", "x"), { maxLength: 4 })
      .map((a) => a.join("")),
  },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
);

const state: fc.Arbitrary<State> = fc.record({
  count: fc.integer({ min: -3, max: 3 }),
  text: hostile,
  link: fc.oneof(fc.constantFrom("/a", "https://x.test/", "javascript:alert(1)"), hostile),
  nested: fc.option(fc.record({ label: hostile, flag: fc.boolean(), tags: fc.array(hostile, { maxLength: 3 }) }), { freq: 3 }),
  items: fc.array(fc.record({ title: hostile, done: fc.boolean(), note: fc.option(hostile, { freq: 2 }) }), { maxLength: 6 }),
  entries: fc.array(fc.record({ kind: fc.constantFrom("a" as const, "b" as const), text: hostile, n: fc.integer({ min: 0, max: 2 }) }), { maxLength: 5 }),
});

/** A step is a new state, or `null`: render the previous state again. */
const steps = fc.tuple(state, fc.array(fc.option(state, { freq: 4 }), { minLength: 1, maxLength: 12 }));

/** Simulates the wire: what arrives is a JSON copy, never the server's objects. */
function wire<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** A client, exactly as the browser holds it: a tree and a statics table. */
class Client {
  private readonly statics = new Map<number, readonly string[]>();
  private tree: RenderedTree;
  constructor(tree: RenderedTree, statics: Record<string, string[]> | undefined) {
    this.learn(statics);
    this.tree = wire(tree);
  }
  apply(diff: TreeDiff, statics: Record<string, string[]> | undefined): void {
    this.learn(statics);
    this.tree = applyDiff(this.tree, wire(diff));
  }
  html(): string {
    return toHtml(this.tree, (id) => this.statics.get(id));
  }
  private learn(statics: Record<string, string[]> | undefined): void {
    if (statics === undefined) return;
    for (const [k, v] of Object.entries(wire(statics))) this.statics.set(Number(k), v);
  }
}

describe("diffTree + applyDiff (property)", () => {
  it("rebuilds on the client exactly the HTML of a full render, at every step", () => {
    fc.assert(
      fc.property(steps, ([first, rest]) => {
        const ledger = new StaticsLedger();
        const sent = new Set<number>();
        const record = (table: Record<string, string[]> | undefined) => {
          for (const k of Object.keys(table ?? {})) {
            assert.ok(!sent.has(Number(k)), `statics ${k} sent twice`);
            sent.add(Number(k));
          }
          return table;
        };

        let prev = renderTree(view(first));
        ledger.collect(prev);
        const client = new Client(prev, record(ledger.take()));
        let current = first;
        assert.equal(client.html(), renderToString(view(first)));

        for (const s of rest) {
          const changed = s !== null;
          if (changed) current = s;
          const next = renderTree(view(current));
          const diff = diffTree(prev, next, ledger);
          const statics = record(ledger.take());
          if (!changed) {
            assert.equal(diff, undefined, "an unchanged state yields no diff");
            assert.equal(statics, undefined, "an unchanged state sends no statics");
          }
          if (diff !== undefined) client.apply(diff, statics);
          else assert.equal(statics, undefined, "statics travel only with a diff");
          assert.equal(client.html(), renderToString(view(current)));
          prev = next;
        }
      }),
      { numRuns: 400, seed: 20240611 },
    );
  });

  it("yields no diff between two renders of equal states", () => {
    fc.assert(
      fc.property(state, (s) => {
        const ledger = new StaticsLedger();
        const copy = wire(s);
        assert.equal(diffTree(renderTree(view(s)), renderTree(view(copy)), ledger), undefined);
        assert.equal(ledger.take(), undefined);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it("yields a diff whenever the HTML changes", () => {
    fc.assert(
      fc.property(state, state, (a, b) => {
        const ledger = new StaticsLedger();
        const diff = diffTree(renderTree(view(a)), renderTree(view(b)), ledger);
        assert.equal(diff === undefined, renderToString(view(a)) === renderToString(view(b)));
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
