// Server processes of the side-by-side benchmark, seen from the load
// generator: each system's server runs in its own child (node --import tsx
// --expose-gc), answers commands over IPC, and is killed when this process
// exits for any reason.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { withTimeout } from "./stats.ts";

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});
for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => process.exit(130));

/** Pins `pid` to the last core and this process to the rest (Linux `taskset`; nothing where it is missing). */
function pin(pid: number): void {
  const last = availableParallelism() - 1;
  if (last < 1 || process.platform !== "linux") return;
  spawnSync("taskset", ["-pc", String(last), String(pid)], { stdio: "ignore" });
  spawnSync("taskset", ["-pc", `0-${last - 1}`, String(process.pid)], { stdio: "ignore" });
}

/** Kills every server still running (on a failure). */
export function killAll(): void {
  for (const c of live) c.kill("SIGKILL");
}

/** Server memory after a forced GC, bytes. */
export interface Mem {
  heapUsed: number;
  rss: number;
}

/** One server child: `bench/side-by-side/servers/<script>.ts`. */
export class ServerChild {
  private readonly waiting = new Map<number, (m: Record<string, unknown>) => void>();
  private nextId = 0;
  port = 0;
  stderr = "";

  private constructor(readonly name: string, readonly proc: ChildProcess) {
    proc.on("message", (raw) => {
      const m = raw as Record<string, unknown>;
      if (typeof m.id === "number") this.waiting.get(m.id)?.(m);
    });
    proc.stderr?.on("data", (c: Buffer) => {
      if (this.stderr.length < 20_000) this.stderr += c.toString();
    });
  }

  static async start(script: string, args: readonly string[] = []): Promise<ServerChild> {
    const file = fileURLToPath(new URL(`./servers/${script}.ts`, import.meta.url));
    const proc = fork(file, [...args], { execArgv: ["--import", "tsx", "--expose-gc", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF, "--cpu-prof-interval", "100"] : [])], stdio: ["ignore", "inherit", "pipe", "ipc"] });
    live.add(proc);
    // The server on a core of its own, the load generator on the others, so
    // neither moves between cores mid-run (BENCH_PIN=0 turns this off).
    if (process.env.BENCH_PIN !== "0" && proc.pid !== undefined) pin(proc.pid);
    const child = new ServerChild(script, proc);
    try {
      child.port = await withTimeout(new Promise<number>((resolve, reject) => {
        proc.on("message", (m) => {
          const ready = (m as { ready?: number }).ready;
          if (typeof ready === "number") resolve(ready);
          const failed = (m as { failed?: string }).failed;
          if (typeof failed === "string") reject(new Error(failed));
        });
        proc.once("exit", (code) => reject(new Error(`exited with ${code} before listening`)));
      }), 30_000, `${script} start`);
    } catch (err) {
      proc.kill("SIGKILL");
      live.delete(proc);
      throw new Error(`server ${script} ${args.join(" ")}: ${(err as Error).message}\n${child.stderr.slice(-2_000)}`);
    }
    return child;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  call<T = Record<string, unknown>>(cmd: string, extra: Record<string, unknown> = {}, ms = 30_000): Promise<T> {
    const id = ++this.nextId;
    const answered = new Promise<T>((resolve, reject) => {
      this.waiting.set(id, (m) => (typeof m.error === "string" ? reject(new Error(m.error)) : resolve(m as T)));
    });
    this.proc.send({ id, cmd, ...extra });
    return withTimeout(answered, ms, `${this.name} ${cmd}`).finally(() => this.waiting.delete(id));
  }

  /** User + system CPU time of the server so far, µs. */
  async cpu(): Promise<number> {
    return (await this.call<{ cpu: number }>("cpu")).cpu;
  }

  /** Heap used and RSS after forced GCs. */
  async mem(): Promise<Mem> {
    return this.call<Mem & { id: number }>("mem", {}, 60_000);
  }

  /** Asks the server to close, then kills it if it has not exited within 3 s. */
  async close(): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return void live.delete(p);
    const exited = new Promise((r) => p.once("exit", r));
    try {
      if (p.connected) p.send({ id: ++this.nextId, cmd: "close" });
      await withTimeout(exited, 3_000, `${this.name} exit`);
    } catch {
      p.kill("SIGKILL");
      await exited;
    }
    live.delete(p);
  }
}
