/**
 * Topics for htmx subscribers (`/weft/htmx/topic/<topic>`, WebSocket or SSE):
 * which topics are allowed, each broadcast turned into HTML or JSON, and
 * Last-Event-ID replay from the topic log (topic-log.ts).
 *
 * A connect subscribes first and holds what arrives meanwhile; then it sends
 * either the replay of what followed the client's Last-Event-ID (when the log
 * still holds all of it) or the topic's `current` state; then the held
 * messages that the replay did not already carry (compared by id); then every
 * broadcast as it comes. So a reconnecting client misses nothing the log
 * holds and gets nothing twice.
 */
import type { IncomingMessage } from "node:http";
import type { Core } from "../core.ts";
import type { BroadcastMessage } from "../pubsub/types.ts";
import { renderToString } from "../template/render-tree.ts";
import { Template } from "../template/html.ts";
import type { Json } from "../view.ts";
import type { HtmxOut, HtmxSender } from "./out.ts";
import type { HtmxTopic, HtmxTopicRule, ResolvedHtmx } from "./options.ts";
import { compareIds, isLogId, topicLogOf, topicRule, type TopicLog } from "./topic-log.ts";

/**
 * The JSON a `json: true` topic sends for a broadcast. Its keys are never
 * `content` or `payload`: htmx 4's hx-ws would swap those as HTML.
 *
 * @example
 * broadcastJson("status", "deploy", { ok: true })
 * // '{"weft":"broadcast","topic":"status","event":"deploy","data":{"ok":true}}'
 */
function broadcastJson(topic: string, event: string, data: Json): string {
  return JSON.stringify({ weft: "broadcast", topic, event, data });
}

/**
 * The JSON a `json: true` topic sends first on a connect that is not replayed:
 * what `current` returned.
 *
 * @example
 * currentJson("status", { ok: true }) // '{"weft":"current","topic":"status","data":{"ok":true}}'
 */
function currentJson(topic: string, data: Json): string {
  return JSON.stringify({ weft: "current", topic, data });
}

/** A connected subscriber. */
interface Stream {
  readonly sender: HtmxSender;
  readonly off: () => void;
}

/**
 * The node's htmx topic subscribers.
 *
 * @example
 * const topics = new HtmxTopics(core, core.options.htmx!);
 * if (topics.allows("jobs:42")) await topics.open(req, "jobs:42", sender, SseSender.lastEventId(req));
 */
export class HtmxTopics {
  private readonly streams = new Set<Stream>();
  private readonly log: TopicLog | undefined;
  /** Live messages held per stream while its replay or `current` is being sent: the outbox size. */
  private readonly maxHeld: number;
  /**
   * Each delivered broadcast's text, made for the first of its topic's
   * streams and reused by the others (a PubSub hands every subscriber the
   * same message object): one render per broadcast, not one per subscriber.
   */
  private readonly texts = new WeakMap<BroadcastMessage, { readonly topic: string; readonly data: string | undefined }>();
  private closed = false;

  constructor(private readonly core: Core, private readonly htmx: ResolvedHtmx) {
    this.log = topicLogOf(core.pubsub);
    this.maxHeld = core.options.outboxSize;
  }

  /** Whether `topic` matches one of the allowed patterns (and is a valid topic name). */
  allows(topic: string): boolean {
    return topicRule(this.htmx.topics, topic) !== undefined;
  }

  /** Subscribers connected now (read by tests; no gauge reports it). */
  get size(): number {
    return this.streams.size;
  }

  /**
   * Delivers `topic` to `sender` until it closes: first a replay after
   * `lastEventId` (SSE) or the topic's `current`, then every broadcast.
   * A topic no pattern allows closes the sender (1008, E_HTMX_TOPIC); the
   * caller answers 404 before that. Never rejects.
   */
  async open(req: IncomingMessage, topic: string, sender: HtmxSender, lastEventId: string | undefined): Promise<void> {
    const rule = topicRule(this.htmx.topics, topic);
    if (rule === undefined || this.closed) {
      sender.close(rule === undefined ? 1008 : 1012, rule === undefined ? "E_HTMX_TOPIC" : "service restart");
      return;
    }
    const named = namesHtml(req, sender);
    let held: BroadcastMessage[] | undefined = [];
    let ended = false;
    // Subscribed before the log is read: nothing published from here on can fall between the two.
    const off = this.core.pubsub.subscribe(topic, (m) => {
      if (ended) return;
      if (held === undefined) this.send(sender, rule, topic, m, named);
      else if (held.length < this.maxHeld) held.push(m);
      else {
        // More arrived than one outbox while the connect was served: the client reconnects (1013 is
        // "try again later", which both htmx generations retry) and starts over.
        ended = true;
        sender.close(1013, "too many messages while connecting");
      }
    });
    const stream: Stream = { sender, off };
    this.streams.add(stream);
    sender.onClose(() => {
      ended = true;
      off();
      this.streams.delete(stream);
    });
    try {
      // With Redis the subscription takes effect when Redis confirms it: a broadcast published before
      // would be in neither the live messages nor (for `current`) the state read below.
      await this.core.pubsub.subscribed?.(topic);
      if (ended) return;
      const last = await this.replay(topic, rule, sender, lastEventId, named);
      if (ended) return;
      if (last === undefined) await this.current(req, topic, rule.topic, sender);
      if (ended) return;
      const waiting: BroadcastMessage[] = held;
      held = undefined;
      for (const m of waiting) {
        // Already sent by the replay: the log was read after these arrived.
        if (last !== undefined && m.id !== undefined && isLogId(m.id) && compareIds(m.id, last) <= 0) continue;
        this.send(sender, rule, topic, m, named);
      }
    } catch (err) {
      this.core.options.onError(err, `htmx topic "${topic.slice(0, 64)}" connect`);
      sender.close(1011, "E_INTERNAL");
    }
  }

  /** Stops every subscription and closes its stream (1012: both htmx generations reconnect). */
  close(): void {
    this.closed = true;
    for (const s of [...this.streams]) {
      s.off();
      s.sender.close(1012, "service restart");
    }
    this.streams.clear();
  }

  /**
   * Sends what the log holds after `lastEventId`; the id of the last message
   * the client has then, or undefined when there was nothing to replay from
   * (no id, an id the log no longer covers, a log that is unreachable).
   */
  private async replay(topic: string, rule: HtmxTopicRule, sender: HtmxSender, lastEventId: string | undefined, named: boolean): Promise<string | undefined> {
    if (this.log === undefined || !isLogId(lastEventId)) return undefined;
    let entries;
    try {
      entries = await this.log.after(topic, lastEventId);
    } catch (err) {
      // Redis down: the current state is the next best thing.
      this.core.options.onError(err, `htmx topic "${topic.slice(0, 64)}" replay`);
      return undefined;
    }
    if (entries === undefined) return undefined;
    for (const m of entries) this.send(sender, rule, topic, m, named);
    return entries.at(-1)?.id ?? lastEventId;
  }

  /** Sends the topic's `current` state (no id: it is no message of the log). */
  private async current(req: IncomingMessage, topic: string, t: HtmxTopic, sender: HtmxSender): Promise<void> {
    if (t.current === undefined) return;
    let v: Template | Json | undefined;
    try {
      v = await t.current(topic, req);
    } catch (err) {
      this.core.options.onError(err, `htmx topic "${topic.slice(0, 64)}" current`);
      return;
    }
    if (v === undefined) return;
    const value = v;
    const data = this.text(topic, "current", () => {
      if (isJson(t)) return currentJson(topic, value instanceof Template ? renderToString(value) : value);
      if (value instanceof Template) return renderToString(value);
      throw new TypeError("current() of an HTML topic must return an html`…` template, or undefined (or give the topic json: true)");
    });
    if (data !== undefined && data.length > 0) sender.send({ data });
  }

  /**
   * Sends one broadcast: rendered as the topic's rule says (once per
   * message, see `texts`), with its id. A render that throws is logged (once)
   * and skipped. JSON always carries the
   * broadcast's name as its SSE event; HTML only when `named` (see namesHtml).
   */
  private send(sender: HtmxSender, rule: HtmxTopicRule, topic: string, m: BroadcastMessage, named: boolean): void {
    const t = rule.topic;
    // The streams of one topic share its rule, so a message's text is the same for each of them.
    let made = this.texts.get(m);
    if (made?.topic !== topic) {
      made = {
        topic,
        data: this.text(topic, m.name, () => {
          if (isJson(t)) return broadcastJson(topic, m.name, m.payload);
          const tpl = t.render!({ topic, name: m.name, payload: m.payload });
          return tpl === undefined ? undefined : renderToString(tpl);
        }),
      };
      this.texts.set(m, made);
    }
    const data = made.data;
    if (data === undefined || data.length === 0) return;
    const event = named || isJson(t) ? m.name : undefined;
    const out: HtmxOut = m.id !== undefined ? { data, event, id: m.id } : { data, event };
    sender.send(out);
  }

  /** Runs a render; a throw is reported (onError) and gives undefined. */
  private text(topic: string, name: string, make: () => string | undefined): string | undefined {
    try {
      return make();
    } catch (err) {
      this.core.options.onError(err, `htmx topic "${topic.slice(0, 64)}" render of "${name.slice(0, 64)}"`);
      return undefined;
    }
  }
}

/**
 * Whether a topic stream names its HTML events (`event: <broadcast name>`):
 * yes, except on an SSE request with `HX-Request: true`, which is htmx 4's
 * hx-sse (htmx 2's ext-sse is a plain EventSource, which sends no such
 * header). htmx 4 never swaps a named event (it dispatches it as a DOM
 * event on the hx-sse:connect element); it swaps an unnamed one into that
 * element with its hx-swap, out-of-band elements by id. JSON stays named on
 * both: htmx 4 would swap an unnamed JSON text as HTML, and a named one is a
 * DOM event page script reads (`detail.data`).
 *
 * @example
 * namesHtml(req, sseSender) // false for htmx 4's request, true for htmx 2's EventSource
 */
function namesHtml(req: IncomingMessage, sender: HtmxSender): boolean {
  return !(sender.kind === "sse" && req.headers?.["hx-request"] === "true");
}

/** A topic sends JSON when it says so, or when it has no render function. */
function isJson(t: HtmxTopic): boolean {
  return t.json === true || t.render === undefined;
}
