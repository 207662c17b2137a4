// How much each mode measures. Every loop of the benchmark is bounded by a
// count from here and by a time limit.

export type Mode = "full" | "quick" | "smoke";

export interface Plan {
  readonly mode: Mode;
  /** Round trips: untimed warm-up events, then `rtReps` runs of `rtEvents` sequential events (each run stops at `rtMaxMs`). */
  readonly rtWarmup: number;
  readonly rtEvents: number;
  readonly rtReps: number;
  readonly rtMaxMs: number;
  /** Throughput: `tpReps` runs of `tpMs` each, after a warm-up of `tpWarmupMs`. */
  readonly tpMs: number;
  readonly tpWarmupMs: number;
  readonly tpReps: number;
  /** Events one client keeps in flight, and clients with one in flight each. */
  readonly tpInflight: number;
  readonly tpClients: number;
  /** Idle sessions connected (in two equal batches) for the heap figure. */
  readonly idleSessions: number;
  /** Updates measured per case for bytes on the wire. */
  readonly wireSamples: number;
  /** Arguments for bench/fanout.ts (one node, in-memory pub/sub). */
  readonly fanoutArgs: readonly string[];
  /** Arguments for bench/upload.ts (the file's size in MB, measured uploads per row). */
  readonly uploadArgs: readonly string[];
}

const PLANS: Record<Mode, Plan> = {
  full: {
    mode: "full", rtWarmup: 2_000, rtEvents: 10_000, rtReps: 5, rtMaxMs: 20_000,
    tpMs: 3_000, tpWarmupMs: 500, tpReps: 5, tpInflight: 100, tpClients: 50,
    idleSessions: 10_000, wireSamples: 9,
    fanoutArgs: ["--setup", "memory", "--rounds", "7"],
    uploadArgs: ["--mb", "50", "--runs", "5"],
  },
  quick: {
    mode: "quick", rtWarmup: 500, rtEvents: 2_000, rtReps: 3, rtMaxMs: 2_000,
    tpMs: 300, tpWarmupMs: 200, tpReps: 5, tpInflight: 100, tpClients: 50,
    idleSessions: 1_000, wireSamples: 9,
    fanoutArgs: ["--setup", "memory", "--rounds", "3", "--spacing-ms", "500"],
    uploadArgs: ["--mb", "20", "--runs", "3"],
  },
  smoke: {
    mode: "smoke", rtWarmup: 10, rtEvents: 40, rtReps: 1, rtMaxMs: 2_000,
    tpMs: 150, tpWarmupMs: 50, tpReps: 1, tpInflight: 10, tpClients: 5,
    idleSessions: 20, wireSamples: 3,
    fanoutArgs: ["--setup", "memory", "--rounds", "1", "--sessions", "200", "--views-per-socket", "20", "--spacing-ms", "100"],
    uploadArgs: ["--mb", "1", "--runs", "1"],
  },
};

export function planFor(mode: Mode): Plan {
  return PLANS[mode];
}
