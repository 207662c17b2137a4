/**
 * Presence: who is in a topic. One interface; the in-memory implementation
 * serves one process, the Redis one serves many nodes. Each node keeps a
 * replica of the topics it listens to, so `list` is synchronous and cheap.
 */
import type { Json } from "../view.ts";

/**
 * One member of a topic: an id chosen by the caller (opaque; a session id
 * is a good one) and JSON metadata (a user name, a status, …).
 *
 * @example
 * const entry: PresenceEntry = { id: "sess-7f3a", meta: { user: "ada", typing: false } };
 */
export interface PresenceEntry {
  readonly id: string;
  readonly meta: Json;
}

/**
 * What changed in a topic. Apply `leaves` first, then `joins`: an entry whose
 * meta changed is in both (its old meta in `leaves`, its new one in `joins`).
 * Diffs report effective changes only: a leave of an entry the replica did not
 * hold, or a join that changes nothing, is not reported.
 *
 * @example
 * presence.listen("room:1", ({ joins, leaves }) => {
 *   for (const e of leaves) online.delete(e.id);
 *   for (const e of joins) online.set(e.id, e.meta);
 * });
 */
export interface PresenceDiff {
  readonly topic: string;
  readonly joins: readonly PresenceEntry[];
  readonly leaves: readonly PresenceEntry[];
}

/**
 * One listener of a topic, as `listen` returns it.
 *
 * @example
 * const { ready, off } = presence.listen("room:1", onDiff);
 * if (await ready) render(presence.list("room:1"));
 * // later
 * off();
 */
export interface PresenceListener {
  /**
   * Resolves `true` once the replica holds the backend's list (at once when
   * it already did), or `false` when it cannot be loaded now (Redis
   * unreachable: the replica loads by itself when Redis is back, and the
   * change arrives as a diff). Never rejects, so it is safe to ignore.
   */
  readonly ready: Promise<boolean>;
  /** Stops this listener (idempotent). The topic's replica goes with its last listener. */
  readonly off: () => void;
}

/**
 * Who is in which topic, on every node.
 *
 * Ids are chosen by the caller and should be unique in a topic across the
 * cluster (a session id): the Redis backend keys entries by node and id, so
 * one id tracked from two nodes is listed once per node.
 *
 * @example
 * await presence.track("room:1", session.id, { user: "ada" });
 * const { ready } = presence.listen("room:1", (diff) => console.log(diff.joins, diff.leaves));
 * await ready;
 * presence.list("room:1"); // [{ id: session.id, meta: { user: "ada" } }, …]
 * await presence.untrack("room:1", session.id);
 */
export interface Presence {
  /**
   * Adds entry `id` to `topic` (or replaces its meta); everyone listening to
   * the topic, on every node, gets a diff. Rejects on an invalid topic or id,
   * on meta JSON cannot carry, and while the backend is unreachable.
   */
  track(topic: string, id: string, meta: Json): Promise<void>;
  /** Removes entry `id` from `topic` (nothing happens when it is not there); listeners get a leave. */
  untrack(topic: string, id: string): Promise<void>;
  /**
   * The node-local replica of the topic's list, synchronously: complete once
   * `listen` has loaded it (empty for a topic nobody on this node listens to,
   * with Redis). A fresh array of frozen entries.
   */
  list(topic: string): PresenceEntry[];
  /**
   * Keeps a node-local replica of `topic` (loaded on its first listener, then
   * kept up to date by diffs) and calls `handler` with every diff. Listening
   * is reference counted per topic: each call returns its own `off`.
   */
  listen(topic: string, handler: (diff: PresenceDiff) => void): PresenceListener;
  /** Removes this node's entries (listeners elsewhere get their leaves) and releases listeners and timers. */
  close(): Promise<void>;
}

/** How backends report what they cannot throw: `(error, where it happened)`. */
export type PresenceErrorHandler = (err: unknown, where: string) => void;

/** Longest entry id accepted. */
export const MAX_PRESENCE_ID = 256;

/**
 * Checks an entry id: a non-empty string of at most 256 characters. Throws a
 * TypeError saying what is wrong.
 *
 * @example
 * checkPresenceId("sess-7f3a"); // "sess-7f3a"
 * checkPresenceId("");          // throws TypeError
 */
export function checkPresenceId(id: unknown): string {
  if (typeof id !== "string" || id.length === 0 || id.length > MAX_PRESENCE_ID) {
    throw new TypeError(`a presence id must be a string of 1 to ${MAX_PRESENCE_ID} characters, got ${typeof id === "string" ? `${id.length} characters` : typeof id}`);
  }
  return id;
}

/**
 * The JSON text of `meta` (throws on what JSON cannot carry: a cycle, a
 * BigInt). Both backends store meta as this text, so a listener sees what JSON
 * keeps of it (no `undefined` fields, dates as strings) whichever backend runs.
 */
export function metaText(meta: Json): string {
  const raw = JSON.stringify(meta);
  if (raw === undefined) throw new TypeError("presence meta must be JSON, got undefined");
  return raw;
}
