// node:http for the request-based clients (SSE, long-poll, plain POST): one
// keep-alive agent per client (six sockets at most, as a browser per host),
// cookies kept like a browser's, and every socket counted for bytes received.
import { Agent, request, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";

export interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: string;
}

export class HttpPeer {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 6 });
  private readonly sockets = new Set<Socket>();
  private readonly cookies = new Map<string, string>();
  private closed = false;

  constructor(readonly base: string) {}

  /** Sends a request (a text or binary body); resolves with the whole answer. */
  fetch(method: "GET" | "POST", path: string, body?: string | Uint8Array, headers: Record<string, string> = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = this.open(method, path, body, headers, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  }

  /** Opens a streaming GET: `onData` gets each chunk of the body as it arrives. */
  stream(path: string, headers: Record<string, string>, onData: (chunk: string) => void, onEnd: () => void): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.open("GET", path, undefined, headers, (res) => {
        res.setEncoding("utf8");
        res.on("data", onData);
        res.on("end", onEnd);
        res.on("error", onEnd);
        resolve(res);
      });
      req.on("error", reject);
    });
  }

  bytesIn(): number {
    let n = 0;
    for (const s of this.sockets) n += s.bytesRead;
    return n;
  }

  close(): void {
    this.closed = true;
    this.agent.destroy();
    for (const s of this.sockets) s.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private open(method: string, path: string, body: string | Uint8Array | undefined, headers: Record<string, string>, onResponse: (res: IncomingMessage) => void) {
    const h: Record<string, string | number> = { ...headers };
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (body !== undefined) h["content-length"] = Buffer.byteLength(body);
    const req = request(this.base + path, { method, agent: this.agent, headers: h }, (res) => {
      this.keep(res.headers["set-cookie"]);
      onResponse(res);
    });
    req.on("socket", (s: Socket) => {
      this.sockets.add(s);
      s.setNoDelay(true);
    });
    req.end(body);
    return req;
  }

  private keep(setCookies: readonly string[] | undefined): void {
    for (const c of setCookies ?? []) {
      const pair = c.split(";")[0]!;
      const eq = pair.indexOf("=");
      if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }
}

/** Splits an event stream into events: `onEvent(data, id)` for each (comments and `retry:` skipped). */
export function sseParser(onEvent: (data: string, id: string | undefined) => void): (chunk: string) => void {
  let buf = "";
  return (chunk) => {
    buf += chunk;
    for (let end = buf.indexOf("\n\n"); end >= 0; end = buf.indexOf("\n\n")) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let data: string | undefined;
      let id: string | undefined;
      for (const line of block.split("\n")) {
        if (line.startsWith("data: ")) data = data === undefined ? line.slice(6) : `${data}\n${line.slice(6)}`;
        else if (line.startsWith("id: ")) id = line.slice(4);
      }
      if (data !== undefined) onEvent(data, id);
    }
  };
}
