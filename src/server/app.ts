/**
 * `createWeft`: assembles the engine, the transports and the HTTP handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { PATHS } from "../protocol/messages.ts";
import { Core } from "./core.ts";
import { CLIENT_DEV_PATH, CLIENT_MSGPACK_PATH, clientBundle } from "./http/client-bundle.ts";
import { renderPage } from "./http/page.ts";
import { OpsEndpoints } from "./http/ops.ts";
import { COUNT_ERROR, refuseUpgrade, sendError } from "./http/respond.ts";
import { sendErrorFor } from "./http/error-page.ts";
import { serveClient } from "./http/static-client.ts";
import { resolveOptions, type WeftOptions } from "./options.ts";
import type { Json } from "./view.ts";
import { LINK_ID } from "./transports/buffered-link.ts";
import { LinkTable } from "./transports/link-table.ts";
import { Cluster } from "./cluster/cluster.ts";
import { LongPollTransport } from "./transports/long-poll.ts";
import { SseTransport } from "./transports/sse.ts";
import { WebSocketTransport } from "./transports/websocket.ts";
import { isChunkPost } from "./transports/post-chunk.ts";
import { MAX_CHUNK_BYTES } from "./uploads/config.ts";
import { ERRORS, type ErrorCode } from "../protocol/errors.ts";
import { RequestGuard } from "./security/guard.ts";
import { limitAddress } from "./security/client-address.ts";
import { ConnectionLimits } from "./security/connection-limits.ts";
import { startHotReload } from "./dev/hot-reload.ts";
import { HtmxServer } from "./htmx/index.ts";
import { HtmxCsrf } from "./htmx/csrf.ts";

/** Calls the next middleware (Express, Connect) when a request is not Weft's. */
export type Next = (err?: unknown) => void;

/** A Weft app. */
export interface WeftApp {
  /**
   * The Node request listener: serves view pages and `/weft/*`. As Express
   * middleware (`app.use(weft.handler)`) it passes other requests on.
   */
  readonly handler: (req: IncomingMessage, res: ServerResponse, next?: Next) => void;
  /** The Node `'upgrade'` listener for the WebSocket endpoint (`/weft/ws`). */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Starts an HTTP server with the handler and upgrade listener. Resolves with its address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Closes the server (when `listen` started it), every socket and every session. */
  close(): Promise<void>;
  /**
   * Sends `info[name](state, payload)` to every session subscribed to `topic`,
   * on every node — from outside a view (a job, a webhook).
   * @example await app.broadcast("room:1", "message", { text: "deploy done" })
   */
  broadcast(topic: string, name: string, payload?: Json): Promise<void>;
  /**
   * The CSRF token an htmx page puts into every frame it sends (docs/htmx.md#csrf):
   * in `hx-headers` as `X-Weft-CSRF` (htmx 2) or a hidden `weft-csrf` field
   * (both generations; htmx 4 sends no hx-headers over its socket). Sets the
   * `weft_htmx` cookie it is bound to when the request has none (HttpOnly,
   * SameSite=Lax; Secure over TLS), keeping other Set-Cookie headers. Call it
   * while rendering the page, before the response's headers are sent.
   * @example
   * const token = weft.htmxToken(req, res);
   * res.end(`<div hx-ext="ws" ws-connect="/weft/htmx/ws/todos" hx-headers='{"X-Weft-CSRF":"${escapeHtml(token)}"}'>…</div>`);
   */
  htmxToken(req: IncomingMessage, res: ServerResponse): string;
  /** Live numbers (sessions, links per transport), for tests and health checks. */
  stats(): {
    sessions: number; pendingMounts: number; sockets: number; sseLinks: number; sseStreams: number; httpLinks: number; polls: number;
    /** Open htmx WebSockets and htmx SSE streams (views and topics), with the `htmx` option. */
    htmxSockets: number; htmxStreams: number;
    /**
     * With Redis: this node's id, requests forwarded to other nodes / served for them, sessions handed over,
     * forwarded answers ended because their reader fell more than the backlog behind.
     */
    cluster?: { node: string; forwarded: number; served: number; handedOver: number; tooSlow: number };
  };
}

/**
 * Creates a Weft app.
 *
 * @example
 * const app = createWeft({ views: { "/counter": Counter }, secret: process.env.WEFT_SECRET });
 * await app.listen(3000);
 * // or: http.createServer(app.handler).on("upgrade", app.upgrade).listen(3000)
 */
export function createWeft(options: WeftOptions): WeftApp {
  const core = new Core(resolveOptions(options));
  const ws = new WebSocketTransport(core);

  const offered = core.options.transports;
  const offersWebSocket = offered.includes("websocket");
  const guard = new RequestGuard(core.options);
  const ops = new OpsEndpoints(core, guard);
  // One count for sockets and links: maxConnections and maxConnectionsPerIp cover both.
  const limits = new ConnectionLimits(core.options);
  const links = new LinkTable(core, guard, limits);
  const sse = new SseTransport(core, links);
  const poll = new LongPollTransport(core, links);
  // htmx pages (the `htmx` option): /weft/htmx/* requests and upgrades. The CSRF tokens work without it.
  const htmxCsrf = new HtmxCsrf(core.options.secrets);
  const htmx = core.options.htmx === undefined ? undefined : new HtmxServer(core, guard, limits, htmxCsrf);
  let server: Server | undefined;
  // Development hot reload: only with an explicit `dev: true` or `dev: { … }` (dev/hot-options.ts).
  const hot = core.options.hot === undefined ? undefined : startHotReload(core, core.options.hot);
  // Build the client at once so the first page does not wait for it.
  clientBundle().catch((err: unknown) => core.options.onError(err, "client bundle build"));

  core.gauges = () => ({ sessions: core.registry.stats().live, connections: { websocket: ws.size, sse: links.count("sse"), http: links.count("http") } });
  const countError = (code: ErrorCode) => core.metrics.error(code);
  const handler = (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    // Every error code answered over HTTP is counted (by sendError).
    (res as ServerResponse & { [COUNT_ERROR]?: typeof countError })[COUNT_ERROR] = countError;
    route(req, res, next).catch((err: unknown) => {
      core.options.onError(err, `${req.method} ${req.url}`);
      sendErrorFor(core.options, req, res, parseTarget(req.url)?.pathname ?? req.url ?? "/", "E_INTERNAL", undefined, err).catch(() => res.destroy());
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse, next?: Next): Promise<void> {
    const url = parseTarget(req.url);
    if (url === undefined) return sendErrorFor(core.options, req, res, req.url ?? "/", "E_BAD_URL");
    if (htmx?.handle(req, res, url)) return;
    const transport = url.pathname === PATHS.sse && offered.includes("sse") ? sse : url.pathname === PATHS.http && offered.includes("http") ? poll : undefined;
    if (transport !== undefined) {
      if (guard.cors(req, res)) return;
      const refused = guard.check(req);
      if (refused !== undefined) return sendError(res, refused);
      const owner = core.cluster === undefined ? undefined : await linkOwner(req, url);
      if (owner !== undefined) {
        core.metrics.forwarded(transport === sse ? "sse" : "http");
        // An upload chunk's body is bounded by the largest chunk (uploads/config.ts), other bodies by maxMessageBytes.
        if (isChunkPost(req, url)) return core.cluster!.forward(owner, req, res, MAX_CHUNK_BYTES, "E_UPLOAD_CHUNK");
        return core.cluster!.forward(owner, req, res, core.options.maxMessageBytes);
      }
      return transport.handle(req, res, url);
    }
    // A transport's endpoint when it is off: its own code, also for a plain GET of the WebSocket path (a proxy that dropped the upgrade).
    if (url.pathname === PATHS.sse || url.pathname === PATHS.http || (url.pathname === PATHS.socket && !offersWebSocket)) return sendError(res, "E_TRANSPORT_OFF");
    const readOnly = req.method === "GET" || req.method === "HEAD";
    if (readOnly && url.pathname === PATHS.client) return serveClient(req, res, url, await clientBundle());
    if (readOnly && url.pathname === CLIENT_DEV_PATH) return serveClient(req, res, url, await clientBundle(), "dev");
    if (readOnly && url.pathname === CLIENT_MSGPACK_PATH) return serveClient(req, res, url, await clientBundle(), "msgpack");
    if (readOnly && (await ops.serve(req, res, url.pathname))) return;
    const match = readOnly ? core.router.match(url.pathname) : undefined;
    if (match !== undefined) {
      const refused = guard.checkPage(req);
      if (refused !== undefined) return sendErrorFor(core.options, req, res, url.pathname, refused);
      return renderPage(core, match, url, req, res, await clientHash());
    }
    if (next !== undefined) return next();
    return sendErrorFor(core.options, req, res, url.pathname, "E_UNKNOWN_VIEW", `no view at ${url.pathname}`);
  }

  /**
   * The other node that owns the request's link, when it is not here: the
   * request is forwarded there. Undefined when the link is here, unknown,
   * its owner is dead, or Redis is down (then this node answers itself).
   */
  async function linkOwner(req: IncomingMessage, url: URL): Promise<string | undefined> {
    const cluster = core.cluster;
    if (cluster === undefined || Cluster.isForwarded(req)) return undefined;
    const id = url.searchParams.get("l") ?? "";
    if (!LINK_ID.test(id) || links.has(id)) return undefined;
    try {
      const owner = await cluster.linkOwner(id);
      return owner === cluster.id ? undefined : owner;
    } catch {
      return undefined;
    }
  }
  core.serveForwarded = handler;

  // A page still renders (server-side) when the client bundle fails to build.
  async function clientHash(): Promise<string> {
    try {
      return (await clientBundle()).hash;
    } catch (err) {
      core.options.onError(err, "client bundle build");
      return "unbuilt";
    }
  }

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Node takes its own error listener off a socket it hands to 'upgrade': a client that resets the
    // connection while the handshake is refused or still being admitted must not become an uncaught error.
    socket.on("error", ignoreSocketError);
    const url = parseTarget(req.url);
    if (url === undefined) return refuseUpgrade(socket, "E_BAD_URL");
    if (htmx?.upgrade(req, socket, head, url)) return;
    if (url.pathname !== PATHS.socket) return refuseUpgrade(socket, "E_UNKNOWN_VIEW");
    if (!offersWebSocket) return refuseUpgrade(socket, "E_TRANSPORT_OFF");
    const refused = guard.check(req);
    if (refused !== undefined) return refuseUpgrade(socket, refused);
    const addr = limitAddress(req, core.options.trustProxy);
    const over = limits.open(addr);
    if (over !== undefined) return refuseUpgrade(socket, over);
    socket.once("close", () => limits.close(addr));
    ws.upgrade(req, socket, head);
  };

  return {
    handler,
    upgrade,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server = createServer(handler);
        server.on("upgrade", upgrade);
        server.once("error", reject);
        server.listen(port, host, () => resolve(server!.address() as AddressInfo));
      });
    },
    async close() {
      // Stop accepting; let running events finish and save snapshots; then
      // tell clients to reconnect (to another node, behind a balancer).
      hot?.close();
      const s = server;
      server = undefined;
      const stopped = s === undefined ? Promise.resolve() : new Promise<void>((resolve) => s.close(() => resolve()));
      await core.quiesce(core.options.shutdownMs);
      // htmx sockets first, with 1012 (service restart): both htmx generations reconnect after it.
      await htmx?.close();
      ws.close();
      // Every link gets its E_SHUTDOWN frame: SSE streams end after it, waiting
      // polls are answered with it; a link without a poll gets it on its next
      // one until the links end, after the sessions.
      links.shutdown();
      sse.close();
      poll.close();
      await core.close();
      links.close(ERRORS.E_SHUTDOWN.close, "shutdown");
      s?.closeAllConnections();
      await stopped;
    },
    broadcast: (topic, name, payload) => core.broadcast(topic, name, payload ?? null),
    htmxToken: (req, res) => htmxCsrf.token(req, res, guard.secure(req)),
    stats() {
      const r = core.registry.stats();
      return {
        sessions: r.live, pendingMounts: r.pending, sockets: ws.size,
        sseLinks: links.count("sse"), sseStreams: sse.size, httpLinks: links.count("http"), polls: poll.size,
        htmxSockets: htmx?.socketCount ?? 0, htmxStreams: htmx?.streamCount ?? 0,
        ...(core.cluster !== undefined ? { cluster: { node: core.cluster.id, ...core.cluster.totals } } : {}),
      };
    },
  };
}

/** A handshake socket's errors (ECONNRESET and the like): the socket is closed with them, nothing else to do. */
function ignoreSocketError(): void {}

/**
 * The request target as a URL, or undefined when it is not one. Only its path
 * and query are ever read: an absolute-form target (`GET http://host/x`) or a
 * `//host/x` one names a host that nothing uses.
 */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? "/", "http://localhost");
  } catch {
    return undefined;
  }
}
