// Upload throughput for the side-by-side report: runs bench/upload.ts (its own
// server children: the busboy floor and Weft on each transport, at the default
// chunk size and 1 MiB) and reads the run it prints as its last line.
import { fileURLToPath } from "node:url";
import type { UploadFile } from "../upload-report.ts";
import { scriptLine } from "../script-line.ts";

const SCRIPT = fileURLToPath(new URL("../../upload.ts", import.meta.url));

/**
 * Runs `bench/upload.ts ARGS --no-write` and resolves with its run.
 *
 * @example
 * const run = await uploads(["--mb", "50", "--runs", "5"]);
 */
export async function uploads(args: readonly string[], timeoutMs = 900_000): Promise<UploadFile> {
  return JSON.parse(await scriptLine(SCRIPT, [...args, "--no-write"], '{"provenance":', timeoutMs)) as UploadFile;
}
