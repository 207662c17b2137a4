// Upload throughput (not a test): one file, held in the load generator's
// memory, sent to a server in a child process pinned to its own core, by
//  - the floor: a bare node:http server and `busboy` taking one
//    multipart/form-data POST to a temp file (servers/upload-floor.ts);
//  - Weft over WebSocket, SSE and HTTP (servers/weft-upload.ts), each with
//    Weft's default chunkBytes and a larger one, sent as the browser client
//    sends it (clients/upload.ts: declare, then chunks, 4 unacknowledged on
//    WebSocket, one POST at a time on SSE and HTTP).
// Per upload: MB/s (10^6 bytes over the wall time from the upload's first
// request to the server's last answer), the server's CPU per MB (its
// process.cpuUsage() over the same window, read over IPC: the client's CPU is
// another process's) and the load generator's CPU per MB. Every server gets one
// warm-up upload, then the measured ones, in rounds (one upload per case per
// round, the order rotated each round, so a slow phase of the machine hits
// every case). Figures are the medians.
//
// Usage: npm run bench:upload       50 MB, 5 runs; writes bench/results-upload.json and
//                                   the bench-upload block of docs/benchmarks.md
//   [--mb 50] [--runs 5]            the file's size (1–100 MB) and measured runs per case
//   [--only floor,websocket,sse,http]   a subset
//   [--chunks default,1048576]      Weft's chunk sizes ("default": Weft's own default, 512 KiB)
//   [--ws-window 4]                 unacknowledged chunks on WebSocket (default 4, as the browser client)
//   [--ws-send]                     WebSocket chunks through ws.send, masked in JavaScript while the
//                                   clock runs (default: frames encoded before it, see clients/upload.ts)
//   [--ws-zero-mask]                an experiment: WebSocket frames masked with the key 0, which the
//                                   server's ws skips unmasking (what unmasking costs; not a browser's frames)
//   [--bufferutil DIR]              also the WebSocket rows again on servers that find `bufferutil` in DIR
//                                   (a node_modules directory, as NODE_PATH): ws then unmasks natively
//                                   (for an install without it: weft-live has it as an optional dependency)
//   [--js-unmask]                   also the WebSocket rows again on servers started with WS_NO_BUFFER_UTIL=1:
//                                   ws then unmasks in JavaScript, as where the optional bufferutil did not install
//   [--no-write] [--write]          print only / write even for a non-default size or subset
//   [--src]                         Weft from the TypeScript sources through tsx (default: dist/)
// The last line printed is the run as JSON (the smoke test reads it).
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { killAll, ServerChild } from "./side-by-side/child.ts";
import { UPLOADERS } from "./side-by-side/clients/upload.ts";
import { machine } from "./side-by-side/machine.ts";
import { currentProvenance } from "./side-by-side/provenance.ts";
import { spread, withTimeout } from "./side-by-side/stats.ts";
import { caseLabel, floorRatio, uploadTable, writeUpload, type UploadCase, type UploadFile, type UploadSystem } from "./side-by-side/upload-report.ts";
import { WEFT_BUILD_LABEL } from "./weft-build.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const has = (name: string) => process.argv.includes(`--${name}`);

const MB = Number(arg("mb") ?? 50);
const RUNS = Number(arg("runs") ?? 5);
if (!(MB > 0 && MB <= 100)) throw new Error("--mb: 1–100 (the bench view takes 100 MB at most)");
if (!(Number.isInteger(RUNS) && RUNS >= 1 && RUNS <= 50)) throw new Error("--runs: an integer 1–50");
const SYSTEMS: UploadSystem[] = ["floor", "websocket", "sse", "http"];
const ONLY = arg("only")?.split(",").filter(Boolean) as UploadSystem[] | undefined;
for (const s of ONLY ?? []) if (!SYSTEMS.includes(s)) throw new Error(`--only: unknown system ${s} (known: ${SYSTEMS.join(", ")})`);
/** Weft's chunk sizes: "default" (the server passes none, Weft picks) and a larger one. */
const CHUNKS = (arg("chunks") ?? "default,1048576").split(",").filter(Boolean).map((c) => (c === "default" ? undefined : Number(c)));
const WS_WINDOW = Number(arg("ws-window") ?? 4);
if (!(Number.isInteger(WS_WINDOW) && WS_WINDOW >= 1 && WS_WINDOW <= 64)) throw new Error("--ws-window: an integer 1–64");
const WS_SEND = has("ws-send");
const WS_ZERO_MASK = has("ws-zero-mask");
if (WS_ZERO_MASK && has("write")) throw new Error("--ws-zero-mask is an experiment: its figures are not written");
const BUFFERUTIL = arg("bufferutil");
const JS_UNMASK = has("js-unmask");
const WRITE = !has("no-write") && !WS_ZERO_MASK && (has("write") || (MB === 50 && RUNS >= 3 && ONLY === undefined && arg("chunks") === undefined && WS_WINDOW === 4 && !WS_SEND));

const BYTES = Math.round(MB * 1e6);
/** One upload may take this long before the run fails (a 50 MB upload takes seconds). */
const UPLOAD_MS = 300_000;

const T0 = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - T0) / 1000).toFixed(1).padStart(6)} s] ${s}`);

/** One case: a system, its chunk size, and the server child it runs on. */
interface Case {
  system: UploadSystem;
  /** undefined: Weft's default chunkBytes (learnt from the join answer). */
  chunk: number | undefined;
  /** How the server's ws unmasks frames (Weft servers: their `stats`). */
  unmask?: UploadCase["unmask"];
  server: ServerChild;
  chunkBytes: number;
  runs: { mbPerSecond: number; serverCpuMsPerMB: number; clientCpuMsPerMB: number; serverBusy: number }[];
}

/** One upload on a fresh connection: the page, link and join before the clock starts; the consume after it stops. */
async function uploadOnce(c: Case, data: Buffer): Promise<Case["runs"][number]> {
  const client = await UPLOADERS[c.system](c.server.base, { wsWindow: WS_WINDOW, wsSend: WS_SEND, wsZeroMask: WS_ZERO_MASK });
  try {
    c.chunkBytes = client.chunkBytes;
    client.prepare(data);
    const server0 = await c.server.cpu();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await withTimeout(client.upload(), UPLOAD_MS, `${caseLabel(c)} upload`);
    const ms = performance.now() - t0;
    const clientUs = process.cpuUsage(client0);
    const serverUs = (await c.server.cpu()) - server0;
    await withTimeout(client.finish(), 30_000, `${caseLabel(c)} finish`);
    const mb = data.length / 1e6;
    return {
      mbPerSecond: mb / (ms / 1000),
      serverCpuMsPerMB: serverUs / 1000 / mb,
      clientCpuMsPerMB: (clientUs.user + clientUs.system) / 1000 / mb,
      serverBusy: (serverUs / 1000 / ms) * 100,
    };
  } finally {
    client.close();
  }
}

const loadStart = loadavg();
const provenance = currentProvenance(`upload ${MB} MB × ${RUNS}${ONLY === undefined ? "" : ` --only ${ONLY.join(",")}`}${arg("chunks") === undefined ? "" : ` --chunks ${arg("chunks")}`}${WS_WINDOW === 4 ? "" : ` --ws-window ${WS_WINDOW}`}${WS_SEND ? " --ws-send" : ""}${WS_ZERO_MASK ? " --ws-zero-mask" : ""}${BUFFERUTIL === undefined ? "" : " --bufferutil"}${JS_UNMASK ? " --js-unmask" : ""}`);
log(`upload benchmark: ${MB} MB, ${RUNS} runs per case; ${WEFT_BUILD_LABEL}; ${machine()}`);
const data = randomBytes(BYTES);
const cases: Case[] = [];
let failure: Error | undefined;
try {
  for (const system of SYSTEMS.filter((s) => ONLY === undefined || ONLY.includes(s))) {
    const plain = { name: undefined, value: undefined };
    const ws = system === "websocket";
    for (const [chunk, env] of system === "floor" ? [[undefined, plain] as const] : [
      ...CHUNKS.map((x) => [x, plain] as const),
      ...(ws && BUFFERUTIL !== undefined ? CHUNKS.map((x) => [x, { name: "NODE_PATH", value: BUFFERUTIL }] as const) : []),
      ...(ws && JS_UNMASK ? CHUNKS.map((x) => [x, { name: "WS_NO_BUFFER_UTIL", value: "1" }] as const) : []),
    ]) {
      // The child inherits the environment at fork: NODE_PATH only for the servers meant to find
      // bufferutil there, WS_NO_BUFFER_UTIL only for those meant to unmask in JavaScript.
      const before = env.name === undefined ? undefined : process.env[env.name];
      if (env.name !== undefined) process.env[env.name] = env.value;
      const server = await ServerChild.start(system === "floor" ? "upload-floor" : "weft-upload", chunk === undefined ? [] : ["--chunk", String(chunk)]).finally(() => {
        if (env.name === undefined) return;
        if (before === undefined) delete process.env[env.name];
        else process.env[env.name] = before;
      });
      const c: Case = { system, chunk, server, chunkBytes: 0, runs: [] };
      if (system !== "floor") c.unmask = (await server.call<{ unmask: UploadCase["unmask"] }>("stats")).unmask;
      if (env.name === "NODE_PATH" && c.unmask !== "bufferutil") throw new Error(`--bufferutil ${env.value}: the server's ws did not find bufferutil there (it unmasks with ${c.unmask})`);
      if (env.name === "WS_NO_BUFFER_UTIL" && c.unmask !== "javascript") throw new Error(`--js-unmask: the server's ws unmasks with ${c.unmask}, not in JavaScript`);
      cases.push(c);
      await uploadOnce(c, data);
      log(`${caseLabel(c)}: started, warm-up upload done`);
    }
  }
  for (let round = 0; round < RUNS; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const c of order) {
      const r = await uploadOnce(c, data);
      c.runs.push(r);
      log(`${caseLabel(c)}: ${r.mbPerSecond.toFixed(1)} MB/s, server CPU ${r.serverCpuMsPerMB.toFixed(2)} ms/MB (busy ${r.serverBusy.toFixed(0)} %), load generator ${r.clientCpuMsPerMB.toFixed(2)} ms/MB`);
    }
  }
  for (const c of cases) {
    const stats = await c.server.call<{ errors?: number }>("stats");
    if ((stats.errors ?? 0) > 0) throw new Error(`${caseLabel(c)}: the server reported ${stats.errors} errors`);
  }
} catch (err) {
  failure = err as Error;
} finally {
  await Promise.all(cases.map((c) => c.server.close()));
  killAll();
}
if (failure !== undefined) {
  console.error(`upload benchmark failed: ${failure.message}`);
  process.exit(1);
}

const results: UploadCase[] = cases.map((c) => ({
  system: c.system,
  chunkBytes: c.chunkBytes,
  ...(c.unmask === undefined ? {} : { unmask: c.unmask }),
  mbPerSecond: spread(c.runs.map((r) => r.mbPerSecond)),
  serverCpuMsPerMB: spread(c.runs.map((r) => r.serverCpuMsPerMB), 2),
  clientCpuMsPerMB: spread(c.runs.map((r) => r.clientCpuMsPerMB), 2),
  serverBusy: spread(c.runs.map((r) => r.serverBusy), 0),
}));
const file: UploadFile = { provenance: [provenance], loadAverage: { start: loadStart, end: loadavg() }, bytes: BYTES, runs: RUNS, cases: results };
console.log(`\n${uploadTable(results)}`);
for (const c of results.filter((x) => x.system === "websocket")) {
  const r = floorRatio(results, c);
  if (r !== undefined) console.log(`${caseLabel(c)}: ${r.toFixed(2)}× the floor's MB/s (target ≥ 0.70×): ${r >= 0.7 ? "met" : "MISSED"}`);
}
if (WRITE) {
  writeUpload(file, true);
  console.log("\nwrote bench/results-upload.json and the bench-upload block of docs/benchmarks.md");
}
console.log(`\ndone in ${((performance.now() - T0) / 1000).toFixed(0)} s`);
console.log(JSON.stringify(file));
process.exit(0);
