// Fan-out benchmark server (not a test): one Weft node in its own process,
// started by bench/fanout.ts through `node --import tsx` with an IPC channel;
// Weft itself from the built package (dist/) unless --src (bench/weft-build.ts).
// Serves one bench-only view at /fan that subscribes to the topic "fan" at
// mount and shows the number each broadcast carries.
//
// Args: --redis URL (optional: in-memory pub/sub without it), --name NAME.
// IPC in:  { id, cmd: "broadcast", n } | { id, cmd: "cpu" } | { id, cmd: "stats" } | { id, cmd: "close" }
//          | { id, cmd: "profile-start" } | { id, cmd: "profile-stop" } (a V8 CPU profile, as --cpu-prof writes)
// IPC out: { ready: port } once listening; { id, ... } answering each command.
//
// Bench-only limits, raised above the defaults for one load generator on one
// address: maxViewsPerConnection 256 (default 64), rateLimit 100,000/s with a
// burst of 100,000 (default 100/s, burst 200: the joins arrive in bursts),
// maxPendingMounts 50,000 (default 10,000: pages are fetched ahead of joins).
import { Session } from "node:inspector/promises";
import { weft } from "./weft-build.ts";

const { createWeft, defineView, html } = weft;

const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const REDIS = argOf("redis");
const NAME = argOf("name") ?? "node";
const TOPIC = "fan";
const SECRET = "bench-fanout-secret-0123456789abcdef";

if (process.send === undefined) {
  console.error("fanout-server: run me from bench/fanout.ts (needs an IPC channel)");
  process.exit(2);
}
const send = (m: unknown) => process.send!(m);

/** A tiny view: one subscription at mount; each broadcast changes one number. */
const Fan = defineView<{ n: number }>({
  mount: (_params, ctx) => {
    ctx.subscribe(TOPIC);
    return { n: 0 };
  },
  info: { tick: (_s, payload) => ({ n: Number(payload) }) },
  render: (s) => html`<p>tick <b>${s.n}</b></p>`,
});

let errors = 0;
const app = createWeft({
  views: { "/fan": Fan },
  secret: SECRET,
  redis: REDIS,
  maxViewsPerConnection: 256,
  rateLimit: { perSecond: 100_000, burst: 100_000 },
  maxPendingMounts: 50_000,
  // One load generator on 127.0.0.1: the per-address limits (256 pending mounts, 1,000 connections) would bind it.
  maxPendingMountsPerIp: 50_000,
  maxConnectionsPerIp: 20_000,
  shutdownMs: 2_000,
  onError: (err, where) => {
    if (++errors <= 5) console.error(`[${NAME}] ${where}:`, err);
  },
});

const cpuMicros = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

// The parent went away (crashed or was killed): do not outlive it.
process.on("disconnect", () => process.exit(1));

/** CPU profiling of a window (the timed rounds only, not the 10k page mounts and joins before them). */
let inspector: Session | undefined;
async function profile(cmd: string): Promise<Record<string, unknown>> {
  if (cmd === "profile-start") {
    inspector = new Session();
    inspector.connect();
    await inspector.post("Profiler.enable");
    await inspector.post("Profiler.setSamplingInterval", { interval: 200 });
    await inspector.post("Profiler.start");
    return {};
  }
  if (inspector === undefined) throw new Error("profile-stop before profile-start");
  const { profile: p } = await inspector.post("Profiler.stop");
  inspector.disconnect();
  inspector = undefined;
  return { profile: JSON.stringify(p) };
}

let closing = false;
process.on("message", (raw) => {
  const m = raw as { id: number; cmd: string; n?: number };
  switch (m.cmd) {
    case "broadcast": {
      const cpu = cpuMicros();
      // CLOCK_MONOTONIC (libuv's hrtime) is one clock for every process on the
      // machine: the load generator compares its arrival times against this.
      const t = process.hrtime.bigint();
      app.broadcast(TOPIC, "tick", m.n ?? 0).catch((err: unknown) => {
        errors++;
        console.error(`[${NAME}] broadcast:`, err);
      });
      // With the in-memory pub/sub the whole fan-out runs in the microtasks
      // before this: `sync` is how long the event loop was held by it.
      setImmediate(() => send({ id: m.id, t: String(t), cpu, sync: Number(process.hrtime.bigint() - t) / 1e6 }));
      return;
    }
    case "cpu":
      return send({ id: m.id, cpu: cpuMicros(), rss: process.memoryUsage().rss });
    case "stats":
      return send({ id: m.id, ...app.stats(), errors });
    case "profile-start":
    case "profile-stop":
      profile(m.cmd).then((r) => send({ id: m.id, ...r }), (err: unknown) => send({ id: m.id, error: String(err) }));
      return;
    case "close":
      if (closing) return;
      closing = true;
      app.close().finally(() => {
        send({ id: m.id, closed: true });
        // process.exit (not a kill) so that --cpu-prof writes its profile.
        setTimeout(() => process.exit(0), 50);
      });
      return;
  }
});

const { port } = await app.listen(0, "127.0.0.1");
// With Redis, ready means Redis is reachable too (/weft/health answers 200),
// so that no page mount meets a connection still coming up.
for (const deadline = Date.now() + 10_000; REDIS !== undefined;) {
  const res = await fetch(`http://127.0.0.1:${port}/weft/health`).catch(() => undefined);
  await res?.arrayBuffer();
  if (res?.status === 200) break;
  if (Date.now() > deadline) throw new Error(`${NAME}: Redis not reachable within 10 s`);
  await new Promise((r) => setTimeout(r, 25));
}
send({ ready: port, name: NAME });
