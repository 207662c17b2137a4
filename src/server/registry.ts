/**
 * Where sessions live between requests: pending mounts (a page was rendered,
 * its browser has not joined yet) and live sessions (joined, possibly detached
 * while their client reconnects). Both are bounded in time and in count;
 * pending mounts also per client address, so that one address (a crawler)
 * evicts only its own. Every operation is O(1) (amortized for the sweep).
 */
import type { TerminateReason, ViewDefinition } from "./view.ts";
import type { SessionInit, ViewSession } from "./session.ts";
import { Endings } from "./terminate.ts";

/** A page's mount, waiting for its browser to join. */
export type PendingMount = SessionInit<unknown> & { expires: number; addr: string };

export interface RegistryLimits {
  /** How long a rendered page's state waits for the join, ms. */
  readonly joinTimeoutMs: number;
  /** At most this many pending mounts; the oldest is dropped first. */
  readonly maxPendingMounts: number;
  /** At most this many pending mounts per client address; that address's oldest is dropped first. */
  readonly maxPendingMountsPerIp: number;
  /** How long a session whose link dropped waits for its client, ms. */
  readonly sessionGraceMs: number;
}

export class SessionRegistry {
  /** In insertion order, which is expiry order (every mount waits joinTimeoutMs). */
  private readonly pending = new Map<string, PendingMount>();
  /** The sids of each address's pending mounts, oldest first. */
  private readonly byAddress = new Map<string, Set<string>>();
  private readonly live = new Map<string, ViewSession>();
  private readonly grace = new Map<string, NodeJS.Timeout>();
  private readonly sweeper: NodeJS.Timeout;
  /** Called when a session ends for good (not when it is handed to another node). */
  onDrop: ((session: ViewSession) => void) | undefined;
  /** Called when a pending mount is dropped unjoined (evicted or expired), with its sid. */
  onDropPending: ((sid: string) => void) | undefined;
  /** The views' `terminate` calls still running. */
  readonly endings = new Endings();

  constructor(private readonly limits: RegistryLimits) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), Math.min(10_000, limits.joinTimeoutMs)).unref();
  }

  /** Keeps a page's mount, rendered for client address `addr`, for its join. */
  putPending(init: SessionInit<unknown>, addr: string): void {
    this.unpend(init.sid);
    this.pending.set(init.sid, { ...init, expires: Date.now() + this.limits.joinTimeoutMs, addr });
    let mine = this.byAddress.get(addr);
    if (mine === undefined) this.byAddress.set(addr, (mine = new Set()));
    mine.add(init.sid);
    // Sets and Maps iterate in insertion order: the first key is the oldest.
    if (mine.size > this.limits.maxPendingMountsPerIp) this.evict(mine.values().next().value as string);
    while (this.pending.size > this.limits.maxPendingMounts) this.evict(this.pending.keys().next().value as string);
  }

  /** Takes a page's mount (once): the state computed for the page goes live. */
  takePending(sid: string, view: ViewDefinition<unknown>): PendingMount | undefined {
    const p = this.unpend(sid);
    if (p === undefined) return undefined;
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

  /** Ends a session now (its view's terminate gets `reason`). */
  drop(session: ViewSession, reason: TerminateReason = "closed"): void {
    if (this.live.get(session.sid) !== session) return;
    this.cancelGrace(session.sid);
    this.live.delete(session.sid);
    this.endings.add(session.end(reason));
    this.onDrop?.(session);
  }

  /** Lets go of a session another node takes over (or will, after a shutdown): ends it here, nothing more. */
  handOver(session: ViewSession, reason: TerminateReason = "handover"): void {
    if (this.live.get(session.sid) !== session) return;
    this.cancelGrace(session.sid);
    this.live.delete(session.sid);
    this.endings.add(session.end(reason));
  }

  /** The live session `sid`, without touching its grace timer. */
  get(sid: string): ViewSession | undefined {
    return this.live.get(sid);
  }

  /** Every live session. */
  sessions(): IterableIterator<ViewSession> {
    return this.live.values();
  }

  /** Development hot reload (dev/hot-reload.ts): pages waiting for their join go live with `newest(view)`. */
  replaceViews(newest: <V extends object>(view: V) => V): void {
    for (const p of this.pending.values()) p.view = newest(p.view);
  }

  /** Forgets a page's pending mount (another node took it). */
  forgetPending(sid: string): void {
    this.unpend(sid);
  }

  /** Counts, for health and tests. */
  stats(): { pending: number; live: number } {
    return { pending: this.pending.size, live: this.live.size };
  }

  /**
   * Ends every session (terminate reason "shutdown") and stops the sweeper;
   * `handOver` keeps their snapshots for other nodes. `endings.settled` then
   * waits for their terminate calls.
   */
  close(handOver = false): void {
    clearInterval(this.sweeper);
    for (const s of [...this.live.values()]) (handOver ? this.handOver(s, "shutdown") : this.drop(s, "shutdown"));
    this.pending.clear();
    this.byAddress.clear();
  }

  private cancelGrace(sid: string): void {
    const t = this.grace.get(sid);
    if (t !== undefined) {
      clearTimeout(t);
      this.grace.delete(sid);
    }
  }

  /** Drops expired pending mounts: they are in expiry order, so it stops at the first live one. */
  private sweep(now: number): void {
    for (const [sid, p] of this.pending) {
      if (p.expires >= now) return;
      this.evict(sid);
    }
  }

  /** Removes pending mount `sid` from both indexes; returns it. */
  private unpend(sid: string): PendingMount | undefined {
    const p = this.pending.get(sid);
    if (p === undefined) return undefined;
    this.pending.delete(sid);
    const mine = this.byAddress.get(p.addr);
    mine?.delete(sid);
    if (mine?.size === 0) this.byAddress.delete(p.addr);
    return p;
  }

  private evict(sid: string): void {
    if (this.unpend(sid) !== undefined) this.onDropPending?.(sid);
  }
}

