// Heap per idle session: a fresh server, N sessions connected in two equal
// batches, the server's heapUsed (after forced GCs) read before and after
// each; the figure is the whole delta over N, the runs are the two batches.
import { ServerChild, type Mem } from "../child.ts";
import type { BenchClient } from "../clients/types.ts";
import type { SystemSpec } from "../systems.ts";
import { round } from "../stats.ts";

export interface Idle {
  heap: { value: number; runs: number[] };
  rss: { value: number; runs: number[] };
  sessions: number;
}

/** Clients connecting at once. */
const CONCURRENCY = 32;

async function connectMany(spec: SystemSpec, base: string, n: number, into: BenchClient[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      into.push(await spec.connect(base));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
}

export async function idleSessions(spec: SystemSpec, sessions: number): Promise<Idle> {
  const server = await ServerChild.start(spec.script, spec.args);
  const clients: BenchClient[] = [];
  try {
    const half = Math.floor(sessions / 2);
    const mems: Mem[] = [await server.mem()];
    for (const n of [half, sessions - half]) {
      await connectMany(spec, server.base, n, clients);
      mems.push(await server.mem());
    }
    const per = (k: "heapUsed" | "rss", i: number, n: number) => round((mems[i + 1]![k] - mems[i]![k]) / n, 0);
    const whole = (k: "heapUsed" | "rss") => round((mems[2]![k] - mems[0]![k]) / sessions, 0);
    return {
      heap: { value: whole("heapUsed"), runs: [per("heapUsed", 0, half), per("heapUsed", 1, sessions - half)] },
      rss: { value: whole("rss"), runs: [per("rss", 0, half), per("rss", 1, sessions - half)] },
      sessions,
    };
  } finally {
    for (const c of clients) c.close();
    await server.close();
  }
}
