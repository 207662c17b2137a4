// Security checks through the wire (`npm run bench:hot -- --wire`): events
// sent over a real WebSocket to a real Weft server (bench/side-by-side/
// servers/weft.ts, a child process pinned to its own core), through its
// Connection as in production: the Origin check on the upgrade (the client
// sends the page's origin), the token bucket and the payload walk on every
// frame, and the counter's payload schema. Two figures:
//  1. each check on its own, in process, with the functions the Connection
//     and the session call (ns per call);
//  2. round trip p50/p99 and server CPU per event through the wire, with the
//     schema and without it (`--plain-counter`), in alternating runs on fresh
//     servers: the schema's cost as the wire sees it, beside the noise.
// The rate limit is raised (BENCH_OPTIONS): the bucket runs on every frame
// but never refuses; at the default 100/s a flat-out client would be refused.
// Weft (in process and in the server child) comes from the built package
// (dist/) unless `--src` (bench/weft-build.ts).
import { performance } from "node:perf_hooks";
import { killAll, ServerChild } from "./side-by-side/child.ts";
import { weftWs } from "./side-by-side/clients/weft.ts";
import { planFor } from "./side-by-side/config.ts";
import { roundTrips } from "./side-by-side/measure/latency.ts";
import { BENCH_OPTIONS, IncSchema } from "./side-by-side/servers/weft-app.ts";
import { median } from "./side-by-side/stats.ts";
import { weftModule } from "./weft-build.ts";

const { checkPayload } = await weftModule<typeof import("../src/server/security/payload.ts")>("server/security/payload");
const { TokenBucket } = await weftModule<typeof import("../src/server/security/rate-limit.ts")>("server/security/rate-limit");

/** What each event carries: one key, as a real payload would (the schema checks it). */
const PAYLOAD = '{"by":1}';

/** Median ns per call of `f` over 5 runs of `n` calls (after one discarded run). */
function nsPerCall(f: () => unknown, n: number): number {
  const runs: number[] = [];
  let sink = 0;
  for (let rep = 0; rep <= 5; rep++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (f() === undefined) sink++;
    if (rep > 0) runs.push(((performance.now() - t0) * 1e6) / n);
  }
  if (sink < 0) console.log(sink); // keeps the loop's result alive
  return median(runs);
}

/** Each check alone, in process: ns per call. */
function checkCosts(n: number): { check: string; ns: number }[] {
  const bucket = new TokenBucket(BENCH_OPTIONS.rateLimit);
  // JSON.parse per call: the walk and the schema see a fresh payload, as per frame.
  return [
    { check: "JSON.parse of the payload (baseline, not a check)", ns: nsPerCall(() => JSON.parse(PAYLOAD), n) },
    { check: "token bucket (rate limit), per frame", ns: nsPerCall(() => bucket.take(), n) },
    { check: "payload walk (depth, prototype keys), per event", ns: nsPerCall(() => checkPayload(JSON.parse(PAYLOAD) as object, 32), n) },
    { check: "payload schema (IncSchema), per event", ns: nsPerCall(() => IncSchema["~standard"].validate(JSON.parse(PAYLOAD)), n) },
  ].map((x, _i, all) => (x.check.startsWith("JSON") || x.check.startsWith("token") ? x : { ...x, ns: Math.max(0, x.ns - all[0]!.ns) }));
}

interface WireRun {
  variant: "schema" | "no schema";
  p50: number;
  p99: number;
  cpu: number;
}

/** One run on a fresh server: round trips of the counter, with or without its schema. */
async function wireRun(variant: WireRun["variant"], events: number): Promise<WireRun> {
  const server = await ServerChild.start("weft", variant === "schema" ? [] : ["--plain-counter"]);
  try {
    const client = await weftWs(server.base, "counter", PAYLOAD);
    try {
      const plan = { ...planFor("full"), rtWarmup: Math.min(2_000, events), rtEvents: events, rtReps: 3 };
      const rt = await roundTrips(server, client, plan);
      const stats = await server.call<{ errors?: number }>("stats");
      if ((stats.errors ?? 0) > 0) throw new Error(`the server reported ${stats.errors} errors`);
      return { variant, p50: rt.p50.value, p99: rt.p99.value, cpu: rt.cpu.value };
    } finally {
      client.close();
    }
  } finally {
    await server.close();
  }
}

/**
 * Runs both measures and prints them; `pairs` alternating schema / no-schema
 * runs of `events` round trips (×3 reps each).
 *
 * @example
 * await wireChecks({ events: 10_000, pairs: 3, calls: 1_000_000 });
 */
export async function wireChecks(o: { events: number; pairs: number; calls: number }): Promise<void> {
  try {
    console.log(`security checks, in process (median of 5 runs of ${o.calls.toLocaleString("en-US")} calls; payload ${PAYLOAD}):`);
    for (const c of checkCosts(o.calls)) console.log(`  ${c.check}: ${c.ns.toFixed(1)} ns`);
    const runs: WireRun[] = [];
    for (let i = 0; i < o.pairs; i++) {
      // Alternating, and the order flipped every pair, so a slow phase of the machine hits both.
      const order: WireRun["variant"][] = i % 2 === 0 ? ["schema", "no schema"] : ["no schema", "schema"];
      for (const v of order) {
        const r = await wireRun(v, o.events);
        runs.push(r);
        console.log(`  ${v.padEnd(9)}: round trip p50 ${r.p50} µs, p99 ${r.p99} µs, server CPU ${r.cpu} µs/event`);
      }
    }
    console.log(`through the wire (WebSocket, real Connection, Origin checked, rate limit and payload walk on every frame; ${o.pairs} pairs of runs of 3 × ${o.events.toLocaleString("en-US")} round trips):`);
    for (const v of ["schema", "no schema"] as const) {
      const mine = runs.filter((r) => r.variant === v);
      const show = (k: "p50" | "p99" | "cpu") => `${median(mine.map((r) => r[k]))} (${mine.map((r) => r[k]).join(", ")})`;
      console.log(`  ${v.padEnd(9)}: p50 ${show("p50")} µs, p99 ${show("p99")} µs, server CPU ${show("cpu")} µs/event`);
    }
    console.log(JSON.stringify({ wire: runs }));
  } finally {
    killAll();
  }
}
