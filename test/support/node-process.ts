/**
 * A Weft node as a real process: the demo server (`examples/demo/server.ts`)
 * on a given port, with Redis. It can be killed (SIGKILL: a crash) or stopped
 * (SIGTERM: a graceful shutdown), and started again on the same port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const SERVER = fileURLToPath(new URL("../../examples/demo/server.ts", import.meta.url));

export class NodeProcess {
  private proc: ChildProcess | undefined;
  output = "";

  /** @param script the server to run (default: the demo server); it prints "running at" once it listens. */
  constructor(readonly port: number, private readonly env: Record<string, string>, private readonly script = SERVER) {}

  /** The process id while it runs. */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the node; resolves once it listens. */
  async start(): Promise<void> {
    const proc = spawn(process.execPath, ["--import", "tsx", this.script], {
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc = proc;
    proc.stdout?.on("data", (c: Buffer) => (this.output += c.toString()));
    proc.stderr?.on("data", (c: Buffer) => (this.output += c.toString()));
    // Only this start's output counts: a restart must not see the last run's line.
    const from = this.output.length;
    const deadline = Date.now() + 20_000;
    while (!this.output.includes("running at", from)) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`node on ${this.port} did not start: ${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: the node dies at once, saving nothing. */
  kill(): Promise<void> {
    return this.signal("SIGKILL");
  }

  /** SIGTERM: the node shuts down gracefully (app.close()). */
  stop(): Promise<void> {
    return this.signal("SIGTERM");
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill(sig);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (p.exitCode === null) {
      p.kill("SIGKILL");
      await exited;
    }
  }
}
