/**
 * The SSE transport: `GET /weft/sse?l=LINK` streams frames as events (`id:` =
 * link seq, so EventSource's Last-Event-ID resumes), `POST /weft/sse?l=LINK`
 * carries client frames. A browser opens the link with a POST that carries a
 * view token (EventSource cannot send headers), then streams it; see
 * docs/transports.md.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HEADERS, S } from "../../protocol/messages.ts";
import type { Core } from "../core.ts";
import { sendError } from "../http/respond.ts";
import { LINK_ID, type BufferedLink, type LinkStream } from "./buffered-link.ts";
import type { LinkTable } from "./link-table.ts";
import { postFrames } from "./post-frames.ts";
import { isChunkPost, postChunk } from "./post-chunk.ts";

const HELLO = `data: ${JSON.stringify({ t: S.heartbeat })}\n\n`;
/** A stream whose unsent bytes pass this is too slow: end it; the client resumes by Last-Event-ID. */
/** Bytes written to an SSE stream and not yet taken by its reader before the stream is ended (also the bound of a forwarded stream). */
export const MAX_BACKLOG = 1 << 20;

export class SseTransport {
  private streams = 0;
  /** Streams attached to their link: one timer sends all their heartbeats. */
  private readonly beating = new Set<SseStream>();
  private readonly heart: NodeJS.Timeout;
  /** Set by `close()`: every request is answered 503 E_SHUTDOWN. */
  private closing = false;

  constructor(private readonly core: Core, private readonly links: LinkTable) {
    this.heart = setInterval(() => {
      for (const s of this.beating) s.beat();
    }, core.options.sseHeartbeatMs).unref();
  }

  /**
   * Shutdown: stops the heartbeats and refuses every later request with
   * `E_SHUTDOWN` (503). The links send their `E_SHUTDOWN` frame and end
   * their streams (LinkTable.shutdown).
   */
  close(): void {
    this.closing = true;
    clearInterval(this.heart);
  }

  /** Open streams. */
  get size(): number {
    return this.streams;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const id = url.searchParams.get("l") ?? "";
    if (!LINK_ID.test(id)) return sendError(res, "E_BAD_LINK");
    if (this.closing) return sendError(res, "E_SHUTDOWN");
    if (req.method === "GET") return this.stream(req, res, id, lastEventId(req, url));
    if (req.method !== "POST") return sendError(res, "E_METHOD");
    // Only the opening POST carries a token: a later POST to a link that is gone learns so (404).
    const link = req.headers[HEADERS.token] === undefined ? this.links.find(id, "sse", req) : this.links.open(id, "sse", req, res, false);
    if (typeof link === "string") return sendError(res, link);
    link.conn.request = req;
    if (isChunkPost(req, url)) return postChunk(req, res, link, url);
    if (!(await postFrames(req, res, link, this.core.options.maxMessageBytes, false, 0))) return;
    res.writeHead(204, { "Cache-Control": "no-store" }).end();
  }

  private stream(req: IncomingMessage, res: ServerResponse, id: string, last: string | undefined): void {
    const link = this.links.open(id, "sse", req, res, last !== undefined);
    if (typeof link === "string") return sendError(res, link);
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-transform: proxies must not compress or rewrite the stream.
      "Cache-Control": "no-cache, no-transform",
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    });
    res.socket?.setNoDelay(true);
    res.write(`retry: ${this.core.options.sseRetryMs}\n${HELLO}`);
    this.attach(link, req, res);
    this.replay(link, last);
  }

  /** Makes `res` the link's stream, ending the one before it. */
  private attach(link: BufferedLink, req: IncomingMessage, res: ServerResponse): void {
    link.stream?.close(0, "replaced");
    this.streams++;
    const stream = new SseStream(link, res, this.beating);
    link.stream = stream;
    this.beating.add(stream);
    req.once("close", () => {
      this.streams--;
      stream.detach();
    });
  }

  /** Sends what came after the client's Last-Event-ID (or what was buffered while no stream was open), or full renders when that is not possible. */
  private replay(link: BufferedLink, last: string | undefined): void {
    const since = last === undefined ? link.delivered : /^\d{1,15}$/.test(last) ? Number(last) : -1;
    const missed = link.take(since);
    if (missed === "gap") return link.resync();
    const first = missed.last - missed.frames.length + 1;
    missed.frames.forEach((f, i) => link.stream?.write(first + i, f));
  }
}

/**
 * One open event stream. A class, not closures: an idle SSE session holds one
 * small object for its stream.
 */
class SseStream implements LinkStream {
  constructor(private readonly link: BufferedLink, private readonly res: ServerResponse, private readonly beating: Set<SseStream>) {}

  write(seq: number, frame: string): void {
    this.res.write(`id: ${seq}\ndata: ${frame}\n\n`);
    // Too slow a reader: end the stream; later frames wait in the link's ring.
    if (this.res.writableLength > MAX_BACKLOG) this.close();
  }

  beat(): void {
    if (!this.res.writableEnded) this.res.write(": hb\n\n");
  }

  close(): void {
    this.detach();
    this.res.end();
  }

  /** The stream ended (closed by either side): frames buffer until the next one. */
  detach(): void {
    this.beating.delete(this);
    if (this.link.stream === this) this.link.stream = undefined;
    this.link.lastActive = Date.now();
  }
}

function lastEventId(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers["last-event-id"];
  const v = typeof h === "string" ? h : url.searchParams.get("last");
  return v === null || v === undefined ? undefined : v.trim();
}
