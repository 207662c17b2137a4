// Server heap per session of a view that streams rows (not a test): mounts
// N sessions of a stream view through the test kit, then streams rows into
// each in pages of 1,000, and prints the heap per session after 0, 10k and
// 100k rows. The browser's side is dropped as it goes (the kit's copy of the
// rows and its answers are cleared, frames acknowledged as a browser does),
// so what grows is what the server keeps: nothing per row (docs/streams.md).
//
// Usage: npm run bench:stream -- [--sessions 20]
import { weft, weftModule, WEFT_BUILD_LABEL } from "./weft-build.ts";
import type * as Testing from "../src/testing/index.ts";

const i = process.argv.indexOf("--sessions");
const sessions = Math.min(Math.max(Number(i > 0 ? process.argv[i + 1] : 20) || 20, 1), 500);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc: npm run bench:stream");
const { mountView } = await weftModule<typeof Testing>("testing/index");
const { defineView, html, stream } = weft;

interface Row { id: number; title: string }
const Feed = defineView({
  mount: () => ({ loaded: 0 }),
  streams: () => {},
  events: {
    page: (s: { loaded: number }, _p, ctx) => {
      const rows: Row[] = [];
      for (let k = 1; k <= 1000; k++) rows.push({ id: s.loaded + k, title: `row ${s.loaded + k} `.repeat(4) });
      ctx.stream("rows", rows);
      return { loaded: s.loaded + 1000 };
    },
  },
  render: (s) => html`<div><p>${s.loaded} rows</p><ul id="rows" ${stream<Row>("rows", (r) => html`<li>${r.title}</li>`)}></ul></div>`,
});

type Kit = Awaited<ReturnType<typeof mountView>>;
/** Drops the browser's side (the kit's rows and answers) and acknowledges every frame. */
function browserDone(v: Kit): void {
  const k = v as unknown as { streams: { clear(): void }; answers: Map<unknown, unknown>; session: { ack(q: number): void } };
  k.streams.clear();
  k.answers.clear();
  k.session.ack(Number.MAX_SAFE_INTEGER);
}

function heap(): number {
  for (let k = 0; k < 3; k++) gc!();
  return process.memoryUsage().heapUsed;
}

const views: Kit[] = [];
const base = heap();
for (let k = 0; k < sessions; k++) views.push(await mountView(Feed));
for (const v of views) browserDone(v);
const at0 = heap();
console.log(`${WEFT_BUILD_LABEL}; ${sessions} sessions, rows streamed in pages of 1,000`);
console.log(`rows per session | heap per session`);
console.log(`0 | ${((at0 - base) / sessions / 1024).toFixed(1)} KiB`);
let streamed = 0;
for (const target of [10_000, 100_000]) {
  while (streamed < target) {
    for (const v of views) {
      await v.event("page");
      browserDone(v);
    }
    streamed += 1000;
  }
  console.log(`${target.toLocaleString("en")} | ${((heap() - base) / sessions / 1024).toFixed(1)} KiB`);
}
