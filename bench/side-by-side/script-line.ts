// A bench script run in a child process whose result is the last line of its
// output that starts with a given JSON prefix (bench/upload.ts, bench/fanout.ts).
import { spawn } from "node:child_process";

/**
 * Runs `node --import tsx SCRIPT ...args` and resolves with the last stdout
 * line that starts with `prefix`; rejects (with the end of its output) when
 * it exits non-zero, prints no such line, or outlives `timeoutMs` (killed).
 *
 * @example
 * const line = await scriptLine("bench/fanout.ts", ["--sessions", "1000"], '{"fanout":', 300_000);
 */
export function scriptLine(script: string, args: readonly string[], prefix: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
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
      const line = out.trim().split("\n").reverse().find((l) => l.startsWith(prefix));
      if (code !== 0 || line === undefined) return reject(new Error(`${script.split("/").slice(-2).join("/")} exited ${code}: ${(err || out).slice(-1_500)}`));
      resolve(line);
    });
  });
}
