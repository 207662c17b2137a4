/**
 * Session snapshots: what another node needs to take a session over when its
 * owner is gone or hands it on. One interface; the in-memory implementation
 * serves tests and single-process setups, the Redis one serves many nodes.
 */
import type { MountEffect } from "../mount-effects.ts";
import type { ChildRecord } from "../child-views/scope.ts";
import type { Json, Params, SessionData } from "../view.ts";
import type { SavedComponent } from "../components/host.ts";

/** A timer a session had pending, with its absolute due time (ms since epoch). */
export interface SnapshotTimer {
  readonly name: string;
  readonly payload: Json | undefined;
  readonly due: number;
}

/** Everything a session is rebuilt from. Plain JSON. */
export interface SessionSnapshot {
  /** The session id (the view token binds it). */
  readonly sid: string;
  /** The registered view path. */
  readonly path: string;
  readonly params: Params;
  /** The page's current URL (path and query, after live patches); absent in snapshots of older versions. */
  readonly url?: string;
  /** The authenticated session data (`ctx.session`). */
  readonly session: SessionData;
  /** The view's state: views keep it JSON-serialisable. */
  readonly state: Json;
  /** The last server seq the snapshot covers. */
  readonly seq: number;
  /** The last browser event ref applied. */
  readonly lastRef: number;
  readonly topics: readonly string[];
  readonly timers: readonly SnapshotTimer[];
  /** Presence entries the session tracks: topic → meta. */
  readonly tracked?: Readonly<Record<string, Json>>;
  /** A page's mount not joined yet: the pushes its join sends after the render (mount-effects.ts). */
  readonly effects?: readonly MountEffect[];
  /** The view's components (components/host.ts): id → `{ p: props, s: state }`. */
  readonly components?: Readonly<Record<string, SavedComponent>> | undefined;
  /** The child views its render embeds (child-views/): they keep their sessions when it moves. */
  readonly children?: readonly ChildRecord[];
}

/** Where snapshots are kept. */
export interface Store {
  /** Saves (replaces) a snapshot, kept at least `ttlMs`. Rejects when the store is unreachable. */
  save(snapshot: SessionSnapshot, ttlMs: number): Promise<void>;
  /** The snapshot of `sid`, if any. Rejects when the store is unreachable. */
  load(sid: string): Promise<SessionSnapshot | undefined>;
  /** Optional: keeps the snapshots of live (idle) sessions `sids` for another `ttlMs`. */
  touch?(sids: readonly string[], ttlMs: number): Promise<void>;
  /** Forgets `sid`'s snapshot (the session ended). */
  delete(sid: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}
