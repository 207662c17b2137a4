/**
 * A request forwarded between nodes, as each side sees it: the owner serves a
 * ForwardedRequest with the app's own handler and writes a ForwardedResponse,
 * whose pieces travel back to the node the browser is connected to.
 */
import { Readable } from "node:stream";
import { EventEmitter } from "node:events";

/**
 * The request another node forwarded, as the app's handler sees it: method,
 * target, the headers that matter (cookies, origin, host), the client's
 * address, and the body as a stream.
 */
export class ForwardedRequest extends Readable {
  readonly httpVersion = "1.1";
  /** The browser's address and whether its connection (to the forwarding node) is TLS. */
  readonly socket: { remoteAddress: string; encrypted: boolean };
  private aborted = false;

  constructor(readonly method: string, readonly url: string, readonly headers: Record<string, string>, address: string, body: string | Buffer, encrypted = false) {
    super({ read() {}, emitClose: false });
    this.socket = { remoteAddress: address, encrypted };
    // A Buffer: an upload chunk's bytes, as they came (base64 on the bus).
    if (body.length > 0) this.push(typeof body === "string" ? Buffer.from(body, "utf8") : body);
    this.push(null);
  }

  /** The other side went away: the handler sees the request close. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.emit("close");
  }
}

export type Emit = (m: { k: "h"; s: number; h: Record<string, string | number | string[]> } | { k: "d" | "e"; c?: string } | { k: "g" }) => void;

/**
 * The response to a forwarded request: what the handler writes goes back to
 * the node the browser is connected to, piece by piece (an SSE stream too).
 * Implements the part of ServerResponse the transports use.
 */
export class ForwardedResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableEnded = false;
  destroyed = false;
  readonly writableLength = 0;
  readonly socket = null;
  private readonly headers: Record<string, string | number | string[]> = {};

  constructor(private readonly emitMsg: Emit) {
    super();
  }

  setHeader(name: string, value: string | number | string[]): this {
    this.headers[name.toLowerCase()] = value;
    return this;
  }

  getHeader(name: string): string | number | string[] | undefined {
    return this.headers[name.toLowerCase()];
  }

  writeHead(status: number, headers?: Record<string, string | number | string[]>): this {
    if (this.headersSent) return this;
    this.statusCode = status;
    for (const [k, v] of Object.entries(headers ?? {})) this.headers[k.toLowerCase()] = v;
    // Hop-by-hop headers are the forwarding node's business.
    delete this.headers.connection;
    delete this.headers["transfer-encoding"];
    this.headersSent = true;
    this.emitMsg({ k: "h", s: status, h: this.headers });
    return this;
  }

  flushHeaders(): void {
    this.writeHead(this.statusCode);
  }

  write(chunk: string | Buffer): boolean {
    if (this.writableEnded || this.destroyed) return false;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.emitMsg({ k: "d", c: typeof chunk === "string" ? chunk : chunk.toString("utf8") });
    return true;
  }

  end(chunk?: string | Buffer): this {
    if (this.writableEnded || this.destroyed) return this;
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.writableEnded = true;
    this.emitMsg(chunk === undefined ? { k: "e" } : { k: "e", c: typeof chunk === "string" ? chunk : chunk.toString("utf8") });
    this.emit("finish");
    this.emit("close");
    return this;
  }

  destroy(): this {
    if (this.destroyed || this.writableEnded) return this;
    this.destroyed = true;
    this.emitMsg({ k: "g" });
    this.emit("close");
    return this;
  }
}

