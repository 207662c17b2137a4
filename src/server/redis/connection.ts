/**
 * A node's two Redis connections: one for commands and publishing, one for
 * subscriptions (a connection in subscriber mode can do nothing else). Every
 * channel this node listens to — broadcast topics and the node's own channel —
 * shares the one subscriber connection.
 *
 * Outage behaviour: commands fail at once while Redis is unreachable (no
 * offline queue: a broadcast must fail loudly, not wait); both connections
 * reconnect by themselves with capped backoff, and every channel wanted is
 * subscribed again when the subscriber is back.
 *
 * What a node holds in Redis (its presence entries, which sessions and links
 * it owns, their snapshots) is lost when Redis restarts empty or evicts keys.
 * `onReady` is the one path that writes it again: every part that holds
 * something registers there and runs whenever both connections are back.
 */
import { Redis, type RedisOptions } from "ioredis";

/** What `createWeft({ redis })` accepts: a URL (`redis://host:6379/0`) or ioredis options. */
export type RedisConfig = string | RedisOptions;

/** Prefix of every key and channel Weft uses. */
export const PREFIX = "weft:";

export class RedisConnection {
  readonly cmd: Redis;
  readonly sub: Redis;
  /** Channel → its listener. One listener per channel: callers fan out themselves. */
  private readonly channels = new Map<string, (message: string) => void>();
  /** Run when both connections are ready (see onReady). */
  private readonly whenReady = new Set<() => void>();
  private readyQueued = false;
  private closed = false;

  constructor(config: RedisConfig, private readonly onError: (err: unknown, where: string) => void) {
    const base: RedisOptions = {
      enableOfflineQueue: false,
      // Commands issued in one tick (a broadcast's snapshots) go in one write.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // Reconnect forever, backing off to one attempt a second.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
      lazyConnect: false,
    };
    const make = (name: string) => {
      const r = typeof config === "string" ? new Redis(config, { ...base, connectionName: name }) : new Redis({ ...base, ...config, connectionName: name });
      let down = false;
      // ioredis emits an error per failed reconnect: report the first of an outage only.
      r.on("error", (err: unknown) => {
        if (!down && !this.closed) onError(err, `redis (${name})`);
        down = true;
      });
      r.on("ready", () => (down = false));
      return r;
    };
    this.cmd = make("weft-cmd");
    this.sub = make("weft-sub");
    this.sub.on("message", (channel: string, message: string) => this.channels.get(channel)?.(message));
    // ioredis resubscribes what it had; channels asked for while Redis was down are subscribed here.
    this.sub.on("ready", () => {
      if (this.channels.size > 0) this.sub.subscribe(...this.channels.keys()).catch((err: unknown) => onError(err, "redis resubscribe"));
    });
    this.cmd.on("ready", this.readyNow);
    this.sub.on("ready", this.readyNow);
  }

  /**
   * Runs `fn` whenever both connections become ready: at start and after every
   * outage (Redis may have restarted empty). Calls from one reconnect are
   * merged into one, in the next macrotask. Returns a function that stops it.
   *
   * @example
   * const off = redis.onReady(() => void writeMyKeysAgain());
   */
  onReady(fn: () => void): () => void {
    this.whenReady.add(fn);
    return () => this.whenReady.delete(fn);
  }

  private readonly readyNow = (): void => {
    if (this.readyQueued || this.closed || !this.ready) return;
    this.readyQueued = true;
    setTimeout(() => {
      this.readyQueued = false;
      if (this.closed || !this.ready) return;
      for (const fn of [...this.whenReady]) {
        try {
          fn();
        } catch (err) {
          this.onError(err, "redis reconnect");
        }
      }
    }, 0);
  };

  /** True when both connections are up. */
  get ready(): boolean {
    return this.cmd.status === "ready" && this.sub.status === "ready";
  }

  /** Resolves once both connections are up (or rejects after `ms`). */
  async waitReady(ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ready) {
      if (Date.now() > deadline) throw new Error(`redis not reachable within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Listens to `channel` (one listener per channel). The promise resolves once
   * Redis has confirmed the subscription: from then on every message published
   * there arrives. At once while Redis is down (the channel is subscribed when
   * it is back). Never rejects, so it is safe to ignore.
   *
   * @example
   * await redis.listen("weft:t:jobs:1", (raw) => console.log(raw));
   */
  listen(channel: string, listener: (message: string) => void): Promise<void> {
    this.channels.set(channel, listener);
    if (this.sub.status !== "ready") return Promise.resolve();
    return this.sub.subscribe(channel).then(() => undefined, (err: unknown) => this.onError(err, "redis subscribe"));
  }

  /** Stops listening to `channel`. */
  unlisten(channel: string): void {
    if (!this.channels.delete(channel)) return;
    if (this.sub.status === "ready") this.sub.unsubscribe(channel).catch((err: unknown) => this.onError(err, "redis unsubscribe"));
  }

  /** Publishes; rejects at once while Redis is unreachable. */
  async publish(channel: string, message: string): Promise<void> {
    await this.cmd.publish(channel, message);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.channels.clear();
    this.whenReady.clear();
    await Promise.all([this.cmd, this.sub].map((r) => (r.status === "ready" ? r.quit().catch(() => r.disconnect()) : r.disconnect())));
  }
}
