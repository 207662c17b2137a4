/**
 * The Redis Store: one key per session (`weft:s:<sid>`), the snapshot as JSON,
 * with a time to live. A snapshot that does not parse or lacks its fields is
 * treated as missing (and reported), never trusted.
 */
import { PREFIX, type RedisConnection } from "../redis/connection.ts";
import { jsonObject } from "../redis/json.ts";
import type { SessionSnapshot, Store } from "./types.ts";

const KEY = `${PREFIX}s:`;
/** Sets KEYS[i] to ARGV[i + 1], each with a time to live of ARGV[1] ms. */
const SET_MANY = `for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[i + 1], 'PX', ARGV[1]) end
return #KEYS`;
/** Most snapshots written by one command. */
const BATCH = 500;

interface Pending {
  key: string;
  json: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class RedisStore implements Store {
  /** Saves of this tick, by time to live: written together (a broadcast saves thousands). */
  private batch = new Map<number, Pending[]>();
  private scheduled = false;

  constructor(private readonly redis: RedisConnection, private readonly onError: (err: unknown, where: string) => void) {}

  save(snapshot: SessionSnapshot, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    return new Promise((resolve, reject) => {
      let list = this.batch.get(ttl);
      if (list === undefined) this.batch.set(ttl, (list = []));
      list.push({ key: KEY + snapshot.sid, json: JSON.stringify(snapshot), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        queueMicrotask(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = new Map();
    for (const [ttl, list] of batch) {
      for (let i = 0; i < list.length; i += BATCH) {
        const part = list.slice(i, i + BATCH);
        const write = part.length === 1
          ? this.redis.cmd.set(part[0]!.key, part[0]!.json, "PX", ttl)
          : this.redis.cmd.eval(SET_MANY, part.length, ...part.map((p) => p.key), ttl, ...part.map((p) => p.json));
        write.then(() => {
          for (const p of part) p.resolve();
        }, (err: unknown) => {
          for (const p of part) p.reject(err);
        });
      }
    }
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
  const s = jsonObject(raw) as Partial<SessionSnapshot> | undefined;
  if (s === undefined) return undefined;
  const ok = typeof s.sid === "string" && typeof s.path === "string" && typeof s.params === "object" && s.params !== null
    && typeof s.session === "object" && s.session !== null && "state" in s && Number.isSafeInteger(s.seq) && Number.isSafeInteger(s.lastRef)
    && Array.isArray(s.topics) && s.topics.every((t) => typeof t === "string") && Array.isArray(s.timers)
    && s.timers.every((t) => typeof t === "object" && t !== null && typeof t.name === "string" && Number.isFinite(t.due))
    && (s.tracked === undefined || (typeof s.tracked === "object" && s.tracked !== null && !Array.isArray(s.tracked)));
  return ok ? (s as SessionSnapshot) : undefined;
}
