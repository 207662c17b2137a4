// Upload throughput for the side-by-side report: runs bench/upload.ts (its own
// server children: the busboy floor and Weft on each transport, at the default
// chunk size and 1 MiB) and reads the run it prints as its last line.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { UploadFile } from "../upload-report.ts";

const SCRIPT = fileURLToPath(new URL("../../upload.ts", import.meta.url));

/**
 * Runs `bench/upload.ts ARGS --no-write` and resolves with its run.
 *
 * @example
 * const run = await uploads(["--mb", "50", "--runs", "5"]);
 */
export function uploads(args: readonly string[], timeoutMs = 900_000): Promise<UploadFile> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", SCRIPT, ...args, "--no-write"], { stdio: ["ignore", "pipe", "pipe"] });
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
      const line = out.trim().split("\n").reverse().find((l) => l.startsWith('{"provenance":'));
      if (code !== 0 || line === undefined) return reject(new Error(`bench/upload.ts exited ${code}: ${(err || out).slice(-1_500)}`));
      resolve(JSON.parse(line) as UploadFile);
    });
  });
}
