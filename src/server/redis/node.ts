/**
 * A node's identity and liveness in Redis: `weft:node:<id>` exists while the
 * node runs (refreshed every `ttlMs / 3`, expiring after `ttlMs`), so other
 * nodes can tell a dead owner from a live one. A clean shutdown deletes it.
 */
import { randomBytes } from "node:crypto";
import { PREFIX, type RedisConnection } from "./connection.ts";

/** Liveness key of node `id`. */
export const nodeKey = (id: string): string => `${PREFIX}node:${id}`;

export class NodeHeartbeat {
  /** This node's id: random, new at every start. */
  readonly id = randomBytes(9).toString("base64url");
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly redis: RedisConnection, readonly ttlMs = 6_000, private readonly onError: (err: unknown, where: string) => void = () => {}) {}

  /** Starts announcing this node. */
  start(): void {
    if (this.timer !== undefined) return;
    const beat = () => {
      if (this.redis.cmd.status !== "ready") return;
      this.redis.cmd.set(nodeKey(this.id), String(Date.now()), "PX", this.ttlMs).catch((err: unknown) => this.onError(err, "node heartbeat"));
    };
    this.redis.cmd.on("ready", beat);
    beat();
    this.timer = setInterval(beat, Math.max(50, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /** Which of `ids` are alive (this node always is). Rejects when Redis is unreachable. */
  async alive(ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const others = ids.filter((id) => id !== this.id);
    if (ids.includes(this.id)) out.add(this.id);
    if (others.length === 0) return out;
    const vals = await this.redis.cmd.mget(...others.map(nodeKey));
    others.forEach((id, i) => vals[i] !== null && out.add(id));
    return out;
  }

  /** Stops announcing and deletes the key (a clean shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.redis.cmd.status === "ready") await this.redis.cmd.del(nodeKey(this.id)).catch(() => {});
  }
}
