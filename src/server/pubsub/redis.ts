/**
 * The Redis PubSub: topics across nodes. Each topic is one Redis channel
 * (`weft:t:<topic>`, the name used verbatim: channels are binary-safe and
 * never patterns), subscribed once per node however many sessions listen
 * (reference counted) and unsubscribed when the last one leaves.
 *
 * Guarantees: at most once, in publish order per publisher, to every
 * subscriber connected at publish time (Redis pub/sub). While Redis is
 * unreachable `publish` rejects at once (the caller logs and counts it) and
 * nothing is delivered; subscriptions come back with the connection.
 */
import { PREFIX, type RedisConnection } from "../redis/connection.ts";
import { jsonObject } from "../redis/json.ts";
import { checkTopic, MAX_BROADCAST_ID, type BroadcastMessage, type PubSub } from "./types.ts";

/** Prefix of a topic's channel: `weft:t:<topic>` (htmx/topic-log.ts publishes on it too). */
export const CHANNEL = `${PREFIX}t:`;

export class RedisPubSub implements PubSub {
  /** Per subscribed topic: its handlers, and a promise that resolves once Redis confirmed the channel's subscription. */
  private readonly topics = new Map<string, { readonly handlers: Set<(msg: BroadcastMessage) => void>; readonly confirmed: Promise<void> }>();
  /** Messages on a topic channel that were not a broadcast (counted, dropped). */
  malformed = 0;

  constructor(private readonly redis: RedisConnection, private readonly onError: (err: unknown, where: string) => void) {}

  subscribe(topic: string, handler: (msg: BroadcastMessage) => void): () => void {
    checkTopic(topic);
    let entry = this.topics.get(topic);
    if (entry === undefined) {
      const handlers = new Set<(msg: BroadcastMessage) => void>();
      entry = { handlers, confirmed: this.redis.listen(CHANNEL + topic, (raw) => this.deliver(topic, handlers, raw)) };
      this.topics.set(topic, entry);
    }
    const subscribed = entry;
    subscribed.handlers.add(handler);
    return () => {
      subscribed.handlers.delete(handler);
      if (subscribed.handlers.size === 0 && this.topics.get(topic) === subscribed) {
        this.topics.delete(topic);
        this.redis.unlisten(CHANNEL + topic);
      }
    };
  }

  subscribed(topic: string): Promise<void> {
    return this.topics.get(topic)?.confirmed ?? Promise.resolve();
  }

  publish(topic: string, msg: BroadcastMessage): Promise<void> {
    checkTopic(topic);
    // Throws on a payload JSON cannot carry (a cycle, a BigInt): the promise rejects.
    return Promise.resolve().then(() => this.redis.publish(CHANNEL + topic, JSON.stringify({ name: msg.name, payload: msg.payload })));
  }

  /** Topics this node listens to. */
  get size(): number {
    return this.topics.size;
  }

  close(): Promise<void> {
    for (const topic of this.topics.keys()) this.redis.unlisten(CHANNEL + topic);
    this.topics.clear();
    return Promise.resolve();
  }

  private deliver(topic: string, handlers: Set<(msg: BroadcastMessage) => void>, raw: string): void {
    const msg = parse(raw);
    if (msg === undefined) {
      this.malformed++;
      this.onError(new Error(`malformed message on topic "${topic.slice(0, 64)}" dropped: ${raw.slice(0, 80)}`), "redis pubsub");
      return;
    }
    for (const h of [...handlers]) h(msg);
  }
}

function parse(raw: string): BroadcastMessage | undefined {
  const v = jsonObject(raw);
  if (v === undefined) return undefined;
  const { name, payload, id } = v;
  if (typeof name !== "string" || name.length === 0 || name.length > 256) return undefined;
  const p = (payload ?? null) as BroadcastMessage["payload"];
  // The topic log's id (htmx/topic-log.ts), passed on when it is a short string; anything else is left out.
  return typeof id === "string" && id.length > 0 && id.length <= MAX_BROADCAST_ID ? { name, payload: p, id } : { name, payload: p };
}
