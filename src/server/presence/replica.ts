/**
 * One topic's list as a node holds it, and the listeners it feeds. Both
 * backends change it only through `apply` and `reset`, which report the
 * effective change: the diffs listeners see never repeat a join or a leave,
 * however often the same change reaches the replica (a diff replayed over a
 * freshly loaded list, a dead node's leave seen from two sweepers).
 */
import type { Json } from "../view.ts";
import type { PresenceDiff, PresenceEntry, PresenceErrorHandler } from "./types.ts";

/** An entry as held: keyed by node and id (`<node>|<id>`), with its meta's JSON text to compare. */
export interface Held {
  readonly key: string;
  readonly node: string;
  readonly entry: PresenceEntry;
  readonly raw: string;
}

/** The replica key of `id` tracked by `node` (node ids never contain `|`; ids may). */
export const heldKey = (node: string, id: string): string => `${node}|${id}`;

/**
 * A held entry from its parts; `raw` is the meta's JSON text. The meta is
 * frozen all the way down: every listener and every `list` caller shares it.
 */
export function held(node: string, id: string, raw: string, meta: Json = JSON.parse(raw) as Json): Held {
  return { key: heldKey(node, id), node, entry: Object.freeze({ id, meta: deepFreeze(meta) }), raw };
}

function deepFreeze(v: Json): Json {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

/** Effective changes, in the order to apply them. */
export interface Change {
  readonly joins: Held[];
  readonly leaves: Held[];
}

export class Replica {
  private readonly entries = new Map<string, Held>();
  /** One object per `listen` call, so the same function listening twice counts twice. */
  readonly listeners = new Set<{ readonly fn: (diff: PresenceDiff) => void }>();

  constructor(readonly topic: string, private readonly onError: PresenceErrorHandler) {}

  get size(): number {
    return this.entries.size;
  }

  list(): PresenceEntry[] {
    return [...this.entries.values()].map((h) => h.entry);
  }

  get(key: string): Held | undefined {
    return this.entries.get(key);
  }

  /** Node ids with entries here. */
  nodes(): Set<string> {
    return new Set([...this.entries.values()].map((h) => h.node));
  }

  /** Held entries of `node`. */
  ofNode(node: string): Held[] {
    return [...this.entries.values()].filter((h) => h.node === node);
  }

  /** Removes `leaves` (by key, whatever their meta), then adds or replaces `joins`. */
  apply(joins: readonly Held[], leaves: readonly Held[]): Change {
    const out: Change = { joins: [], leaves: [] };
    for (const l of leaves) {
      const had = this.entries.get(l.key);
      if (had === undefined) continue;
      this.entries.delete(l.key);
      out.leaves.push(had);
    }
    for (const j of joins) {
      const had = this.entries.get(j.key);
      if (had?.raw === j.raw) continue;
      if (had !== undefined) out.leaves.push(had);
      this.entries.set(j.key, j);
      out.joins.push(j);
    }
    return out;
  }

  /** Replaces the whole list with `snapshot` (a load from the backend). */
  reset(snapshot: readonly Held[]): Change {
    const keep = new Set(snapshot.map((h) => h.key));
    const gone = [...this.entries.values()].filter((h) => !keep.has(h.key));
    return this.apply(snapshot, gone);
  }

  /**
   * Calls the listeners in `to` (by default all) that still listen with
   * `change`, unless it is empty. A listener that throws is reported, not
   * propagated: one bad listener must not starve the others.
   */
  emit(change: Change, to: ReadonlyArray<{ readonly fn: (diff: PresenceDiff) => void }> = [...this.listeners]): void {
    if (change.joins.length === 0 && change.leaves.length === 0) return;
    const diff: PresenceDiff = Object.freeze({
      topic: this.topic,
      joins: Object.freeze(change.joins.map((h) => h.entry)),
      leaves: Object.freeze(change.leaves.map((h) => h.entry)),
    });
    for (const l of to) {
      if (!this.listeners.has(l)) continue;
      try {
        l.fn(diff);
      } catch (err) {
        this.onError(err, `presence listener of "${this.topic.slice(0, 64)}"`);
      }
    }
  }
}
