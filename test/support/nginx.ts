/**
 * A real nginx in front of a test app, started from a generated config on a
 * free loopback port. Missing nginx skips loudly, except in CI (CI=true) where
 * it fails the run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingBinary } from "./requires.ts";

export const NGINX = process.env.NGINX_PATH ?? ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p)) ?? "/usr/sbin/nginx";

/** Why nginx tests cannot run here, or undefined when they can. */
export function nginxSkipReason(): string | undefined {
  return missingBinary(NGINX, "nginx", "apt-get install nginx-light");
}

/** How the proxy treats Weft's traffic. */
export interface NginxMode {
  /** Forward `Upgrade`/`Connection` so WebSocket works. Default false (the corporate proxy case). */
  upgrade?: boolean;
  /**
   * Hold streamed responses back, as buffering or compressing gateways do:
   * buffering ignores `X-Accel-Buffering`, and gzip (which nginx applies to
   * proxied responses regardless of `no-transform`) holds the SSE stream in the
   * compressor. Default false.
   */
  buffer?: boolean;
  /**
   * Gzip event streams as a gateway that compresses everything does
   * (`gzip_proxied any`), still honouring `X-Accel-Buffering`: a stream marked
   * `no` is flushed through the compressor event by event; any other is held
   * there (no bytes, not even the headers, reach the client). Default false.
   */
  gzip?: boolean;
  /** Answer 403 on the SSE path. Default false. */
  blockSse?: boolean;
  /**
   * Seconds nginx waits between two reads from the app before it cuts the
   * request (`proxy_read_timeout`): a long-poll or a stream held longer is cut
   * (504, or the stream ends). Default 120.
   */
  readTimeoutS?: number;
  /**
   * Send `/weft/ws` (upgrade forwarded) to this port instead of the app: a
   * server there that accepts the connection and never answers black-holes
   * the WebSocket upgrade.
   */
  wsPort?: number;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export class Nginx {
  private proc: ChildProcess | undefined;
  private dir = "";
  port = 0;

  /** One upstream port, or several balanced round-robin (no stickiness). */
  constructor(private readonly upstream: number | readonly number[], private readonly mode: NginxMode = {}, private readonly wantPort = 0) {}

  /** Starts nginx; resolves with its base URL once it accepts connections. */
  async start(): Promise<string> {
    this.dir = mkdtempSync(join(tmpdir(), "weft-nginx-"));
    // Workers run as `nobody` when nginx starts as root: they must be able to write the temp paths.
    for (const d of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"]) mkdirSync(join(this.dir, d), { recursive: true });
    chmodSync(this.dir, 0o777);
    for (const d of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"]) chmodSync(join(this.dir, d), 0o777);
    this.port = this.wantPort || (await freePort());
    writeFileSync(join(this.dir, "nginx.conf"), this.config());
    this.proc = spawn(NGINX, ["-p", this.dir, "-c", join(this.dir, "nginx.conf"), "-e", join(this.dir, "logs", "error.log")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    this.proc.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    const base = `http://127.0.0.1:${this.port}`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await fetch(`${base}/weft/client.js`, { method: "HEAD" });
        return base;
      } catch {
        if (this.proc.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (p !== undefined && p.exitCode === null) {
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (p.exitCode === null) p.kill("SIGKILL");
    }
    if (this.dir !== "") rmSync(this.dir, { recursive: true, force: true });
  }

  private config(): string {
    const m = this.mode;
    const d = this.dir;
    return `
daemon off;
worker_processes 1;
pid ${d}/nginx.pid;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  client_max_body_size 1m;
  upstream weft { ${(typeof this.upstream === "number" ? [this.upstream] : this.upstream).map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join(" ")} keepalive 16; }
  server {
    listen 127.0.0.1:${this.port};
    proxy_http_version 1.1;
    proxy_read_timeout ${m.readTimeoutS ?? 120}s;
    proxy_connect_timeout 2s;
    ${m.gzip || m.buffer ? `gzip on; gzip_proxied any; gzip_types text/event-stream${m.buffer ? " application/json" : ""}; gzip_min_length 1;` : ""}
    ${m.buffer ? "proxy_buffering on; proxy_ignore_headers X-Accel-Buffering; proxy_buffers 8 64k; proxy_buffer_size 64k;" : ""}
    ${m.blockSse ? "location /weft/sse { return 403; }" : ""}
    ${m.wsPort === undefined ? "" : `location /weft/ws { proxy_pass http://127.0.0.1:${m.wsPort}; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; }`}
    location / {
      proxy_pass http://weft;
      proxy_set_header Host $http_host;
      ${m.upgrade ? 'proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade";' : 'proxy_set_header Connection "";'}
    }
  }
}
`;
  }
}
