/**
 * The `htmx` option of createWeft: which views and topics serve unmodified
 * htmx pages (docs/htmx.md).
 */
import type { IncomingMessage } from "node:http";
import type { Template } from "../template/html.ts";
import type { Json } from "../view.ts";

/** A broadcast on an htmx topic, as its render function sees it. */
export interface HtmxTopicMessage {
  /** The topic it was broadcast on (e.g. "jobs:42"). */
  readonly topic: string;
  /** The broadcast's name: `broadcast(topic, name, payload)`; also the SSE event name. */
  readonly name: string;
  readonly payload: Json;
}

/** How one topic pattern reaches htmx subscribers (docs/htmx.md#topics). */
export interface HtmxTopic {
  /**
   * HTML for a broadcast: top-level elements with an `id` (WebSocket clients
   * swap them out of band; SSE clients get it as the data of event `name`).
   * Return undefined to send nothing for this message.
   */
  readonly render?: ((msg: HtmxTopicMessage) => Template | undefined) | undefined;
  /** Send JSON instead of HTML: `{"weft":"broadcast","topic","event","data"}`. */
  readonly json?: boolean | undefined;
  /**
   * What a page should show now: sent first on every connect that cannot be
   * replayed (no Last-Event-ID, or one older than the topic's log). HTML
   * (a template) or JSON data (with `json: true`).
   */
  readonly current?: ((topic: string, req: IncomingMessage) => Template | Json | undefined | Promise<Template | Json | undefined>) | undefined;
}

/** The `htmx` option. */
export interface HtmxOptions {
  /** View paths of `views` (patterns, e.g. "/todos", "/rooms/:id") that serve htmx clients at /weft/htmx/ws/… and /weft/htmx/sse/…. */
  readonly views?: readonly string[] | undefined;
  /** Topic patterns htmx clients may subscribe to at /weft/htmx/topic/…: an exact name, or a prefix ending in `*` ("chat:*"). */
  readonly topics?: Readonly<Record<string, HtmxTopic>> | undefined;
  /** The id of the element error fragments replace (default "weft-error"). */
  readonly errorId?: string | undefined;
}

/** A topic pattern, resolved. */
export interface HtmxTopicRule {
  /** The pattern as given ("jobs", "chat:*"). */
  readonly pattern: string;
  /** True when it ends in `*`: `name` is then the prefix before the star. */
  readonly prefix: boolean;
  readonly name: string;
  readonly topic: HtmxTopic;
}

/** The `htmx` option, checked (core.options.htmx; undefined without the option). */
export interface ResolvedHtmx {
  /** View patterns served to htmx. */
  readonly views: ReadonlySet<string>;
  readonly topics: readonly HtmxTopicRule[];
  readonly errorId: string;
}

/** Checks the option (TypeError naming the problem) and resolves it. STUB: filled by options work. */
export function resolveHtmx(o: HtmxOptions | undefined, viewPaths: readonly string[]): ResolvedHtmx | undefined {
  if (o === undefined) return undefined;
  void viewPaths;
  return {
    views: new Set(o.views ?? []),
    topics: Object.entries(o.topics ?? {}).map(([pattern, topic]) => ({ pattern, prefix: pattern.endsWith("*"), name: pattern.endsWith("*") ? pattern.slice(0, -1) : pattern, topic })),
    errorId: o.errorId ?? "weft-error",
  };
}
