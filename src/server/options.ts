/**
 * App options: one commented defaults object, merged and validated once at
 * construction, then frozen. Every limit a peer controls has a finite default,
 * and none of them can be switched off (0 is refused): a deployment that wants
 * more sets a larger number.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { normalize } from "./security/client-address.ts";
import { validRate, type Rate } from "./security/rate-limit.ts";
import type { PubSub } from "./pubsub/types.ts";
import type { RedisConfig } from "./redis/connection.ts";
import type { Store } from "./store/types.ts";
import type { AuthResult } from "./security/auth.ts";
import type { IdentityOf } from "./identity.ts";
import type { ViewDefinition } from "./view.ts";
import { checkLogger, consoleLogger, type Logger } from "./logger.ts";
import { checkOptionShapes } from "./option-checks.ts";
import type { ErrorPage } from "./http/error-page.ts";
import type { FlashPayload } from "../protocol/messages.ts";
import { HANDLER_TIMEOUT_MS, MAX_QUEUED } from "./async/deadline.ts";
import { defaultUploadDir } from "./uploads/node.ts";
import { resolveUploadOptions } from "./uploads/config.ts";
import type { UploadBudget } from "./uploads/types.ts";
import { devMode, hotOptions, type DevOptions, type HotOptions } from "./dev/hot-options.ts";
import { resolveHtmx, type HtmxOptions, type ResolvedHtmx } from "./htmx/options.ts";

/** What a layout receives to build the page around a view. */
export interface PageParts {
  /** The page title (escaped). */
  readonly title: string;
  /** The view root element with the server-rendered view inside. */
  readonly body: string;
  /** The `<script>` tag that loads the client; put it in `<head>` or at the end of `<body>`. */
  readonly script: string;
  /** The request path, HTML-escaped (safe in text and in a quoted attribute). */
  readonly path: string;
  /**
   * The page's `weft-flash` slot, HTML ready to place (texts escaped): the
   * flashes of the view's mount and of a redirect that led here, and where
   * the client shows live ones. Put it outside the view (`body`), e.g. first
   * in `<body>`. A page without a slot gets one right after `<body>`.
   */
  readonly flash: string;
  /** The flashes in {@link PageParts.flash} as data (texts not escaped), for a layout that renders its own slot. */
  readonly flashes: readonly FlashPayload[];
}

/** A function that wraps a rendered view in a full HTML document. */
export type Layout = (page: PageParts) => string;

/**
 * Who may read an operations endpoint (`/weft/health`, `/weft/metrics`):
 * `true` anyone, `false` nobody (the path is not served), or `{ token }` only
 * requests with `Authorization: Bearer <token>` (else 401 E_ENDPOINT_TOKEN).
 * `requireTLS` applies in every case.
 */
export type EndpointAccess = boolean | { readonly token: string };

/** A transport name. */
export type TransportName = "websocket" | "sse" | "http";

/** Options of {@link createWeft}. */
export interface WeftOptions {
  /** Views by path; paths may hold params (`"/rooms/:id"`). */
  views: Record<string, ViewDefinition<never> | ViewDefinition<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * The HMAC secret(s) that sign view tokens; the first signs, all verify (key
   * rotation). When absent a random one is made and a warning printed: tokens
   * then die with the process and nodes cannot share sessions.
   */
  secret?: string | readonly string[] | undefined;
  /** Wraps each server-rendered view in the app's page. */
  layout?: Layout;
  /**
   * Transports offered. Order does not matter: they are kept best first
   * (websocket, sse, http) and the client starts on the last offered — the
   * most permissive — and probes the better ones. Default `["websocket", "sse", "http"]`.
   */
  transports?: readonly TransportName[];
  /** `false` drops "websocket" from `transports` (the short form). */
  useWebSocket?: boolean;
  /**
   * MessagePack on WebSocket (docs/transports.md#messagepack): pages load the
   * codec (/weft/client-msgpack.js) and their socket offers the subprotocol
   * `weft.msgpack`, which the server then chooses; every frame on it is
   * binary MessagePack. SSE, HTTP and clients that do not offer it stay on
   * JSON. Default false: measured, it saves few bytes on Weft's frames and
   * costs each page a second script (docs/benchmarks.md).
   * @example createWeft({ views, msgpack: true })
   */
  msgpack?: boolean;
  /** How long a long-poll GET waits for something to send, ms. Default 25 000. */
  longPollMs?: number;
  /** SSE heartbeat comment interval, ms. Default 15 000. */
  sseHeartbeatMs?: number;
  /** The `retry:` hint sent to EventSource, ms. Default 1 000. */
  sseRetryMs?: number;
  /** An SSE or HTTP link with no request and no stream for this long ends, ms. Default 60 000. */
  linkTimeoutMs?: number;
  /** How long an HTTP-transport POST waits for the answers to its events, ms. Default 10 000. */
  httpAnswerWaitMs?: number;
  /** Heartbeat interval, ms: a dead peer is noticed within two. Default 30 000. */
  heartbeatMs?: number;
  /** Largest accepted message, bytes. Default 65 536 (64 KiB). */
  maxMessageBytes?: number;
  /** Server messages kept per session for replay after a reconnect. Default 256. */
  outboxSize?: number;
  /** Lifetime of a view token, ms. Default 24 h. */
  tokenMaxAgeMs?: number;
  /** How long a page's state waits for its browser to join, ms. Default 60 000. */
  joinTimeoutMs?: number;
  /** Pending page mounts kept at most (oldest dropped first). Default 10 000. */
  maxPendingMounts?: number;
  /**
   * Pending page mounts kept per client address (see `trustProxy`); past it the
   * address's own oldest is dropped, so one address (a crawler) cannot evict
   * other addresses' pages. Default 256.
   */
  maxPendingMountsPerIp?: number;
  /** How long a session waits for its client after the link dropped, ms. Default 60 000. */
  sessionGraceMs?: number;
  /**
   * `GET /weft/metrics` (Prometheus text): `true`, `false`, or `{ token }` to
   * require `Authorization: Bearer <token>`. Default true (public: set a token
   * or turn it off when the app port is reachable from outside).
   */
  metrics?: EndpointAccess;
  /**
   * `GET /weft/health` (JSON status, sessions, connections, backends): `true`,
   * `false`, or `{ token }` as for `metrics`. Default true (load balancers probe it).
   */
  health?: EndpointAccess;
  /** How long `app.close()` waits for running events to finish, ms. Default 5 000. */
  shutdownMs?: number;
  /** Views joined at most on one connection. Default 64. */
  maxViewsPerConnection?: number;
  /**
   * How long an async handler (event, info, handleParams) may take, ms: one
   * not settled by then answers E_TIMEOUT, the view keeps its last good state
   * and its queue moves on (the handler's late result is dropped). An event's
   * `timeoutMs` overrides it; a synchronous handler cannot be interrupted.
   * Default 10 000 (docs/async.md).
   */
  handlerTimeoutMs?: number;
  /**
   * Pieces of work (browser events, info messages) a session keeps queued
   * behind its running handler. Past it a browser event answers E_BUSY and is
   * never applied; an info message (timer, broadcast) is dropped with a
   * warning and counted in `weft_info_dropped_total`. Default 64 (docs/async.md).
   */
  maxQueuedPerSession?: number;
  /**
   * Redis for several nodes: a URL (`redis://127.0.0.1:6379`) or ioredis
   * options. Switches both the session store and the pub/sub to Redis, so any
   * node can take any request (docs/scaling.md). Default: none, one process.
   */
  redis?: RedisConfig | undefined;
  /**
   * With `redis`: how long a node asked to hand a session over waits for the
   * handler running in it, ms. A handler still running then is fenced: its
   * result and effects are discarded, and its event runs again on the new
   * node (docs/scaling.md). Default 1 000.
   */
  handoverWaitMs?: number;
  /**
   * With `redis`: how long a join waits for another node to hand its session
   * over before it takes the last stored snapshot, ms. Must exceed
   * `handoverWaitMs` (the handover also saves). Default 2 000.
   */
  handoffTimeoutMs?: number;
  /** A custom pub/sub backend (see PubSub). Default: Redis with `redis`, else in memory. */
  pubsub?: PubSub;
  /**
   * A custom session store (see Store). Default: Redis with `redis`, else none
   * (one process). Needs `redis` too: Redis records which node owns each
   * session (handover, forwarding); a store alone is refused at start-up.
   */
  store?: Store;
  /**
   * Called with errors thrown by app code (handlers, renders, mounts) and by
   * the backends. Default: `logger.error({ err, where }, …)`.
   */
  onError?: (err: unknown, where: string) => void;
  /**
   * Where Weft logs: any pino-compatible logger (`info`/`warn`/`error`/`debug`,
   * each called as `(fields, message)`). Default: a small console logger
   * (`[weft] …` lines). A logger missing one of the methods is refused at start-up.
   * @example logger: pino({ level: "debug" })
   */
  logger?: Logger;
  /**
   * Logs every frame in and out on the server, at the `debug` level, with its
   * `sid`, `view`, `transport`, `v` and `ref` — the server's counterpart of
   * `window.weftDebug`. Off by default; when the option is not given the
   * environment variable `WEFT_DEBUG=1` turns it on. (pino: set `level: "debug"`.)
   */
  debug?: boolean;
  /**
   * Development mode: the page marks its script tag `data-dev` and loads the
   * client's development part (/weft/client-dev.js) before the client, which
   * logs every `weft:error` to the console with its code and a hint; and an
   * unknown event's error lists the view's events with a "did you mean".
   * Default: on unless `NODE_ENV` is `"production"`. In production the
   * browser loads no development part, logs nothing, and handler names stay
   * on the server.
   *
   * Hot reload (docs/hot-reload.md) only when given explicitly: `true` watches
   * the folders of the modules that define the views (and their CSS), and a
   * change re-renders every open page with the new code, keeping its state;
   * the object form says what to watch (`{ watch, css, debounceMs }`;
   * `{ watch: false }`: development mode without it). The default never
   * watches anything.
   * @example dev: process.env.NODE_ENV === "development"
   * @example dev: { watch: ["src/views"], css: ["public/app.css"] }
   */
  dev?: boolean | DevOptions;
  /**
   * Builds the HTML of an error page answering a page request (GET of a view
   * path, or of an unknown path outside `/weft/`): `(status, { code, message,
   * cause? }, req) => html string`. What it returns is sent as it is: escape
   * what you show. Requests under `/weft/` and those that accept JSON
   * (`Accept: application/json`) still get JSON. Default: a plain page with the
   * status and the registry's message, never a stack trace (docs/errors.md).
   */
  errorPage?: ErrorPage;

  // --- Security (docs/security.md) ---

  /**
   * Origins allowed to open a WebSocket or POST to the transports, e.g.
   * `["https://app.example.com"]`; `"*"` allows any. The page's own origin is
   * always allowed. Default: same origin only.
   */
  allowedOrigins?: readonly string[] | "*";
  /**
   * Trust `X-Forwarded-Proto` / `X-Forwarded-Host` / `X-Forwarded-For` from
   * these proxy addresses (`true`: from any peer, one proxy hop). The client
   * address is then the right-most X-Forwarded-For address that is not a
   * trusted proxy (docs/security.md). Default false: the socket decides.
   */
  trustProxy?: boolean | readonly string[];
  /** Refuse plain HTTP and WS (403 E_TLS_REQUIRED). Default false. */
  requireTLS?: boolean;
  /**
   * Gateway/service mode: pages, WebSocket upgrades and SSE/HTTP link requests
   * must carry `X-Weft-Key: <key>` (constant-time compared), else 401
   * E_SHARED_KEY. Browsers cannot set it on WebSocket or EventSource, so they
   * reach the app through a proxy that adds it, or not at all. The key never
   * skips the origin check. Health and metrics have their own `token`. Default: none.
   */
  sharedKey?: string;
  /**
   * Sees the real HTTP request (cookies, headers) at mount and at every join;
   * returns the session data for `ctx.session`, or `deny(401 | 403)`.
   * Default: everyone, with empty session data.
   */
  authorize?: (req: IncomingMessage) => AuthResult | Promise<AuthResult>;
  /**
   * What identifies the signed-in user in `authorize`'s session data. At every
   * rejoin `authorize` runs again, and the view goes on only when this is the
   * same as for the rendered page (else E_FORBIDDEN: the client reloads).
   * Compared structurally (object keys in any order). Default: `session.id`
   * when it is a string or a number, else the whole session data.
   * @example identity: (session) => session.userId
   */
  identity?: IdentityOf;
  /** Messages per connection: sustained rate and burst. Default 100/s, burst 200. */
  rateLimit?: Rate;
  /** Refused messages in a row after which the connection is closed (4429). Default 200. */
  abuseLimit?: number;
  /** Deepest nesting accepted in an event payload. Default 32. */
  maxJsonDepth?: number;
  /** Connections (sockets and links) from one client address (see `trustProxy`). Default 1 000. */
  maxConnectionsPerIp?: number;
  /** Connections (sockets and links) on this node, from all addresses; past it 503 E_SERVER_BUSY. Default 50 000. */
  maxConnections?: number;

  // --- Uploads (docs/uploads.md) ---

  /**
   * Where upload temp files go, each under a random name (never the
   * browser's); made when the first file arrives. Default
   * `os.tmpdir()/weft-uploads-<pid>`.
   */
  uploadDir?: string;
  /**
   * Disk budget of unfinished and unconsumed uploads, bytes: `perSession`
   * (default 256 MB) and `perNode` (default 4 GB). A file's declared size
   * is reserved from its session's at its declaration and from the node's
   * at its first chunk; past either it is refused (E_UPLOAD_BUDGET).
   */
  uploadBudget?: UploadBudget;
  /** An upload with no chunk for this long is dropped (E_UPLOAD_IDLE), ms. Default 60 000. */
  uploadIdleMs?: number;
  /**
   * A finished file not consumed (`ctx.consumeUploads`) for this long is
   * removed and its entry marked E_UPLOAD_IDLE, ms. Default 600 000 (10 min).
   *
   * @example createWeft({ views, uploadKeepMs: 30 * 60_000 })
   */
  uploadKeepMs?: number;

  // --- htmx (docs/htmx.md) ---

  /**
   * Serve unmodified htmx pages (htmx 2 with ext-ws/ext-sse, htmx 4 with
   * hx-ws/hx-sse): the listed `views` at /weft/htmx/ws/<path> and
   * /weft/htmx/sse/<path>, and the `topics` patterns at /weft/htmx/topic/<topic>.
   * Pages get their CSRF token from `app.htmxToken(req, res)`. Default: none
   * (nothing is served under /weft/htmx/).
   * @example htmx: { views: ["/todos"], topics: { "jobs:*": { render: ({ payload }) => html`<progress id="bar" hx-swap-oob="true" max="100" value=${String((payload as { pct: number }).pct)}></progress>` } } }
   */
  htmx?: HtmxOptions | undefined;
}

/** Resolved options. */
export type ResolvedOptions = Readonly<Required<Omit<WeftOptions, "secret" | "layout" | "useWebSocket" | "sharedKey" | "authorize" | "identity" | "pubsub" | "store" | "redis" | "errorPage" | "uploadBudget" | "dev" | "htmx">>> & {
  /** Development mode (the `dev` option, or its default). */
  readonly dev: boolean;
  /** Hot reload's settings, when the `dev` option asks for it (dev/hot-options.ts). */
  readonly hot: HotOptions | undefined;
  readonly pubsub: PubSub | undefined;
  readonly store: Store | undefined;
  readonly redis: RedisConfig | undefined;
  readonly secrets: readonly string[];
  readonly layout: Layout | undefined;
  readonly sharedKey: string | undefined;
  readonly authorize: WeftOptions["authorize"];
  readonly identity: IdentityOf | undefined;
  readonly errorPage: ErrorPage | undefined;
  readonly uploadBudget: { readonly perSession: number; readonly perNode: number };
  /** The `htmx` option, checked (htmx/options.ts); undefined when not given. */
  readonly htmx: ResolvedHtmx | undefined;
};

export const DEFAULTS = {
  transports: ["websocket", "sse", "http"] as readonly TransportName[],
  msgpack: false,
  longPollMs: 25_000,
  sseHeartbeatMs: 15_000,
  sseRetryMs: 1_000,
  linkTimeoutMs: 60_000,
  httpAnswerWaitMs: 10_000,
  heartbeatMs: 30_000,
  maxMessageBytes: 64 * 1024,
  outboxSize: 256,
  tokenMaxAgeMs: 24 * 60 * 60 * 1000,
  joinTimeoutMs: 60_000,
  maxPendingMounts: 10_000,
  sessionGraceMs: 60_000,
  maxViewsPerConnection: 64,
  handlerTimeoutMs: HANDLER_TIMEOUT_MS,
  maxQueuedPerSession: MAX_QUEUED,
  shutdownMs: 5_000,
  handoverWaitMs: 1_000,
  handoffTimeoutMs: 2_000,
  metrics: true as EndpointAccess,
  health: true as EndpointAccess,
  allowedOrigins: [] as readonly string[] | "*",
  trustProxy: false as boolean | readonly string[],
  requireTLS: false,
  rateLimit: { perSecond: 100, burst: 200 } as Rate,
  abuseLimit: 200,
  maxJsonDepth: 32,
  maxConnectionsPerIp: 1_000,
  maxConnections: 50_000,
  maxPendingMountsPerIp: 256,
};

const NUMERIC = ["abuseLimit", "maxJsonDepth", "longPollMs", "sseHeartbeatMs", "sseRetryMs", "linkTimeoutMs", "httpAnswerWaitMs", "heartbeatMs", "maxMessageBytes", "outboxSize", "tokenMaxAgeMs", "joinTimeoutMs", "maxPendingMounts", "sessionGraceMs", "maxViewsPerConnection", "shutdownMs", "handoverWaitMs", "handoffTimeoutMs", "handlerTimeoutMs"] as const;
/** Counts: whole numbers ≥ 1 (no "0 = unlimited"). */
const COUNTS = ["maxConnectionsPerIp", "maxConnections", "maxPendingMountsPerIp", "maxQueuedPerSession"] as const;

/** Merges options over the defaults and validates them; throws a TypeError showing the right call. */
export function resolveOptions(o: WeftOptions): ResolvedOptions {
  if (typeof o !== "object" || o === null) throw new TypeError("createWeft(options): options must be an object, e.g. createWeft({ views: { \"/\": Home }, secret })");
  checkOptionShapes(o);
  for (const path of Object.keys(o.views)) {
    if (!path.startsWith("/") || path.startsWith("/weft/")) throw new TypeError(`createWeft: view path "${path}" must start with "/" and not with "/weft/"`);
  }
  const { useWebSocket, ...rest } = o;
  const logger = o.logger === undefined ? consoleLogger() : checkLogger(o.logger);
  // The default onError logs through the logger: one place for everything Weft says.
  const onError = (err: unknown, where: string): void => logger.error({ err, where }, `${where} failed`);
  const debug = o.debug ?? process.env.WEFT_DEBUG === "1";
  const dev = devMode(o.dev);
  const merged = { ...DEFAULTS, onError, ...stripUndefined(rest), logger, debug, dev, hot: hotOptions(o.dev) };
  if (useWebSocket === false) merged.transports = merged.transports.filter((t) => t !== "websocket");
  for (const k of NUMERIC) {
    const v = merged[k];
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) throw new TypeError(`createWeft: \`${k}\` must be a positive number, got ${String(v)}`);
  }
  // A Node timer holds at most 2^31 - 1 ms; a longer one would fire at once.
  if (merged.handlerTimeoutMs > 2 ** 31 - 1) throw new TypeError(`createWeft: \`handlerTimeoutMs\` must be at most ${2 ** 31 - 1} ms (about 24.8 days), got ${merged.handlerTimeoutMs}`);
  if (merged.handoffTimeoutMs <= merged.handoverWaitMs) {
    throw new TypeError(`createWeft: \`handoffTimeoutMs\` (${merged.handoffTimeoutMs}) must exceed \`handoverWaitMs\` (${merged.handoverWaitMs}): the joining node waits for the handover, e.g. { handoverWaitMs: 1000, handoffTimeoutMs: 2000 }`);
  }
  /** Every transport, best first: the offer is kept in this order whatever order it was given in (the client starts on its last). */
  const known: readonly TransportName[] = ["websocket", "sse", "http"];
  if (!Array.isArray(merged.transports) || merged.transports.length === 0 || merged.transports.some((t) => !known.includes(t))) {
    throw new TypeError(`createWeft: \`transports\` must be a non-empty subset of ${JSON.stringify(known)}`);
  }
  if (!validRate(merged.rateLimit)) throw new TypeError("createWeft: `rateLimit` must be { perSecond > 0, burst >= 1 }, e.g. { perSecond: 100, burst: 200 }");
  for (const k of COUNTS) {
    const v = merged[k];
    if (!Number.isSafeInteger(v) || v < 1) throw new TypeError(`createWeft: \`${k}\` must be a whole number ≥ 1 (limits cannot be switched off; set a larger number), got ${String(v)}`);
  }
  const trust = merged.trustProxy;
  if (typeof trust !== "boolean" && (!Array.isArray(trust) || trust.some((a) => typeof a !== "string" || isIP(normalize(a)) === 0))) {
    throw new TypeError('createWeft: `trustProxy` must be true, false or a list of proxy IP addresses, e.g. trustProxy: ["10.0.0.2"]');
  }
  if (merged.allowedOrigins !== "*" && (!Array.isArray(merged.allowedOrigins) || merged.allowedOrigins.some((x) => typeof x !== "string" || !/^https?:\/\/[^/]+$/.test(x)))) {
    throw new TypeError('createWeft: `allowedOrigins` must be "*" or a list of origins like "https://app.example.com" (scheme and host, no path)');
  }
  if (o.sharedKey !== undefined && (typeof o.sharedKey !== "string" || o.sharedKey.length < 16)) throw new TypeError("createWeft: `sharedKey` must be a string of at least 16 characters");
  for (const k of ["metrics", "health"] as const) {
    const a = merged[k];
    if (typeof a !== "boolean" && (typeof a !== "object" || a === null || typeof a.token !== "string" || a.token.length < 16)) {
      throw new TypeError(`createWeft: \`${k}\` must be true, false or { token } with a token of at least 16 characters, e.g. ${k}: { token: process.env.WEFT_${k.toUpperCase()}_TOKEN }`);
    }
  }
  if (o.authorize !== undefined && typeof o.authorize !== "function") throw new TypeError("createWeft: `authorize` must be a function (req) => sessionData | deny(401)");
  if (o.identity !== undefined && typeof o.identity !== "function") throw new TypeError("createWeft: `identity` must be a function of the session data, e.g. identity: (session) => session.userId");
  // A shared store lets any node adopt a session; only Redis says which node
  // owns it (handover, fencing, forwarding). Without it two nodes could each
  // adopt one session and both run it: a silent half-cluster.
  if (o.store !== undefined && o.redis === undefined) {
    throw new TypeError("createWeft: a custom `store` needs `redis` as well (it records which node owns each session), e.g. createWeft({ views, secret, redis: process.env.REDIS_URL, store: myStore })");
  }
  return Object.freeze({
    ...merged,
    sharedKey: o.sharedKey,
    authorize: o.authorize,
    identity: o.identity,
    pubsub: o.pubsub,
    store: o.store,
    redis: o.redis,
    views: o.views,
    transports: Object.freeze(known.filter((t) => merged.transports.includes(t))),
    trustProxy: typeof trust === "boolean" ? trust : Object.freeze(trust.map(normalize)),
    secrets: Object.freeze(resolveSecrets(o.secret, logger)),
    layout: o.layout,
    errorPage: o.errorPage,
    htmx: resolveHtmx(o.htmx, Object.keys(o.views), o.views),
    ...resolveUploadOptions(o, defaultUploadDir()),
  });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function resolveSecrets(secret: WeftOptions["secret"], logger: Logger): string[] {
  const list = secret === undefined ? [] : typeof secret === "string" ? [secret] : [...secret];
  if (list.some((s) => typeof s !== "string" || s.length < 16)) {
    throw new TypeError("createWeft: `secret` must be a string (or a list of strings) of at least 16 characters, e.g. secret: process.env.WEFT_SECRET");
  }
  if (list.length > 0) return list;
  logger.warn({}, "no `secret` given: using a random one. Tokens will not survive a restart; set WEFT_SECRET in production.");
  return [randomBytes(32).toString("base64url")];
}
