/**
 * The Redis Presence: who is in a topic, across nodes.
 *
 * Storage: one hash per topic, diffs on one channel per topic, names used
 * verbatim (keys and channels are binary-safe, and never patterns); see
 * `redis-wire.ts`. Every change is a Lua script that edits the hash and
 * publishes what it actually changed in one atomic step, so a diff never
 * disagrees with the hash, and two nodes removing the same entries publish
 * one leave between them.
 *
 * Replicas: the first listener of a topic subscribes to its channel, waits
 * for the subscription to be confirmed, then reads the hash; diffs arriving
 * meanwhile are applied after the snapshot. A diff can race the read either
 * way (the two replies come on two sockets), but replaying changes in order
 * over a snapshot that already holds them ends on the same list, and the
 * replica reports effective changes only.
 *
 * Failures: while Redis is down, track and untrack reject at once (the caller
 * logs) and replicas keep their last known list. This node remembers what it
 * means to track, including the changes that were rejected; when both
 * connections are back it carries out the untracks that failed, writes its
 * entries again (Redis may have restarted empty) and reloads every replica,
 * reporting the change as a diff. When a leave of one of its own entries
 * arrives on a topic it listens to while it still tracks the entry (a
 * sweeper took it for dead during a stall), it writes the entry back. A node that dies without closing leaves entries behind: every
 * `ttlMs / 2` each node asks which nodes in its replicas are still alive,
 * drops the dead ones' entries from its replicas and deletes them from Redis.
 */
import type { Json } from "../view.ts";
import { checkTopic } from "../pubsub/types.ts";
import type { RedisConnection } from "../redis/connection.ts";
import type { NodeHeartbeat } from "../redis/node.ts";
import { BATCH, CHANNEL, entryHead, KEY, parseField, parseWire, REMOVE, UPSERT, type Wire } from "./redis-wire.ts";
import { heldKey, Replica, type Held } from "./replica.ts";
import { checkPresenceId, metaText, type Presence, type PresenceDiff, type PresenceEntry, type PresenceErrorHandler, type PresenceListener } from "./types.ts";

/** A topic this node listens to. */
interface Listened {
  readonly replica: Replica;
  /** A load has ended (loaded or not): from then on a reload reports its change as a diff. */
  tried: boolean;
  /** The replica holds the backend's list (at least as of the last successful load). */
  loaded: boolean;
  /** Diffs received while a load is in flight, applied after its snapshot. */
  buffer: Wire[] | undefined;
  loading: Promise<boolean> | undefined;
  /** A reload was asked for while one ran: run once more. */
  again: boolean;
}

/**
 * Presence across nodes, on Redis. Needs the node's heartbeat running: the
 * entries of a node without a live key are removed by the other nodes.
 * A track or untrack that rejects because Redis is unreachable still stands:
 * it is carried out when Redis is back.
 *
 * @example
 * const redis = new RedisConnection("redis://127.0.0.1:6379", onError);
 * const node = new NodeHeartbeat(redis, 6_000, onError);
 * node.start();
 * const presence = new RedisPresence(redis, node, onError);
 * await presence.track("room:1", session.id, { user: "ada" });
 */
export class RedisPresence implements Presence {
  private readonly replicas = new Map<string, Listened>();
  /** What this node tracks (topic → id → meta JSON): written again after an outage. */
  private readonly own = new Map<string, Map<string, string>>();
  /** Untracks that failed (topic → ids): removed when Redis is back. */
  private readonly gone = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private resyncing = false;
  private resyncAgain = false;
  private closed = false;
  private readonly offReady: () => void;
  /** Messages on a diff channel that were not a diff (counted, dropped). */
  malformed = 0;

  constructor(private readonly redis: RedisConnection, private readonly node: NodeHeartbeat, private readonly onError: PresenceErrorHandler) {
    this.offReady = redis.onReady(this.onReady);
  }

  async track(topic: string, id: string, meta: Json): Promise<void> {
    this.open();
    checkTopic(topic);
    checkPresenceId(id);
    const raw = metaText(meta);
    mapIn(this.own, topic).set(id, raw);
    this.gone.get(topic)?.delete(id);
    this.startSweep();
    await this.upsert(topic, [[id, raw]]);
  }

  async untrack(topic: string, id: string): Promise<void> {
    this.open();
    checkTopic(topic);
    checkPresenceId(id);
    const mine = this.own.get(topic);
    mine?.delete(id);
    if (mine?.size === 0) this.own.delete(topic);
    try {
      await this.remove(topic, this.node.id, [id]);
    } catch (err) {
      if (this.own.get(topic)?.has(id) !== true) setIn(this.gone, topic).add(id);
      throw err;
    }
  }

  list(topic: string): PresenceEntry[] {
    checkTopic(topic);
    return this.replicas.get(topic)?.replica.list() ?? [];
  }

  listen(topic: string, handler: (diff: PresenceDiff) => void): PresenceListener {
    this.open();
    checkTopic(topic);
    let t = this.replicas.get(topic);
    if (t === undefined) {
      const fresh: Listened = { replica: new Replica(topic, this.onError), tried: false, loaded: false, buffer: undefined, loading: undefined, again: false };
      t = fresh;
      this.replicas.set(topic, fresh);
      this.redis.listen(CHANNEL + topic, (raw) => this.receive(fresh, raw));
      this.startSweep();
    }
    const self = t;
    const l = { fn: handler };
    self.replica.listeners.add(l);
    const off = () => {
      if (!self.replica.listeners.delete(l) || self.replica.listeners.size > 0 || this.replicas.get(topic) !== self) return;
      this.replicas.delete(topic);
      this.redis.unlisten(CHANNEL + topic);
    };
    return { ready: self.loaded ? Promise.resolve(true) : (self.loading ?? this.load(self)), off };
  }

  /** Topics this node listens to. */
  get size(): number {
    return this.replicas.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.offReady();
    for (const topic of this.replicas.keys()) this.redis.unlisten(CHANNEL + topic);
    this.replicas.clear();
    const own = [...this.own];
    this.own.clear();
    this.gone.clear();
    // Left behind when Redis is down: the sweepers remove them once this node's key expires.
    for (const [topic, mine] of own) await this.remove(topic, this.node.id, [...mine.keys()]).catch((err: unknown) => this.onError(err, "presence close"));
  }

  private open(): void {
    if (this.closed) throw new Error("presence is closed");
  }

  private async upsert(topic: string, entries: ReadonlyArray<readonly [string, string]>): Promise<void> {
    for (let i = 0; i < entries.length; i += BATCH) {
      const args = entries.slice(i, i + BATCH).flatMap(([id, raw]) => [heldKey(this.node.id, id), entryHead(this.node.id, id), raw]);
      await this.redis.cmd.eval(UPSERT, 1, KEY + topic, CHANNEL + topic, ...args);
    }
  }

  private async remove(topic: string, node: string, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += BATCH) {
      const args = ids.slice(i, i + BATCH).flatMap((id) => [heldKey(node, id), entryHead(node, id)]);
      await this.redis.cmd.eval(REMOVE, 1, KEY + topic, CHANNEL + topic, ...args);
    }
  }

  private receive(t: Listened, raw: string): void {
    const wire = parseWire(raw);
    if (wire === undefined) {
      this.malformed++;
      this.onError(new Error(`malformed presence diff on topic "${t.replica.topic.slice(0, 64)}" dropped: ${raw.slice(0, 80)}`), "redis presence");
      return;
    }
    if (t.buffer !== undefined) t.buffer.push(wire);
    else this.apply(t, wire);
  }

  private apply(t: Listened, wire: Wire): void {
    t.replica.emit(t.replica.apply(wire.joins, wire.leaves));
    // An entry of ours removed while we still track it: a sweeper took this node for dead
    // (its key expired during a stall). Write it back.
    const mine = this.own.get(t.replica.topic);
    if (mine === undefined) return;
    const lost = wire.leaves.filter((h) => h.node === this.node.id && mine.has(h.entry.id) && t.replica.get(h.key) === undefined);
    if (lost.length > 0) this.upsert(t.replica.topic, lost.map((h) => [h.entry.id, mine.get(h.entry.id) ?? "null"])).catch((err: unknown) => this.onError(err, "presence repair"));
  }

  /** Loads (or reloads) a replica; one load at a time per topic. Never rejects. */
  private load(t: Listened): Promise<boolean> {
    if (t.loading !== undefined) {
      t.again = true;
      return t.loading;
    }
    const run = async (): Promise<boolean> => {
      let ok = false;
      do {
        t.again = false;
        ok = await this.loadOnce(t);
      } while (t.again && this.replicas.get(t.replica.topic) === t);
      return ok;
    };
    const p = run()
      .catch((err: unknown) => (this.onError(err, "presence load"), false))
      .finally(() => {
        if (t.loading === p) t.loading = undefined;
      });
    t.loading = p;
    return p;
  }

  private async loadOnce(t: Listened): Promise<boolean> {
    const topic = t.replica.topic;
    if (!this.redis.ready) {
      t.tried = true;
      return false;
    }
    t.buffer = [];
    let snapshot: Held[] | undefined;
    try {
      // Subscribed (confirmed) before reading: any change after the read reaches us as a diff.
      // RedisConnection.listen subscribes too; a second SUBSCRIBE is harmless, and its reply is the confirmation.
      await this.redis.sub.subscribe(CHANNEL + topic);
      snapshot = this.parseHash(topic, await this.redis.cmd.hgetall(KEY + topic));
    } catch (err) {
      this.onError(err, `presence load of "${topic.slice(0, 64)}"`);
    }
    const buffered = t.buffer;
    t.buffer = undefined;
    if (this.replicas.get(topic) !== t) {
      // Unlistened while loading: do not leave our own SUBSCRIBE behind.
      if (!this.replicas.has(topic)) this.redis.sub.unsubscribe(CHANNEL + topic).catch(() => {});
      return false;
    }
    if (snapshot !== undefined) {
      const change = t.replica.reset(snapshot);
      // The first load is the starting list (read it with `list`); later ones report what changed.
      if (t.tried) t.replica.emit(change);
      t.loaded = true;
    }
    t.tried = true;
    for (const wire of buffered) this.apply(t, wire);
    return snapshot !== undefined;
  }

  /** A hash's entries; a field or value that is not ours is reported and skipped. */
  private parseHash(topic: string, hash: Record<string, string>): Held[] {
    const out: Held[] = [];
    for (const [field, raw] of Object.entries(hash)) {
      const entry = parseField(field, raw);
      if (typeof entry !== "string") out.push(entry);
      else {
        this.malformed++;
        this.onError(new Error(`malformed presence entry ${JSON.stringify(field.slice(0, 80))} in topic "${topic.slice(0, 64)}" skipped: ${entry}`), "redis presence");
      }
    }
    return out;
  }

  private startSweep(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => void this.sweep(), Math.max(50, Math.floor(this.node.ttlMs / 2)));
    this.timer.unref();
  }

  /** Removes the entries of nodes that are gone, from the replicas here and from Redis. */
  private async sweep(): Promise<void> {
    if (this.sweeping || !this.redis.ready) return;
    this.sweeping = true;
    try {
      const others = new Set<string>();
      for (const t of this.replicas.values()) for (const n of t.replica.nodes()) if (n !== this.node.id) others.add(n);
      if (others.size === 0) return;
      const alive = await this.node.alive([...others]);
      const dead = [...others].filter((n) => !alive.has(n));
      for (const t of [...this.replicas.values()]) {
        // A loading replica is about to be replaced by a snapshot: the next sweep sees it.
        if (t.loading !== undefined) continue;
        for (const n of dead) {
          const gone = t.replica.ofNode(n);
          if (gone.length === 0) continue;
          // Dropped here first: the leave that the Redis removal publishes (by whichever node
          // removes them first) then changes nothing here, so each listener hears it once.
          t.replica.emit(t.replica.apply([], gone));
          await this.remove(t.replica.topic, n, gone.map((h) => h.entry.id));
        }
      }
    } catch (err) {
      this.onError(err, "presence sweep");
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * Both Redis connections are (back) up: the shared re-assert path
   * (RedisConnection.onReady). That runs a macrotask after "ready", so the
   * heartbeat, which re-announces this node on the "ready" event itself, has
   * sent its SET before our entries reappear: a sweeper must never see them
   * without a live key.
   */
  private readonly onReady = (): void => {
    if (!this.closed) void this.resync();
  };

  private async resync(): Promise<void> {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    this.resyncing = true;
    try {
      do {
        this.resyncAgain = false;
        await this.resyncOnce();
      } while (this.resyncAgain && !this.closed);
    } finally {
      this.resyncing = false;
    }
  }

  /** Removes what failed to be untracked, writes this node's entries again, reloads every replica. */
  private async resyncOnce(): Promise<void> {
    if (this.closed || !this.redis.ready) return;
    try {
      for (const [topic, ids] of [...this.gone]) {
        await this.remove(topic, this.node.id, [...ids].filter((id) => this.own.get(topic)?.has(id) !== true));
        this.gone.delete(topic);
      }
      for (const [topic, mine] of [...this.own]) await this.upsert(topic, [...mine]);
    } catch (err) {
      // Down again: the next "ready" starts over.
      this.onError(err, "presence resync");
      return;
    }
    await Promise.all([...this.replicas.values()].map((t) => this.load(t)));
  }
}

function mapIn<V>(m: Map<string, Map<string, V>>, k: string): Map<string, V> {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = new Map()));
  return v;
}

function setIn(m: Map<string, Set<string>>, k: string): Set<string> {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = new Set()));
  return v;
}
