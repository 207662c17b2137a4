/**
 * The log of each htmx topic: every broadcast on a topic served to htmx gets
 * an id before it is delivered, and the last `outboxSize` of them are kept, so
 * that an SSE client reconnecting with `Last-Event-ID` gets what it missed.
 *
 * Ids have the form `<ms>-<n>` and grow within a topic, so two of them compare
 * (compareIds). In memory (one process) `<ms>` is the moment the log was made
 * and `<n>` a counter: an id from before a restart never matches one after it.
 * With Redis, a topic's log is the stream `weft:hx:<topic>` and its ids are the
 * stream's: XADD and PUBLISH run in one script, so every node receives a
 * topic's broadcasts in id order, each with its id.
 *
 * The log sits in front of the PubSub (withTopicLog): publishing on a topic
 * that an `htmx.topics` pattern matches goes through it; every other topic
 * goes straight to the PubSub, untouched.
 */
import { createHash } from "node:crypto";
import type { ResolvedHtmx, HtmxTopicRule } from "./options.ts";
import { CHANNEL, RedisPubSub } from "../pubsub/redis.ts";
import { checkTopic, type BroadcastMessage, type PubSub } from "../pubsub/types.ts";
import { PREFIX, type RedisConnection } from "../redis/connection.ts";
import { jsonObject } from "../redis/json.ts";
import type { Json } from "../view.ts";

/** A broadcast with its id in its topic's log. */
export interface LoggedMessage extends BroadcastMessage {
  readonly id: string;
}

/** A topic log: appends (and publishes) broadcasts, reads back what followed an id. */
export interface TopicLog {
  /** Gives `msg` its id, keeps it, and publishes it on `topic` with that id. Rejects when it cannot publish. */
  publish(topic: string, msg: BroadcastMessage): Promise<void>;
  /**
   * The messages after `id`, oldest first; undefined when the log no longer
   * holds everything after it (or never knew `id`): the caller sends the
   * topic's current state instead.
   */
  after(topic: string, id: string): Promise<readonly LoggedMessage[] | undefined>;
}

/** How a log is sized. */
export interface TopicLogOptions {
  /** Messages kept per topic (the `outboxSize` option). */
  readonly size: number;
  /** Memory log: topics kept; the least recently published is dropped past it. */
  readonly maxTopics?: number | undefined;
  /**
   * Memory log: bytes kept over all topics (each message counted as the
   * length of its JSON); the least recently published topics lose their
   * oldest messages first past it. Default {@link MAX_LOGGED_BYTES}.
   */
  readonly maxBytes?: number | undefined;
  /** Redis log: how long a topic's stream outlives its last broadcast, ms. */
  readonly ttlMs?: number | undefined;
}

/** Topics a memory log keeps by default (each holds at most `size` messages). */
const MAX_LOGGED_TOPICS = 1024;

/** Bytes a memory log keeps over all its topics by default: 4 MiB. */
const MAX_LOGGED_BYTES = 4 * 1024 * 1024;

/** What an id looks like: `<ms>-<n>`, both decimal (a Redis stream id; the memory log's too). */
const ID = /^(\d{1,20})-(\d{1,20})$/;
/** The largest part of a Redis stream id (an unsigned 64-bit integer): Redis refuses a larger one. */
const U64_MAX = "18446744073709551615";

/**
 * Whether `id` has the form of a log id, each part at most 2^64 - 1 (as
 * Redis reads stream ids). Anything else (a hostile or foreign
 * Last-Event-ID) is treated as no id at all.
 *
 * @example
 * isLogId("1733368800000-3") // true
 * isLogId("<script>") // false
 */
export function isLogId(id: unknown): id is string {
  if (typeof id !== "string") return false;
  const m = ID.exec(id);
  return m !== null && compareDecimal(m[1]!, U64_MAX) <= 0 && compareDecimal(m[2]!, U64_MAX) <= 0;
}

/**
 * Orders two log ids (`<ms>-<n>`): negative, zero or positive as `a` is
 * before, equal to or after `b`. Compared as decimal numbers of any length.
 *
 * @example
 * compareIds("5-10", "5-9") // > 0
 */
export function compareIds(a: string, b: string): number {
  const [am = "", an = ""] = a.split("-");
  const [bm = "", bn = ""] = b.split("-");
  return compareDecimal(am, bm) || compareDecimal(an, bn);
}

function compareDecimal(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, "");
  const y = b.replace(/^0+(?=\d)/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The rule of `rules` that serves `topic`: an exact name wins over every
 * prefix, a longer prefix over a shorter one. Undefined when none matches or
 * `topic` is no valid topic name.
 *
 * @example
 * topicRule(htmx.topics, "jobs:42") // the "jobs:*" rule
 */
export function topicRule(rules: readonly HtmxTopicRule[], topic: string): HtmxTopicRule | undefined {
  try {
    checkTopic(topic);
  } catch {
    return undefined;
  }
  let best: HtmxTopicRule | undefined;
  for (const r of rules) {
    if (!r.prefix) {
      if (r.name === topic) return r;
    } else if (topic.startsWith(r.name) && (best === undefined || r.name.length > best.name.length)) best = r;
  }
  return best;
}

/** One topic's messages in memory: the newest `size`, their cost in bytes, and the id of the last one dropped. */
interface Ring {
  readonly entries: LoggedMessage[];
  readonly costs: number[];
  bytes: number;
  dropped: string | undefined;
}

/** What a message costs the memory log: the length of its JSON (a payload JSON cannot carry counts its name and 1 KiB). */
function costOf(msg: BroadcastMessage): number {
  try {
    return msg.name.length + (JSON.stringify(msg.payload ?? null)?.length ?? 4) + 32;
  } catch {
    return msg.name.length + 1024;
  }
}

/**
 * The topic log of one process: a bounded ring per topic, a bounded number of
 * topics (least recently published dropped first), ids `<log start ms>-<n>`.
 * Publishes through `pubsub` with the id.
 *
 * @example
 * const log = new MemoryTopicLog(new MemoryPubSub(), { size: 256 });
 * await log.publish("jobs:1", { name: "progress", payload: 40 });
 * await log.after("jobs:1", "0-0"); // undefined: an id this log never gave
 */
export class MemoryTopicLog implements TopicLog {
  private readonly rings = new Map<string, Ring>();
  private readonly epoch = String(Date.now());
  private n = 0;
  private bytes = 0;
  private readonly maxTopics: number;
  private readonly maxBytes: number;

  constructor(private readonly pubsub: PubSub, private readonly o: TopicLogOptions) {
    this.maxTopics = o.maxTopics ?? MAX_LOGGED_TOPICS;
    this.maxBytes = o.maxBytes ?? MAX_LOGGED_BYTES;
  }

  publish(topic: string, msg: BroadcastMessage): Promise<void> {
    checkTopic(topic);
    const logged: LoggedMessage = { name: msg.name, payload: msg.payload, id: `${this.epoch}-${++this.n}` };
    this.keep(topic, logged);
    return this.pubsub.publish(topic, logged);
  }

  after(topic: string, id: string): Promise<readonly LoggedMessage[] | undefined> {
    const ring = this.rings.get(topic);
    if (ring === undefined || !isLogId(id)) return Promise.resolve(undefined);
    if (id === ring.dropped) return Promise.resolve([...ring.entries]);
    const at = ring.entries.findIndex((e) => e.id === id);
    return Promise.resolve(at < 0 ? undefined : ring.entries.slice(at + 1));
  }

  /** Topics held, for tests. */
  get topics(): number {
    return this.rings.size;
  }

  /** Messages held for `topic`, for tests. */
  held(topic: string): number {
    return this.rings.get(topic)?.entries.length ?? 0;
  }

  /** Bytes held over all topics (as counted against `maxBytes`), for tests. */
  get heldBytes(): number {
    return this.bytes;
  }

  private keep(topic: string, msg: LoggedMessage): void {
    let ring = this.rings.get(topic);
    // Re-inserted so that the map's order is least recently published first.
    if (ring !== undefined) this.rings.delete(topic);
    else ring = { entries: [], costs: [], bytes: 0, dropped: undefined };
    this.rings.set(topic, ring);
    const cost = costOf(msg);
    ring.entries.push(msg);
    ring.costs.push(cost);
    ring.bytes += cost;
    this.bytes += cost;
    // size ≥ 1 (the outboxSize option is checked positive), so this runs at most once.
    if (ring.entries.length > this.o.size) this.dropOldest(ring);
    if (this.rings.size > this.maxTopics) {
      const oldest = this.rings.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    // Over the byte budget: the least recently published topics give up their oldest messages first,
    // a topic left empty goes. Each turn removes a message, so this ends; the newest message stays.
    for (const [name, r] of this.rings) {
      if (this.bytes <= this.maxBytes) break;
      while (this.bytes > this.maxBytes && r.entries.length > (r === ring ? 1 : 0)) this.dropOldest(r);
      if (r.entries.length === 0) this.forget(name);
    }
  }

  private dropOldest(ring: Ring): void {
    ring.dropped = ring.entries.shift()?.id;
    const cost = ring.costs.shift() ?? 0;
    ring.bytes -= cost;
    this.bytes -= cost;
  }

  private forget(topic: string): void {
    const ring = this.rings.get(topic);
    if (ring === undefined) return;
    this.bytes -= ring.bytes;
    this.rings.delete(topic);
  }
}

/** Prefix of a topic's stream: `weft:hx:<topic>`. */
export const STREAM = `${PREFIX}hx:`;

/**
 * Appends to the topic's stream (trimmed to about ARGV[1] entries, expiring
 * ARGV[2] ms after its last message) and publishes the message with its new
 * id on the topic's channel, in one step: no other broadcast on the topic can
 * come between, so subscribers get the ids in order. ARGV[4] is the JSON
 * `{"name":…,"payload":…}`; the published JSON is that object with `id` first.
 */
const APPEND = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'm', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], '{"id":"' .. id .. '",' .. string.sub(ARGV[4], 2))
return id
`;

/** The SHA1 of APPEND, by which EVALSHA names it. */
const APPEND_SHA = createHash("sha1").update(APPEND).digest("hex");

/**
 * Entries one replay reads at most before it gives up and the caller sends
 * `current` instead. The stream holds about `size` entries (`MAXLEN ~` keeps
 * up to one radix node more: 100 with Redis's default
 * stream-node-max-entries), so this is reached only when publishers outrun
 * the reading.
 */
const MAX_REPLAY_EXTRA = 4096;

/**
 * The topic log of a cluster on Redis: one stream per topic, shared by every
 * node. Publishes on the RedisPubSub's channel of the topic itself (in the
 * same script as the XADD), so it must stand in front of a RedisPubSub on the
 * same connection.
 *
 * @example
 * const log = new RedisTopicLog(redis, { size: 256, ttlMs: 600_000 });
 * await log.publish("jobs:1", { name: "progress", payload: 40 }); // on every node, with the stream's id
 */
export class RedisTopicLog implements TopicLog {
  /** Entries in the stream that were not a broadcast (counted, skipped). */
  malformed = 0;

  constructor(private readonly redis: RedisConnection, private readonly o: TopicLogOptions & { readonly ttlMs: number }) {}

  async publish(topic: string, msg: BroadcastMessage): Promise<void> {
    checkTopic(topic);
    // Throws on a payload JSON cannot carry (a cycle, a BigInt): the promise rejects.
    const body = JSON.stringify({ name: msg.name, payload: msg.payload });
    const args = [1, STREAM + topic, this.o.size, this.o.ttlMs, CHANNEL + topic, body] as const;
    try {
      await this.redis.cmd.evalsha(APPEND_SHA, ...args);
    } catch (err) {
      // Redis restarted or its script cache was flushed: load the script again, once, and retry.
      if (!(err instanceof Error && err.message.startsWith("NOSCRIPT"))) throw err;
      await this.redis.cmd.script("LOAD", APPEND);
      await this.redis.cmd.evalsha(APPEND_SHA, ...args);
    }
  }

  /**
   * Everything the stream holds after `id`, read in pages until a page comes
   * back short. `MAXLEN ~` keeps more than `size` entries, so one page of
   * `size` would miss the newest ones. A message published while the pages
   * are read may be read too: the caller (topics.ts) subscribed before
   * calling and drops live messages whose id is not after the last one read.
   */
  async after(topic: string, id: string): Promise<readonly LoggedMessage[] | undefined> {
    if (!isLogId(id)) return undefined;
    const key = STREAM + topic;
    const page = Math.max(this.o.size, 100);
    const out: LoggedMessage[] = [];
    let from = id;
    let read = 0;
    for (;;) {
      // Each page starts at the last id read: when that is no longer the first entry returned, it was
      // trimmed meanwhile (or, for `id`, never there), and what followed it may be gone too.
      const rows = await this.redis.cmd.xrange(key, from, "+", "COUNT", page + 1);
      if (rows[0]?.[0] !== from) return undefined;
      this.collect(rows.slice(1), out);
      if (rows.length < page + 1) return out;
      read += page;
      // Bounded: publishers that outrun the reading get `current` instead of an endless replay.
      if (read > this.o.size + MAX_REPLAY_EXTRA) return undefined;
      from = rows.at(-1)![0];
    }
  }

  private collect(rows: [id: string, fields: string[]][], out: LoggedMessage[]): void {
    for (const [at, fields] of rows) {
      const msg = fields[0] === "m" && fields[1] !== undefined ? parseEntry(fields[1], at) : undefined;
      if (msg === undefined) this.malformed++;
      else out.push(msg);
    }
  }
}

/** A stream entry's broadcast, with the entry's id; undefined when it is none. */
function parseEntry(raw: string, id: string): LoggedMessage | undefined {
  const v = jsonObject(raw);
  if (v === undefined || typeof v.name !== "string" || v.name.length === 0) return undefined;
  return { name: v.name, payload: (v.payload ?? null) as Json, id };
}

/**
 * A PubSub whose publishes on htmx topics go through a topic log first (the
 * id travels with the message); everything else is `inner`'s.
 */
export class TopicLogPubSub implements PubSub {
  constructor(readonly inner: PubSub, readonly log: TopicLog, private readonly rules: readonly HtmxTopicRule[]) {}

  subscribe(topic: string, handler: (msg: BroadcastMessage) => void): () => void {
    return this.inner.subscribe(topic, handler);
  }

  subscribed(topic: string): Promise<void> {
    return this.inner.subscribed?.(topic) ?? Promise.resolve();
  }

  publish(topic: string, msg: BroadcastMessage): Promise<void> {
    return topicRule(this.rules, topic) !== undefined ? this.log.publish(topic, msg) : this.inner.publish(topic, msg);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What {@link withTopicLog} needs from the resolved options. */
export interface TopicLogSettings {
  readonly htmx?: ResolvedHtmx | undefined;
  readonly outboxSize: number;
  readonly sessionGraceMs: number;
}

/**
 * How long a topic's Redis stream outlives its last broadcast: ten session
 * graces, at least ten minutes. Its length is bounded anyway (outboxSize);
 * this only lets the streams of topics nobody broadcasts on any more go.
 */
function streamTtlMs(sessionGraceMs: number): number {
  return Math.max(10 * sessionGraceMs, 600_000);
}

/**
 * Puts the topic log in front of `pubsub` when the app serves htmx topics
 * (Core's constructor): a Redis stream log when `pubsub` is Weft's own
 * RedisPubSub, else a memory log (one per node). Returns `pubsub` itself
 * when there are no htmx topics.
 *
 * @example
 * this.pubsub = withTopicLog(options.pubsub ?? new MemoryPubSub(), options, redis);
 */
export function withTopicLog(pubsub: PubSub, o: TopicLogSettings, redis: RedisConnection | undefined): PubSub {
  const rules = o.htmx?.topics ?? [];
  if (rules.length === 0) return pubsub;
  const log = redis !== undefined && pubsub instanceof RedisPubSub
    ? new RedisTopicLog(redis, { size: o.outboxSize, ttlMs: streamTtlMs(o.sessionGraceMs) })
    : new MemoryTopicLog(pubsub, { size: o.outboxSize });
  return new TopicLogPubSub(pubsub, log, rules);
}

/**
 * The log in front of `pubsub`, or undefined (no htmx topics: nothing is
 * logged, no Last-Event-ID can be replayed).
 *
 * @example
 * const log = topicLogOf(core.pubsub);
 */
export function topicLogOf(pubsub: PubSub): TopicLog | undefined {
  return pubsub instanceof TopicLogPubSub ? pubsub.log : undefined;
}

/**
 * The PubSub behind the topic log (for checks on its kind, such as the
 * metrics' count of malformed Redis messages).
 *
 * @example
 * unwrapPubSub(core.pubsub) instanceof RedisPubSub
 */
export function unwrapPubSub(pubsub: PubSub): PubSub {
  return pubsub instanceof TopicLogPubSub ? pubsub.inner : pubsub;
}
