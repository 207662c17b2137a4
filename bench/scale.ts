// Cost as the work grows (benchmark, not a test): one Weft node holding N idle
// sessions, and what that does to one active client and to a broadcast.
// Per transport and size, on a fresh server (bench/side-by-side/servers/weft-scale.ts,
// in a child pinned to its own core, Weft from dist/ unless --src):
//   1. heap and RSS per idle session: the server's heapUsed after forced GCs,
//      before and after the idle sessions join, over N;
//   2. the server's CPU with only the idle sessions there (µs/s: heartbeats,
//      long-polls renewing);
//   3. one active client of the same transport: round trips of sequential
//      counter events, p50 and p99, and the server's CPU per event (raw, and
//      net of the idle CPU over the same time);
//   4. a broadcast to every idle session: from app.broadcast() until the last
//      (and the median) session has its diff.
// Idle sessions come from load-generator children (bench/side-by-side/idle-load.ts),
// each with its own loopback source address (127.0.0.2, .3 …) and at most
// LINKS_PER_LOADER sockets, so that neither a process's open-file limit nor an
// address's ephemeral ports bind. The server holds one socket per WebSocket,
// so where N sockets would pass its open-file limit, views are multiplexed on
// each socket (a page with several live views), and the table says so.
//
// Usage: npm run bench:scale [-- --quick] [--transport websocket|sse|http] [--sessions N] [--src] [--write]
//   every transport first with no idle sessions (the baseline), then:
//   full:  WebSocket 1k, 10k (1 view per socket), 10k and 50k (5 per socket); SSE and HTTP 1k and 10k
//   quick: WebSocket 1k, 5k (1 per socket), 5k (5 per socket); SSE and HTTP 1k and 5k — seconds each
// A full run of every size writes bench/results-scale.json, the block in
// docs/benchmarks.md and docs/benchmarks-scale.svg; quick runs and subsets
// (--transport, --sessions) print only, unless --write.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { ServerChild, killAll } from "./side-by-side/child.ts";
import type { BenchClient } from "./side-by-side/clients/types.ts";
import { weftHttp, weftSse, weftWs } from "./side-by-side/clients/weft.ts";
import { currentProvenance } from "./side-by-side/provenance.ts";
import { caseLabel, scaleTable, writeScale, type ScaleCase, type ScaleFile } from "./side-by-side/scale-report.ts";
import { pct, round, sleep, spread, withTimeout, type Spread } from "./side-by-side/stats.ts";
import { WEFT_BUILD_LABEL } from "./weft-build.ts";

type Transport = ScaleCase["transport"];
interface Size {
  transport: Transport;
  sessions: number;
  viewsPerSocket: number;
}

const has = (name: string) => process.argv.includes(`--${name}`);
const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const QUICK = has("quick");
const ONLY = argOf("transport");
if (ONLY !== undefined && !["websocket", "sse", "http"].includes(ONLY)) throw new Error("--transport must be websocket, sse or http");
const ONLY_SESSIONS = argOf("sessions") === undefined ? undefined : Number(argOf("sessions"));

const ws = (sessions: number, viewsPerSocket: number): Size => ({ transport: "websocket", sessions, viewsPerSocket });
const one = (transport: Transport, sessions: number): Size => ({ transport, sessions, viewsPerSocket: 1 });
const SIZES: readonly Size[] = (QUICK
  ? [ws(0, 1), ws(1_000, 1), ws(5_000, 1), ws(5_000, 5), one("sse", 0), one("sse", 1_000), one("sse", 5_000), one("http", 0), one("http", 1_000), one("http", 5_000)]
  : [ws(0, 1), ws(1_000, 1), ws(10_000, 1), ws(10_000, 5), ws(50_000, 5), one("sse", 0), one("sse", 1_000), one("sse", 10_000), one("http", 0), one("http", 1_000), one("http", 10_000)]
).filter((s) => (ONLY === undefined || s.transport === ONLY) && (ONLY_SESSIONS === undefined || s.sessions === ONLY_SESSIONS));
/** A run of every size writes its results; a subset prints only (unless --write). */
const WRITE = has("write") || (!QUICK && ONLY === undefined && ONLY_SESSIONS === undefined);

/** How much each size measures; every loop is bounded by a count and a time. */
const PLAN = QUICK
  ? { warmup: 300, events: 2_000, reps: 2, repMaxMs: 10_000, idleMs: 2_000, baselineIdleMs: 2_000, rounds: 2, settleMs: 1_000 }
  : // The idle window spans the longest periodic idle work (the WebSocket heartbeat, 30 s; SSE's is 15 s, a
    // long-poll's renewal 25 s), so that it is averaged in rather than caught or missed; the baseline has none.
    // The long warm-up gives a fresh server's young generation time to grow, as the joins do on the others.
    { warmup: 5_000, events: 4_000, reps: 5, repMaxMs: 30_000, idleMs: 30_000, baselineIdleMs: 5_000, rounds: 3, settleMs: 3_000 };
/** Sockets per load-generator child (its open-file limit is the machine's, 20,000 here). */
const LINKS_PER_LOADER = 6_000;
/** Sessions asked of one loader per batch, and the time a batch may take. */
const BATCH = 1_000;
const BATCH_TIMEOUT_MS = 120_000;
const BROADCAST_TIMEOUT_MS = 30_000;
const CLOCK = process.hrtime.bigint();
const msSinceClock = (t: bigint) => Number(t - CLOCK) / 1e6;
const LOADER = fileURLToPath(new URL("./side-by-side/idle-load.ts", import.meta.url));
const CONNECT: Record<Transport, (base: string) => Promise<BenchClient>> = { websocket: (b) => weftWs(b), sse: (b) => weftSse(b), http: (b) => weftHttp(b) };

/** One load-generator child (bench/side-by-side/idle-load.ts). */
class Loader {
  private readonly waiting = new Map<number, (m: Record<string, unknown>) => void>();
  private nextId = 0;

  private constructor(private readonly proc: ChildProcess) {
    proc.on("message", (raw) => {
      const m = raw as Record<string, unknown>;
      if (typeof m.id === "number") this.waiting.get(m.id)?.(m);
    });
  }

  static async start(base: string, size: Size, local: string): Promise<Loader> {
    const args = ["--base", base, "--transport", size.transport, "--local", local, "--views-per-socket", String(size.viewsPerSocket), "--clock", String(CLOCK)];
    const proc = fork(LOADER, args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const kill = () => proc.kill("SIGKILL");
    process.once("exit", kill);
    proc.once("exit", () => process.off("exit", kill));
    await withTimeout(new Promise<void>((resolve, reject) => {
      proc.on("message", (m) => (m as { ready?: boolean }).ready === true && resolve());
      proc.once("exit", (code) => reject(new Error(`idle-load exited with ${code}`)));
    }), 30_000, "idle-load start");
    return new Loader(proc);
  }

  call<T = Record<string, unknown>>(cmd: string, extra: Record<string, unknown> = {}, ms = 30_000): Promise<T> {
    const id = ++this.nextId;
    const answered = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (m) => (typeof m.error === "string" ? reject(new Error(m.error)) : resolve(m as T)));
    });
    this.proc.send({ id, cmd, ...extra });
    return withTimeout(answered, ms, `idle-load ${cmd}`).finally(() => this.waiting.delete(id));
  }

  async close(): Promise<void> {
    const exited = new Promise((r) => this.proc.once("exit", r));
    await this.call("close", {}, 5_000).catch(() => {});
    await withTimeout(exited, 5_000, "idle-load exit").catch(() => this.proc.kill("SIGKILL"));
  }
}

/** Opens `size.sessions` idle sessions over several loaders, BATCH at a time per loader. */
async function openIdle(server: ServerChild, size: Size): Promise<Loader[]> {
  if (size.sessions === 0) return [];
  const links = Math.ceil(size.sessions / size.viewsPerSocket);
  const count = Math.ceil(links / LINKS_PER_LOADER);
  const loaders = await Promise.all(Array.from({ length: count }, (_, i) => Loader.start(server.base, size, `127.0.0.${2 + i}`)));
  // Sessions per loader, whole sockets each.
  const share = loaders.map((_, i) => size.viewsPerSocket * (Math.floor(links / count) + (i < links % count ? 1 : 0)));
  let opened = 0;
  await Promise.all(loaders.map(async (l, i) => {
    for (let left = share[i]!; left > 0;) {
      const n = Math.min(BATCH - (BATCH % size.viewsPerSocket), left);
      const r = await l.call<{ opened: number }>("open", { sessions: n }, BATCH_TIMEOUT_MS);
      left -= r.opened;
      opened += r.opened;
      if (opened % 10_000 < BATCH) process.stdout.write(`  ${opened} sessions open\n`);
    }
  }));
  return loaders;
}

/** Sequential counter events on the active client: round trips, and server CPU per event over each rep. */
async function roundTrips(server: ServerChild, client: BenchClient, idleCpuPerMs: number) {
  const once = () => new Promise<void>((r) => client.fire(r));
  const warmEnd = performance.now() + PLAN.repMaxMs;
  for (let i = 0; i < PLAN.warmup && performance.now() < warmEnd; i++) await once();
  const p50: number[] = [], p99: number[] = [], cpu: number[] = [], net: number[] = [];
  let events = 0;
  // Round trips over 1 ms, and how many bursts they came in (a gap of 50 ms or more starts a new one):
  // a few bursts point at something periodic or outside (heartbeats, GC, other processes), many at the event path.
  const slow = { count: 0, bursts: 0 };
  let lastSlow = -Infinity;
  for (let rep = 0; rep < PLAN.reps; rep++) {
    const times = new Float64Array(PLAN.events);
    const cpu0 = await server.cpu();
    const start = performance.now();
    let n = 0;
    for (; n < PLAN.events && performance.now() < start + PLAN.repMaxMs; n++) {
      const t0 = performance.now();
      await once();
      const t1 = performance.now();
      times[n] = (t1 - t0) * 1000;
      if (t1 - t0 > 1) {
        slow.count++;
        if (t0 - lastSlow >= 50) slow.bursts++;
        lastSlow = t1;
      }
    }
    const used = (await server.cpu()) - cpu0;
    const wall = performance.now() - start;
    const sample = times.subarray(0, n);
    p50.push(pct(sample, 50));
    p99.push(pct(sample, 99));
    cpu.push(used / n);
    net.push((used - idleCpuPerMs * wall) / n);
    events += n;
  }
  return { rtP50: spread(p50), rtP99: spread(p99), cpuPerEvent: spread(cpu), cpuPerEventNet: spread(net), events, slow };
}

/** One broadcast to all idle sessions: ms from app.broadcast() to each delivery. */
async function broadcastOnce(server: ServerChild, loaders: Loader[], n: number) {
  await Promise.all(loaders.map((l) => l.call("arm", { n })));
  const { t } = await server.call<{ t: string }>("broadcast", { n });
  const t0 = msSinceClock(BigInt(t));
  const answers = await Promise.all(loaders.map((l) => l.call<{ arrivals: number[]; missing: number }>("arrivals", { ms: BROADCAST_TIMEOUT_MS }, BROADCAST_TIMEOUT_MS + 10_000)));
  const d = Float64Array.from(answers.flatMap((a) => a.arrivals), (a) => a - t0).sort();
  return { last: d.length > 0 ? d[d.length - 1]! : NaN, p50: pct(d, 50), missing: answers.reduce((a, x) => a + x.missing, 0) };
}

/** Not measured (the baseline has no idle sessions): NaN, stored as null. */
const spreadOrNone = (xs: number[]): Spread => (xs.length > 0 ? spread(xs) : { value: NaN, min: NaN, max: NaN, runs: [] });

async function measure(size: Size): Promise<ScaleCase> {
  const perSession = (bytes: number) => (size.sessions > 0 ? round(bytes / size.sessions, 0) : NaN);
  const server = await ServerChild.start("weft-scale", process.argv.includes("--src") ? ["--src"] : []);
  let loaders: Loader[] = [];
  let active: BenchClient | undefined;
  try {
    const mem0 = await server.mem();
    const c0 = performance.now();
    loaders = await openIdle(server, size);
    const connectSeconds = (performance.now() - c0) / 1000;
    const stats = await server.call<{ sessions: number; sockets: number; sseStreams: number; polls: number; errors: number }>("stats");
    if (stats.sessions !== size.sessions) throw new Error(`expected ${size.sessions} live sessions, the server has ${stats.sessions}`);
    await sleep(PLAN.settleMs);
    const mem1 = await server.mem();
    active = await CONNECT[size.transport](server.base);
    const i0 = await server.cpu();
    const w0 = performance.now();
    await sleep(size.sessions > 0 ? PLAN.idleMs : PLAN.baselineIdleMs);
    const idleCpuPerMs = ((await server.cpu()) - i0) / (performance.now() - w0);
    type Gc = ScaleCase["gc"];
    const gc0 = (await server.call<{ gc: Gc }>("gc")).gc;
    const rt = await roundTrips(server, active, idleCpuPerMs);
    const gc1 = (await server.call<{ gc: Gc }>("gc")).gc;
    const gc = { count: gc1.count - gc0.count, major: gc1.major - gc0.major, totalMs: round(gc1.totalMs - gc0.totalMs), maxMs: round(gc1.maxMs) };
    const last: number[] = [], p50: number[] = [];
    let missing = 0;
    if (loaders.length > 0) await broadcastOnce(server, loaders, 1); // warm-up
    for (let k = 0; k < PLAN.rounds && loaders.length > 0; k++) {
      await sleep(500);
      const b = await broadcastOnce(server, loaders, 2 + k);
      last.push(b.last);
      p50.push(b.p50);
      missing += b.missing;
    }
    const after = await server.call<{ errors: number }>("stats");
    if (after.errors > 0) throw new Error(`the server reported ${after.errors} errors:\n${server.stderr.slice(-2_000)}`);
    return {
      ...size,
      links: Math.ceil(size.sessions / size.viewsPerSocket),
      connectSeconds: round(connectSeconds),
      heapPerSession: perSession(mem1.heapUsed - mem0.heapUsed),
      rssPerSession: perSession(mem1.rss - mem0.rss),
      idleCpuPerSecond: round(idleCpuPerMs * 1000, 0),
      ...rt,
      gc,
      broadcastLast: spreadOrNone(last),
      broadcastP50: spreadOrNone(p50),
      broadcastMissing: missing,
    };
  } finally {
    active?.close();
    await Promise.all(loaders.map((l) => l.close()));
    await server.close();
  }
}

// --- Main ---------------------------------------------------------------------------

const limit = spawnSync("sh", ["-c", "echo $(ulimit -Sn) soft, $(ulimit -Hn) hard"], { encoding: "utf8" }).stdout.trim();
const provenance = currentProvenance(QUICK ? "quick" : "full");
const start = loadavg();
console.log(`bench:scale (${QUICK ? "quick" : "full"}), ${WEFT_BUILD_LABEL}; load average ${start.map((x) => x.toFixed(2)).join(", ")}; open files ${limit}`);
const cases: ScaleCase[] = [];
try {
  for (const size of SIZES) {
    console.log(`\n== ${caseLabel(size)}`);
    const c = await measure(size);
    cases.push(c);
    console.log(`  opened in ${c.connectSeconds} s; heap ${c.heapPerSession} B/session; idle CPU ${c.idleCpuPerSecond} µs/s; round trip p50 ${c.rtP50.value} µs, p99 ${c.rtP99.value} µs; CPU/event ${c.cpuPerEvent.value} µs (net ${c.cpuPerEventNet.value}); ${c.slow.count} over 1 ms in ${c.slow.bursts} bursts; GC during the events ${c.gc.count} pauses (${c.gc.major} major), ${c.gc.totalMs} ms, longest ${c.gc.maxMs} ms; broadcast last ${c.broadcastLast.value} ms, p50 ${c.broadcastP50.value} ms${c.broadcastMissing > 0 ? `, ${c.broadcastMissing} missing` : ""}`);
  }
} catch (err) {
  console.error("\nbench:scale failed:", err);
  killAll();
  process.exit(1);
}
const file: ScaleFile = { provenance: [provenance], loadAverage: { start, end: loadavg() }, fdLimit: limit, cases };
console.log(`\n${scaleTable(cases)}`);
if (WRITE) {
  writeScale(file, true);
  console.log("\nwrote bench/results-scale.json, docs/benchmarks.md (bench-scale block) and docs/benchmarks-scale.svg");
}
process.exit(0);
