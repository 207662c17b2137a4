// Side-by-side benchmark (not a test): Weft over WebSocket, SSE and HTTP
// beside the floor (bare `ws` echo, bare SSE stream + POST, bare keep-alive
// HTTP POST), Socket.IO 4.8 (websocket, polling) and LiveViewJS 0.8.1, all on
// loopback, one system at a time: each server in its own child process
// (bench/side-by-side/servers/), this process the load generator.
//
// Usage: npm run bench             full: 10,000 idle sessions, 5 runs per figure
//        npm run bench:quick       under 3 minutes: 2,000 idle sessions, 3 runs
//        npm run bench:smoke       every system with tiny counts, seconds; writes nothing;
//                                  exits 1 if any system fails to produce its figures
//   [--only weft-ws,floor-ws,…] [--skip fanout,bundle,idle,upload] [--no-write]
//        npm run bench -- --from-results   rewrites the docs block and the chart
//                                  from bench/results.json, measuring nothing
//        npm run bench -- --merge a.json,b.json,c.json   several runs' results files
//                                  (each with its commit, host and date) → the median of each
//                                  figure; runs of different commits are refused unless --mixed
//                                  (then labelled so); with --out FILE the merge goes there only
//        npm run bench -- --patch FILE --metrics tput-1x100   replaces those figures in
//                                  bench/results.json by FILE's, marked with FILE's runs
//   [--out FILE]                   also write this run's results (with provenance) to FILE,
//                                  in any mode and for a subset
//   [--src]                        Weft's servers run the TypeScript sources through tsx instead
//                                  of the built package (dist/, the default; built first when
//                                  missing or older than src/): see bench/weft-build.ts
// Prints the tables; writes bench/results.json, the side-by-side block of
// docs/benchmarks.md and docs/benchmarks-chart.svg (not in smoke mode).
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { killAll, ServerChild } from "./side-by-side/child.ts";
import type { BenchClient, ViewName } from "./side-by-side/clients/types.ts";
import { planFor, type Mode } from "./side-by-side/config.ts";
import { bundles } from "./side-by-side/measure/bundle.ts";
import { fanout } from "./side-by-side/measure/fanout.ts";
import { idleSessions } from "./side-by-side/measure/idle.ts";
import { roundTrips } from "./side-by-side/measure/latency.ts";
import { throughput } from "./side-by-side/measure/throughput.ts";
import { uploads } from "./side-by-side/measure/upload.ts";
import { bytesPerUpdate } from "./side-by-side/measure/wire.ts";
import { phoenixBytes } from "./side-by-side/phoenix.ts";
import { mergeRuns } from "./side-by-side/merge.ts";
import { currentProvenance } from "./side-by-side/provenance.ts";
import { captionFor, currentRunLine, machine, writeDocs } from "./side-by-side/report/docs.ts";
import { bundleTable, fanoutTable, mainTable, targetsTable, uploadGroupTable, wireTable } from "./side-by-side/report/tables.ts";
import { METRICS, readResults, Results, writeResults, type Metric } from "./side-by-side/results.ts";
import { median } from "./side-by-side/stats.ts";
import { SYSTEMS, WIRE_METRIC, type SystemSpec } from "./side-by-side/systems.ts";
// Builds dist/ if it is missing or stale and snapshots it for the Weft server
// children: they run the built package unless --src (bench/weft-build.ts).
import { WEFT_BUILD, WEFT_BUILD_LABEL } from "./weft-build.ts";

const has = (name: string) => process.argv.includes(`--${name}`);
const listArg = (name: string): string[] | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? "").split(",").filter(Boolean) : undefined;
};
const MODE: Mode = has("smoke") ? "smoke" : has("quick") ? "quick" : "full";
const PLAN = planFor(MODE);
const ONLY = listArg("only");
const SKIP = new Set(listArg("skip") ?? []);
const WRITE = MODE !== "smoke" && !has("no-write");
const valueArg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const OUT = valueArg("out");
for (const id of ONLY ?? []) if (!SYSTEMS.some((s) => s.id === id)) throw new Error(`--only: unknown system ${id} (known: ${SYSTEMS.map((s) => s.id).join(", ")})`);

const RESULTS_FILE = fileURLToPath(new URL("./results.json", import.meta.url));

const tables = (r: Results) => `${mainTable(r)}\n\n${wireTable(r)}\n\n${bundleTable(r)}\n\n${fanoutTable(r)}\n\n${uploadGroupTable(r)}\n\n${targetsTable(r)}`;

if (has("from-results")) {
  const saved = readResults(RESULTS_FILE);
  const runLine = currentRunLine();
  console.log(`${runLine}\n\n${tables(saved)}`);
  writeDocs(saved, runLine, captionFor(runLine));
  console.log("\nwrote docs/benchmarks.md (side-by-side block), docs/benchmarks-chart.svg from bench/results.json");
  process.exit(0);
}

const PATCH = valueArg("patch");
if (PATCH !== undefined) {
  // Figures measured apart (a few systems, a few metrics) replace the table's,
  // each carrying the runs it comes from; the table marks them.
  const metrics = listArg("metrics") ?? [];
  if (metrics.length === 0 || metrics.some((m) => !(m in METRICS))) throw new Error(`--patch needs --metrics m1,m2 from: ${Object.keys(METRICS).join(", ")}`);
  const base = readResults(RESULTS_FILE);
  const from = readResults(PATCH);
  if (from.provenance.length === 0) throw new Error(`--patch: ${PATCH} has no provenance (no commit, host or date)`);
  for (const x of from.all.filter((y) => metrics.includes(y.metric))) {
    const i = base.all.findIndex((y) => y.system === x.system && y.transport === x.transport && y.metric === x.metric);
    if (i >= 0) base.all.splice(i, 1);
    base.add(x.system, x.transport, x.metric as Metric, x.value, { runs: x.runs, note: x.note, from: from.provenance });
  }
  writeResults(RESULTS_FILE, base);
  const runLine = currentRunLine();
  console.log(`${runLine}\n\n${tables(base)}`);
  writeDocs(base, runLine, captionFor(runLine));
  console.log(`\npatched ${metrics.join(", ")} from ${PATCH}: wrote bench/results.json, docs/benchmarks.md (side-by-side block), docs/benchmarks-chart.svg`);
  process.exit(0);
}

const MERGE = listArg("merge");
if (MERGE !== undefined) {
  // Several whole runs (results files) → one: each figure the median of the
  // runs' figures, the runs' provenance kept (the tables show their min–max).
  const merged = mergeRuns(MERGE.map((f) => readResults(f)), { mixed: has("mixed"), names: MERGE });
  if (OUT !== undefined) {
    writeResults(OUT, merged);
    console.log(`${tables(merged)}\n\nwrote ${OUT}`);
    process.exit(0);
  }
  const date = new Date().toISOString().slice(0, 10);
  const full = planFor("full");
  const runLine = `Median of ${MERGE.length} runs of \`npm run bench\` (full mode) of ${date}, each run on a fresh set of servers: ${machine()}. ` +
    `Each figure is the median of the runs' figures (each run's own figure being the median of ${full.rtReps} runs of ${full.rtEvents.toLocaleString("en-US")} round trips ` +
    `after ${full.rtWarmup.toLocaleString("en-US")} warm-up, or of ${full.tpReps} throughput runs of ${full.tpMs / 1000} s, or ${full.idleSessions.toLocaleString("en-US")} idle sessions in two batches), with the min–max across the runs.`;
  if (merged.provenance.some((p) => !p.mode.startsWith("full"))) throw new Error("--merge: only full runs go into the docs table; merge others with --out FILE");
  writeResults(RESULTS_FILE, merged);
  console.log(`${runLine}\n\n${tables(merged)}`);
  writeDocs(merged, runLine, captionFor(runLine));
  console.log("\nwrote bench/results.json, docs/benchmarks.md (side-by-side block), docs/benchmarks-chart.svg");
  process.exit(0);
}

const T0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${s}`);
const results = new Results();
results.provenance = [currentProvenance(`${MODE}${ONLY === undefined ? "" : ` --only ${ONLY.join(",")}`}${SKIP.size === 0 ? "" : ` --skip ${[...SKIP].join(",")}`}`)];
const failures: string[] = [];

/** Runs one phase; a failure is recorded and the benchmark goes on. */
async function phase(what: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (err) {
    failures.push(`${what}: ${(err as Error).message.split("\n").slice(0, 6).join("\n")}`);
    log(`FAILED ${what}: ${(err as Error).message.split("\n")[0]}`);
  }
}

async function connectN(spec: SystemSpec, base: string, n: number, into: BenchClient[]): Promise<void> {
  while (into.length < n) into.push(await spec.connect(base));
}

/** Round trips, CPU, throughput and bytes on one server; then idle sessions on a fresh one. */
async function measureSystem(spec: SystemSpec): Promise<void> {
  const { system, transport } = spec;
  const add = (m: Metric, v: { value: number; runs?: number[] }, note?: string) => results.add(system, transport, m, v.value, { runs: v.runs, note });
  log(`${spec.id}: starting`);
  await phase(`${spec.id} load`, async () => {
    const server = await ServerChild.start(spec.script, spec.args);
    const clients: BenchClient[] = [];
    try {
      await connectN(spec, server.base, 1, clients);
      const rt = await roundTrips(server, clients[0]!, PLAN);
      add("rt-p50", rt.p50);
      add("rt-p99", rt.p99);
      add("cpu-per-event", rt.cpu);
      log(`${spec.id}: round trip p50 ${rt.p50.value} µs, p99 ${rt.p99.value} µs, CPU ${rt.cpu.value} µs/event (${rt.events} events)`);
      const one = await throughput(clients.slice(0, 1), PLAN.tpInflight, PLAN);
      add("tput-1x100", one, PLAN.tpInflight === 100 ? undefined : `1 client × ${PLAN.tpInflight} in flight`);
      await connectN(spec, server.base, PLAN.tpClients, clients);
      const cpu0 = await server.cpu();
      const t0 = performance.now();
      const many = await throughput(clients, 1, PLAN);
      // Below ~100 %, the server waited on the load generator (see docs/benchmarks.md).
      const busy = Math.round(((await server.cpu()) - cpu0) / ((performance.now() - t0) * 10));
      add("tput-50x1", many, PLAN.tpClients === 50 ? undefined : `${PLAN.tpClients} clients × 1 in flight`);
      add("tput-50x1-busy", { value: busy }, "server CPU time over wall time, warm-up run included");
      log(`${spec.id}: throughput ${one.value} events/s (1×${PLAN.tpInflight}), ${many.value} events/s (${PLAN.tpClients}×1, server busy ${busy} %)`);
      for (const c of clients.splice(0)) c.close();
      for (const view of spec.wire) {
        const b = await bytesPerUpdate(spec, server.base, view, PLAN.wireSamples);
        add(WIRE_METRIC[view], b);
        log(`${spec.id}: ${view} update ${b.value} bytes down (${b.runs.join(", ")})`);
      }
      const stats = await server.call("stats");
      if (typeof stats.errors === "number" && stats.errors > 0) throw new Error(`the server reported ${stats.errors} errors`);
    } finally {
      for (const c of clients) c.close();
      await server.close();
    }
  });
  if (SKIP.has("idle")) return;
  await phase(`${spec.id} idle sessions`, async () => {
    const capped = spec.idleCap !== undefined && spec.idleCap.sessions < PLAN.idleSessions ? spec.idleCap : undefined;
    const idle = await idleSessions(spec, capped?.sessions ?? PLAN.idleSessions);
    const note = capped !== undefined
      ? `${idle.sessions.toLocaleString("en-US")} sessions: ${capped.why}`
      : idle.sessions === 10_000 ? undefined : `${idle.sessions.toLocaleString("en-US")} sessions (${MODE} mode; full mode: 10,000)`;
    add("heap-per-session", idle.heap, note);
    add("rss-per-session", idle.rss, note);
    log(`${spec.id}: ${idle.sessions} idle sessions, heap ${idle.heap.value} B/session (batches ${idle.heap.runs.join(", ")}), RSS ${idle.rss.value} B/session`);
  });
}

/** Expected figures per system: a missing one is a failure. */
function missing(): string[] {
  const out: string[] = [];
  for (const s of SYSTEMS.filter((x) => ONLY === undefined || ONLY.includes(x.id))) {
    const want: Metric[] = ["rt-p50", "rt-p99", "cpu-per-event", "tput-1x100", "tput-50x1", "tput-50x1-busy"];
    if (!SKIP.has("idle")) want.push("heap-per-session", "rss-per-session");
    for (const v of s.wire) want.push(WIRE_METRIC[v]);
    for (const m of want) if (results.get(s.system, s.transport, m) === undefined) out.push(`${s.id}: no ${m}`);
  }
  return out;
}

/**
 * A discarded pass over the bare ws floor first: the load generator's own code
 * (the ws client, the loops) is compiled and warm before the first system
 * measured, which would otherwise pay for it.
 */
async function warmUp(): Promise<void> {
  const floor = SYSTEMS.find((s) => s.id === "floor-ws")!;
  const server = await ServerChild.start(floor.script, floor.args);
  const clients: BenchClient[] = [];
  try {
    await connectN(floor, server.base, 10, clients);
    const tiny = { ...PLAN, rtWarmup: 0, rtEvents: 500, rtReps: 1, tpMs: 300, tpWarmupMs: 100, tpReps: 1 };
    await roundTrips(server, clients[0]!, tiny);
    await throughput(clients, 10, tiny);
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
}

log(`side-by-side benchmark, ${MODE} mode; ${WEFT_BUILD_LABEL}; ${machine()}`);
if (MODE !== "smoke") await phase("warm-up", warmUp);
for (const spec of SYSTEMS) if (ONLY === undefined || ONLY.includes(spec.id)) await measureSystem(spec);

// The Phoenix LiveView encoding of the same updates (computed; see side-by-side/phoenix.ts).
for (const [view, metric] of Object.entries(WIRE_METRIC) as [ViewName, Metric][]) {
  const runs = Array.from({ length: PLAN.wireSamples }, (_, i) => phoenixBytes(view, i + 1));
  results.add("phoenix", "websocket", metric, median(runs), { runs, note: "computed: phoenix_live_view 1.1+ diff in a phx_reply frame" });
}

if (!SKIP.has("bundle")) {
  await phase("bundles", async () => {
    for (const b of await bundles()) {
      const transport = "-";
      results.add(b.system, transport, "bundle-min", b.min, { note: b.what });
      results.add(b.system, transport, "bundle-gzip", b.gzip, { note: b.what });
    }
    log("bundles measured");
  });
}

if (!SKIP.has("fanout")) {
  await phase("fan-out (bench/fanout.ts)", async () => {
    log(`fan-out: bench/fanout.ts ${PLAN.fanoutArgs.join(" ")}`);
    const f = await fanout(PLAN.fanoutArgs);
    const note = `${f.sessions.toLocaleString("en-US")} sessions, ${f.rounds.length} broadcasts`;
    results.add("weft", "websocket", "fanout-last", f.lastMs.median, { runs: f.rounds.map((x) => x.lastMs), note });
    results.add("weft", "websocket", "fanout-p50", f.p50Ms.median, { runs: f.rounds.map((x) => x.p50Ms), note });
    log(`fan-out: last delivery ${f.lastMs.median} ms (${f.lastMs.min}–${f.lastMs.max})`);
  });
}
if (!SKIP.has("upload")) {
  await phase("upload (bench/upload.ts)", async () => {
    log(`upload: bench/upload.ts ${PLAN.uploadArgs.join(" ")}`);
    const run = await uploads([...PLAN.uploadArgs, ...(WEFT_BUILD === "src" ? ["--src"] : [])]);
    const note = `${(run.bytes / 1e6).toLocaleString("en-US")} MB file, ${run.runs} uploads`;
    for (const c of run.cases) {
      // The default chunk size (512 KiB) and the 1 MiB column: only 1 MiB chunks go in the second.
      const big = c.system !== "floor" && c.chunkBytes >= 1_048_576;
      const [system, transport] = c.system === "floor" ? ["floor", "multipart"] : ["weft", c.system];
      results.add(system, transport, big ? "upload-mbps-1mib" : "upload-mbps", c.mbPerSecond.value, { runs: c.mbPerSecond.runs, note: `${note}, ${c.chunkBytes}-byte chunks` });
      results.add(system, transport, big ? "upload-cpu-mb-1mib" : "upload-cpu-mb", c.serverCpuMsPerMB.value, { runs: c.serverCpuMsPerMB.runs, note: `${note}, ${c.chunkBytes}-byte chunks` });
    }
    log(`upload: ${run.cases.map((c) => `${c.system} ${c.chunkBytes} B ${c.mbPerSecond.value} MB/s`).join(", ")}`);
  });
}
killAll();

const seconds = (performance.now() - T0) / 1000;
const date = new Date().toISOString().slice(0, 10);
const runLine = `Run of ${date}, \`npm run ${MODE === "full" ? "bench" : `bench:${MODE}`}${WEFT_BUILD === "src" ? " -- --src" : ""}\` (${MODE} mode, ${seconds.toFixed(0)} s, ${WEFT_BUILD === "dist" ? "Weft from dist/" : "Weft from src/ through tsx"}): ${machine()}. ` +
  `Figures are medians of ${PLAN.rtReps} runs (${PLAN.rtEvents.toLocaleString("en-US")} round trips each, after ${PLAN.rtWarmup.toLocaleString("en-US")} warm-up) ` +
  `and ${PLAN.tpReps} throughput runs of ${PLAN.tpMs} ms, with min–max; heap and RSS per session from ${PLAN.idleSessions.toLocaleString("en-US")} idle sessions in two batches.`;
console.log(`\n${runLine}\n\n${tables(results)}`);

const problems = [...failures, ...missing()];
if (OUT !== undefined) {
  writeResults(OUT, results);
  console.log(`\nwrote ${OUT}`);
}
if (WRITE && ONLY === undefined) {
  writeResults(RESULTS_FILE, results);
  writeDocs(results, runLine, captionFor(runLine));
  console.log("\nwrote bench/results.json, docs/benchmarks.md (side-by-side block), docs/benchmarks-chart.svg");
}
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`\ndone in ${seconds.toFixed(0)} s`);
process.exit(0);
