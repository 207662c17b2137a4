// Throughput: clients keep a fixed number of events in flight for a fixed
// time; events answered within that time, per second.
import { performance } from "node:perf_hooks";
import type { BenchClient } from "../clients/types.ts";
import type { Plan } from "../config.ts";
import { spread, type Spread } from "../stats.ts";

/** Runs `ms` with `inflight` events outstanding on each client; resolves with events/s. */
function drive(clients: readonly BenchClient[], inflight: number, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const stopAt = t0 + ms;
    let answered = 0;
    let outstanding = 0;
    // Answers lost: give up 10 s after the end rather than hang.
    const guard = setTimeout(() => reject(new Error(`throughput: ${outstanding} events never answered`)), ms + 10_000);
    const loop = (c: BenchClient) => {
      outstanding++;
      c.fire(() => {
        outstanding--;
        if (performance.now() <= stopAt) {
          answered++;
          loop(c);
        } else if (outstanding === 0) {
          clearTimeout(guard);
          resolve(answered / (ms / 1000));
        }
      });
    };
    for (const c of clients) for (let k = 0; k < inflight; k++) loop(c);
  });
}

/** Median events/s over `plan.tpReps` runs, after a warm-up run. */
export async function throughput(clients: readonly BenchClient[], inflight: number, plan: Plan): Promise<Spread> {
  await drive(clients, inflight, plan.tpWarmupMs);
  const runs: number[] = [];
  for (let i = 0; i < plan.tpReps; i++) runs.push(await drive(clients, inflight, plan.tpMs));
  return spread(runs, 0);
}
