/**
 * A link for the request-based transports (SSE, HTTP long-poll): a Connection
 * whose frames are numbered (link seq) and kept in a bounded ring, so that a
 * client coming back with the last link seq it saw gets exactly what it missed.
 *
 * Invariants:
 * - frames get consecutive link seqs from 1; the ring holds the last
 *   `capacity` of them: seqs `base + 1 … seq`;
 * - `delivered` is the last seq written to an SSE stream, or put in an HTTP
 *   POST's answer. A long-poll answers from the client's own `n` (past what
 *   POST answers carried): browsers may resend a poll whose answer was lost on
 *   a dropped keep-alive connection, and the resent poll must carry it again.
 */
import { ERRORS, type ErrorCode } from "../../protocol/errors.ts";
import { S, type Envelope } from "../../protocol/messages.ts";
import { Connection, type Link } from "../connection.ts";
import type { Core } from "../core.ts";

/** The link-level frame (no view id) that tells a client to reconnect elsewhere. */
const SHUTDOWN_FRAME = JSON.stringify({ t: S.error, c: "E_SHUTDOWN", m: ERRORS.E_SHUTDOWN.message } satisfies Envelope);

/** Link ids: made by the client, ≥ 128 random bits in base64url. */
export const LINK_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Waits for the answers to the events and joins of one HTTP POST. */
export interface AnswerWaiter {
  /** Keys still unanswered: `v:j` for a join of view v, `v:r` for event ref r. */
  readonly keys: Set<string>;
  /** Called once the last key is answered (may be replaced while waiting). */
  done: () => void;
}

/** An open stream of a link (SSE): frames are written to it as they come. */
export interface LinkStream {
  write(seq: number, frame: string): void;
  /** The server closes the link, or a newer stream replaces this one. */
  close(code: number, reason: string): void;
}

/** The waiting POSTs of a link, indexed by view: joins, and event refs in ascending order (answers come in ref order). */
interface Answers {
  readonly waiters: Set<AnswerWaiter>;
  readonly joins: Map<number, Set<AnswerWaiter>>;
  readonly refs: Map<number, { ref: number; w: AnswerWaiter }[]>;
}

export class BufferedLink implements Link {
  readonly conn: Connection;
  /** Last link seq assigned. */
  seq = 0;
  /** Last link seq handed to the client. */
  delivered = 0;
  private base = 0;
  /** Highest seq the client acknowledged: it holds everything up to here. */
  private acked = 0;
  private ring: string[] = [];
  /** Where new frames go at once (an open SSE stream), if anywhere. */
  stream: LinkStream | undefined;
  /** Called when a frame is buffered and nothing streams it (wakes a long-poll). */
  onFrame: (() => void) | undefined;
  /** POSTs waiting for answers, made at the first (SSE links never wait). */
  private answers: Answers | undefined;
  lastActive = Date.now();
  closed = false;
  /** Opened as a fallback (`fb=1`): counted in `weft_fallbacks_total` once its first join is answered. */
  fallback = false;
  /** The link table's idle timer for this link (see link-table.ts). */
  idle: NodeJS.Timeout | undefined;
  /** Called once when the link ends, whoever ends it (the table forgets it then). */
  onEnd: (() => void) | undefined;
  private readonly metrics: Core["metrics"];

  constructor(
    core: Core,
    readonly id: string,
    readonly kind: "sse" | "http",
    private readonly capacity: number,
    /** The link cookie of the browser that opened the link: only it may use the link. */
    readonly owner: string,
    /** The client address that opened it (counted against its connection limit until it ends). */
    readonly ip: string,
  ) {
    this.conn = new Connection(core, this);
    this.metrics = core.metrics;
  }

  send(frame: string, env?: Envelope): void {
    if (this.closed) return;
    this.metrics.out(this.kind, Buffer.byteLength(frame));
    // A join answer (it carries a fresh token): the fallback was real.
    if (this.fallback && env?.k !== undefined) {
      this.fallback = false;
      this.metrics.fallback(this.kind);
    }
    this.seq++;
    this.ring.push(frame);
    if (this.ring.length > this.capacity) {
      this.ring.shift();
      this.base++;
    }
    if (env !== undefined && this.answers !== undefined && this.answers.waiters.size > 0) this.answer(this.answers, env);
    if (this.stream !== undefined) {
      this.delivered = this.seq;
      this.stream.write(this.seq, frame);
    } else this.onFrame?.();
  }

  close(code: number, reason: string): void {
    this.stream?.close(code, reason);
    this.end();
  }

  /**
   * The server is shutting down: the client gets an `E_SHUTDOWN` error frame
   * (numbered like every frame, so a poll that missed it gets it again) and
   * an open SSE stream ends after it. The link itself stays until the server
   * has closed, so a poll that comes meanwhile still gets the frame.
   */
  shutdown(): void {
    if (this.closed) return;
    this.send(SHUTDOWN_FRAME);
    this.stream?.close(ERRORS.E_SHUTDOWN.close, "shutdown");
  }

  /** Ends the link: its views wait (sessionGraceMs) for the client to come back. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream = undefined;
    this.conn.close();
    const a = this.answers;
    this.answers = undefined;
    if (a !== undefined) for (const w of a.waiters) w.done();
    this.onEnd?.();
  }

  /**
   * The frames after `since` (and after `skip`), or "gap" when the ring no
   * longer holds them or `since` is not a seq this link gave out. Marks nothing:
   * the caller decides what counts as delivered.
   */
  take(since: number, skip = 0): { frames: string[]; last: number } | "gap" {
    if (!Number.isSafeInteger(since) || since < 0 || since > this.seq) return "gap";
    // A request sent before a later one acknowledged more is stale, not a gap.
    const from = Math.max(since, this.acked, Math.min(skip, this.seq));
    if (from < this.base) return "gap";
    return { frames: this.ring.slice(from - this.base), last: this.seq };
  }

  /** True when a poll from `since` has something to answer: new frames, or a gap to resync. */
  pending(since: number): boolean {
    const from = Math.max(since, this.acked);
    return from < this.base || since > this.seq || this.seq > Math.max(from, this.delivered);
  }

  /** The client has applied everything up to `seq`: drop it from the ring. */
  ack(seq: number): void {
    if (!Number.isSafeInteger(seq) || seq <= this.acked || seq > this.seq) return;
    this.acked = seq;
    if (seq <= this.base) return;
    this.ring.splice(0, seq - this.base);
    this.base = seq;
  }

  /**
   * The client missed frames the ring no longer holds: skip what is buffered
   * and send each view a full render (the client restarts each view there).
   */
  resync(): void {
    this.delivered = this.acked = this.seq;
    this.ring = [];
    this.base = this.seq;
    this.conn.resync();
  }

  /** Waits for the answers of `w.keys` (`v:j` joins, `v:r` event refs). */
  wait(w: AnswerWaiter): void {
    const a = (this.answers ??= { waiters: new Set(), joins: new Map(), refs: new Map() });
    a.waiters.add(w);
    for (const key of w.keys) {
      const colon = key.indexOf(":");
      const v = Number(key.slice(0, colon));
      const r = key.slice(colon + 1);
      if (r === "j") {
        let set = a.joins.get(v);
        if (set === undefined) a.joins.set(v, (set = new Set<AnswerWaiter>()));
        set.add(w);
        continue;
      }
      let list = a.refs.get(v);
      if (list === undefined) a.refs.set(v, (list = []));
      const ref = Number(r);
      let i = list.length;
      while (i > 0 && list[i - 1]!.ref > ref) i--;
      list.splice(i, 0, { ref, w });
    }
  }

  /** Stops waiting (the POST gave up waiting). */
  unwait(w: AnswerWaiter): void {
    const a = this.answers;
    if (a === undefined) return;
    a.waiters.delete(w);
    for (const set of a.joins.values()) set.delete(w);
    for (const [v, list] of a.refs) {
      const kept = list.filter((e) => e.w !== w);
      if (kept.length > 0) a.refs.set(v, kept);
      else a.refs.delete(v);
    }
  }

  /**
   * Marks a view's join or event answered: a frame with a token (or a refused
   * frame of that view) answers its joins; a frame carrying ref r answers the
   * waited refs up to r; a refused frame answers all of that view's.
   */
  private answer(a: Answers, env: Envelope): void {
    const v = env.v;
    if (v === undefined) return;
    const refused = env.t === S.error && env.q === undefined;
    if (env.k !== undefined || refused) {
      const set = a.joins.get(v);
      if (set !== undefined) {
        a.joins.delete(v);
        for (const w of set) this.settle(a, w, `${v}:j`);
      }
    }
    const list = a.refs.get(v);
    if (list === undefined || (!refused && env.r === undefined)) return;
    let n = 0;
    while (n < list.length && (refused || list[n]!.ref <= env.r!)) n++;
    if (n === 0) return;
    const done = list.splice(0, n);
    if (list.length === 0) a.refs.delete(v);
    for (const e of done) this.settle(a, e.w, `${v}:${e.ref}`);
  }

  private settle(a: Answers, w: AnswerWaiter, key: string): void {
    w.keys.delete(key);
    if (w.keys.size > 0 || !a.waiters.delete(w)) return;
    w.done();
  }
}
