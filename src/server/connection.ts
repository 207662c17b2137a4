/**
 * One client link, whatever the transport: parses and checks frames, routes
 * them to the view sessions joined on it, answers protocol errors. A transport
 * creates a Connection per link, feeds it frames and tells it when the link
 * closes; everything else happens here.
 */
import { ERRORS, type ErrorCode } from "../protocol/errors.ts";
import { C, S, type Envelope } from "../protocol/messages.ts";
import type { IncomingMessage } from "node:http";
import type { Core } from "./core.ts";
import { checkPayload } from "./security/payload.ts";
import { TokenBucket } from "./security/rate-limit.ts";
import { sendTo, type Sink, type ViewSession } from "./session.ts";
import { SmallMap } from "./small-map.ts";
import type { Payload } from "./view.ts";
import type { TransportName } from "./options.ts";
import { FrameTrace } from "./frame-trace.ts";
import { peekIds } from "./frame-ids.ts";
import { navigateJoin } from "./nav-join.ts";
import { cacheClaim } from "./event-cache.ts";
import { readCancel, readDeclaration, type ChunkAck, type ChunkBody } from "./uploads/index.ts";
import { decodeChunkFrame } from "../protocol/messages.ts";
import { unpackFrame } from "./transports/msgpack.ts";
import { ENTRY_REF } from "./uploads/frames.ts";
import { MAX_CHUNK_BYTES } from "./uploads/config.ts";

/** The transport side of a link. */
export interface Link extends Sink {
  /** The transport it runs on. */
  readonly kind: TransportName;
  /** Closes the link (code is a WebSocket close code where it applies). */
  close(code: number, reason: string): void;
  /** Stops (`true`) or resumes reading the link's frames: backpressure while upload chunks wait for the disk (WebSocket). */
  pause?(on: boolean): void;
}

const MAX_ID = 2 ** 31 - 1;
/**
 * Bytes of refused upload chunks a link may send (less the chunk bytes
 * accepted since) before it is closed: a client that declares 1 KB and sends
 * 100 MB is cut off here, whatever else it sends between the chunks.
 */
export const MAX_REFUSED_BYTES = 8 * MAX_CHUNK_BYTES;
/** A refused chunk counts at least this many bytes (empty chunks are not free). */
const MIN_REFUSED = 16_384;
/** Bytes of WebSocket chunks a link may hold in memory until written; past it the socket is paused. */
export const MAX_HELD_BYTES = 8 * MAX_CHUNK_BYTES;
const MAX_EVENT_NAME = 256;

export class Connection {
  /** Joined views by the client's view id; a promise while the join mounts. */
  private readonly views = new SmallMap<number, ViewSession | Promise<ViewSession | undefined>>();
  private closed = false;
  private readonly bucket: TokenBucket;
  /** Frames refused for rate in a row; past `abuseLimit` the link is closed. */
  private refused = 0;
  /** Refused upload chunk bytes, less accepted ones ({@link MAX_REFUSED_BYTES}); other frames leave it. */
  private refusedBytes = 0;
  /** Bytes of chunks received whole and not yet written ({@link MAX_HELD_BYTES}). */
  private held = 0;
  private paused = false;
  /**
   * The HTTP request behind the frames being handled — the WebSocket upgrade,
   * or the POST that carried them — so that `authorize` sees real cookies.
   */
  request: IncomingMessage | undefined;

  /** Logs every frame in and out, with `debug` on; undefined (and the link unwrapped) otherwise. */
  private readonly trace: FrameTrace | undefined;
  private readonly link: Link;

  constructor(private readonly core: Core, link: Link) {
    this.bucket = new TokenBucket(core.options.rateLimit);
    this.trace = core.options.debug ? new FrameTrace(core.options.logger, core.signer, link.kind) : undefined;
    this.link = this.trace?.wrap(link) ?? link;
  }

  /** Handles one frame from the client. Never throws. */
  receive(frame: string, bytes: number): void {
    if (this.closed) return;
    // Refused unparsed: the ids read from the frame's head let the browser settle that event.
    if (bytes > this.core.options.maxMessageBytes) return this.refuse(frame, "E_TOO_LARGE", `the message is ${bytes} bytes; the limit is ${this.core.options.maxMessageBytes}`);
    let msg: unknown;
    try {
      msg = JSON.parse(frame);
    } catch {
      return this.refuse(frame, "E_BAD_FRAME", "the frame is not JSON");
    }
    this.handle(msg);
  }

  /** Handles one binary frame of a MessagePack socket (transports/msgpack.ts): the same limits and codes as {@link receive}. Never throws. */
  receivePacked(buf: Uint8Array): void {
    if (this.closed) return;
    const out = unpackFrame(buf, this.core.options.maxMessageBytes, this.core.options.maxJsonDepth);
    if ("msg" in out) return out.msg.t === C.chunk ? this.packedChunk(out.msg) : this.handle(out.msg);
    this.reject(out.code, out.ids.v, out.message, out.ids.r);
  }

  /** A MessagePack upload chunk, `{ t: "k", v, d: [ref, offset, bytes] }`: to {@link chunk}, as a binary frame's; malformed, E_BAD_FRAME. */
  private packedChunk(msg: Envelope): void {
    const { v, d } = msg;
    const [ref, offset, bytes] = Array.isArray(d) && d.length === 3 ? (d as unknown[]) : [];
    if (!isId(v) || typeof ref !== "string" || !ENTRY_REF.test(ref) || !Number.isSafeInteger(offset) || (offset as number) < 0 || !(bytes instanceof Uint8Array)) {
      return this.reject("E_BAD_FRAME", isId(v) ? v : undefined, "a chunk is { t: \"k\", v, d: [entry ref, offset, bytes] }");
    }
    void this.chunk(v, ref, offset as number, bytes, bytes.length);
  }

  /** Handles one already-parsed frame (an element of a POSTed batch). Never throws. */
  handle(msg: unknown): void {
    if (this.closed) return;
    if (this.trace !== undefined) this.trace.in(msg);
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return this.reject("E_BAD_FRAME");
    try {
      this.dispatch(msg as Envelope);
    } catch (err) {
      this.core.options.onError(err, "frame dispatch");
      const { v, r } = msg as Envelope;
      this.reject("E_INTERNAL", isId(v) ? v : undefined, undefined, isId(r) ? r : undefined);
    }
  }

  /** The link closed: sessions wait for their client to come back. */
  close(): void {
    this.closed = true;
    for (const entry of this.views.values()) {
      if (entry instanceof Promise) void entry.then((s) => s && this.release(s));
      else this.release(entry);
    }
    this.views.clear();
  }

  /** Sends every joined view a full render (the link lost frames it cannot replay). */
  resync(): void {
    for (const [v, entry] of this.views) {
      if (!(entry instanceof Promise) && entry.isAttachedTo(this.link)) this.core.resync(entry, this.link, v);
    }
  }

  /** Number of views joined on this link. */
  get size(): number {
    return this.views.size;
  }

  private dispatch(msg: Envelope): void {
    const t = msg.t;
    if (!this.bucket.take()) return this.limit(msg);
    this.refused = 0;
    if (t === C.heartbeat) return this.link.send(HEARTBEAT);
    const v = msg.v;
    if (!isId(v)) return this.reject("E_BAD_FRAME", undefined, "`v` must be a positive integer view id");
    switch (t) {
      case C.event: return this.event(v, msg);
      case C.join: return this.join(v, msg.d);
      case C.navigate: return this.join(v, msg.d, true);
      case C.patch: return isId(msg.r) ? this.withView(v, (s) => s.patch(msg.r!, (msg.d as { u?: unknown } | undefined)?.u), msg.r) : this.reject("E_BAD_FRAME", v, "`r` must be a positive integer ref");
      case C.ack: return this.withView(v, (s) => isSeq(msg.q) && s.ack(msg.q));
      case C.leave: return this.leave(v);
      case C.upload: case C.uploadCancel: return this.upload(v, msg);
      default: return this.reject("E_BAD_FRAME", v, "unknown message kind");
    }
  }

  private event(v: number, msg: Envelope): void {
    const { r, e } = msg;
    const d = msg.d ?? {};
    if (!isId(r)) return this.reject("E_BAD_FRAME", v, "`r` must be a positive integer ref");
    if (typeof e !== "string" || e.length === 0 || e.length > MAX_EVENT_NAME) return this.reject("E_BAD_FRAME", v, "`e` must be an event name", r);
    if (typeof d !== "object" || d === null || Array.isArray(d)) return this.reject("E_BAD_FRAME", v, "`d` must be an object", r);
    const bad = checkPayload(d, this.core.options.maxJsonDepth);
    if (bad !== undefined) return this.reject("E_BAD_FRAME", v, bad, r);
    // `g`: the target component; a string that names none answers E_UNKNOWN_TARGET in the stream.
    const g = msg.g;
    if (g !== undefined && (typeof g !== "string" || g.length === 0 || g.length > MAX_EVENT_NAME)) return this.reject("E_BAD_FRAME", v, "`g` must be a component id", r);
    // `b: 1`: a weft-model update of field `e` (model.ts).
    const b = msg.b;
    if (b !== undefined && b !== 1) return this.reject("E_BAD_FRAME", v, "`b` must be 1 (a model update) or absent", r);
    // `w` (and `q`): the browser answered it from its cache (event-cache.ts).
    const claim = cacheClaim(msg);
    if (claim === "bad") return this.reject("E_BAD_FRAME", v, "`w` must be a 32-bit hash (and `q` a seq)", r);
    this.withView(v, (s) => s.event(r, e, d as Payload, g, b === 1, claim), r);
  }

  /** A declaration or a cancel of upload entries (uploads/): checked here, applied once as the view's work. */
  private upload(v: number, msg: Envelope): void {
    const r = msg.r;
    if (!isId(r)) return this.reject("E_BAD_FRAME", v, "`r` must be a positive integer ref");
    const d = msg.t === C.upload ? readDeclaration(msg) : readCancel(msg);
    if (typeof d === "string") return this.reject("E_BAD_FRAME", v, d, r);
    this.withView(v, (s) => s.uploadWork(r, d.name, (u) => ("files" in d ? u.declare(d.name, d.files) : u.cancel(d.name, d.ref))), r);
  }

  /**
   * One upload chunk, whatever carried it (a binary WebSocket frame, a
   * MessagePack `C.chunk`, an SSE/HTTP POST): entry `ref` of view `v`, its
   * bytes from `offset` on. Resolves with its ack — on WebSocket also sent
   * (S.uploadAck, no seq); the POST answers carry it there. Never rejects.
   */
  async chunk(v: number, ref: string, offset: number, body: ChunkBody, length?: number): Promise<ChunkAck> {
    // A chunk received whole waits in memory until written: past MAX_HELD_BYTES the link stops reading.
    const mem = body instanceof Uint8Array ? body.length : 0;
    this.hold(mem);
    let ack: ChunkAck;
    try {
      const entry = this.views.get(v);
      const s = entry instanceof Promise ? await entry.catch(() => undefined) : entry;
      if (s === undefined || !s.isAttachedTo(this.link)) ack = { o: 0, c: "E_NOT_JOINED" };
      else if (s.uploads === undefined) ack = { o: 0, c: "E_UPLOAD_UNKNOWN" };
      else ack = await s.uploads.chunk(ref, offset, body, length);
    } finally {
      this.hold(-mem);
    }
    // Counted here on WebSocket; a POST's refusal is counted by its answer (sendError).
    if (ack.c !== undefined && this.link.kind === "websocket") this.core.metrics.error(ack.c);
    // Refused bytes (a body of unknown length counts as the largest chunk) add up; only accepted chunk bytes take them back.
    const n = length ?? (ack.c === undefined ? 0 : MAX_CHUNK_BYTES);
    this.refusedBytes = ack.c === undefined ? Math.max(0, this.refusedBytes - n) : this.refusedBytes + Math.max(n, MIN_REFUSED);
    if (this.refusedBytes > MAX_REFUSED_BYTES && !this.closed) {
      this.link.close(ERRORS.E_RATE_LIMIT.close, "refused upload chunks");
      this.close();
      return ack;
    }
    if (this.link.kind === "websocket" && !this.closed) {
      const env: Envelope = { t: S.uploadAck, v, d: ack.c === undefined ? [ref, ack.o] : [ref, ack.o, ack.c] };
      sendTo(this.link, env);
    }
    return ack;
  }

  /** Counts `n` bytes held (negative: written); pauses the link above MAX_HELD_BYTES, resumes at half. */
  private hold(n: number): void {
    if (n === 0) return;
    this.held += n;
    const on = this.held > MAX_HELD_BYTES || (this.paused && this.held > MAX_HELD_BYTES / 2);
    if (on !== this.paused) this.link.pause?.((this.paused = on));
  }

  /** A binary WebSocket frame (JSON encoding): an upload chunk (protocol encodeChunkHeader), else E_BAD_FRAME. Never throws. */
  binary(frame: Uint8Array): void {
    if (this.closed) return;
    const c = decodeChunkFrame(frame);
    if (c === undefined || c.v === 0) return this.reject("E_BAD_FRAME", undefined, "a binary frame must be an upload chunk: one byte n, then `v,ref,offset` in n bytes, then the bytes");
    void this.chunk(c.v, c.ref, c.offset, c.bytes, c.bytes.length);
  }

  /** A join, or with `nav` a live navigation's join (nav-join.ts), of view `v`. */
  private join(v: number, d: unknown, nav = false): void {
    const p = (typeof d === "object" && d !== null ? d : {}) as { k?: unknown; q?: unknown; u?: unknown; f?: unknown };
    const lastSeq = isSeq(p.q) && !nav ? p.q : undefined;
    if (lastSeq !== undefined) this.core.metrics.reconnect(this.link.kind);
    const existing = this.views.get(v);
    if (existing === undefined && this.views.size >= this.core.options.maxViewsPerConnection) return this.reject("E_TOO_MANY_VIEWS", v);
    if (existing !== undefined && !(existing instanceof Promise)) this.release(existing);
    // A newer join of the same view id may replace this one while it mounts:
    // only the latest join's outcome counts.
    const current = () => this.views.get(v) === joining;
    const start = nav ? navigateJoin(this.core, this.link, v, p, this.request) : this.core.join(this.link, v, p.k, lastSeq, this.request, p.u);
    const joining: Promise<ViewSession | undefined> = start.then(
      (res) => {
        if (typeof res === "string") {
          if (current()) this.views.delete(v);
          this.reject(res, v);
          return undefined;
        }
        if (this.closed) {
          this.release(res);
          return undefined;
        }
        if (!current()) {
          // Superseded: let go of this session unless the newer join took the same one.
          const newer = this.views.get(v);
          void Promise.resolve(newer).then((s) => s !== res && this.release(res));
          return undefined;
        }
        this.views.set(v, res);
        if (nav) this.replaced(v, p.f);
        return res;
      },
      (err) => {
        this.core.options.onError(err, "join");
        if (current()) this.views.delete(v);
        this.reject("E_INTERNAL", v);
        return undefined;
      },
    );
    this.views.set(v, joining);
  }

  /** View `f` was navigated away from (its page now shows view `v`): its session ends. */
  private replaced(v: number, f: unknown): void {
    const old = isId(f) && f !== v ? this.views.get(f) : undefined;
    if (old === undefined || old instanceof Promise || !old.isAttachedTo(this.link)) return;
    this.views.delete(f as number);
    this.core.registry.drop(old, "navigate");
  }

  /** Refuses a frame over the rate; sustained abuse closes the link. */
  private limit(msg: Envelope): void {
    const v = isId(msg.v) ? msg.v : undefined;
    const r = isId(msg.r) ? msg.r : undefined;
    this.reject("E_RATE_LIMIT", v, undefined, r);
    if (++this.refused >= this.core.options.abuseLimit) {
      this.link.close(ERRORS.E_RATE_LIMIT.close, "rate limit");
      this.close();
    }
  }

  /**
   * Ends view `v`'s session — only while this link owns it, the same check
   * events and acks pass: a stale link (its browser already rejoined on a new
   * one) must not end the session the new link carries. It just lets go.
   */
  private leave(v: number): void {
    const entry = this.views.get(v);
    this.views.delete(v);
    const end = (s: ViewSession): void => {
      if (s.isAttachedTo(this.link)) return this.core.registry.drop(s);
      // Ended already (a child view its parent's render dropped): there is nothing left to leave.
      if (this.core.registry.get(s.sid) !== s) return;
      this.release(s);
      this.reject("E_NOT_JOINED", v);
    };
    if (entry instanceof Promise) void entry.then((s) => s && end(s));
    else if (entry !== undefined) end(entry);
  }

  /** Runs `fn` on view `v` once joined; frames for a joining view wait for it. */
  private withView(v: number, fn: (s: ViewSession) => unknown, ref?: number): void {
    const entry = this.views.get(v);
    if (entry === undefined) return this.reject("E_NOT_JOINED", v, undefined, ref);
    if (entry instanceof Promise) {
      void entry.then((s) => s && this.views.get(v) === s && this.run(s, fn, v, ref));
      return;
    }
    this.run(entry, fn, v, ref);
  }

  private run(s: ViewSession, fn: (s: ViewSession) => unknown, v: number, ref?: number): void {
    // Another link rejoined this session (a reconnect this link has not noticed yet).
    if (!s.isAttachedTo(this.link)) return this.reject("E_NOT_JOINED", v, undefined, ref);
    fn(s);
  }

  private release(s: ViewSession): void {
    s.detach(this.link);
    this.core.registry.release(s);
  }

  /** Refuses a frame that is not parsed: its ids come from a bounded look at its head. */
  private refuse(frame: string, code: ErrorCode, message: string): void {
    const { v, r } = peekIds(frame);
    this.reject(code, v, message, r);
  }

  /** Answers a frame with an error; these carry no seq (no view stream owns them). */
  private reject(code: ErrorCode, v?: number, message?: string, ref?: number): void {
    this.core.metrics.error(code);
    const env: Envelope = { t: S.error, c: code, m: message ?? ERRORS[code].message };
    if (v !== undefined) env.v = v;
    if (ref !== undefined) env.r = ref;
    sendTo(this.link, env);
  }
}

const HEARTBEAT = JSON.stringify({ t: S.heartbeat });

/** A valid view id or event ref: a positive integer below 2^31. */
export function isId(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x > 0 && x <= MAX_ID;
}

function isSeq(x: unknown): x is number {
  return typeof x === "number" && Number.isInteger(x) && x >= 0;
}
