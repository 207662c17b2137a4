/**
 * The `htmx` option of createWeft: which views and topics serve unmodified
 * htmx pages (docs/htmx.md).
 */
import type { IncomingMessage } from "node:http";
import type { Template } from "../template/html.ts";
import type { Json, SessionData } from "../view.ts";
import { validRate, type Rate } from "../security/rate-limit.ts";
import { describe, rejectUnknownKeys } from "../startup-checks.ts";

/**
 * A broadcast on an htmx topic, as its render function sees it.
 *
 * @example
 * // app.broadcast("jobs:42", "progress", { pct: 40 }) reaches render as
 * // { topic: "jobs:42", name: "progress", payload: { pct: 40 } }
 * const render = ({ name, payload }: HtmxTopicMessage) => html`<span id="job-badge" hx-swap-oob="true">${name}: ${String((payload as { pct: number }).pct)}%</span>`;
 */
export interface HtmxTopicMessage {
  /** The topic it was broadcast on (e.g. "jobs:42"). */
  readonly topic: string;
  /** The broadcast's name: `broadcast(topic, name, payload)`; also the SSE event name. */
  readonly name: string;
  readonly payload: Json;
}

/**
 * How one topic pattern reaches htmx subscribers (docs/htmx.md#topics):
 * exactly one of `render` (HTML) or `json: true`, optionally `current` and
 * `authorize`.
 *
 * @example
 * const jobs: HtmxTopic = {
 *   render: ({ payload }) => html`<progress id="job-bar" max="100" value=${String((payload as { pct: number }).pct)} hx-swap-oob="true"></progress>`,
 *   current: async (topic) => html`<progress id="job-bar" max="100" value=${String(await pctOf(topic))} hx-swap-oob="true"></progress>`,
 *   authorize: (topic, session) => topic === `jobs:${String(session.userId)}`,
 * };
 */
export interface HtmxTopic {
  /**
   * HTML for a broadcast: top-level elements with an `id` (WebSocket clients
   * swap them out of band; SSE clients get it as the data of event `name`).
   * Return undefined to send nothing for this message.
   * @example
   * render: ({ name, payload }) => html`<span id="job-badge" hx-swap-oob="true">${name}</span>`
   */
  readonly render?: ((msg: HtmxTopicMessage) => Template | undefined) | undefined;
  /**
   * Send JSON instead of HTML: `{"weft":"broadcast","topic","event","data"}`.
   * @example
   * topics: { status: { json: true } } // page script reads it in htmx:wsAfterMessage
   */
  readonly json?: boolean | undefined;
  /**
   * What a page should show now: sent first on every connect that cannot be
   * replayed (no Last-Event-ID, or one older than the topic's log). HTML
   * (a template) or JSON data (with `json: true`).
   * @example
   * current: async (topic, req) => html`<span id="job-badge" hx-swap-oob="true">${await jobs.state(topic)}</span>`
   */
  readonly current?: ((topic: string, req: IncomingMessage) => Template | Json | undefined | Promise<Template | Json | undefined>) | undefined;
  /**
   * Who may follow a topic this pattern matches. Runs on every connect,
   * after the app's `authorize(req)` (whose session data it gets; `{}`
   * without the hook), before anything is subscribed: false → 403
   * E_FORBIDDEN; a throw → 500 E_INTERNAL (reported to `onError`). Without
   * it every client that passes `authorize` may follow every topic the
   * pattern matches: guard a prefix pattern with it.
   * @example
   * "jobs:*": { render, authorize: (topic, session) => topic === `jobs:${session.user}` }
   */
  readonly authorize?: ((topic: string, session: SessionData, req: IncomingMessage) => boolean | Promise<boolean>) | undefined;
}

/**
 * The `htmx` option of createWeft: views and topics served to unmodified
 * htmx pages (docs/htmx.md).
 *
 * @example
 * createWeft({
 *   views: { "/todos": Todos },
 *   htmx: {
 *     views: ["/todos"],
 *     topics: { "jobs:*": { render, authorize: (topic, session) => topic === `jobs:${String(session.userId)}` }, status: { json: true } },
 *   },
 * });
 */
export interface HtmxOptions {
  /**
   * View paths of `views` (patterns, e.g. "/todos", "/rooms/:id") that serve htmx clients at /weft/htmx/ws/… and /weft/htmx/sse/….
   * @example htmx: { views: ["/todos", "/rooms/:id"] } // ws-connect="/weft/htmx/ws/rooms/lobby"
   */
  readonly views?: readonly string[] | undefined;
  /**
   * Topic patterns htmx clients may subscribe to at /weft/htmx/topic/…: an
   * exact name, or a prefix ending in `*` ("chat:*"). A prefix exposes every
   * topic under it to whoever passes `authorize`: guard it with the topic's `authorize`.
   * @example htmx: { topics: { "jobs:*": { render, authorize }, status: { json: true } } }
   */
  readonly topics?: Readonly<Record<string, HtmxTopic>> | undefined;
  /**
   * The id of the element error fragments replace (default "weft-error").
   * @example htmx: { views: ["/todos"], errorId: "form-errors" } // <div id="form-errors" role="alert"></div> on the page
   */
  readonly errorId?: string | undefined;
  /**
   * Connects (WebSocket upgrades and SSE GETs under /weft/htmx/) per client
   * address: sustained rate and burst; past it 429 E_RATE_LIMIT before any
   * mount. Default 10/s, burst 20: a page reconnecting in a loop is refused
   * cheaply.
   * @example htmx: { views: ["/todos"], connectRate: { perSecond: 5, burst: 10 } }
   */
  readonly connectRate?: Rate | undefined;
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
  /** Connects per client address (DEFAULT_CONNECT_RATE unless given). */
  readonly connectRate: Rate;
}

/** The id error fragments replace when `errorId` is not given. */
export const DEFAULT_ERROR_ID = "weft-error";
/** Connects to /weft/htmx/* per client address when the option does not say: 10 a second, bursts of 20. */
export const DEFAULT_CONNECT_RATE: Rate = Object.freeze({ perSecond: 10, burst: 20 });
/** An error fragment's id: a plain HTML id (no quotes, spaces or markup). */
const ERROR_ID = /^[A-Za-z][A-Za-z0-9_:.-]{0,63}$/;
const OPTION_KEYS = ["views", "topics", "errorId", "connectRate"] as const;
const TOPIC_KEYS = ["render", "json", "current", "authorize"] as const;

/**
 * Checks the option (TypeError naming the problem) and resolves it: every
 * `views` entry must be a path of the app's `views` (`viewPaths`) whose view
 * has no `uploads` (a socket cannot carry htmx file inputs); each topic
 * pattern is a name, or a prefix ending in one `*` (never `*` alone: that
 * would open every topic, a session's private ones too), with exactly one
 * of `render` or `json: true`.
 *
 * @example
 * resolveHtmx({ views: ["/todos"], topics: { "jobs:*": { render } } }, ["/todos"], { "/todos": Todos });
 */
export function resolveHtmx(o: HtmxOptions | undefined, viewPaths: readonly string[], views?: Readonly<Record<string, { readonly uploads?: unknown } | undefined>>): ResolvedHtmx | undefined {
  if (o === undefined) return undefined;
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new TypeError(`createWeft: \`htmx\` must be an object, e.g. htmx: { views: ["/todos"] }, got ${describe(o)}`);
  rejectUnknownKeys("createWeft: htmx", o, OPTION_KEYS);
  const errorId = o.errorId ?? DEFAULT_ERROR_ID;
  if (typeof errorId !== "string" || !ERROR_ID.test(errorId)) throw new TypeError(`createWeft: \`htmx.errorId\` must be an HTML id (a letter, then letters, digits, _ : . -; at most 64), got ${describe(errorId)}`);
  const connectRate = o.connectRate ?? DEFAULT_CONNECT_RATE;
  if (!validRate(connectRate)) throw new TypeError("createWeft: `htmx.connectRate` must be { perSecond > 0, burst >= 1 }, e.g. { perSecond: 10, burst: 20 }");
  return Object.freeze({
    views: checkViews(o.views, viewPaths, views),
    topics: Object.freeze(checkTopics(o.topics)),
    errorId,
    connectRate: Object.freeze({ perSecond: connectRate.perSecond, burst: connectRate.burst }),
  });
}

function checkViews(list: unknown, viewPaths: readonly string[], views: Readonly<Record<string, { readonly uploads?: unknown } | undefined>> | undefined): ReadonlySet<string> {
  if (list === undefined) return new Set();
  if (!Array.isArray(list)) throw new TypeError(`createWeft: \`htmx.views\` must be a list of view paths, e.g. ["/todos", "/rooms/:id"], got ${describe(list)}`);
  for (const path of list) {
    if (typeof path !== "string" || !viewPaths.includes(path)) {
      throw new TypeError(`createWeft: \`htmx.views\` names ${describe(path)}, which is not a path of \`views\` (${viewPaths.map((p) => `"${p}"`).join(", ")}): list the pattern as registered, e.g. "/rooms/:id"`);
    }
    if (views?.[path]?.uploads !== undefined) {
      throw new TypeError(`createWeft: \`htmx.views\` lists "${path}", whose view has \`uploads\`: htmx cannot send files over its socket; serve that view to Weft's own client only`);
    }
  }
  return new Set(list as string[]);
}

function checkTopics(topics: unknown): HtmxTopicRule[] {
  if (topics === undefined) return [];
  if (typeof topics !== "object" || topics === null || Array.isArray(topics)) throw new TypeError(`createWeft: \`htmx.topics\` must map topic patterns to { render } or { json: true }, got ${describe(topics)}`);
  return Object.entries(topics as Record<string, unknown>).map(([pattern, topic]) => {
    const where = `createWeft: htmx.topics["${pattern}"]`;
    const star = pattern.indexOf("*");
    if (pattern.length === 0 || pattern === "*" || (star >= 0 && star !== pattern.length - 1)) {
      throw new TypeError(`${where}: a topic pattern is a name ("status") or a prefix ending in one \`*\` ("jobs:*"); \`*\` alone would open every topic`);
    }
    if (typeof topic !== "object" || topic === null || Array.isArray(topic)) throw new TypeError(`${where} must be { render } or { json: true }, got ${describe(topic)}`);
    rejectUnknownKeys(where, topic, TOPIC_KEYS);
    const t = topic as HtmxTopic;
    if (t.render !== undefined && typeof t.render !== "function") throw new TypeError(`${where}.render must be a function ({ topic, name, payload }) => html\`…\`, got ${describe(t.render)}`);
    if (t.json !== undefined && typeof t.json !== "boolean") throw new TypeError(`${where}.json must be true or false, got ${describe(t.json)}`);
    if (t.current !== undefined && typeof t.current !== "function") throw new TypeError(`${where}.current must be a function (topic, req) => html\`…\` | data, got ${describe(t.current)}`);
    if (t.authorize !== undefined && typeof t.authorize !== "function") throw new TypeError(`${where}.authorize must be a function (topic, session, req) => boolean, got ${describe(t.authorize)}`);
    if ((t.render !== undefined) === (t.json === true)) throw new TypeError(`${where} needs exactly one of \`render\` (HTML) or \`json: true\` (JSON messages)`);
    const prefix = star >= 0;
    return Object.freeze({ pattern, prefix, name: prefix ? pattern.slice(0, -1) : pattern, topic: t });
  });
}
