/**
 * The in-memory PubSub (the default): topics in one process. Delivery is
 * asynchronous (a microtask), as it is with Redis, so a handler that
 * broadcasts never re-enters itself.
 */
import { checkTopic, type BroadcastMessage, type PubSub } from "./types.ts";

export class MemoryPubSub implements PubSub {
  private readonly topics = new Map<string, Set<(msg: BroadcastMessage) => void>>();

  subscribe(topic: string, handler: (msg: BroadcastMessage) => void): () => void {
    checkTopic(topic);
    let set = this.topics.get(topic);
    if (set === undefined) this.topics.set(topic, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.topics.get(topic) === set) this.topics.delete(topic);
    };
  }

  publish(topic: string, msg: BroadcastMessage): Promise<void> {
    checkTopic(topic);
    const set = this.topics.get(topic);
    if (set !== undefined) {
      const handlers = [...set];
      queueMicrotask(() => {
        for (const h of handlers) h(msg);
      });
    }
    return Promise.resolve();
  }

  /** Subscribed topics, for tests and health. */
  get size(): number {
    return this.topics.size;
  }

  close(): Promise<void> {
    this.topics.clear();
    return Promise.resolve();
  }
}
