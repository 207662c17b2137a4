// The machine a benchmark runs on, as one line.
import { cpus, totalmem } from "node:os";

/** Cores, CPU model, memory, Node version and platform. */
export function machine(): string {
  const c = cpus();
  return `${c.length} cores (${c[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}
