/**
 * The start-up checks of `createWeft`'s options that are about their names
 * and kinds: an unknown key (a typo) is refused with "did you mean", a value
 * of the wrong kind names the option and says what it got, and each `views`
 * entry must be a view. The value checks (ranges, formats) stay in options.ts.
 */
import { describe, rejectUnknownKeys } from "./startup-checks.ts";
import type { WeftOptions } from "./options.ts";
import { checkView } from "./view-check.ts";

/**
 * Every option `createWeft` knows. The type check below fails when
 * WeftOptions gains a key that is not listed here: add it to the list.
 */
export const OPTION_KEYS = [
  "views", "secret", "layout", "transports", "useWebSocket", "longPollMs", "sseHeartbeatMs", "sseRetryMs",
  "linkTimeoutMs", "httpAnswerWaitMs", "heartbeatMs", "maxMessageBytes", "outboxSize", "tokenMaxAgeMs",
  "joinTimeoutMs", "maxPendingMounts", "maxPendingMountsPerIp", "sessionGraceMs", "metrics", "health",
  "shutdownMs", "maxViewsPerConnection", "redis", "handoverWaitMs", "handoffTimeoutMs", "pubsub", "store",
  "onError", "logger", "debug", "dev", "errorPage", "allowedOrigins", "trustProxy", "requireTLS", "sharedKey",
  "authorize", "identity", "rateLimit", "abuseLimit", "maxJsonDepth", "maxConnectionsPerIp", "maxConnections",
  "handlerTimeoutMs", "maxQueuedPerSession",
  "uploadDir", "uploadBudget", "uploadIdleMs", "uploadKeepMs",
  "msgpack", "htmx",
] as const satisfies readonly (keyof WeftOptions)[];
type Unlisted = Exclude<keyof WeftOptions, (typeof OPTION_KEYS)[number]>;
// A compile error here names a WeftOptions key missing from OPTION_KEYS.
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

const FUNCTIONS = ["layout", "onError", "errorPage", "authorize", "identity"] as const;
// `dev` may also be an object (dev/hot-options.ts checks it).
const BOOLEANS = ["useWebSocket", "requireTLS", "debug", "msgpack"] as const;
/** Custom backends: the methods Weft calls on them. */
const BACKENDS = { pubsub: ["subscribe", "publish", "close"], store: ["save", "load", "delete", "close"] } as const;

/**
 * Throws a TypeError naming the option when `o` has an unknown key, a value
 * of the wrong kind, or a `views` entry that is not a view.
 *
 * @example checkOptionShapes({ views: { "/": Home }, evnets: {} }) // throws: did you mean `events`? no: unknown key `evnets`
 */
export function checkOptionShapes(o: WeftOptions): void {
  rejectUnknownKeys("createWeft", o, OPTION_KEYS);
  const given = o as unknown as Record<string, unknown>;
  for (const k of FUNCTIONS) {
    if (given[k] !== undefined && typeof given[k] !== "function") throw new TypeError(`createWeft: \`${k}\` must be a function, got ${describe(given[k])}`);
  }
  for (const k of BOOLEANS) {
    if (given[k] !== undefined && typeof given[k] !== "boolean") throw new TypeError(`createWeft: \`${k}\` must be true or false, got ${describe(given[k])}`);
  }
  for (const [k, methods] of Object.entries(BACKENDS)) {
    const v = given[k] as Record<string, unknown> | undefined;
    if (v === undefined) continue;
    const missing = typeof v === "object" && v !== null ? methods.filter((m) => typeof v[m] !== "function") : methods;
    if (missing.length > 0) throw new TypeError(`createWeft: \`${k}\` must be an object with ${methods.map((m) => `${m}()`).join(", ")}; it lacks ${missing.map((m) => `${m}()`).join(", ")}`);
  }
  if (o.redis !== undefined && typeof o.redis !== "string" && (typeof o.redis !== "object" || o.redis === null)) {
    throw new TypeError(`createWeft: \`redis\` must be a URL ("redis://127.0.0.1:6379") or ioredis options, got ${describe(o.redis)}`);
  }
  checkViews(o.views);
}

/** `views`: a non-empty object of paths to views. */
function checkViews(views: unknown): void {
  if (typeof views !== "object" || views === null || Array.isArray(views) || Object.keys(views).length === 0) {
    throw new TypeError(`createWeft: \`views\` must map paths to views, e.g. { views: { "/counter": Counter } }, got ${describe(views)}`);
  }
  for (const [path, view] of Object.entries(views)) {
    if (view === undefined) {
      throw new TypeError(`createWeft: views["${path}"] is undefined — is the view exported, and imported under that name? (a circular import also leaves it undefined at start-up)`);
    }
    checkView(view, `createWeft: views["${path}"]`);
  }
}
