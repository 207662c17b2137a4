/**
 * The in-memory Store: snapshots in a Map, with their time to live. Useful in
 * tests and as the reference for custom stores; one process needs no store.
 */
import type { SessionSnapshot, Store } from "./types.ts";

export class MemoryStore implements Store {
  private readonly map = new Map<string, { json: string; expires: number }>();

  save(snapshot: SessionSnapshot, ttlMs: number): Promise<void> {
    // Stored as JSON: a snapshot must survive what a real store does to it.
    this.map.set(snapshot.sid, { json: JSON.stringify(snapshot), expires: Date.now() + ttlMs });
    return Promise.resolve();
  }

  load(sid: string): Promise<SessionSnapshot | undefined> {
    const e = this.map.get(sid);
    if (e === undefined) return Promise.resolve(undefined);
    if (e.expires < Date.now()) {
      this.map.delete(sid);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(e.json) as SessionSnapshot);
  }

  delete(sid: string): Promise<void> {
    this.map.delete(sid);
    return Promise.resolve();
  }

  /** Snapshots held, for tests. */
  get size(): number {
    return this.map.size;
  }

  close(): Promise<void> {
    this.map.clear();
    return Promise.resolve();
  }
}
