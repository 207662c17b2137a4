/**
 * The HTTP transport: `POST /weft/http?l=LINK&n=SEEN` carries client frames and
 * answers with the frames they caused; `GET /weft/http?l=LINK&n=SEEN` is a
 * long-poll for what the server sends on its own. Every answer is one complete
 * JSON response, so it works through proxies that buffer whole responses. The
 * link's first poll (`n=0`) carries a view token and opens it.
 * See docs/transports.md.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { S } from "../../protocol/messages.ts";
import type { Core } from "../core.ts";
import { sendError } from "../http/respond.ts";
import { LINK_ID, type BufferedLink } from "./buffered-link.ts";
import type { LinkTable } from "./link-table.ts";
import { postFrames } from "./post-frames.ts";
import { isChunkPost, postChunk } from "./post-chunk.ts";

const HELLO = JSON.stringify({ t: S.heartbeat });

/** A poll waiting for frames. */
interface Poll {
  res: ServerResponse;
  since: number;
  timer: NodeJS.Timeout;
}

export class LongPollTransport {
  private readonly polls = new Map<BufferedLink, Poll>();
  /** Links with a POST waiting for its answers: their polls stay asleep meanwhile. */
  private readonly posting = new Map<BufferedLink, number>();
  /** Set by `close()`: POSTs and new polls are answered 503 E_SHUTDOWN. */
  private closing = false;

  constructor(private readonly core: Core, private readonly links: LinkTable) {}

  /** Polls waiting. */
  get size(): number {
    return this.polls.size;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const id = url.searchParams.get("l") ?? "";
    if (!LINK_ID.test(id)) return sendError(res, "E_BAD_LINK");
    const seen = parseSeen(url.searchParams.get("n"));
    if (seen === undefined) return sendError(res, "E_BAD_FRAME", "`n` must be the last link seq seen (an integer ≥ 0)");
    if (this.closing) return this.drain(req, res, id, seen);
    if (req.method === "GET") {
      const fresh = this.links.find(id, "http", req) === "E_UNKNOWN_LINK";
      const link = this.links.open(id, "http", req, res, seen > 0);
      if (typeof link === "string") return sendError(res, link);
      return fresh ? answer(res, link.seq, [HELLO]) : this.poll(link, res, seen);
    }
    if (req.method !== "POST") return sendError(res, "E_METHOD");
    const link = this.links.find(id, "http", req);
    if (typeof link === "string") return sendError(res, link);
    link.conn.request = req;
    if (isChunkPost(req, url)) return postChunk(req, res, link, url);
    link.ack(seen);
    this.posting.set(link, (this.posting.get(link) ?? 0) + 1);
    let ok = false;
    try {
      ok = await postFrames(req, res, link, this.core.options.maxMessageBytes, true, this.core.options.httpAnswerWaitMs);
    } finally {
      const n = (this.posting.get(link) ?? 1) - 1;
      if (n > 0) this.posting.set(link, n);
      else this.posting.delete(link);
    }
    if (!ok) return;
    this.respond(link, res, seen, true);
    // The waiting poll is answered only if something came after what this
    // answer carried: an empty answer would just cost the client a new poll.
    const p = this.polls.get(link);
    if (p !== undefined && link.pending(p.since)) this.wake(link);
  }

  /**
   * Shutdown: answers every waiting poll now (with the link's `E_SHUTDOWN`
   * frame, sent by LinkTable.shutdown before this), and every later request
   * as `drain` says.
   */
  close(): void {
    this.closing = true;
    for (const [link, p] of this.polls) this.finish(link, p);
  }

  /**
   * A request while the server shuts down: a poll of a live link that has
   * not yet seen the `E_SHUTDOWN` frame gets it (and what came before it);
   * anything else is answered 503 E_SHUTDOWN.
   */
  private drain(req: IncomingMessage, res: ServerResponse, id: string, seen: number): void {
    const link = req.method === "GET" ? this.links.find(id, "http", req) : undefined;
    if (link === undefined || typeof link === "string" || !link.pending(seen)) return sendError(res, "E_SHUTDOWN");
    link.ack(seen);
    this.respond(link, res, seen, false);
  }

  private poll(link: BufferedLink, res: ServerResponse, seen: number): void {
    link.ack(seen);
    link.lastActive = Date.now();
    const older = this.polls.get(link);
    if (older !== undefined) this.finish(link, older);
    if (link.pending(seen)) return this.respond(link, res, seen, false);
    const p: Poll = { res, since: seen, timer: setTimeout(() => this.finish(link, p), this.core.options.longPollMs) };
    this.polls.set(link, p);
    link.onFrame = () => this.wake(link);
    res.once("close", () => {
      if (this.polls.get(link) !== p) return;
      clearTimeout(p.timer);
      this.polls.delete(link);
      link.onFrame = undefined;
      link.lastActive = Date.now();
    });
  }

  /** A frame arrived: answer the waiting poll (after this tick, so a burst goes in one answer). */
  private wake(link: BufferedLink): void {
    if (this.posting.has(link)) return;
    const p = this.polls.get(link);
    if (p === undefined) return;
    link.onFrame = undefined;
    setImmediate(() => this.polls.get(link) === p && this.finish(link, p));
  }

  private finish(link: BufferedLink, p: Poll): void {
    clearTimeout(p.timer);
    this.polls.delete(link);
    link.onFrame = undefined;
    link.lastActive = Date.now();
    this.respond(link, p.res, p.since, false);
  }

  /**
   * Answers with the frames after `since` that no POST answer carried; a POST
   * answer (`post`) then counts as delivered. Resyncs on a gap.
   */
  private respond(link: BufferedLink, res: ServerResponse, since: number, post: boolean): void {
    let out = link.take(since, link.delivered);
    if (out === "gap") {
      link.resync();
      out = link.take(link.delivered);
      if (out === "gap") out = { frames: [], last: link.seq };
    }
    if (post) link.delivered = out.last;
    answer(res, out.last, out.frames);
  }
}

/** `{"n":LAST,"f":[frames]}`, built by concatenation: the frames are JSON already. */
function answer(res: ServerResponse, last: number, frames: string[]): void {
  if (res.writableEnded || res.destroyed) return;
  const body = `{"n":${last},"f":[${frames.join(",")}]}`;
  res.writeHead(200, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
}

function parseSeen(v: string | null): number | undefined {
  if (v === null || v === "") return 0;
  return /^\d{1,15}$/.test(v) ? Number(v) : undefined;
}
