/**
 * Where sessions live between requests: pending mounts (a page was rendered,
 * its browser has not joined yet) and live sessions (joined, possibly detached
 * while their client reconnects). Both are bounded in time and in count.
 */
import type { ViewDefinition } from "./view.ts";
import type { SessionInit, ViewSession } from "./session.ts";

/** A page's mount, waiting for its browser to join. */
export type PendingMount = SessionInit<unknown> & { expires: number };

export interface RegistryLimits {
  /** How long a rendered page's state waits for the join, ms. */
  readonly joinTimeoutMs: number;
  /** At most this many pending mounts; the oldest is dropped first. */
  readonly maxPendingMounts: number;
  /** How long a session whose link dropped waits for its client, ms. */
  readonly sessionGraceMs: number;
}

export class SessionRegistry {
  private readonly pending = new Map<string, PendingMount>();
  private readonly live = new Map<string, ViewSession>();
  private readonly grace = new Map<string, NodeJS.Timeout>();
  private readonly sweeper: NodeJS.Timeout;
  /** Called when a session ends for good (not when it is handed to another node). */
  onDrop: ((session: ViewSession) => void) | undefined;

  constructor(private readonly limits: RegistryLimits) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.min(10_000, limits.joinTimeoutMs)).unref();
  }

  /** Keeps a page's mount for its join. */
  putPending(init: SessionInit<unknown>): void {
    this.pending.set(init.sid, { ...init, expires: Date.now() + this.limits.joinTimeoutMs });
    // Map iteration is insertion order: the first key is the oldest.
    while (this.pending.size > this.limits.maxPendingMounts) {
      this.pending.delete(this.pending.keys().next().value as string);
    }
  }

  /** Takes a page's mount (once): the state computed for the page goes live. */
  takePending(sid: string, view: ViewDefinition<unknown>): PendingMount | undefined {
    const p = this.pending.get(sid);
    if (p === undefined) return undefined;
    this.pending.delete(sid);
    return p.view === view && p.expires >= Date.now() ? p : undefined;
  }

  /** The live session `sid`, if any; cancels its grace timer. */
  claim(sid: string): ViewSession | undefined {
    const s = this.live.get(sid);
    if (s !== undefined) this.cancelGrace(sid);
    return s;
  }

  /** Registers a live session. */
  add(session: ViewSession): void {
    this.live.set(session.sid, session);
  }

  /** The link of a live session dropped: it waits `sessionGraceMs` for its client. */
  release(session: ViewSession): void {
    if (session.attached || this.live.get(session.sid) !== session) return;
    this.cancelGrace(session.sid);
    const t = setTimeout(() => this.drop(session), this.limits.sessionGraceMs);
    t.unref();
    this.grace.set(session.sid, t);
  }

  /** Ends a session now. */
  drop(session: ViewSession): void {
    if (this.live.get(session.sid) !== session) return;
    this.cancelGrace(session.sid);
    this.live.delete(session.sid);
    session.dispose();
    this.onDrop?.(session);
  }

  /** Lets go of a session another node takes over: ends it here, nothing more. */
  handOver(session: ViewSession): void {
    if (this.live.get(session.sid) !== session) return;
    this.cancelGrace(session.sid);
    this.live.delete(session.sid);
    session.dispose();
  }

  /** The live session `sid`, without touching its grace timer. */
  get(sid: string): ViewSession | undefined {
    return this.live.get(sid);
  }

  /** Every live session. */
  sessions(): IterableIterator<ViewSession> {
    return this.live.values();
  }

  /** Forgets a page's pending mount (another node took it). */
  forgetPending(sid: string): void {
    this.pending.delete(sid);
  }

  /** Counts, for health and tests. */
  stats(): { pending: number; live: number } {
    return { pending: this.pending.size, live: this.live.size };
  }

  /** Ends every session and stops the sweeper; `handOver` keeps their snapshots for other nodes. */
  close(handOver = false): void {
    clearInterval(this.sweeper);
    for (const s of [...this.live.values()]) (handOver ? this.handOver(s) : this.drop(s));
    this.pending.clear();
  }

  private cancelGrace(sid: string): void {
    const t = this.grace.get(sid);
    if (t !== undefined) {
      clearTimeout(t);
      this.grace.delete(sid);
    }
  }

  private sweep(now: number): void {
    for (const [sid, p] of this.pending) if (p.expires < now) this.pending.delete(sid);
  }
}

