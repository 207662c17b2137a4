/**
 * The WebSocket transport (the `ws` package): one socket per page, its views
 * multiplexed by view id. Only maps socket events onto a Connection.
 *
 * Heartbeat: every `heartbeatMs` the server pings each socket; a socket that
 * has sent nothing (no pong, no frame) since the previous tick is terminated,
 * so a dead peer is noticed within two intervals. Browsers answer pings on
 * their own; the client also sends `h` frames so that it notices a dead server.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { ERRORS } from "../../protocol/errors.ts";
import { JSON_PROTOCOL, MSGPACK_PROTOCOL, type Envelope } from "../../protocol/messages.ts";
import { packFrame } from "./msgpack.ts";
import { Connection, type Link } from "../connection.ts";
import type { Core } from "../core.ts";
import { MAX_CHUNK_BYTES } from "../uploads/config.ts";

/**
 * Bytes a socket may hold unsent once a tick's frames are handed to it. A peer
 * that reads slower than it is sent to (or not at all) is closed past this, so
 * its frames cannot pile up in server memory; it rejoins and is replayed.
 */
export const MAX_BACKLOG = 4 << 20;

/** Hard cap on a frame, far above `maxMessageBytes`: frames between the two get an E_TOO_LARGE message, frames above it close the socket (1009). */
export const HARD_CAP_FACTOR = 16;

export class WebSocketTransport {
  private readonly wss: WebSocketServer;
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly core: Core) {
    this.wss = new WebSocketServer({
      noServer: true,
      // At least an upload chunk of the largest chunkBytes with its head (uploads/config.ts).
      maxPayload: Math.max(core.options.maxMessageBytes * HARD_CAP_FACTOR, MAX_CHUNK_BYTES + 256),
      perMessageDeflate: false,
      clientTracking: true,
      // MessagePack when the client offers it and the app allows it; else JSON, named when the
      // client offered its name (a browser fails a handshake that offered subprotocols and got
      // none back). Never ws's default, which would pick whatever the client offers first.
      handleProtocols: (offered) => (core.options.msgpack && offered.has(MSGPACK_PROTOCOL) ? MSGPACK_PROTOCOL : offered.has(JSON_PROTOCOL) ? JSON_PROTOCOL : false),
    });
    this.timer = setInterval(() => this.beat(), core.options.heartbeatMs).unref();
  }

  /** Takes over an HTTP upgrade request. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, req));
  }

  /** Open sockets. */
  get size(): number {
    return this.wss.clients.size;
  }

  /** Closes every socket with `code` and stops the heartbeat. */
  close(code = ERRORS.E_SHUTDOWN.close, reason = "shutdown"): void {
    clearInterval(this.timer);
    for (const ws of this.wss.clients) ws.close(code, reason);
    this.wss.close();
  }

  private accept(ws: WebSocket, req: IncomingMessage): void {
    const packed = ws.protocol === MSGPACK_PROTOCOL;
    const link = packed ? new PackedLink(ws, this.core.metrics) : new WebSocketLink(ws, this.core.metrics);
    const conn = new Connection(this.core, link);
    // What authorize sees at a join on this socket: the upgrade's method,
    // target, headers and socket — not the whole parsed request, held for the
    // socket's life; and nothing at all when there is no authorize hook.
    if (this.core.options.authorize !== undefined) {
      conn.request = { method: req.method, url: req.url, headers: req.headers, httpVersion: req.httpVersion, socket: req.socket } as IncomingMessage;
    }
    this.alive.set(ws, true);
    ws.on("pong", () => this.alive.set(ws, true));
    ws.on("message", (data: RawData, isBinary: boolean) => {
      this.alive.set(ws, true);
      const buf = toBuffer(data);
      if (packed && isBinary) return conn.receivePacked(buf);
      if (isBinary) return conn.binary(buf);
      conn.receive(buf.toString("utf8"), buf.length);
    });
    ws.on("close", () => conn.close());
    // A protocol error (bad opcode, frame over the hard cap) closes the socket; log nothing.
    ws.on("error", ignore);
  }

  private beat(): void {
    for (const ws of this.wss.clients) {
      // Not read while its upload chunks wait for the disk: its pong could not be seen.
      if (ws.isPaused) {
        this.alive.set(ws, true);
        continue;
      }
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}

/**
 * A socket as a Connection sees it. Frames sent in one tick (a broadcast
 * reaching many views of this socket) leave in one write: the socket is
 * corked until the tick ends. A class, not an object of closures: an idle
 * socket holds one small object.
 */
class WebSocketLink implements Link {
  readonly kind = "websocket";
  private readonly socket: Duplex;
  private corked = false;

  constructor(private readonly ws: WebSocket, private readonly metrics: Core["metrics"]) {
    this.socket = (ws as unknown as { _socket: Duplex })._socket;
  }

  send(frame: string): void {
    // Encoded once: ws takes the bytes as they are, the metrics count them.
    this.write(Buffer.from(frame), TEXT);
  }

  protected write(bytes: Buffer, opts: typeof TEXT | typeof BINARY): void {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(uncork, this);
    }
    ws.send(bytes, opts);
    this.metrics.out("websocket", bytes.length);
  }

  close(code: number, reason: string): void {
    // A paused socket reads again, or the peer's closing frame would never be seen.
    this.ws.resume();
    this.ws.close(code, reason);
  }

  /** Upload chunks wait for the disk: the socket is not read meanwhile (TCP holds the peer back). */
  pause(on: boolean): void {
    if (on) this.ws.pause();
    else this.ws.resume();
  }

  static uncork(link: WebSocketLink): void {
    link.corked = false;
    link.socket.uncork();
    // What the kernel did not take stays in memory until the peer reads it.
    // close(), not terminate(): what is queued still goes out first, so a
    // reader that is merely slow gets every frame before the close.
    if (link.ws.bufferedAmount > MAX_BACKLOG) {
      link.metrics.error("E_SLOW_READER");
      link.ws.close(ERRORS.E_SLOW_READER.close, "E_SLOW_READER");
    }
  }
}

/**
 * A socket that chose MessagePack (transports/msgpack.ts): every frame is
 * binary, packed from its envelope; the session hands the envelope over
 * (`sendEnvelope`) and makes no JSON for it. A frame that comes as text (a
 * constant such as the heartbeat answer) is read back into its envelope.
 */
class PackedLink extends WebSocketLink {
  override send(frame: string, env?: Envelope): void {
    this.sendEnvelope(env ?? (JSON.parse(frame) as Envelope));
  }

  sendEnvelope(env: Envelope): void {
    this.write(packFrame(env), BINARY);
  }
}

const uncork = WebSocketLink.uncork;
const TEXT = { binary: false } as const;
const BINARY = { binary: true } as const;

function ignore(): void {}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}
