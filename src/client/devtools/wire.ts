/**
 * The wire log of the development part: every Weft frame the simulator
 * (sim.ts) sees, split into envelopes (a link transport's POST body and
 * answer carry several), with per-view figures — the seq applied, the events
 * sent and not yet acknowledged, resends — round-trip times of events, the
 * transport's history and the errors with the event that caused them. The
 * overlay (overlay.ts) shows it; pages get each frame as a `weft:frame` event.
 * Bounded: the last {@link MAX_FRAMES} frames and {@link MAX_ERRORS} errors.
 */
import { utf8Length } from "../limits.ts";
import type { SimTransport } from "./types.ts";

/** Frames kept. */
export const MAX_FRAMES = 500;
/** Errors kept. */
export const MAX_ERRORS = 100;
/** Characters of a frame's text kept for display. */
const MAX_TEXT = 2_000;
/** Events remembered per view for round trips and error causes. */
const MAX_PENDING = 1_000;
/** Frames of the event sequence (their refs are acknowledged alike): events, live patches, upload declarations and cancels. */
const EVENT_KINDS: readonly string[] = ["e", "p", "u", "c"];
/** Views tracked (the oldest forgotten first): a page has a few; a server sending any `v` must not grow the log. */
export const MAX_VIEWS = 100;

/** One frame in or out. */
export interface FrameRecord {
  readonly id: number;
  /** `Date.now()` when it passed. */
  readonly at: number;
  readonly dir: "in" | "out";
  readonly transport: SimTransport;
  /** UTF-8 bytes of the frame (a WebSocket frame's payload; binary frames: their size). */
  readonly bytes: number;
  /** The envelope's `t` ("d" for a diff); "chunk" for upload bytes, "?" for what is not a frame. */
  readonly kind: string;
  readonly v: number | undefined;
  readonly r: number | undefined;
  /** The event's name (an event out, a push in). */
  readonly e: string | undefined;
  /** The frame as text (cut to 2,000 characters); shown as text, never as HTML. */
  readonly text: string;
  /** An answer to an event: ms since the event was sent. */
  rtt: number | undefined;
}

/** Figures of one view (by its id on the page, `v`). */
export interface ViewStats {
  readonly v: number;
  /** The highest seq received (a full render restarts it). */
  seq: number;
  /** Refs sent and not yet acknowledged. */
  readonly unacked: Set<number>;
  /** Events sent (each ref once). */
  sent: number;
  /** Events acknowledged (each ref once). */
  acked: number;
  /** Events sent again (after a reconnect) with a ref already sent. */
  resent: number;
  /** Joins sent (a rejoin after each reconnect). */
  joins: number;
  /** The last round trip of an event, ms. */
  rtt: number | undefined;
}

/** One error the page saw (`weft:error`). */
export interface ErrorRecord {
  readonly at: number;
  readonly code: string;
  readonly message: string;
  readonly view: number | undefined;
  readonly ref: number | undefined;
  /** The name of the event that caused it, when it answers one. */
  readonly event: string | undefined;
}

/** A change of transport (`weft:transport`) or something the simulator did. */
export interface HistoryRecord {
  readonly at: number;
  readonly text: string;
}

/**
 * What the overlay reads.
 *
 * @example
 * const log = new WireLog();
 * log.add("out", "websocket", '{"t":"e","v":1,"r":1,"e":"inc","d":{}}');
 * log.views.get(1)?.unacked.size; // 1
 */
export class WireLog {
  readonly frames: FrameRecord[] = [];
  readonly views = new Map<number, ViewStats>();
  readonly errors: ErrorRecord[] = [];
  readonly history: HistoryRecord[] = [];
  /** Totals since the page loaded. */
  readonly totals = { in: 0, out: 0, bytesIn: 0, bytesOut: 0 };
  /** Told after each change (the overlay redraws on the next frame). */
  onChange: () => void = () => {};
  /** Told of each frame recorded. */
  onFrame: (f: FrameRecord) => void = () => {};
  private nextId = 1;
  /** Per view: ref → [sent at (undefined once answered), event name]. */
  private readonly pending = new Map<number, Map<number, [number | undefined, string | undefined]>>();

  /**
   * Records what the simulator saw pass: one frame (WebSocket, the SSE stream),
   * a link transport's body (a JSON array of frames out, `{n, f}` in) or bytes.
   */
  add(dir: "in" | "out", transport: SimTransport, data: unknown, now = Date.now()): void {
    if (typeof data === "string") {
      // An empty body on a link transport (an SSE POST's 204) carries no frame; an SSE message is never empty.
      const frames = transport === "websocket" ? [data] : data === "" ? [] : dir === "in" && transport === "sse" ? [data] : split(dir, data);
      for (const f of frames) this.record(dir, transport, f, now);
    } else {
      const text = decodeBinary(data);
      if (text !== undefined) this.record(dir, transport, text, now, sizeOf(data));
      else this.record(dir, transport, "", now, sizeOf(data), "chunk");
    }
    this.onChange();
  }

  /** Records a `weft:error`, naming the event it answers when its ref is known. */
  error(code: string, message: string, view: number | undefined, ref: number | undefined, now = Date.now()): ErrorRecord {
    const event = view === undefined || ref === undefined ? undefined : this.pending.get(view)?.get(ref)?.[1];
    const rec: ErrorRecord = { at: now, code: String(code), message: String(message), view, ref, event };
    push(this.errors, rec, MAX_ERRORS);
    this.onChange();
    return rec;
  }

  /** Records a line of the transport's history. */
  note(text: string, now = Date.now()): void {
    push(this.history, { at: now, text }, 50);
    this.onChange();
  }

  private record(dir: "in" | "out", transport: SimTransport, text: string, now: number, bytes = utf8Length(text), kind?: string): void {
    const env = kind === undefined ? parse(text) : undefined;
    const v = typeof env?.v === "number" ? env.v : undefined;
    const r = typeof env?.r === "number" ? env.r : undefined;
    const rec: FrameRecord = {
      id: this.nextId++, at: now, dir, transport, bytes,
      // No t: a diff (as kindOf reads it). A t that is not a string: not an envelope the client reads.
      kind: kind ?? (env === undefined ? "?" : env.t === undefined || env.t === null ? "d" : typeof env.t === "string" ? env.t : "?"),
      v, r, e: typeof env?.e === "string" ? env.e : undefined,
      text: text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) + "…" : text, rtt: undefined,
    };
    if (dir === "in") {
      this.totals.in++;
      this.totals.bytesIn += bytes;
    } else {
      this.totals.out++;
      this.totals.bytesOut += bytes;
    }
    if (v !== undefined && env !== undefined && rec.kind !== "?") this.track(rec, env, now);
    push(this.frames, rec, MAX_FRAMES);
    this.onFrame(rec);
  }

  /** Per-view figures: seq, events sent and acknowledged, round trips. */
  private track(rec: FrameRecord, env: Envelope, now: number): void {
    const v = rec.v!;
    let s = this.views.get(v);
    if (s === undefined) {
      s = { v, seq: 0, unacked: new Set(), sent: 0, acked: 0, resent: 0, joins: 0, rtt: undefined };
      this.views.set(v, s);
      if (this.views.size > MAX_VIEWS) {
        const oldest = this.views.keys().next().value!;
        this.views.delete(oldest);
        this.pending.delete(oldest);
      }
    }
    let pending = this.pending.get(v);
    if (pending === undefined) this.pending.set(v, (pending = new Map()));
    if (rec.dir === "out") {
      if (rec.kind === "j" || rec.kind === "n") s.joins++;
      if (EVENT_KINDS.includes(rec.kind) && rec.r !== undefined) {
        if (pending.has(rec.r) || s.unacked.has(rec.r)) s.resent++;
        else s.sent++;
        s.unacked.add(rec.r);
        pending.set(rec.r, [now, rec.e]);
        if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
      }
      return;
    }
    if (typeof env.q === "number") s.seq = rec.kind === "f" ? env.q : Math.max(s.seq, env.q);
    if (rec.r === undefined) return;
    const sent = pending.get(rec.r);
    // The first answer only: a later frame naming the ref (a rejoin's reply names the last one applied) is no round trip.
    if (sent?.[0] !== undefined) {
      rec.rtt = s.rtt = now - sent[0];
      sent[0] = undefined;
    }
    // As the view does: an answer acknowledges its ref and every one before it; an error only its own.
    for (const ref of s.unacked) {
      if (ref === rec.r || (rec.kind !== "x" && ref < rec.r)) {
        s.unacked.delete(ref);
        s.acked++;
      }
    }
  }
}

/** The fields of an envelope the log reads. */
interface Envelope {
  t?: unknown;
  v?: unknown;
  r?: unknown;
  q?: unknown;
  e?: unknown;
}

function parse(text: string): Envelope | undefined {
  try {
    const env: unknown = JSON.parse(text);
    return typeof env === "object" && env !== null && !Array.isArray(env) ? (env as Envelope) : undefined;
  } catch {
    return undefined;
  }
}

/** A link transport's body as frames: out, a JSON array of frames; in, `{n, f: [...]}` (an SSE POST's answer is empty). */
function split(dir: "in" | "out", body: string): string[] {
  if (body === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return [body];
  }
  const frames = dir === "out" ? parsed : (parsed as { f?: unknown } | null)?.f;
  if (!Array.isArray(frames)) return [body];
  try {
    return frames.map((f) => JSON.stringify(f));
  } catch {
    // Nested too deep to write back (JSON.parse is iterative, JSON.stringify recursive): kept whole.
    return [body];
  }
}

/** A binary frame as JSON text when the page has the MessagePack codec (client-msgpack.js); undefined for upload bytes. */
function decodeBinary(data: unknown): string | undefined {
  const codec = (globalThis as { weftMsgpack?: { u(d: ArrayBuffer): string } }).weftMsgpack;
  if (codec === undefined) return undefined;
  let buf: ArrayBuffer | undefined;
  if (data instanceof ArrayBuffer) buf = data;
  else if (ArrayBuffer.isView(data)) buf = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  if (buf === undefined) return undefined;
  try {
    const text = codec.u(buf);
    return text === "" ? undefined : text;
  } catch {
    return undefined;
  }
}

function sizeOf(data: unknown): number {
  if (data instanceof Blob) return data.size;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  return 0;
}

function push<T>(list: T[], item: T, max: number): void {
  list.push(item);
  if (list.length > max) list.splice(0, list.length - max);
}
