// Broadcast fan-out benchmark (not a test): one `app.broadcast` reaching N
// subscribed sessions (default 10,000), timed from the broadcast call on the
// server until the LAST session's diff has arrived at its client.
//  1. one node, in-memory pub/sub;
//  2. two nodes on one real redis-server, half the sessions on each, the
//     broadcast published from node 1.
// Each node runs in its own process (bench/fanout-server.ts, through tsx); this
// process is the load generator: real `ws` sockets speaking Weft's protocol,
// each joining many views (tokens from the pages' weft-token attribute).
// Loopback only. Times compare process.hrtime (CLOCK_MONOTONIC, one clock for
// every process on the machine) taken by the server at the broadcast call and
// by this process when each diff arrives.
//
// Usage: npm run bench:fanout [-- --quick] [--rounds 7] [--sessions 10000]
//        [--views-per-socket 50] [--setup memory|redis|both] [--spacing-ms 1000]
//        [--cpu-prof DIR]   (profiles the servers during the timed rounds)
// Prints a table and, last, one JSON line {"fanout": [...]}.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { freePort } from "../test/support/nginx.ts";
import { REDIS_SERVER } from "../test/support/redis.ts";
// Builds dist/ if stale and snapshots it once for every server node (bench/weft-build.ts).
import { WEFT_BUILD_LABEL } from "./weft-build.ts";

const has = (name: string) => process.argv.includes(`--${name}`);
const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, d: number) => {
  const v = argOf(name);
  const n = v === undefined ? d : Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${v}`);
  return n;
};
const QUICK = has("quick");
const ROUNDS = num("rounds", QUICK ? 3 : 7);
const SESSIONS = num("sessions", 10_000);
const VIEWS_PER_SOCKET = num("views-per-socket", 50);
const SPACING_MS = num("spacing-ms", 1_000);
const SETUP = argOf("setup") ?? "both";
const PROFILE_DIR = argOf("cpu-prof");
if (!["memory", "redis", "both"].includes(SETUP)) throw new Error("--setup must be memory, redis or both");
if (VIEWS_PER_SOCKET > 256) throw new Error("--views-per-socket is at most 256 (the bench server's maxViewsPerConnection)");

const SOCKETS = Math.ceil(SESSIONS / VIEWS_PER_SOCKET);
/** Sockets being set up at once, and page fetches at once per socket. */
const SOCKET_CONCURRENCY = 4;
const FETCH_CONCURRENCY = 8;
const ROUND_TIMEOUT_MS = 60_000;
const SERVER_SCRIPT = fileURLToPath(new URL("./fanout-server.ts", import.meta.url));
/** All hrtime readings are taken relative to this (keeps them exact as doubles). */
const BASE = process.hrtime.bigint();
const msSince = (t: bigint) => Number(t - BASE) / 1e6;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- Child processes: killed on any exit ------------------------------------

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
process.on("exit", () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** One Weft node in a child process (bench/fanout-server.ts), driven over IPC. */
class ServerNode {
  private readonly waiting = new Map<number, (m: Record<string, unknown>) => void>();
  private nextId = 0;
  port = 0;

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on("message", (raw) => {
      const m = raw as Record<string, unknown>;
      if (typeof m.id === "number") this.waiting.get(m.id)?.(m);
    });
  }

  static async start(name: string, redisUrl: string | undefined): Promise<ServerNode> {
    const args = ["--name", name, ...(redisUrl !== undefined ? ["--redis", redisUrl] : [])];
    const proc = fork(SERVER_SCRIPT, args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.add(proc);
    const node = new ServerNode(name, proc);
    node.port = await withTimeout(new Promise<number>((resolve, reject) => {
      proc.on("message", (m) => {
        const ready = (m as { ready?: number }).ready;
        if (typeof ready === "number") resolve(ready);
      });
      proc.once("exit", (code) => reject(new Error(`${name} exited with ${code} before listening`)));
    }), 30_000, `${name} start`);
    return node;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  call<T = Record<string, unknown>>(cmd: string, extra: Record<string, unknown> = {}, ms = 15_000): Promise<T> {
    const id = ++this.nextId;
    const answered = new Promise<T>((resolve) => this.waiting.set(id, (m) => resolve(m as T)));
    this.proc.send({ id, cmd, ...extra });
    return withTimeout(answered, ms, `${this.name} ${cmd}`).finally(() => this.waiting.delete(id));
  }

  /** Closes the app, then waits for the process to exit (SIGKILL after 10 s). */
  async close(): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    try {
      if (p.connected) p.send({ id: ++this.nextId, cmd: "close" });
      await withTimeout(exited, 10_000, `${this.name} exit`);
    } catch {
      p.kill("SIGKILL");
      await exited;
    }
    children.delete(p);
  }
}

/** A redis-server on a free loopback port, no persistence (as test/support/redis.ts starts it). */
async function startRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-redis-"));
  tempDirs.add(dir);
  const proc = spawn(REDIS_SERVER, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--logfile", ""], { stdio: ["ignore", "ignore", "pipe"] });
  children.add(proc);
  let stderr = "";
  proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
  const accepts = () => new Promise<boolean>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.end(), resolve(true)));
    s.once("error", () => resolve(false));
  });
  const deadline = Date.now() + 10_000;
  while (!(await accepts())) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server (${REDIS_SERVER}) did not start: ${stderr}`);
    await sleep(25);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const exited = new Promise((r) => proc.once("exit", r));
        proc.kill("SIGKILL");
        await exited;
      }
      children.delete(proc);
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** redis-server's own CPU time so far, ms (INFO cpu). */
async function redisCpuMs(r: Redis): Promise<number> {
  const info = await r.info("cpu");
  const field = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, "m").exec(info)?.[1] ?? 0);
  return (field("used_cpu_sys") + field("used_cpu_user")) * 1000;
}

// --- Load generator -----------------------------------------------------------

interface Round {
  n: number;
  count: number;
  done: () => void;
}

/** The client side: SOCKETS sockets × VIEWS_PER_SOCKET views, one session each. */
class Load {
  readonly sockets: WebSocket[] = [];
  /** Arrival (ms since BASE) of the current round's diff, per session. */
  readonly arrival = new Float64Array(SESSIONS);
  /** The broadcast number last seen per session (a duplicate is not counted twice). */
  private readonly seen = new Float64Array(SESSIONS).fill(-1);
  round: Round | undefined;
  errors: string[] = [];
  unexpected = 0;

  constructor(readonly nodes: ServerNode[]) {}

  /** Index of session (socket s, view v). */
  private index(s: number, v: number): number {
    return s * VIEWS_PER_SOCKET + (v - 1);
  }

  private viewsOn(s: number): number {
    return Math.min(VIEWS_PER_SOCKET, SESSIONS - s * VIEWS_PER_SOCKET);
  }

  /** Opens every socket and joins every view; resolves once all N have their first render. */
  async connect(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < SOCKETS) await this.open(next++);
    };
    await Promise.all(Array.from({ length: SOCKET_CONCURRENCY }, worker));
  }

  private async open(s: number): Promise<void> {
    const node = this.nodes[s % this.nodes.length]!;
    const views = this.viewsOn(s);
    const tokens: string[] = new Array(views);
    let next = 0;
    const fetcher = async () => {
      while (next < views) {
        const i = next++;
        const res = await fetch(`${node.base}/fan`, { signal: AbortSignal.timeout(15_000) });
        const page = await res.text();
        const token = /weft-token="([^"]+)"/.exec(page)?.[1];
        if (res.status !== 200 || token === undefined) throw new Error(`GET /fan on ${node.name}: ${res.status} ${page.slice(0, 200)}`);
        tokens[i] = token;
      }
    };
    await Promise.all(Array.from({ length: FETCH_CONCURRENCY }, fetcher));

    const ws = new WebSocket(`ws://127.0.0.1:${node.port}/weft/ws`, { perMessageDeflate: false });
    this.sockets.push(ws);
    let joined = 0;
    let onJoined: () => void = () => {};
    const allJoined = new Promise<void>((r) => (onJoined = r));
    ws.on("message", (data: Buffer) => {
      const now = process.hrtime.bigint();
      const m = JSON.parse(data.toString()) as { t?: string; v?: number; d?: unknown; c?: string; m?: string };
      const v = m.v;
      if (m.t === undefined && typeof v === "number") {
        const i = this.index(s, v);
        const n = leafNumber(m.d);
        const r = this.round;
        if (r === undefined || n !== r.n || this.seen[i] === n) {
          this.unexpected++;
          return;
        }
        this.seen[i] = n;
        this.arrival[i] = msSince(now);
        if (++r.count === SESSIONS) r.done();
      } else if (m.t === "f") {
        if (++joined === views) onJoined();
      } else if (m.t === "x") {
        if (this.errors.length < 10) this.errors.push(`${m.c}: ${m.m} (view ${v})`);
      }
    });
    ws.on("error", (err) => {
      if (this.errors.length < 10) this.errors.push(`socket ${s}: ${err.message}`);
    });
    await withTimeout(new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    }), 10_000, `socket ${s} open`);
    for (let v = 1; v <= views; v++) ws.send(JSON.stringify({ t: "j", v, d: { k: tokens[v - 1] } }));
    await withTimeout(allJoined, 30_000, `socket ${s} joins (${joined}/${views}; errors: ${this.errors.join("; ")})`);
  }

  /** Arms a round for broadcast `n`; resolves when every session has its diff. */
  arm(n: number): Promise<void> {
    return new Promise<void>((resolve) => (this.round = { n, count: 0, done: resolve }));
  }

  get received(): number {
    return this.round?.count ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((ws) => new Promise<void>((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      const t = setTimeout(() => (ws.terminate(), resolve()), 2_000);
      ws.once("close", () => (clearTimeout(t), resolve()));
      ws.close();
    })));
  }
}

/** The number a diff carries (the view renders one dynamic: `{"0": "123"}`). */
function leafNumber(d: unknown): number {
  for (let i = 0; i < 4 && typeof d === "object" && d !== null; i++) d = Object.values(d)[0];
  return typeof d === "string" || typeof d === "number" ? Number(d) : NaN;
}

// --- Measurement ------------------------------------------------------------------

interface RoundResult {
  n: number;
  firstMs: number;
  p50Ms: number;
  p99Ms: number;
  lastMs: number;
  /** Server event loop held by the broadcast call (until its next setImmediate), node 1. */
  syncMs: number;
  /** CPU per process over the round (broadcast → last delivery + 200 ms), ms. */
  cpuMs: Record<string, number>;
  /** Broadcast timestamp minus this process's send time: IPC delay, a clock sanity check (≥ 0). */
  ipcMs: number;
}

interface SetupResult {
  setup: string;
  nodes: number;
  redis: boolean;
  sessions: number;
  sockets: number;
  viewsPerSocket: number;
  connectSeconds: number;
  rounds: RoundResult[];
  lastMs: { median: number; min: number; max: number };
  firstMs: { median: number; min: number; max: number };
  p50Ms: { median: number; min: number; max: number };
  p99Ms: { median: number };
  cpuMsPerBroadcast: Record<string, number>;
  unexpectedFrames: number;
  serverErrors: number;
}

const pct = (sorted: ArrayLike<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const median = (xs: number[]) => pct([...xs].sort((a, b) => a - b), 50);
const spread = (xs: number[]) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });
const r1 = (x: number) => Math.round(x * 10) / 10;

async function cpuAll(nodes: ServerNode[], redis: Redis | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const answers = await Promise.all(nodes.map((n) => n.call<{ cpu: number }>("cpu")));
  nodes.forEach((n, i) => (out[n.name] = answers[i]!.cpu / 1000));
  if (redis !== undefined) out["redis-server"] = await redisCpuMs(redis);
  const u = process.cpuUsage();
  out.loadgen = (u.user + u.system) / 1000;
  return out;
}

/** One broadcast from node 1, timed to the last delivery. */
async function broadcastOnce(load: Load, nodes: ServerNode[], n: number, redis: Redis | undefined, timeoutMs: number): Promise<RoundResult> {
  const cpu0 = await cpuAll(nodes, redis);
  const arrived = load.arm(n);
  const sent = process.hrtime.bigint();
  const ans = await nodes[0]!.call<{ t: string; sync: number }>("broadcast", { n });
  const t0 = msSince(BigInt(ans.t));
  await withTimeout(arrived, timeoutMs, `broadcast ${n}: ${load.received}/${SESSIONS} delivered`);
  load.round = undefined;
  await sleep(200); // trailing work (snapshot saves, acks of writes) lands in this round's CPU
  const cpu1 = await cpuAll(nodes, redis);
  const d = Float64Array.from(load.arrival, (a) => a - t0).sort();
  const cpuMs: Record<string, number> = {};
  for (const k of Object.keys(cpu0)) cpuMs[k] = r1(cpu1[k]! - cpu0[k]!);
  return { n, firstMs: r1(d[0]!), p50Ms: r1(pct(d, 50)), p99Ms: r1(pct(d, 99)), lastMs: r1(d[d.length - 1]!), syncMs: r1(ans.sync), cpuMs, ipcMs: r1(t0 - msSince(sent)) };
}

async function runSetup(setup: "memory" | "redis"): Promise<SetupResult> {
  const label = setup === "memory" ? "1 node, in-memory pub/sub" : "2 nodes, one Redis";
  console.log(`\n== ${label} (${WEFT_BUILD_LABEL}): ${SESSIONS} sessions on ${SOCKETS} sockets × ${VIEWS_PER_SOCKET} views, ${ROUNDS} rounds`);
  let redisServer: Awaited<ReturnType<typeof startRedis>> | undefined;
  let redis: Redis | undefined;
  const nodes: ServerNode[] = [];
  let load: Load | undefined;
  try {
    if (setup === "redis") {
      redisServer = await startRedis();
      redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1, lazyConnect: false });
      nodes.push(...(await Promise.all([ServerNode.start("node1", redisServer.url), ServerNode.start("node2", redisServer.url)])));
    } else {
      nodes.push(await ServerNode.start("node1", undefined));
    }
    load = new Load(nodes);
    const c0 = performance.now();
    await load.connect();
    const connectSeconds = (performance.now() - c0) / 1000;
    const stats = await Promise.all(nodes.map((n) => n.call<{ sessions: number; pendingMounts: number; sockets: number; errors: number }>("stats")));
    const live = stats.reduce((a, s) => a + s.sessions, 0);
    console.log(`joined in ${connectSeconds.toFixed(1)} s; ${stats.map((s, i) => `${nodes[i]!.name}: ${s.sessions} sessions, ${s.sockets} sockets, ${s.pendingMounts} pending`).join("; ")}`);
    if (live !== SESSIONS) throw new Error(`expected ${SESSIONS} live sessions, the servers have ${live}`);

    // Warm-up: proves every subscription is in place (with Redis, SUBSCRIBE
    // took effect) before the clock counts; a second try after a pause.
    let n = 0;
    for (let attempt = 1; ; attempt++) {
      await sleep(attempt === 1 ? 500 : 2_000);
      try {
        const w = await broadcastOnce(load, nodes, ++n, redis, 15_000);
        console.log(`warm-up broadcast reached all ${SESSIONS} (last after ${w.lastMs} ms)`);
        break;
      } catch (err) {
        load.round = undefined;
        if (attempt >= 3) throw err;
        console.log(`warm-up ${attempt} incomplete (${(err as Error).message}); retrying`);
      }
    }

    if (PROFILE_DIR !== undefined) await Promise.all(nodes.map((node) => node.call("profile-start")));
    const rounds: RoundResult[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      await sleep(SPACING_MS);
      const r = await broadcastOnce(load, nodes, ++n, redis, ROUND_TIMEOUT_MS);
      rounds.push(r);
      const cpu = Object.entries(r.cpuMs).map(([k2, v]) => `${k2} ${v}`).join(", ");
      console.log(`  round ${k + 1}: first ${r.firstMs} ms, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, last ${r.lastMs} ms; node1 loop held ${r.syncMs} ms; CPU ms: ${cpu}; IPC ${r.ipcMs} ms`);
    }
    if (PROFILE_DIR !== undefined) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      for (const node of nodes) {
        const { profile } = await node.call<{ profile: string }>("profile-stop", {}, 60_000);
        const file = join(PROFILE_DIR, `fanout-${setup}-${node.name}.cpuprofile`);
        writeFileSync(file, profile);
        console.log(`  profile of ${node.name} during the rounds: ${file}`);
        printTopFrames(JSON.parse(profile) as CpuProfile);
      }
    }
    const after = await Promise.all(nodes.map((node) => node.call<{ errors: number }>("stats")));
    const cpuKeys = Object.keys(rounds[0]!.cpuMs);
    const cpuMsPerBroadcast: Record<string, number> = {};
    for (const k of cpuKeys) cpuMsPerBroadcast[k] = r1(median(rounds.map((r) => r.cpuMs[k]!)));
    if (load.errors.length > 0) console.log(`  errors seen by clients: ${load.errors.join("; ")}`);
    return {
      setup: label, nodes: nodes.length, redis: setup === "redis", sessions: SESSIONS, sockets: SOCKETS, viewsPerSocket: VIEWS_PER_SOCKET,
      connectSeconds: r1(connectSeconds), rounds,
      lastMs: spread(rounds.map((r) => r.lastMs)),
      firstMs: spread(rounds.map((r) => r.firstMs)),
      p50Ms: spread(rounds.map((r) => r.p50Ms)),
      p99Ms: { median: median(rounds.map((r) => r.p99Ms)) },
      cpuMsPerBroadcast,
      unexpectedFrames: load.unexpected,
      serverErrors: after.reduce((a, s) => a + s.errors, 0),
    };
  } finally {
    await load?.close().catch(() => {});
    await Promise.all(nodes.map((node) => node.close().catch(() => {})));
    redis?.disconnect();
    await redisServer?.stop();
  }
}

// --- CPU profile summary ---------------------------------------------------------------

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
}

/** Prints the top frames by self and by total time (idle excluded). */
function printTopFrames(p: CpuProfile, top = 15): void {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.replace(/^.*\/(src|node_modules|bench)\//, "$1/");
    return `${f.functionName || "(anonymous)"} ${file}${f.url ? `:${f.lineNumber + 1}` : ""}`;
  };
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let busy = 0;
  for (const id of p.samples) {
    const leaf = name(id);
    if (leaf.startsWith("(idle)")) continue;
    busy++;
    self.set(leaf, (self.get(leaf) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(name(at));
    for (const k of seen) total.set(k, (total.get(k) ?? 0) + 1);
  }
  const show = (m: Map<string, number>, what: string) => {
    console.log(`    top ${top} by ${what} (% of ${busy} busy samples):`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`      ${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`);
  };
  show(self, "self time");
  show(total, "total time");
}

// --- Main ------------------------------------------------------------------------------------

const results: SetupResult[] = [];
try {
  if (SETUP !== "redis") results.push(await runSetup("memory"));
  if (SETUP !== "memory") results.push(await runSetup("redis"));
} catch (err) {
  console.error("\nfan-out bench failed:", err);
  process.exit(1); // the exit handler kills the servers and redis-server
} finally {
  for (const c of children) c.kill("SIGKILL");
}

console.log(`\nBroadcast fan-out: ${SESSIONS} sessions (${SOCKETS} sockets × ${VIEWS_PER_SOCKET} views), ${ROUNDS} broadcasts each, times in ms from app.broadcast() on node 1`);
const head = ["setup", "last: median (min–max)", "first", "p50", "p99", "CPU ms per broadcast (median)"];
const rows = results.map((r) => [
  r.setup,
  `${r.lastMs.median} (${r.lastMs.min}–${r.lastMs.max})`,
  String(r.firstMs.median),
  String(r.p50Ms.median),
  String(r.p99Ms.median),
  Object.entries(r.cpuMsPerBroadcast).map(([k, v]) => `${k} ${v}`).join(", "),
]);
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
console.log(line(head));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
console.log("(first, p50, p99: medians over the rounds; CPU includes 200 ms after the last delivery)");
console.log(JSON.stringify({ fanout: results }));
