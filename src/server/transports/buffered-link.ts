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
import { S, type Envelope } from "../../protocol/messages.ts";
import { Connection, type Link } from "../connection.ts";
import type { Core } from "../core.ts";

/** Link ids: made by the client, ≥ 128 random bits in base64url. */
export const LINK_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Waits for the answers to the events and joins of one HTTP POST. */
export interface AnswerWaiter {
  /** Keys still unanswered: `v:j` for a join of view v, `v:r` for event ref r. */
  readonly keys: Set<string>;
  /** Called once the last key is answered. */
  readonly done: () => void;
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
  /** Where new frames go at once (an SSE stream), if anywhere. */
  out: ((seq: number, frame: string) => void) | undefined;
  /** Called when a frame is buffered and nothing streams it (wakes a long-poll). */
  onFrame: (() => void) | undefined;
  /** Called when the server closes the link. */
  onClose: ((code: number, reason: string) => void) | undefined;
  readonly waiters = new Set<AnswerWaiter>();
  lastActive = Date.now();
  closed = false;

  constructor(core: Core, readonly id: string, readonly kind: "sse" | "http", private readonly capacity: number) {
    this.conn = new Connection(core, this);
  }

  send(frame: string, env?: Envelope): void {
    if (this.closed) return;
    this.seq++;
    this.ring.push(frame);
    if (this.ring.length > this.capacity) {
      this.ring.shift();
      this.base++;
    }
    if (env !== undefined && this.waiters.size > 0) this.answer(env);
    if (this.out !== undefined) {
      this.delivered = this.seq;
      this.out(this.seq, frame);
    } else this.onFrame?.();
  }

  close(code: number, reason: string): void {
    this.onClose?.(code, reason);
    this.end();
  }

  /** Ends the link: its views wait (sessionGraceMs) for the client to come back. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.out = undefined;
    this.conn.close();
    for (const w of this.waiters) w.done();
    this.waiters.clear();
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

  /** Marks a view's join or event answered (see AnswerWaiter). */
  private answer(env: Envelope): void {
    const v = env.v;
    if (v === undefined) return;
    const isJoinAnswer = env.k !== undefined || (env.t === S.error && env.q === undefined);
    for (const w of this.waiters) {
      for (const key of w.keys) {
        const [kv, kr] = key.split(":");
        if (Number(kv) !== v) continue;
        if (kr === "j" ? isJoinAnswer : env.r !== undefined && env.r >= Number(kr)) w.keys.delete(key);
        else if (env.t === S.error && env.q === undefined) w.keys.delete(key); // a refused frame of that view
      }
      if (w.keys.size === 0) {
        this.waiters.delete(w);
        w.done();
      }
    }
  }
}

/** The live SSE and HTTP links, ended after `timeoutMs` without a stream or a request. */
export class LinkTable {
  private readonly links = new Map<string, BufferedLink>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly core: Core) {
    const every = Math.max(50, Math.min(5_000, core.options.linkTimeoutMs / 4));
    this.sweeper = setInterval(() => this.sweep(Date.now()), every).unref();
  }

  get(id: string): BufferedLink | undefined {
    return this.links.get(id);
  }

  create(id: string, kind: "sse" | "http"): BufferedLink {
    const link = new BufferedLink(this.core, id, kind, this.core.options.outboxSize);
    this.links.set(id, link);
    return link;
  }

  /** Links by kind, for stats. */
  count(kind: "sse" | "http"): number {
    let n = 0;
    for (const l of this.links.values()) if (l.kind === kind) n++;
    return n;
  }

  /** Ends every link (server shutdown). */
  close(code: number, reason: string): void {
    clearInterval(this.sweeper);
    for (const link of this.links.values()) link.close(code, reason);
    this.links.clear();
  }

  private sweep(now: number): void {
    for (const [id, link] of this.links) {
      if (link.closed) this.links.delete(id);
      else if (link.out === undefined && link.onFrame === undefined && now - link.lastActive > this.core.options.linkTimeoutMs) {
        link.end();
        this.links.delete(id);
      }
    }
  }
}
