/**
 * A raw `text/event-stream` reader over node:http: every byte as sent (`raw`),
 * parsed into events the way a browser's EventSource does (WHATWG HTML,
 * "Parsing an event stream": lines split on CRLF, CR or LF; `data:` lines
 * joined with \n; a blank line dispatches; `:` lines are comments).
 */
import { request, type IncomingMessage } from "node:http";
import { createGunzip } from "node:zlib";

/** One parsed block: an event, or a block holding only a comment / retry. */
export interface SseBlock {
  event?: string;
  id?: string;
  /** The data lines joined with \n; undefined when the block had none. */
  data?: string;
  retry?: string;
  /** Comment lines (text after the colon). */
  comments: string[];
  /** Field names seen, in order (to check nothing extra was injected). */
  fields: string[];
}

export class SseReader {
  readonly blocks: SseBlock[] = [];
  raw = "";
  res!: IncomingMessage;
  ended = false;
  private buf = "";
  private cur: SseBlock = { comments: [], fields: [] };

  /** Opens `url` with `Accept: text/event-stream` (plus `headers`); resolves once the response headers arrived (rejects when they do not within `ms`). */
  static open(url: string, headers: Record<string, string> = {}, ms = 5000): Promise<SseReader> {
    const s = new SseReader();
    return new Promise((resolve, reject) => {
      // A connection of its own, as a browser's EventSource has: never a pooled keep-alive socket.
      const req = request(url, { agent: false, headers: { accept: "text/event-stream", ...headers } }, (res) => {
        clearTimeout(timer);
        s.res = res;
        // A gzipped stream (a compressing proxy) is read as a browser does: inflated as it comes.
        const body = res.headers["content-encoding"] === "gzip" ? res.pipe(createGunzip()) : res;
        body.setEncoding("utf8");
        body.on("data", (chunk: string) => s.feed(chunk));
        body.on("error", () => (s.ended = true));
        res.on("end", () => (s.ended = true));
        res.on("close", () => (s.ended = true));
        res.on("error", () => (s.ended = true));
        resolve(s);
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new Error(`no response headers from ${url} within ${ms} ms`));
      }, ms);
      req.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end();
    });
  }

  /** Events with data (what EventSource dispatches). */
  events(): SseBlock[] {
    return this.blocks.filter((b) => b.data !== undefined);
  }

  /** Heartbeat comment blocks seen so far. */
  comments(): number {
    return this.blocks.filter((b) => b.comments.length > 0 && b.data === undefined).length;
  }

  /** The last id the stream gave (what EventSource sends back as Last-Event-ID). */
  lastId(): string | undefined {
    return this.blocks.filter((b) => b.id !== undefined).at(-1)?.id;
  }

  feed(chunk: string): void {
    this.raw += chunk;
    this.buf += chunk;
    const lines = this.buf.split(/\r\n|\r|\n/);
    // The unfinished last line waits for the next chunk (Weft writes \n only, so a CRLF is never split).
    this.buf = lines.pop() ?? "";
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === "") {
      if (this.cur.fields.length > 0 || this.cur.comments.length > 0) this.blocks.push(this.cur);
      this.cur = { comments: [], fields: [] };
      return;
    }
    const colon = line.indexOf(":");
    if (colon === 0) {
      this.cur.comments.push(line.slice(1));
      return;
    }
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.cur.fields.push(field);
    if (field === "data") this.cur.data = this.cur.data === undefined ? value : `${this.cur.data}\n${value}`;
    else if (field === "event") this.cur.event = value;
    else if (field === "id") this.cur.id = value;
    else if (field === "retry") this.cur.retry = value;
  }

  close(): void {
    this.res.destroy();
  }
}
