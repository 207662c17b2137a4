// Hot-path benchmark (not a test): event → handler → render → diff → frame.
//  1. in process: ViewSession.event() to the frame handed to the sink (no
//     Connection: no rate limit, payload walk or schema on this path), with
//     the frame as JSON text and as MessagePack (a socket with `msgpack`);
//  2. over loopback: a `ws` client sends an event and waits for its diff.
// Prints medians and p99 of repeated runs. Usage: npm run bench:hot [-- --events 20000]
// `npm run bench:hot -- --wire [--events 10000] [--pairs 3]`: the security
// checks' cost through a real Connection over a real WebSocket (bench/hot-wire.ts).
// Weft comes from the built package (dist/) unless `--src` (bench/weft-build.ts).
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { WEFT_BUILD_LABEL, weft, weftModule } from "./weft-build.ts";

const { createWeft, defineView, html } = weft;
const { MemoryPubSub } = await weftModule<typeof import("../src/server/pubsub/memory.ts")>("server/pubsub/memory");
const { ViewSession } = await weftModule<typeof import("../src/server/session.ts")>("server/session");
const { packFrame } = await weftModule<typeof import("../src/server/transports/msgpack.ts")>("server/transports/msgpack");
console.log(WEFT_BUILD_LABEL);

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const EVENTS = arg("events", 20_000);
const ROUND_TRIPS = arg("round-trips", 5_000);

if (process.argv.includes("--wire")) {
  const { wireChecks } = await import("./hot-wire.ts");
  await wireChecks({ events: arg("events", 10_000), pairs: arg("pairs", 3), calls: arg("calls", 1_000_000) });
  process.exit(0);
}

const Counter = defineView({
  mount: () => ({ count: 0 }),
  events: { inc: (s: { count: number }) => ({ count: s.count + 1 }) },
  render: (s) => html`<div><p>Count: <b>${s.count}</b></p><button weft-click="inc">+</button></div>`,
});

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/** `packed`: the sink takes envelopes and packs them (a MessagePack socket), else frames as JSON text. */
function inProcess(packed = false): { perEventUs: number; bytes: number } {
  let bytes = 0;
  const session = new ViewSession(
    { sid: "bench", path: "/", view: Counter as never, params: {}, session: {}, state: { count: 0 }, timers: [] },
    { outboxSize: 256, onError: () => {}, pubsub: new MemoryPubSub() },
  );
  const sink = packed
    ? { send: () => {}, sendEnvelope: (env: object) => { bytes = packFrame(env).length; } }
    : { send: (f: string) => { bytes = Buffer.byteLength(f); } };
  session.attach(sink, 1, undefined, "t");
  const t0 = performance.now();
  for (let r = 1; r <= EVENTS; r++) {
    session.event(r, "inc", {});
    if (r % 64 === 0) session.ack(Number.MAX_SAFE_INTEGER);
  }
  return { perEventUs: ((performance.now() - t0) * 1000) / EVENTS, bytes };
}

async function roundTrips(): Promise<number[]> {
  // The bench drives one connection far above the default rate limit on purpose.
  const app = createWeft({ views: { "/": Counter }, secret: "bench-secret-0123456789abcdef", onError: () => {}, rateLimit: { perSecond: 1e9, burst: 1e9 } });
  const { port } = await app.listen(0);
  const page = await (await fetch(`http://127.0.0.1:${port}/`)).text();
  const token = /weft-token="([^"]+)"/.exec(page)?.[1];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/weft/ws`);
  await new Promise((r) => ws.once("open", r));
  const next = () => new Promise<void>((r) => ws.once("message", () => r()));
  ws.send(JSON.stringify({ t: "j", v: 1, d: { k: token } }));
  await next();
  const times: number[] = [];
  for (let r = 1; r <= ROUND_TRIPS; r++) {
    const t0 = performance.now();
    const answered = next();
    ws.send(`{"t":"e","v":1,"r":${r},"e":"inc","d":{}}`);
    await answered;
    times.push((performance.now() - t0) * 1000);
  }
  ws.close();
  await app.close();
  return times.slice(Math.floor(ROUND_TRIPS / 10)); // drop the warm-up tenth
}

const runs = [inProcess(), inProcess(), inProcess(), inProcess(), inProcess()];
const perEvent = runs.map((r) => r.perEventUs);
console.log(`in process: event→frame median ${pct(perEvent, 50).toFixed(2)} µs (runs: ${perEvent.map((x) => x.toFixed(2)).join(", ")}), frame ${runs[0]!.bytes} bytes`);
// Interleaved with JSON runs, so that a slow phase of the machine hits both.
const both = [0, 1, 2, 3, 4].map(() => [inProcess(), inProcess(true)] as const);
const [json, packed] = [both.map(([j]) => j.perEventUs), both.map(([, p]) => p.perEventUs)];
console.log(`in process, JSON vs MessagePack frames (interleaved): JSON ${pct(json, 50).toFixed(2)} µs, ${both[0]![0].bytes} bytes; MessagePack ${pct(packed, 50).toFixed(2)} µs, ${both[0]![1].bytes} bytes (runs: ${packed.map((x) => x.toFixed(2)).join(", ")})`);
const rt = await roundTrips();
console.log(`ws round trip over loopback: p50 ${pct(rt, 50).toFixed(0)} µs, p99 ${pct(rt, 99).toFixed(0)} µs (${rt.length} events)`);
