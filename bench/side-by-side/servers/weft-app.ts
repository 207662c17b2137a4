// The Weft app of the side-by-side benchmark (served by servers/weft.ts): a
// counter (as in bench/hot-path.ts) whose `inc` payload is validated by a
// schema, as an app's would be, a 100-row table whose event changes one cell,
// and a 1,000-item list whose event appends one item, and two 1,000-item keyed
// lists (keyed()) whose events delete the first item, or move the last one to
// the front. All three transports on.
// Its non-default options are BENCH_OPTIONS, each with the reason; the docs
// list them (docs/benchmarks.md, "The systems") and a test keeps them equal.
// defineView and html come from the build that serves them (bench/weft-build.ts):
// dist/ by default, src/ with --src.
import type { StandardSchemaV1, WeftOptions } from "../../../src/index.ts";
import { weft } from "../../weft-build.ts";

const { defineView, html, keyed } = weft;

/** The counter's payload: `{}` or `{ by }`, an integer 1–100. */
export interface IncPayload {
  by?: number;
}

/**
 * A hand-written Standard Schema (v1) for {@link IncPayload}: what a zod or
 * valibot schema would check, without a dependency. Every counter event of the
 * benchmark goes through it, so its cost is in the figures.
 *
 * @example
 * IncSchema["~standard"].validate({ by: 2 }); // { value: { by: 2 } }
 */
export const IncSchema: StandardSchemaV1<unknown, IncPayload> = {
  "~standard": {
    version: 1,
    vendor: "weft-bench",
    validate(value) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return { issues: [{ message: "expected an object" }] };
      for (const key of Object.keys(value)) if (key !== "by") return { issues: [{ message: `unexpected key "${key}"`, path: [key] }] };
      const by = (value as { by?: unknown }).by;
      if (by !== undefined && !(Number.isInteger(by) && (by as number) >= 1 && (by as number) <= 100)) return { issues: [{ message: "by: an integer from 1 to 100", path: ["by"] }] };
      return { value: value as IncPayload };
    },
  },
};

/** The counter of bench/hot-path.ts, its payload validated by {@link IncSchema}. */
export const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: { schema: IncSchema, run: (s: { count: number }, p: IncPayload) => ({ count: s.count + (p.by ?? 1) }) } },
  render: (s) => html`<div><p>Count: <b>${s.count}</b></p><button weft-click="inc">+</button></div>`,
});

/** The same counter with no schema (bench:hot --wire measures the schema's cost against it). */
export const PlainCounter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: (s: { count: number }) => ({ count: s.count + 1 }) },
  render: (s) => html`<div><p>Count: <b>${s.count}</b></p><button weft-click="inc">+</button></div>`,
});

interface Row {
  id: number;
  name: string;
  value: string;
}

/** Row 42's value changes with each `set`: one cell of 300. */
export const Table = defineView({
  mount: () => ({ n: 0, rows: Array.from({ length: 100 }, (_, i): Row => ({ id: i, name: `row ${i}`, value: String(i * 10) })) }),
  events: {
    set: (s: { n: number; rows: Row[] }) => {
      const rows = s.rows.slice();
      rows[42] = { ...rows[42]!, value: `updated ${s.n + 1}` };
      return { n: s.n + 1, rows };
    },
  },
  render: (s) => html`<table>${s.rows.map((r) => html`<tr><td>${r.id}</td><td>${r.name}</td><td>${r.value}</td></tr>`)}</table>`,
});

/** Each `add` appends one item to a list of 1,000. */
export const List = defineView({
  mount: () => ({ items: Array.from({ length: 1_000 }, (_, i) => `item ${i}`) }),
  events: { add: (s: { items: string[] }) => ({ items: [...s.items, `item ${s.items.length}`] }) },
  render: (s) => html`<ul>${s.items.map((i) => html`<li>${i}</li>`)}</ul>`,
});

/** An item of the keyed lists: its key and its text. */
interface Entry {
  id: number;
  text: string;
}

const entries = (): Entry[] => Array.from({ length: 1_000 }, (_, i) => ({ id: i, text: `item ${i}` }));
const keyedList = (s: { items: Entry[] }) => html`<ul>${keyed(s.items, (e) => e.id, (e) => html`<li>${e.text}</li>`)}</ul>`;

/** Each `del` deletes the first item of a keyed list of 1,000 (999 after the first event, …). */
export const KeyedDelete = defineView({
  mount: () => ({ items: entries() }),
  events: { del: (s: { items: Entry[] }) => ({ items: s.items.slice(1) }) },
  render: keyedList,
});

/** Each `move` moves the last item of a keyed list of 1,000 to the front. */
export const KeyedMove = defineView({
  mount: () => ({ items: entries() }),
  events: { move: (s: { items: Entry[] }) => ({ items: [s.items[s.items.length - 1]!, ...s.items.slice(0, -1)] }) },
  render: keyedList,
});

/**
 * Every option of the bench server that differs from the default, and why.
 * (`views`, `secret` and `onError` are the app itself: onError counts errors,
 * which fail the run, and prints the first five.)
 */
export const BENCH_OPTIONS = {
  /** Default 100/s, burst 200 per connection: one connection is driven flat out. The bucket still runs on every frame. */
  rateLimit: { perSecond: 1e9, burst: 1e9 },
  /** Default 10,000: pages are fetched ahead of their joins when 10,000 idle sessions connect. */
  maxPendingMounts: 50_000,
  /** Default 256 per client address: every bench client is 127.0.0.1, and its pages are fetched ahead of their joins. */
  maxPendingMountsPerIp: 50_000,
  /** Default 1,000 per client address: the 10,000 idle sessions all connect from 127.0.0.1. */
  maxConnectionsPerIp: 20_000,
  /** Default 5,000 ms: a server that is closed mid-run stops within a second. */
  shutdownMs: 1_000,
} as const satisfies Partial<WeftOptions>;
