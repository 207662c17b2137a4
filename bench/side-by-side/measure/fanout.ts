// Broadcast fan-out: runs bench/fanout.ts (one node, in-memory pub/sub: its
// own server child and load generator) and reads the JSON line it prints last.
import { fileURLToPath } from "node:url";
import { scriptLine } from "../script-line.ts";

export interface Fanout {
  sessions: number;
  lastMs: { median: number; min: number; max: number };
  p50Ms: { median: number; min: number; max: number };
  rounds: { lastMs: number; p50Ms: number }[];
}

const SCRIPT = fileURLToPath(new URL("../../fanout.ts", import.meta.url));

export async function fanout(args: readonly string[], timeoutMs = 300_000): Promise<Fanout> {
  const setup = (JSON.parse(await scriptLine(SCRIPT, args, '{"fanout":', timeoutMs)) as { fanout: Fanout[] }).fanout[0];
  if (setup === undefined) throw new Error("bench/fanout.ts printed no setup");
  return setup;
}
