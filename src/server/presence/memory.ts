/**
 * The in-memory Presence: topics in one process. Lists change at the call;
 * diffs are delivered asynchronously (a microtask), as with Redis, so a
 * listener that tracks never re-enters itself.
 */
import type { Json } from "../view.ts";
import { checkTopic } from "../pubsub/types.ts";
import { held, Replica, type Change } from "./replica.ts";
import { consoleLogger } from "../logger.ts";
import { checkPresenceId, metaText, type Presence, type PresenceDiff, type PresenceEntry, type PresenceErrorHandler, type PresenceListener } from "./types.ts";

/** Used only when no error handler is given (the app always gives its own). */
const fallbackLogger = consoleLogger();

/** One process has one node; its entries are keyed by id alone. */
const NODE = "";

/**
 * Presence for a single process.
 *
 * @example
 * const presence = new MemoryPresence();
 * presence.listen("room:1", (diff) => console.log(diff));
 * await presence.track("room:1", "sess-1", { user: "ada" });
 * presence.list("room:1"); // [{ id: "sess-1", meta: { user: "ada" } }]
 */
export class MemoryPresence implements Presence {
  /** Topic → its list; kept while it has entries or listeners. */
  private readonly topics = new Map<string, Replica>();

  constructor(private readonly onError: PresenceErrorHandler = (err, where) => fallbackLogger.error({ err, where }, `${where} failed`)) {}

  track(topic: string, id: string, meta: Json): Promise<void> {
    return settled(() => {
      checkTopic(topic);
      checkPresenceId(id);
      const h = held(NODE, id, metaText(meta));
      const r = this.replica(topic);
      this.deliver(r, r.apply([h], []));
    });
  }

  untrack(topic: string, id: string): Promise<void> {
    return settled(() => {
      checkTopic(topic);
      checkPresenceId(id);
      const r = this.topics.get(topic);
      if (r === undefined) return;
      this.deliver(r, r.apply([], [held(NODE, id, "null")]));
      this.drop(r);
    });
  }

  list(topic: string): PresenceEntry[] {
    checkTopic(topic);
    return this.topics.get(topic)?.list() ?? [];
  }

  listen(topic: string, handler: (diff: PresenceDiff) => void): PresenceListener {
    checkTopic(topic);
    const r = this.replica(topic);
    const l = { fn: handler };
    r.listeners.add(l);
    const off = () => {
      if (r.listeners.delete(l)) this.drop(r);
    };
    return { ready: Promise.resolve(true), off };
  }

  /** Topics with entries or listeners, for tests and health. */
  get size(): number {
    return this.topics.size;
  }

  close(): Promise<void> {
    this.topics.clear();
    return Promise.resolve();
  }

  private replica(topic: string): Replica {
    let r = this.topics.get(topic);
    if (r === undefined) this.topics.set(topic, (r = new Replica(topic, this.onError)));
    return r;
  }

  /** Forgets a topic with neither entries nor listeners. */
  private drop(r: Replica): void {
    if (r.size === 0 && r.listeners.size === 0 && this.topics.get(r.topic) === r) this.topics.delete(r.topic);
  }

  /** Delivers to the listeners of the moment, a microtask later. */
  private deliver(r: Replica, change: Change): void {
    const to = [...r.listeners];
    if (to.length > 0) queueMicrotask(() => r.emit(change, to));
  }
}

/** Runs `change` now (the list changes at the call) and reports how it went as a promise. */
function settled(change: () => void): Promise<void> {
  try {
    change();
    return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
}
