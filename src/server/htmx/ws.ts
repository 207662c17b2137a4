/**
 * The WebSocket side of the htmx endpoints: one `ws` server (noServer) for
 * every htmx socket, view or topic. Each socket is an {@link HtmxSender};
 * its text frames go to one handler, everything else is answered here.
 *
 * - Heartbeat: every `heartbeatMs` each socket is pinged; one that answered
 *   nothing since the previous ping is terminated (a dead peer is noticed
 *   within two intervals). Browsers answer pings on their own.
 * - Frames over `maxMessageBytes` get an E_TOO_LARGE error fragment; over the
 *   hard cap (16×) ws closes the socket with 1009 before reading them whole.
 * - A binary frame gets an E_BAD_FRAME error fragment (htmx sends text only).
 * - Every refused frame costs a token of the app's `rateLimit`: the view
 *   stream's Connection bucket once the view is live (`onRefusal`), else the
 *   socket's own bucket (a topic socket, a view still mounting). Past
 *   `abuseLimit` refusals in a row over the rate the socket is closed 4429.
 * - A slow reader (more than 4 MiB unsent) is closed with 1013 "try again
 *   later" (reason E_SLOW_READER), so its messages cannot pile up in server
 *   memory; both htmx generations reconnect after 1013 and get the full
 *   fragments (Weft's own client uses 4009, which htmx would not reconnect after).
 * - `close()` (app.close()) closes every socket with 1012 "service restart":
 *   the code both htmx generations reconnect after.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { ERRORS, type ErrorCode } from "../../protocol/errors.ts";
import type { Core } from "../core.ts";
import { TokenBucket } from "../security/rate-limit.ts";
// The native socket's limits: what a socket may hold unsent (4 MiB), and the frame size (× maxMessageBytes) closed 1009 unread.
import { HARD_CAP_FACTOR, MAX_BACKLOG } from "../transports/websocket.ts";
import { errorFragment } from "./fragments.ts";
import type { HtmxOut, HtmxSender } from "./out.ts";

/** The close code of a deploy: "service restart", which ext-ws and hx-ws both reconnect after. */
export const RESTART_CLOSE = 1012;
/** The close code of a slow reader: "try again later", which both htmx generations reconnect after. */
export const SLOW_READER_CLOSE = 1013;

/** What receives a socket's text frames (`bytes`: the frame's size). */
export type FrameHandler = (text: string, bytes: number) => void;
/** What answers a frame refused before any handler (binary, oversized, early, on a topic socket). */
export type RefusalHandler = (code: ErrorCode, message: string) => void;

/**
 * Every htmx WebSocket of the app.
 *
 * @example
 * const sockets = new HtmxSockets(core, "weft-error");
 * sockets.upgrade(req, socket, head, (sender) => { sender.onFrame((text, bytes) => stream.receive(text, bytes)); });
 */
export class HtmxSockets {
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly core: Core, private readonly errorId: string) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: core.options.maxMessageBytes * HARD_CAP_FACTOR, perMessageDeflate: false, clientTracking: true });
    this.timer = setInterval(() => this.beat(), core.options.heartbeatMs).unref();
  }

  /** Completes the handshake of an upgrade already checked, then hands the socket over as a sender. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, open: (sender: WsSender) => void): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const sender = new WsSender(ws, this.core, this.errorId);
      this.alive.set(ws, true);
      ws.on("pong", () => this.alive.set(ws, true));
      // One Buffer per message: ws joins a message's fragments, and binaryType stays "nodebuffer".
      ws.on("message", (data: Buffer, isBinary: boolean) => {
        this.alive.set(ws, true);
        sender.receive(data, isBinary);
      });
      // A protocol error (bad opcode, frame over the hard cap) closes the socket; nothing to log.
      ws.on("error", ignore);
      open(sender);
    });
  }

  /** Open htmx sockets. */
  get size(): number {
    return this.wss.clients.size;
  }

  /** Closes every socket with 1012 "service restart" and stops the heartbeat. */
  close(): void {
    clearInterval(this.timer);
    for (const ws of this.wss.clients) ws.close(RESTART_CLOSE, "service restart");
    this.wss.close();
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}

/** One htmx WebSocket as an {@link HtmxSender}: text frames out, text frames in to its handler. */
export class WsSender implements HtmxSender {
  readonly kind = "websocket" as const;
  private handler: FrameHandler | undefined;
  private refusals: RefusalHandler | undefined;
  /** The socket's own rate bucket, for refusals no view stream takes. */
  private readonly bucket: TokenBucket;
  /** Refusals over the rate in a row; at `abuseLimit` the socket closes 4429. */
  private overRate = 0;
  private readonly ends: (() => void)[] = [];
  private ended = false;

  constructor(private readonly ws: WebSocket, private readonly core: Core, private readonly errorId: string) {
    ws.once("close", () => this.end());
    this.bucket = new TokenBucket(core.options.rateLimit);
  }

  send(out: HtmxOut): void {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    const bytes = Buffer.from(out.data, "utf8");
    ws.send(bytes, TEXT);
    this.core.metrics.out("websocket", bytes.length);
    // close(), not terminate(): what is queued still goes out first.
    if (ws.bufferedAmount > MAX_BACKLOG) {
      this.core.metrics.error("E_SLOW_READER");
      ws.close(SLOW_READER_CLOSE, "E_SLOW_READER");
    }
  }

  close(code: number, reason: string): void {
    // A close reason is at most 123 bytes (RFC 6455 §5.5).
    this.ws.close(code, Buffer.from(reason, "utf8").subarray(0, 123).toString("utf8").replace(/\uFFFD$/, ""));
  }

  onClose(fn: () => void): void {
    if (this.ended) fn();
    else this.ends.push(fn);
  }

  /** Where the socket's text frames go from now on; frames before the first call are dropped (the caller holds them meanwhile). */
  onFrame(fn: FrameHandler): void {
    this.handler = fn;
  }

  /**
   * Where refusals go from now on (a live view stream charges its
   * Connection's bucket); without one the socket's own bucket is charged.
   */
  onRefusal(fn: RefusalHandler): void {
    this.refusals = fn;
  }

  /** One frame from the socket: size and kind checked here, text handed on. */
  receive(buf: Buffer, isBinary: boolean): void {
    if (isBinary) return this.refuse("E_BAD_FRAME", "htmx frames are text (JSON); this one is binary");
    const max = this.core.options.maxMessageBytes;
    if (buf.length > max) return this.refuse("E_TOO_LARGE", `the message is ${buf.length} bytes; the limit is ${max}`);
    this.handler?.(buf.toString("utf8"), buf.length);
  }

  /**
   * A refused frame: handed to the `onRefusal` handler, or charged to the
   * socket's bucket and answered with an error fragment (E_RATE_LIMIT when
   * the bucket is empty; past `abuseLimit` such refusals in a row, close 4429).
   */
  refuse(code: ErrorCode, message: string): void {
    if (this.refusals !== undefined) return this.refusals(code, message);
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.bucket.take()) {
      this.core.metrics.error("E_RATE_LIMIT");
      this.send({ data: errorFragment(this.errorId, "E_RATE_LIMIT", ERRORS.E_RATE_LIMIT.message) });
      if (++this.overRate >= this.core.options.abuseLimit) this.close(ERRORS.E_RATE_LIMIT.close, "rate limit");
      return;
    }
    this.overRate = 0;
    this.core.metrics.error(code);
    this.send({ data: errorFragment(this.errorId, code, message) });
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const fn of this.ends.splice(0)) fn();
  }
}

const TEXT = { binary: false } as const;

function ignore(): void {}
