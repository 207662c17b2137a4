/**
 * The Redis Store: one key per session (`weft:s:<sid>`), the snapshot as JSON,
 * with a time to live. A snapshot that does not parse or lacks its fields is
 * treated as missing (and reported), never trusted.
 */
import { PREFIX, type RedisConnection } from "../redis/connection.ts";
import type { SessionSnapshot, Store } from "./types.ts";

const KEY = `${PREFIX}s:`;

export class RedisStore implements Store {
  constructor(private readonly redis: RedisConnection, private readonly onError: (err: unknown, where: string) => void) {}

  async save(snapshot: SessionSnapshot, ttlMs: number): Promise<void> {
    await this.redis.cmd.set(KEY + snapshot.sid, JSON.stringify(snapshot), "PX", Math.max(1, Math.round(ttlMs)));
  }

  async load(sid: string): Promise<SessionSnapshot | undefined> {
    const raw = await this.redis.cmd.get(KEY + sid);
    if (raw === null) return undefined;
    const snap = parseSnapshot(raw);
    if (snap === undefined) this.onError(new Error(`malformed snapshot for session ${sid.slice(0, 32)} ignored`), "redis store");
    return snap;
  }

  async touch(sids: readonly string[], ttlMs: number): Promise<void> {
    const p = this.redis.cmd.pipeline();
    for (const sid of sids) p.pexpire(KEY + sid, Math.max(1, Math.round(ttlMs)));
    await p.exec();
  }

  async delete(sid: string): Promise<void> {
    await this.redis.cmd.del(KEY + sid);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A snapshot from its JSON, or undefined when it is not one. */
export function parseSnapshot(raw: string): SessionSnapshot | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const s = v as Partial<SessionSnapshot>;
  const ok = typeof s.sid === "string" && typeof s.path === "string" && typeof s.params === "object" && s.params !== null
    && typeof s.session === "object" && s.session !== null && "state" in s && Number.isSafeInteger(s.seq) && Number.isSafeInteger(s.lastRef)
    && Array.isArray(s.topics) && s.topics.every((t) => typeof t === "string") && Array.isArray(s.timers)
    && s.timers.every((t) => typeof t === "object" && t !== null && typeof t.name === "string" && Number.isFinite(t.due))
    && (s.tracked === undefined || (typeof s.tracked === "object" && s.tracked !== null && !Array.isArray(s.tracked)));
  return ok ? (s as SessionSnapshot) : undefined;
}
