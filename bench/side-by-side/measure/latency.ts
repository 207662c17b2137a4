// Click → diff round trips, one event at a time on one client, after a
// warm-up; the server's CPU time (user + system, read in the server process)
// over each run divided by its events.
import { performance } from "node:perf_hooks";
import type { ServerChild } from "../child.ts";
import type { BenchClient } from "../clients/types.ts";
import type { Plan } from "../config.ts";
import { pct, spread, type Spread } from "../stats.ts";

export interface Latency {
  p50: Spread;
  p99: Spread;
  cpu: Spread;
  events: number;
}

const once = (c: BenchClient) => new Promise<void>((r) => c.fire(r));

export async function roundTrips(server: ServerChild, client: BenchClient, plan: Plan): Promise<Latency> {
  const warmEnd = performance.now() + plan.rtMaxMs;
  for (let i = 0; i < plan.rtWarmup && performance.now() < warmEnd; i++) await once(client);
  const p50: number[] = [];
  const p99: number[] = [];
  const cpu: number[] = [];
  let events = 0;
  for (let rep = 0; rep < plan.rtReps; rep++) {
    const times = new Float64Array(plan.rtEvents);
    const cpu0 = await server.cpu();
    const end = performance.now() + plan.rtMaxMs;
    let n = 0;
    for (; n < plan.rtEvents && performance.now() < end; n++) {
      const t0 = performance.now();
      await once(client);
      times[n] = (performance.now() - t0) * 1000;
    }
    const used = (await server.cpu()) - cpu0;
    const sample = times.subarray(0, n);
    p50.push(pct(sample, 50));
    p99.push(pct(sample, 99));
    cpu.push(used / n);
    events += n;
  }
  return { p50: spread(p50), p99: spread(p99), cpu: spread(cpu), events };
}
