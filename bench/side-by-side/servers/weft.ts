// Weft, as the side-by-side benchmark serves it: a counter (as in
// bench/hot-path.ts), a 100-row table whose event changes one cell, and a
// 1,000-item list whose event appends one item. All three transports on.
//
// Bench-only limits: the rate limit is raised (100/s per connection by
// default) so one connection can be driven flat out, and maxPendingMounts to
// 50,000 (pages are fetched ahead of their joins when 10,000 sessions connect).
// Everything else is the default.
import { createWeft, defineView, html } from "../../../src/index.ts";
import { serve } from "./harness.ts";

/** The counter of bench/hot-path.ts. */
const Counter = defineView({
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
const Table = defineView({
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
const List = defineView({
  mount: () => ({ items: Array.from({ length: 1_000 }, (_, i) => `item ${i}`) }),
  events: { add: (s: { items: string[] }) => ({ items: [...s.items, `item ${s.items.length}`] }) },
  render: (s) => html`<ul>${s.items.map((i) => html`<li>${i}</li>`)}</ul>`,
});

await serve(async () => {
  let errors = 0;
  const app = createWeft({
    views: { "/counter": Counter, "/table": Table, "/list": List },
    secret: "bench-side-by-side-secret-0123456789abcdef",
    rateLimit: { perSecond: 1e9, burst: 1e9 },
    maxPendingMounts: 50_000,
    shutdownMs: 1_000,
    onError: (err, where) => {
      if (++errors <= 5) console.error(`[weft] ${where}:`, err);
    },
  });
  const { port } = await app.listen(0, "127.0.0.1");
  return { port, close: () => app.close(), stats: () => ({ ...app.stats(), errors }) };
});
