/**
 * Several nodes, no sticky sessions. Every node can take every request:
 *
 * - A session lives on one node, its owner (`weft:o:<sid>` names it). A join
 *   that lands elsewhere asks the owner to hand the session over (it settles,
 *   saves its last snapshot and lets go), then rebuilds it from the snapshot;
 *   when the owner is dead the stored snapshot is used directly.
 * - An SSE or HTTP link lives on the node that opened it (`weft:l:<id>`). A
 *   request for it that lands elsewhere — an event POST, a long-poll, a
 *   resumed stream — is forwarded to the owner through Redis and its answer
 *   streamed back, so the link's ring and seq stay in one place.
 *
 * Messages between nodes go on each node's channel `weft:n:<node>`; a node
 * that stops answering is noticed through its liveness key (NodeHeartbeat).
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorCode } from "../../protocol/errors.ts";
import { sendError } from "../http/respond.ts";
import { PREFIX, type RedisConnection } from "../redis/connection.ts";
import { NodeHeartbeat } from "../redis/node.ts";
import { jsonObject } from "../redis/json.ts";
import { ForwardedRequest, ForwardedResponse } from "./forwarded.ts";
import { readBody } from "../http/body.ts";
import { HEADERS as WIRE_HEADERS } from "../../protocol/messages.ts";
import { MAX_BACKLOG } from "../transports/sse.ts";

const OWNER = `${PREFIX}o:`;
const LINK = `${PREFIX}l:`;
const CHANNEL = `${PREFIX}n:`;
/** Safety net for keys a crashed node leaves behind: they expire. */
const KEY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * Unsent bytes a forwarded answer may pile up on this node, the one holding
 * the browser's socket (the owner writes into a ForwardedResponse, which has
 * no socket and so no backlog to see). The same bound as a local SSE stream
 * (transports/sse.ts): past it the answer ends, the owner is told to stop,
 * and the client resumes by Last-Event-ID.
 */
export const FORWARD_BACKLOG_BYTES = MAX_BACKLOG;
/** The request headers forwarded: what the owner's checks (origin, cookie, authorize) read. */
const HEADERS = ["content-type", "content-length", "cookie", "origin", "host", "referer", "last-event-id", "user-agent", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", WIRE_HEADERS.key, "authorization", "accept"];

const LIVE_OWNER = `local o = redis.call('GET', KEYS[1])
if not o then return false end
if redis.call('EXISTS', ARGV[1] .. o) == 1 then return o end
return false`;

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Re-asserts ownership of KEYS for node ARGV[1] (TTL ARGV[2] ms, liveness
 * prefix ARGV[3]): a key that is unset, names this node or names a dead node
 * is (re)written; a key naming another live node is left alone and that
 * node's id returned in its place ("" where this node owns the key now).
 */
const REASSERT = `local out = {}
for i, key in ipairs(KEYS) do
  local o = redis.call('GET', key)
  if o and o ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. o) == 1 then
    out[i] = o
  else
    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])
    out[i] = ''
  end
end
return out`;
/** Most keys re-asserted by one command. */
const REASSERT_BATCH = 500;

/** A request forwarded from this node, waiting for the owner's answer. */
interface Outgoing {
  readonly owner: string;
  readonly res: ServerResponse;
  headSent: boolean;
  /** Ends it without an answer from the owner. */
  fail(code: ErrorCode): void;
  /** Idle deadline: the owner sent nothing for too long. */
  idleUntil: number;
}

/** A request forwarded to this node, being served. */
interface Incoming {
  readonly from: string;
  readonly req: ForwardedRequest;
  readonly res: ForwardedResponse;
}

/** What the cluster asks of the node it runs in. */
export interface ClusterHost {
  /** Serves a request forwarded from another node (the app's own handler). */
  serve(req: IncomingMessage, res: ServerResponse): void;
  /** Another node takes session `sid`: settle, save and let go of it. */
  handOver(sid: string): Promise<void>;
  readonly onError: (err: unknown, where: string) => void;
  /** A forwarded request got no answer for this long, ms. */
  readonly forwardIdleMs: number;
  /** How long a join waits for the owner to hand a session over, ms. */
  readonly handoffMs: number;
}

export class Cluster {
  readonly node: NodeHeartbeat;
  private readonly outgoing = new Map<string, Outgoing>();
  private readonly incoming = new Map<string, Incoming>();
  private readonly takes = new Map<string, () => void>();
  /** Links this node holds: their keys are written again after an outage (reassert). */
  private readonly links = new Set<string>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  /** Bus messages that were not understood (counted, dropped). */
  malformed = 0;
  /** Requests forwarded to other nodes, and served for them, since start. */
  readonly totals = { forwarded: 0, served: 0, handedOver: 0, tooSlow: 0 };

  constructor(private readonly redis: RedisConnection, private readonly host: ClusterHost) {
    this.node = new NodeHeartbeat(redis, 6_000, host.onError);
    this.node.start();
    redis.listen(CHANNEL + this.node.id, (raw) => this.receive(raw));
    this.sweeper = setInterval(() => void this.sweep(), 1_000);
    this.sweeper.unref();
  }

  /** This node's id. */
  get id(): string {
    return this.node.id;
  }

  /** Whether `req` came from another node (it is served here, never forwarded again). */
  static isForwarded(req: IncomingMessage): boolean {
    return req instanceof ForwardedRequest;
  }

  // --- ownership ---

  /** The live owner of session `sid` (maybe this node), or undefined. Rejects when Redis is down. */
  sessionOwner(sid: string): Promise<string | undefined> {
    return this.liveOwner(OWNER + sid);
  }

  /** Records this node as the owner of session `sid`. */
  async ownSession(sid: string): Promise<void> {
    await this.redis.cmd.set(OWNER + sid, this.id, "PX", KEY_TTL_MS);
  }

  /** Lets go of session `sid` when this node still owns it. */
  async disownSession(sid: string): Promise<void> {
    await this.redis.cmd.eval(RELEASE, 1, OWNER + sid, this.id);
  }

  /** The live owner of link `id` (maybe this node), or undefined. Rejects when Redis is down. */
  linkOwner(id: string): Promise<string | undefined> {
    return this.liveOwner(LINK + id);
  }

  /** Records this node as the owner of link `id`. */
  async ownLink(id: string): Promise<void> {
    this.links.add(id);
    await this.redis.cmd.set(LINK + id, this.id, "PX", KEY_TTL_MS);
  }

  /** Lets go of link `id`. */
  disownLink(id: string): void {
    this.links.delete(id);
    if (this.redis.cmd.status !== "ready") return;
    this.redis.cmd.eval(RELEASE, 1, LINK + id, this.id).catch((err: unknown) => this.host.onError(err, "link release"));
  }

  /**
   * Writes again the owner keys of sessions `sids` and of every link this node
   * holds (Redis restarted empty, evicted them, or their safety TTL ran), and
   * refreshes their TTL. Resolves with the sessions another live node owns
   * now (sid → node): this node's copy of each is stale. Rejects when Redis is down.
   */
  async reassert(sids: readonly string[]): Promise<Map<string, string>> {
    const lost = new Map<string, string>();
    const keys = [...sids.map((sid) => OWNER + sid), ...[...this.links].map((id) => LINK + id)];
    for (let i = 0; i < keys.length; i += REASSERT_BATCH) {
      const part = keys.slice(i, i + REASSERT_BATCH);
      const owners = (await this.redis.cmd.eval(REASSERT, part.length, ...part, this.id, KEY_TTL_MS, `${PREFIX}node:`)) as string[];
      part.forEach((key, k) => {
        const o = owners[k];
        if (typeof o !== "string" || o === "") return;
        // A link id is random per browser tab: another node holding it is not expected; report it.
        if (key.startsWith(LINK)) this.host.onError(new Error(`link ${key.slice(LINK.length, LINK.length + 8)}… is owned by another node`), "link ownership");
        else lost.set(key.slice(OWNER.length), o);
      });
    }
    return lost;
  }

  private async liveOwner(key: string): Promise<string | undefined> {
    const o = (await this.redis.cmd.eval(LIVE_OWNER, 1, key, `${PREFIX}node:`)) as string | null;
    return typeof o === "string" ? o : undefined;
  }

  // --- handing sessions over ---

  /** Asks `owner` to let go of session `sid`; resolves when it has, or after the handoff bound. */
  take(owner: string, sid: string): Promise<void> {
    const i = randomBytes(9).toString("base64url");
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.takes.delete(i);
        resolve();
      }, this.host.handoffMs);
      this.takes.set(i, () => {
        clearTimeout(timer);
        this.takes.delete(i);
        resolve();
      });
      this.send(owner, { k: "t", i, f: this.id, s: sid }).catch(() => {
        clearTimeout(timer);
        this.takes.delete(i);
        resolve();
      });
    });
  }

  // --- forwarding requests ---

  /**
   * Forwards `req` to the node that owns its link and streams the answer
   * back on `res`. The body is read here (at most `limit` bytes).
   */
  async forward(owner: string, req: IncomingMessage, res: ServerResponse, limit: number, tooLarge: ErrorCode = "E_TOO_LARGE"): Promise<void> {
    // A GET's body is empty; anything else is read (bounded) to travel with the request.
    const raw = req.method === "GET" || req.method === "HEAD" ? Buffer.alloc(0) : await readBody(req, limit);
    if (raw === undefined) {
      res.setHeader("Connection", "close");
      return sendError(res, tooLarge, `the body is over the limit of ${limit} bytes`);
    }
    if (raw === "error") return sendError(res, "E_BAD_FRAME", "the request failed while reading");
    // Bytes (an upload chunk) travel as base64 (`y: 1`), intact; JSON bodies as text.
    const binary = String(req.headers["content-type"] ?? "").toLowerCase().startsWith("application/octet-stream");
    const body = raw.toString(binary ? "base64" : "utf8");
    const i = randomBytes(12).toString("base64url");
    this.totals.forwarded++;
    const headers: Record<string, string> = {};
    for (const h of HEADERS) {
      const v = req.headers[h];
      if (typeof v === "string") headers[h] = v;
    }
    const out: Outgoing = {
      owner, res, headSent: false, idleUntil: Date.now() + this.host.forwardIdleMs,
      fail: (code) => {
        if (this.outgoing.get(i) !== out) return;
        this.outgoing.delete(i);
        if (res.headersSent) res.end();
        else sendError(res, code);
      },
    };
    this.outgoing.set(i, out);
    // The browser went away: tell the owner to stop serving it.
    res.once("close", () => {
      if (this.outgoing.get(i) !== out) return;
      this.outgoing.delete(i);
      this.send(owner, { k: "x", i }).catch(() => {});
    });
    try {
      // `e`: the browser's connection to this node is TLS (requireTLS on the owner reads it).
      const e = (req.socket as { encrypted?: boolean }).encrypted === true ? 1 : 0;
      await this.send(owner, { k: "q", i, f: this.id, m: req.method ?? "GET", u: req.url ?? "/", h: headers, a: req.socket.remoteAddress ?? "", b: body, e, ...(binary ? { y: 1 as const } : {}) });
    } catch {
      out.fail("E_NODE_GONE");
    }
  }

  /** Outgoing and incoming forwarded requests, for stats. */
  get forwarding(): { outgoing: number; incoming: number } {
    return { outgoing: this.outgoing.size, incoming: this.incoming.size };
  }

  /** Stops: ends forwarded requests both ways, leaves the bus, deletes the liveness key. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    for (const o of [...this.outgoing.values()]) o.fail("E_SHUTDOWN");
    for (const [i, x] of this.incoming) {
      this.incoming.delete(i);
      x.req.abort();
    }
    for (const done of [...this.takes.values()]) done();
    this.redis.unlisten(CHANNEL + this.id);
    await this.node.stop();
  }

  private send(node: string, msg: BusMessage): Promise<void> {
    return this.redis.publish(CHANNEL + node, JSON.stringify(msg));
  }

  private receive(raw: string): void {
    const msg = jsonObject(raw) as BusMessage | undefined;
    if (msg === undefined || typeof msg.i !== "string") return this.reject(raw);
    switch (msg.k) {
      case "q": return typeof msg.f === "string" && typeof msg.u === "string" && typeof msg.m === "string" ? this.serve(msg) : this.reject(raw);
      case "t": return typeof msg.s === "string" && typeof msg.f === "string" ? this.handOver(msg.i, msg.f, msg.s) : this.reject(raw);
      case "T": return this.takes.get(msg.i)?.();
      case "x": return this.abort(msg.i);
      case "h": case "d": case "e": case "g": return this.answer(msg);
      default: return this.reject(raw);
    }
  }

  private reject(raw: string): void {
    this.malformed++;
    this.host.onError(new Error(`malformed message on the node channel dropped: ${raw.slice(0, 80)}`), "cluster bus");
  }

  private handOver(i: string, from: string, sid: string): void {
    this.totals.handedOver++;
    this.host.handOver(sid).catch((err: unknown) => this.host.onError(err, "session handover")).finally(() => {
      this.send(from, { k: "T", i }).catch(() => {});
    });
  }

  /** Serves a forwarded request with the app's own handler; the answer goes back in pieces. */
  private serve(msg: BusMessage): void {
    const from = msg.f!;
    const i = msg.i;
    const headers: Record<string, string> = {};
    if (typeof msg.h === "object" && msg.h !== null) {
      for (const [k, v] of Object.entries(msg.h)) if (HEADERS.includes(k) && typeof v === "string") headers[k] = v;
    }
    // Only nodes publish on a node channel (Redis is trusted infrastructure): `e` is the forwarding node's word.
    const body = typeof msg.b !== "string" ? "" : msg.y === 1 ? Buffer.from(msg.b, "base64") : msg.b;
    const req = new ForwardedRequest(msg.m!, msg.u!, headers, typeof msg.a === "string" ? msg.a : "", body, msg.e === 1);
    const res = new ForwardedResponse((m) => {
      if (m.k === "e" || m.k === "g") this.incoming.delete(i);
      this.send(from, { ...m, i }).catch(() => req.abort());
    });
    res.once("close", () => req.abort());
    this.incoming.set(i, { from, req, res });
    this.totals.served++;
    this.host.serve(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  }

  private abort(i: string): void {
    const x = this.incoming.get(i);
    if (x !== undefined) {
      this.incoming.delete(i);
      x.req.abort();
      return;
    }
    // The owner gave up on a request this node forwarded.
    this.outgoing.get(i)?.fail("E_NODE_GONE");
  }

  private answer(msg: BusMessage): void {
    const out = this.outgoing.get(msg.i);
    if (out === undefined) return;
    out.idleUntil = Date.now() + this.host.forwardIdleMs;
    const res = out.res;
    if (msg.k === "h") {
      if (res.headersSent) return;
      const h = typeof msg.h === "object" && msg.h !== null ? msg.h : {};
      res.writeHead(typeof msg.s === "number" ? msg.s : 502, h);
      if (String(h["content-type"] ?? h["Content-Type"] ?? "").startsWith("text/event-stream")) res.socket?.setNoDelay(true);
      out.headSent = true;
      res.flushHeaders();
      return;
    }
    if (msg.k === "d") {
      if (typeof msg.c === "string") res.write(msg.c);
      // A reader too slow for the backlog: end its answer here and stop the owner serving it.
      if (res.writableLength > FORWARD_BACKLOG_BYTES) this.tooSlow(msg.i, out);
      return;
    }
    this.outgoing.delete(msg.i);
    if (msg.k === "g") {
      // The owner destroyed the response (an error after the head).
      res.destroy();
      return;
    }
    res.end(typeof msg.c === "string" ? msg.c : undefined);
  }

  /** Ends a forwarded answer whose reader fell behind, and tells the owner (its SSE stream detaches; frames wait in the link). */
  private tooSlow(i: string, out: Outgoing): void {
    this.outgoing.delete(i);
    this.totals.tooSlow++;
    out.res.end();
    this.send(out.owner, { k: "x", i }).catch(() => {});
  }

  /** Ends forwarded requests whose other node died or went silent. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const o of [...this.outgoing.values()]) if (o.idleUntil < now) o.fail("E_NODE_GONE");
    const nodes = new Set<string>();
    for (const o of this.outgoing.values()) nodes.add(o.owner);
    for (const x of this.incoming.values()) nodes.add(x.from);
    if (nodes.size === 0 || this.redis.cmd.status !== "ready") return;
    let alive: Set<string>;
    try {
      alive = await this.node.alive([...nodes]);
    } catch {
      return;
    }
    for (const o of [...this.outgoing.values()]) if (!alive.has(o.owner)) o.fail("E_NODE_GONE");
    for (const [i, x] of [...this.incoming]) {
      if (alive.has(x.from)) continue;
      this.incoming.delete(i);
      x.req.abort();
    }
  }
}

/** A message on a node's channel. `i` pairs requests with their answers. */
interface BusMessage {
  /** q request, h head, d data, e end, g gone (destroyed), x abort, t take, T taken. */
  k: "q" | "h" | "d" | "e" | "g" | "x" | "t" | "T";
  i: string;
  f?: string;
  m?: string;
  u?: string;
  h?: Record<string, string | number | string[]>;
  a?: string;
  b?: string;
  s?: number | string;
  c?: string;
  /** On a request: 1 when the browser's connection to the forwarding node is TLS. */
  e?: number;
  /** On a request: 1 when `b` is base64 of the body's bytes (an upload chunk), not its text. */
  y?: 1;
}
