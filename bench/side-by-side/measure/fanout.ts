// Broadcast fan-out: runs bench/fanout.ts (one node, in-memory pub/sub: its
// own server child and load generator) and reads the JSON line it prints last.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface Fanout {
  sessions: number;
  lastMs: { median: number; min: number; max: number };
  p50Ms: { median: number; min: number; max: number };
  rounds: { lastMs: number; p50Ms: number }[];
}

const SCRIPT = fileURLToPath(new URL("../../fanout.ts", import.meta.url));

export function fanout(args: readonly string[], timeoutMs = 300_000): Promise<Fanout> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
    proc.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    const onExit = () => proc.exitCode === null && proc.kill("SIGKILL");
    process.once("exit", onExit);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      process.off("exit", onExit);
      const line = out.trim().split("\n").reverse().find((l) => l.startsWith('{"fanout":'));
      if (code !== 0 || line === undefined) return reject(new Error(`bench/fanout.ts exited ${code}: ${(err || out).slice(-1_500)}`));
      const setup = (JSON.parse(line) as { fanout: Fanout[] }).fanout[0];
      if (setup === undefined) return reject(new Error("bench/fanout.ts printed no setup"));
      resolve(setup);
    });
  });
}
