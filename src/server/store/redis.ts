/**
 * The Redis Store: one key per session (`weft:s:<sid>`), the snapshot as JSON,
 * with a time to live. A snapshot that does not parse or lacks its fields is
 * treated as missing (and reported), never trusted.
 *
 * Fencing: given the node's id, a save only lands while the session has no
 * owner or this node owns it (`weft:o:<sid>`); a node that lost a session to
 * another (a handover it did not answer in time) cannot overwrite the new
 * owner's snapshot — its save rejects with NotOwner and it lets go.
 */
import { PREFIX, type RedisConnection } from "../redis/connection.ts";
import { jsonObject } from "../redis/json.ts";
import { isMountEffect } from "../mount-effects.ts";
import type { SessionSnapshot, Store } from "./types.ts";

const KEY = `${PREFIX}s:`;
const OWNER = `${PREFIX}o:`;
/**
 * For i in 1..n (n = #KEYS / 2): sets snapshot KEYS[i] to ARGV[i + 2] with a
 * time to live of ARGV[1] ms, when owner key KEYS[n + i] is unset or equals
 * ARGV[2] (this node; "" without fencing). Returns 1 (saved) or 0 per key.
 */
const SAVE_MANY = `local n = #KEYS / 2
local out = {}
for i = 1, n do
  local o = redis.call('GET', KEYS[n + i])
  if ARGV[2] == '' or not o or o == ARGV[2] then
    redis.call('SET', KEYS[i], ARGV[i + 2], 'PX', ARGV[1])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

/** A save refused because another node owns the session now. */
export class NotOwner extends Error {
  constructor(readonly sid: string) {
    super(`session ${sid.slice(0, 8)}… is owned by another node: not saved here`);
  }
}
/** Most snapshots written by one command. */
const BATCH = 500;

interface Pending {
  sid: string;
  json: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class RedisStore implements Store {
  /** Saves of this tick, by time to live: written together (a broadcast saves thousands). */
  private batch = new Map<number, Pending[]>();
  private scheduled = false;

  /** @param node this node's id, for fencing (see above); without it every save lands. */
  constructor(private readonly redis: RedisConnection, private readonly onError: (err: unknown, where: string) => void, private readonly node?: () => string) {}

  save(snapshot: SessionSnapshot, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.round(ttlMs));
    return new Promise((resolve, reject) => {
      let list = this.batch.get(ttl);
      if (list === undefined) this.batch.set(ttl, (list = []));
      list.push({ sid: snapshot.sid, json: JSON.stringify(snapshot), resolve, reject });
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
        const keys = [...part.map((p) => KEY + p.sid), ...part.map((p) => OWNER + p.sid)];
        const write = this.redis.cmd.eval(SAVE_MANY, keys.length, ...keys, ttl, this.node?.() ?? "", ...part.map((p) => p.json)) as Promise<number[]>;
        write.then((saved) => {
          part.forEach((p, k) => (saved[k] === 1 ? p.resolve() : p.reject(new NotOwner(p.sid))));
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
    && (s.url === undefined || typeof s.url === "string")
    && typeof s.session === "object" && s.session !== null && "state" in s && Number.isSafeInteger(s.seq) && Number.isSafeInteger(s.lastRef)
    && Array.isArray(s.topics) && s.topics.every((t) => typeof t === "string") && Array.isArray(s.timers)
    && s.timers.every((t) => typeof t === "object" && t !== null && typeof t.name === "string" && Number.isFinite(t.due))
    && (s.tracked === undefined || (typeof s.tracked === "object" && s.tracked !== null && !Array.isArray(s.tracked)))
    && (s.effects === undefined || (Array.isArray(s.effects) && s.effects.every(isMountEffect)))
    && (s.children === undefined || (Array.isArray(s.children) && s.children.every(isChildRecord)));
  return ok ? (s as SessionSnapshot) : undefined;
}

function isChildRecord(c: unknown): boolean {
  const r = c as Record<string, unknown> | null;
  return typeof r === "object" && r !== null && typeof r.id === "string" && typeof r.sid === "string" && typeof r.path === "string" && typeof r.token === "string";
}
