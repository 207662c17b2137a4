/**
 * An htmx SSE response as an HtmxSender: the `text/event-stream` that htmx 2's
 * ext-sse (`sse-connect`, a browser EventSource) and htmx 4's hx-sse (a fetch
 * stream) read. Each message is one event: `event:` (when named), `id:` (when
 * numbered) and the data split into `data:` lines, then a blank line. The
 * `retry:` hint opens the stream and the first event.
 *
 * Invariants:
 * - nothing a caller passes can add a field or an event: a name or id holding
 *   a control character (CR, LF, NUL …) drops the whole message (logged once
 *   per stream), and the data's line breaks (\r\n, \r, \n) each start a new
 *   `data:` line, which a reader joins back with \n;
 * - a reader that does not take what is written (unsent bytes past
 *   MAX_BACKLOG, the bound of Weft's own SSE transport) gets its stream
 *   ended: it reconnects with Last-Event-ID instead of holding server memory;
 * - `onClose` callbacks run once, when the response ends from either side.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.ts";
import { MAX_BACKLOG } from "../transports/sse.ts";
import type { HtmxOut, HtmxSender } from "./out.ts";

/** Options of an SSE stream. */
export interface SseStreamOptions {
  /** Comment heartbeat interval, ms (sseHeartbeatMs): keeps proxies from cutting an idle stream. */
  readonly heartbeatMs: number;
  /** The `retry:` hint, ms (sseRetryMs): how long the browser waits before reconnecting. */
  readonly retryMs: number;
  /** Where a dropped message (bad event name or id) is reported (core.options.logger); unset: not reported. */
  readonly logger?: Logger | undefined;
  /** Unsent bytes past which the stream is ended as too slow (default MAX_BACKLOG, 1 MiB). */
  readonly maxBacklog?: number | undefined;
}

/** Longest Last-Event-ID read back; longer is ignored (Weft's ids are far shorter). */
const MAX_LAST_EVENT_ID = 200;

/** A control character: it would end the `event:`/`id:` line (CR, LF) or void the id (NUL). */
const CONTROL = /[\x00-\x1f\x7f]/;
/** Printable ASCII only: what a Last-Event-ID Weft gave out can hold. */
const PRINTABLE = /^[\x20-\x7e]+$/;
/** The line breaks an SSE reader splits on (WHATWG HTML, "Parsing an event stream"). */
const LINE_BREAK = /\r\n|\r|\n/;

/**
 * An SSE response carrying htmx messages. Construction answers 200 with the
 * stream's headers (`X-Accel-Buffering: no` so nginx passes each event on at
 * once) and the `retry:` hint; the heartbeat runs until the stream ends.
 *
 * @example
 * // GET /weft/htmx/topic/jobs%3A42 (Accept: text/event-stream)
 * const sender = new SseSender(req, res, { heartbeatMs: 15_000, retryMs: 1000, logger });
 * sender.onClose(() => unsubscribe());
 * sender.send({ event: "progress", id: "17", data: '<div id="job-bar">40%</div>' });
 * // → "event: progress\nid: 17\ndata: <div id=\"job-bar\">40%</div>\n\n"
 */
export class SseSender implements HtmxSender {
  readonly kind = "sse" as const;
  private ends: (() => void)[] = [];
  private ended = false;
  private warned = false;
  /** The `retry:` line still to go out inside the first event (see the constructor). */
  private retry: string;
  private readonly heart: NodeJS.Timeout;
  private readonly maxBacklog: number;

  constructor(private readonly req: IncomingMessage, private readonly res: ServerResponse, private readonly o: SseStreamOptions) {
    this.maxBacklog = o.maxBacklog ?? MAX_BACKLOG;
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      // no-store: a stream is never a cached answer; no-transform: proxies must not compress it.
      "Cache-Control": "no-store, no-transform",
      // nginx passes each event on at once instead of filling its proxy buffer first.
      "X-Accel-Buffering": "no",
      Connection: "keep-alive",
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    this.heart = setInterval(() => this.write(":\n\n"), o.heartbeatMs).unref();
    // 'close' on the response: it finished (close()) or its connection went away (the reader left).
    res.once("close", () => this.finish());
    // The hint goes twice: alone at once (EventSource, htmx 2, takes it from any block), and in the first
    // event, because htmx 4's hx-sse reads `retry:` only from a block that carries data, an id or an event.
    this.retry = `retry: ${Math.max(0, Math.floor(o.retryMs))}\n`;
    this.write(`${this.retry}\n`);
  }

  /** Sends one message as one event; dropped once the stream ended, or when its name or id is not a single printable line. */
  send(out: HtmxOut): void {
    if (this.ended) return;
    const bad = out.event !== undefined && (out.event === "" || CONTROL.test(out.event)) ? "event" : out.id !== undefined && CONTROL.test(out.id) ? "id" : undefined;
    if (bad !== undefined) return this.drop(bad, out);
    let text = this.retry;
    this.retry = "";
    if (out.event !== undefined) text += `event: ${out.event}\n`;
    if (out.id !== undefined) text += `id: ${out.id}\n`;
    for (const line of out.data.split(LINE_BREAK)) text += `data: ${line}\n`;
    this.write(`${text}\n`);
  }

  /** Ends the response (an SSE stream has no close code: `code` and `reason` are for WebSocket senders). */
  close(code: number, reason: string): void {
    void code;
    void reason;
    if (!this.res.writableEnded) this.res.end();
    this.finish();
  }

  /** Calls `fn` once when the stream ends, from either side; at once when it has ended already. */
  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.ends.push(fn);
  }

  /**
   * The request's Last-Event-ID header when it is one Weft could have given
   * out: 1 to 200 printable ASCII characters. Anything else is undefined (a
   * fresh start), never an error.
   *
   * @example
   * SseSender.lastEventId(req) // "k3Jd9.12" for `Last-Event-ID: k3Jd9.12`
   */
  static lastEventId(req: IncomingMessage): string | undefined {
    const v = req.headers["last-event-id"];
    return typeof v === "string" && v.length <= MAX_LAST_EVENT_ID && PRINTABLE.test(v) ? v : undefined;
  }

  private write(text: string): void {
    if (this.ended || this.res.writableEnded) return;
    this.res.write(text);
    // Too slow a reader: end the stream rather than buffer without bound; it comes back with Last-Event-ID.
    if (this.res.writableLength > this.maxBacklog) this.close(0, "slow reader");
  }

  private drop(field: "event" | "id", out: HtmxOut): void {
    if (this.warned) return;
    this.warned = true;
    const value = JSON.stringify((field === "event" ? out.event : out.id)?.slice(0, 80));
    this.o.logger?.warn({ field, value, url: this.req.url }, `htmx SSE: a message with an ${field} that is not one printable line was dropped (${field} ${value}); later ones on this stream are dropped without a log line`);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.heart);
    const ends = this.ends;
    this.ends = [];
    for (const fn of ends) fn();
  }
}
