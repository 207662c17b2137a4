/**
 * Pub/sub: how broadcasts reach every subscribed session. One interface; the
 * in-memory implementation serves one process, a Redis one serves many nodes.
 */
import type { Json } from "../view.ts";

/** A broadcast: lands in `info[name](state, payload, ctx)` of each subscriber. */
export interface BroadcastMessage {
  readonly name: string;
  readonly payload: Json;
  /**
   * The message's id in its topic's log, on topics served to htmx
   * (htmx/topic-log.ts): the same on every node, so an SSE client's
   * Last-Event-ID resumes on any of them. Sessions ignore it.
   */
  readonly id?: string | undefined;
}

/** Longest broadcast id carried between nodes (a Redis stream id is at most 41 characters). */
export const MAX_BROADCAST_ID = 64;

/** Delivers broadcasts to the handlers subscribed to their topic. */
export interface PubSub {
  /** Subscribes `handler` to `topic`; returns the function that unsubscribes it. */
  subscribe(topic: string, handler: (msg: BroadcastMessage) => void): () => void;
  /**
   * Optional: resolves once this node's subscription to `topic` is in place
   * on the backend, so that everything published from then on arrives (the
   * Redis PubSub waits for Redis to confirm it). Never rejects. Used where a
   * message published just after subscribing must not be missed (htmx topics).
   */
  subscribed?(topic: string): Promise<void>;
  /** Publishes to every subscriber of `topic`, on every node. Rejects when it cannot. */
  publish(topic: string, msg: BroadcastMessage): Promise<void>;
  /** Releases connections and subscriptions. */
  close(): Promise<void>;
}

/** Longest topic name accepted. */
export const MAX_TOPIC = 256;

/**
 * Checks a topic name: a non-empty string of at most 256 characters without
 * control characters. Throws a TypeError saying what is wrong.
 */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== "string" || topic.length === 0 || topic.length > MAX_TOPIC) {
    throw new TypeError(`a topic must be a string of 1 to ${MAX_TOPIC} characters, got ${typeof topic === "string" ? `${topic.length} characters` : typeof topic}`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(topic)) throw new TypeError("a topic must not contain control characters");
  return topic;
}
