/**
 * Keyed lists, as properties: for random sequences of inserts, deletes,
 * moves and updates, a client that applies every keyed diff holds exactly
 * the HTML of a full render; and one insert, delete or move costs a bounded
 * number of bytes, whatever the list's length.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RenderedTree, TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, toHtml } from "../../protocol/tree.ts";
import { staticsOf } from "./compile.ts";
import { diffTree, StaticsLedger } from "./diff.ts";
import { html, type Template } from "./html.ts";
import { keyed } from "./keyed.ts";
import { renderToString, renderTree } from "./render-tree.ts";

interface Row {
  id: number | string;
  text: string;
  tags: string[];
}

const tag = (t: string) => html`<i>${t}</i>`;
const row = (r: Row) => html`<li id="r-${r.id}">${r.text}${keyed(r.tags, (t) => t, tag)}</li>`;
const view = (rows: readonly Row[], title: string): Template => html`<h1>${title}</h1><ul>${keyed(rows, (r) => r.id, row)}</ul>`;

type Op =
  | { kind: "insert"; at: number; text: string }
  | { kind: "delete"; at: number }
  | { kind: "move"; from: number; to: number }
  | { kind: "update"; at: number; text: string }
  | { kind: "retag"; at: number; tags: string[] }
  | { kind: "shuffle"; seed: number }
  | { kind: "title"; text: string };

const text = fc.constantFrom("", "a", "b", "<b>&", "x y", "😀");
const pos = fc.nat({ max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: pos, text }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: pos }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("move" as const), from: pos, to: pos }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("update" as const), at: pos, text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retag" as const), at: pos, tags: fc.uniqueArray(fc.constantFrom("p", "q", "r", "s"), { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("shuffle" as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("title" as const), text }) },
);

/** Applies `ops` (positions taken modulo the list's length), returning the new list; never mutates `rows`. */
function step(rows: readonly Row[], o: Op, next: () => number): Row[] {
  const out = rows.slice();
  const at = (i: number, extra = 0) => i % (out.length + extra);
  switch (o.kind) {
    case "insert": {
      const id = next();
      out.splice(at(o.at, 1), 0, { id: id % 2 === 0 ? id : `k${id}`, text: o.text, tags: [] });
      break;
    }
    case "delete":
      if (out.length > 0) out.splice(at(o.at), 1);
      break;
    case "move":
      if (out.length > 0) {
        const [r] = out.splice(at(o.from), 1);
        out.splice(at(o.to, 1), 0, r as Row);
      }
      break;
    case "update":
      if (out.length > 0) out[at(o.at)] = { ...(out[at(o.at)] as Row), text: o.text };
      break;
    case "retag":
      if (out.length > 0) out[at(o.at)] = { ...(out[at(o.at)] as Row), tags: o.tags };
      break;
    case "shuffle":
      for (let i = out.length - 1, s = o.seed; i > 0; i--, s = (s * 1103515245 + 12345) % 2 ** 31) {
        const j = s % (i + 1);
        [out[i], out[j]] = [out[j] as Row, out[i] as Row];
      }
      break;
    case "title":
      break;
  }
  return out;
}

/** What arrives is a JSON copy (keys on the server's nodes never travel). */
function wire<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

describe("keyed lists (property)", () => {
  it("rebuild on the client exactly the HTML of a full render after any inserts, deletes, moves and updates", () => {
    const start = fc.array(fc.record({ text, tags: fc.uniqueArray(fc.constantFrom("p", "q", "r"), { maxLength: 3 }) }), { maxLength: 12 });
    fc.assert(
      fc.property(start, fc.array(op, { minLength: 1, maxLength: 20 }), (first, ops) => {
        let id = 0;
        const next = () => ++id;
        let rows: Row[] = first.map((r) => ({ id: next(), ...r }));
        let title = "t";
        const ledger = new StaticsLedger();
        let prev = renderTree(view(rows, title));
        ledger.collect(prev);
        ledger.take();
        let client: RenderedTree = wire(prev);
        for (const o of ops) {
          rows = step(rows, o, next);
          if (o.kind === "title") title = o.text;
          const tree = renderTree(view(rows, title));
          const diff = diffTree(prev, tree, ledger);
          ledger.take();
          if (diff !== undefined) client = applyDiff(client, wire(diff));
          assert.equal(toHtml(client, staticsOf), renderToString(view(rows, title)));
          prev = tree;
        }
      }),
      { numRuns: 400, seed: 20261204 },
    );
  });

  it("sends a bounded number of bytes for one insert, delete or move, whatever the list's length", () => {
    const one = fc.oneof(
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), text: fc.constant("new") }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("move" as const), from: fc.nat(), to: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2_000 }), one, (n, o) => {
        let id = 0;
        const next = () => ++id;
        const rows: Row[] = Array.from({ length: n }, () => ({ id: next(), text: `item ${id}`, tags: [] }));
        const ledger = new StaticsLedger();
        const before = renderTree(view(rows, "t"));
        ledger.collect(before);
        ledger.take();
        const diff = diffTree(before, renderTree(view(step(rows, o, next), "t")), ledger) as TreeDiff | undefined;
        const bytes = diff === undefined ? 0 : JSON.stringify(diff).length;
        // Three runs of at most four-digit numbers, the slot path, and an inserted row in full.
        assert.ok(bytes <= 90, `${o.kind} in ${n} items took ${bytes} bytes: ${JSON.stringify(diff)}`);
      }),
      { numRuns: 300, seed: 99 },
    );
  });
});
