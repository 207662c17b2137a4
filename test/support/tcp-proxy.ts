/**
 * A TCP proxy on loopback that a test can cut: every open connection is
 * destroyed at once, as a network drop would, while new ones go through.
 * It can also pass what clients send late (`delayMs`).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export class TcpProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;
  /**
   * Requests whose bytes match this are refused (the connection is destroyed),
   * as a proxy that blocks a path or WebSocket upgrades would.
   */
  reject: RegExp | undefined;
  /** Passes what clients send this many ms late (answers come back at once), as a slow way there would. Default 0. */
  delayMs = 0;

  /** `targetPort`: where new connections go (set it to send later connections elsewhere, as a load balancer would). */
  constructor(public targetPort: number, private readonly targetHost = "127.0.0.1") {
    this.server = createServer((client) => this.pipe(client));
  }

  /** Starts listening on a free loopback port. */
  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as { port: number }).port;
    return `http://127.0.0.1:${this.port}`;
  }

  /** Destroys every open connection (both directions). */
  cutAll(): number {
    const n = this.sockets.size;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return n;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((r) => this.server.close(r));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("error", () => {});
      s.on("close", () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk: Buffer) => {
      if (this.reject?.test(chunk.toString("latin1"))) {
        client.destroy();
        return;
      }
      if (this.delayMs > 0) setTimeout(() => upstream.destroyed || upstream.write(chunk), this.delayMs);
      else if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    client.on("end", () => upstream.end());
    upstream.pipe(client);
  }
}
