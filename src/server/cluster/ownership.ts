/**
 * Which node runs a session, kept true in Redis (`weft:o:<sid>`), and the
 * fence around a handover:
 *
 * - Saves are fenced by ownership. A save refused because another live node
 *   owns the session makes this copy stale (SessionMoved): the session
 *   answers its client with E_NOT_JOINED, which rejoins and resends what was
 *   not answered, and lets go. A refusal caused by a dead node's key takes
 *   the key back and saves again.
 * - Ownership is written again whenever Redis comes back (it may have
 *   restarted empty) and every `REASSERT_EVERY_MS` (an evicted key): a node
 *   that finds another live node owning one of its sessions lets its copy go
 *   the same way. After a reconnect every live session is saved again, so a
 *   Redis restart loses only what the nodes write again by themselves.
 * - A handover waits for the running work up to `handoverWaitMs`, snapshots
 *   the session as of its last finished work, and ends it here (the fence).
 *   A handler still running then has its result discarded and its effects
 *   (frames, broadcasts, timers, subscriptions, presence) suppressed; its
 *   event is not in the snapshot, so the client resends it to the new node,
 *   which applies it once.
 */
import type { RedisConnection } from "../redis/connection.ts";
import { SessionMoved } from "../save-gate.ts";
import type { ViewSession } from "../session.ts";
import { NotOwner } from "../store/redis.ts";
import type { SessionSnapshot, Store } from "../store/types.ts";
import type { Cluster } from "./cluster.ts";

/** How often ownership is re-asserted without a reconnect (an evicted key), ms. */
export const REASSERT_EVERY_MS = 30_000;

/** What ownership needs from the node. */
export interface OwnershipHost {
  /** The live sessions of this node. */
  sessions(): Iterable<ViewSession>;
  /** The live session `sid`, without touching its grace timer. */
  get(sid: string): ViewSession | undefined;
  /** Ends a session here, keeping its snapshot (another node runs it). */
  handOver(session: ViewSession): void;
  /** Forgets a page's pending mount (another node takes the join). */
  forgetPending(sid: string): void;
  readonly onError: (err: unknown, where: string) => void;
}

/** Settings of ownership (resolved app options). */
export interface OwnershipOptions {
  /** How long a snapshot is kept, ms. */
  readonly snapshotTtlMs: number;
  /** How long a handover waits for the running handler, ms. */
  readonly handoverWaitMs: number;
}

/**
 * Session ownership across nodes.
 *
 * @example
 * const ownership = new Ownership(cluster, store, redis, host, { snapshotTtlMs, handoverWaitMs: 1_000 });
 * const config = { ...sessionConfig, persist: ownership.persist };
 */
export class Ownership {
  private readonly offReady: () => void;
  private readonly timer: NodeJS.Timeout;
  private running = false;
  private again = false;

  constructor(private readonly cluster: Cluster, private readonly store: Store, redis: RedisConnection, private readonly host: OwnershipHost, private readonly o: OwnershipOptions) {
    this.offReady = redis.onReady(() => void this.reassert(true));
    this.timer = setInterval(() => void this.reassert(false), REASSERT_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Saves a session's snapshot, fenced by ownership. Rejects with
   * SessionMoved when another live node owns the session, and with the
   * store's error when it is unreachable.
   */
  readonly persist = async (snap: SessionSnapshot): Promise<void> => {
    try {
      await this.store.save(snap, this.o.snapshotTtlMs);
      return;
    } catch (err) {
      if (!(err instanceof NotOwner)) throw err;
    }
    const owner = await this.cluster.sessionOwner(snap.sid);
    if (owner !== undefined && owner !== this.cluster.id) throw new SessionMoved(snap.sid, owner);
    // The key named a dead node: this copy is the session. Take the key back.
    await this.cluster.ownSession(snap.sid);
    await this.store.save(snap, this.o.snapshotTtlMs);
  };

  /** Another node takes session `sid`: finish its work (within the bound), save it, let go. */
  async handOver(sid: string): Promise<void> {
    this.host.forgetPending(sid);
    const s = this.host.get(sid);
    if (s === undefined) return;
    await s.settle(this.o.handoverWaitMs);
    if (this.host.get(sid) !== s) return;
    // The fence, in one synchronous step: the snapshot covers finished work
    // only, and ending the session discards whatever still runs.
    const snap = s.snapshot();
    // An event left unfinished is answered on its link, if that is still
    // attached here (E_NOT_JOINED: the client rejoins and resends it to the
    // new node). A session at rest goes quietly: telling an idle link would
    // make two tabs sharing one page's token take the session from each other
    // without end.
    const ref = s.unfinishedRef;
    if (ref !== undefined) s.moved(ref);
    else this.host.handOver(s);
    await this.store.save(snap, this.o.snapshotTtlMs);
  }

  /**
   * Writes this node's ownership again; lets go of the sessions another live
   * node owns now. `resave`: Redis came back (maybe empty): save every
   * session still here.
   */
  async reassert(resave: boolean): Promise<void> {
    if (this.running) {
      this.again ||= resave;
      return;
    }
    this.running = true;
    try {
      const lost = await this.cluster.reassert([...this.host.sessions()].map((s) => s.sid));
      for (const sid of lost.keys()) this.host.get(sid)?.moved();
      if (resave) for (const s of this.host.sessions()) s.requestSave();
    } catch (err) {
      // Down again: the next reconnect runs it again.
      this.host.onError(err, "ownership re-assert");
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      await this.reassert(true);
    }
  }

  /** Stops re-asserting. */
  close(): void {
    this.offReady();
    clearInterval(this.timer);
  }
}
