// Weft as bench:scale serves it: the side-by-side app's counter (weft-app.ts,
// with BENCH_OPTIONS) for the one measuring client, and an idle view at /idle
// that subscribes to the topic "all" at mount and shows the number each
// broadcast carries, for the many idle sessions.
// Besides the harness's commands (cpu, mem, stats, close) it answers
//   { id, cmd: "broadcast", n } → { id, t } where t is process.hrtime.bigint()
//   (CLOCK_MONOTONIC, one clock for every process on the machine) taken at the
//   app.broadcast call, as a decimal string.
//   { id, cmd: "gc" } → { id, gc: { count, major, totalMs, maxMs } }: the
//   garbage-collection pauses so far (a PerformanceObserver), maxMs the longest
//   since the previous "gc" command; for explaining round-trip tails.
// Weft comes from the built package (dist/) unless --src (bench/weft-build.ts).
import { PerformanceObserver, constants } from "node:perf_hooks";
import { WEFT_BUILD, weft, weftEntryUrl } from "../../weft-build.ts";
import { serve } from "./harness.ts";
import { BENCH_OPTIONS, Counter } from "./weft-app.ts";

const { defineView, html } = weft;
const TOPIC = "all";

/** One subscription at mount; each broadcast changes one number. */
const Idle = defineView<{ n: number }>({
  mount: (_params, ctx) => {
    ctx.subscribe(TOPIC);
    return { n: 0 };
  },
  info: { tick: (_s, payload) => ({ n: Number(payload) }) },
  render: (s) => html`<p>tick <b>${s.n}</b></p>`,
});

const gc = { count: 0, totalMs: 0, maxMs: 0, major: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    // Mark-sweep-compact: its pause grows with the live heap.
    if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gc.major++;
  }
}).observe({ entryTypes: ["gc"] });

let errors = 0;
const app = weft.createWeft({
  views: { "/counter": Counter, "/idle": Idle },
  secret: "bench-scale-secret-0123456789abcdef0123",
  ...BENCH_OPTIONS,
  // Default 20,000 in BENCH_OPTIONS: 50,000 sessions come from a few source addresses.
  maxConnectionsPerIp: 50_000,
  onError: (err, where) => {
    if (++errors <= 5) console.error(`[weft-scale] ${where}:`, err);
  },
});

process.on("message", (raw) => {
  const m = raw as { id: number; cmd: string; n?: number };
  if (m.cmd === "gc") {
    process.send?.({ id: m.id, gc: { ...gc } });
    gc.maxMs = 0;
    return;
  }
  if (m.cmd !== "broadcast") return;
  const t = process.hrtime.bigint();
  app.broadcast(TOPIC, "tick", m.n ?? 0).catch((err: unknown) => {
    errors++;
    console.error("[weft-scale] broadcast:", err);
  });
  process.send?.({ id: m.id, t: String(t) });
});

await serve(async () => {
  const { port } = await app.listen(0, "127.0.0.1");
  return { port, close: () => app.close(), stats: () => ({ ...app.stats(), errors, build: WEFT_BUILD, entry: weftEntryUrl() }) };
});
