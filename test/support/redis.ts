/**
 * A real redis-server for tests, started on a free loopback port with no
 * persistence. It can be stopped and started again on the same port, to test
 * how Weft lives through an outage. Missing redis-server skips loudly, except
 * in CI (CI=true) where it fails the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./nginx.ts";
import { missingBinary } from "./requires.ts";

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].find((p) => existsSync(p)) ?? "/usr/bin/redis-server";

/** Why Redis tests cannot run here, or undefined when they can. */
export function redisSkipReason(): string | undefined {
  return missingBinary(REDIS_SERVER, "redis-server", "apt-get install redis-server");
}

export class RedisServer {
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), "weft-redis-"));
  port = 0;

  /** `redis://127.0.0.1:PORT` */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (on the same port as before, when restarted). */
  async start(): Promise<string> {
    if (this.port === 0) this.port = await freePort();
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, "--logfile", ""];
    const proc = spawn(REDIS_SERVER, args, { stdio: ["ignore", "ignore", "pipe"] });
    this.proc = proc;
    let stderr = "";
    proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 10_000;
    while (!(await accepts(this.port))) {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.url;
  }

  /** Stops the server (SIGKILL: a crash, not a clean shutdown). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

  /** Stops the server and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.end();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
