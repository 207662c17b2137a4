/**
 * The htmx endpoints (docs/htmx.md), all under /weft/htmx/:
 * - `ws/<view path>`: WebSocket upgrade, a view served to htmx's ext-ws / hx-ws;
 * - `sse/<view path>`: SSE GET, the view's fragments for ext-sse / hx-sse;
 * - `topic/<encodeURIComponent(topic)>`: a topic, as a WebSocket or an SSE GET.
 *
 * Every connect passes, in this order, before anything is mounted or
 * subscribed: the request guard (TLS, shared key, Origin allowlist), the
 * per-address connect rate (429 E_RATE_LIMIT with Retry-After), the view or
 * topic allowlist (404), the connection limits (429 per address, 503 for
 * the server); a topic's authorize hooks then run before it is subscribed.
 * A refused upgrade is answered with a plain HTTP error, so no socket opens
 * at all.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { ERRORS, type ErrorCode } from "../../protocol/errors.ts";
import type { Core } from "../core.ts";
import { refuseUpgrade, sendError } from "../http/respond.ts";
import type { RouteMatch } from "../router.ts";
import { limitAddress } from "../security/client-address.ts";
import type { ConnectionLimits } from "../security/connection-limits.ts";
import { denialCode, isDenial } from "../security/auth.ts";
import type { RequestGuard } from "../security/guard.ts";
import type { Params, SessionData } from "../view.ts";
import { ConnectRate } from "./connect-rate.ts";
import type { HtmxCsrf } from "./csrf.ts";
import { errorFragment } from "./fragments.ts";
import type { ResolvedHtmx } from "./options.ts";
import type { HtmxSender } from "./out.ts";
import { SseSender } from "./sse-stream.ts";
import { topicRule } from "./topic-log.ts";
import { HtmxTopics } from "./topics.ts";
import { openViewStream, type HtmxViewStream } from "./view-stream.ts";
import { HtmxSockets, RESTART_CLOSE, type WsSender } from "./ws.ts";

/** Every htmx URL starts with this. */
export const HTMX_PREFIX = "/weft/htmx/";
/** The longest topic name served (characters, decoded). */
const MAX_TOPIC = 256;
/** Frames a socket may send while its view mounts; more are answered E_BUSY. */
const MAX_EARLY_FRAMES = 16;
/** A Last-Event-ID of a view stream: `<sid>.<seq>` (sid: 128 bits in base64url; seq: at most 15 digits, so a safe integer). */
const RESUME_ID = /^([A-Za-z0-9_-]{22})\.(\d{1,15})$/;

/** A connect refused: the HTTP error it is answered with. */
interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** A request target under /weft/htmx/, read (`search`: a view's query, its mount params like a page load's). */
type Target =
  | { readonly kind: "ws" | "sse"; readonly path: string; readonly search: URLSearchParams }
  | { readonly kind: "topic"; readonly topic: string | undefined };

/** A connect admitted: its client address (holding a connection slot), and the view's route or the topic. */
type Admitted = { readonly addr: string } & ({ readonly route: RouteMatch; readonly query: Params } | { readonly topic: string });

/**
 * Serves the htmx endpoints of one app.
 *
 * @example
 * const htmx = new HtmxServer(core, guard, limits, new HtmxCsrf(core.options.secrets)); // the HtmxCsrf app.htmxToken uses
 * // in the request handler:  if (htmx.handle(req, res, url)) return;
 * // in the upgrade listener: if (htmx.upgrade(req, socket, head, url)) return;
 * await htmx.close(); // app.close(): sockets get 1012, SSE streams end
 */
export class HtmxServer {
  private readonly o: ResolvedHtmx;
  private readonly sockets: HtmxSockets;
  private readonly topics: HtmxTopics | undefined;
  private readonly rate: ConnectRate;
  private readonly streams = new Set<SseSender>();
  private closed = false;

  /** `csrf`: the app's token maker (the one `app.htmxToken` uses), so frames are checked against the same secrets. */
  constructor(private readonly core: Core, private readonly guard: RequestGuard, private readonly limits: ConnectionLimits, private readonly csrf: HtmxCsrf) {
    const o = core.options.htmx;
    if (o === undefined) throw new TypeError("HtmxServer needs the htmx option");
    this.o = o;
    this.sockets = new HtmxSockets(core, o.errorId);
    this.topics = o.topics.length > 0 ? new HtmxTopics(core, o) : undefined;
    this.rate = new ConnectRate(o.connectRate);
  }

  /** Open htmx WebSockets (views and topics). */
  get socketCount(): number {
    return this.sockets.size;
  }

  /** Open htmx SSE streams (views and topics). */
  get streamCount(): number {
    return this.streams.size;
  }

  /**
   * Serves an HTTP request under /weft/htmx/ (an SSE GET of a view or topic);
   * false when the path is not under it. Never throws.
   */
  handle(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const { pathname } = url;
    if (!pathname.startsWith(HTMX_PREFIX)) return false;
    // Preflight of an allowed cross-origin page (EventSource withCredentials), and its CORS headers.
    if (this.guard.cors(req, res)) return true;
    const target = readTarget(url);
    if (target === undefined) {
      sendError(res, "E_UNKNOWN_VIEW", `no htmx endpoint at ${pathname}: /weft/htmx/ws/<view>, /weft/htmx/sse/<view> or /weft/htmx/topic/<topic>`);
      return true;
    }
    if (req.method !== "GET" || target.kind === "ws") {
      if (target.kind !== "ws") res.setHeader("Allow", "GET");
      sendError(res, "E_METHOD", target.kind === "ws" ? "this URL takes a WebSocket upgrade (ws-connect / hx-ws:connect)" : "htmx SSE endpoints take GET (sse-connect / hx-sse:connect)");
      return true;
    }
    const admitted = this.enter(req, target, (r, retryAfter) => {
      if (retryAfter !== undefined) res.setHeader("Retry-After", String(retryAfter));
      sendError(res, r.code, r.message);
    });
    if (admitted === undefined) return true;
    if ("route" in admitted) this.serveSse(req, res, admitted);
    else {
      void this.authorizeTopic(req, admitted.topic).then((authorized) => {
        // app.close() ran while authorize was awaited: no new stream.
        const refused = authorized ?? (this.closed ? { code: "E_SHUTDOWN" as const, message: ERRORS.E_SHUTDOWN.message } : undefined);
        if (refused === undefined && !res.destroyed) return this.serveSse(req, res, admitted);
        this.limits.close(admitted.addr);
        if (refused !== undefined) sendError(res, refused.code, refused.message);
      });
    }
    return true;
  }

  /** The SSE response of a connect admitted (and, for a topic, authorized). */
  private serveSse(req: IncomingMessage, res: ServerResponse, admitted: Admitted): void {
    const { addr } = admitted;
    const o = this.core.options;
    const sender = new SseSender(req, res, { heartbeatMs: o.sseHeartbeatMs, retryMs: o.sseRetryMs, logger: o.logger });
    this.streams.add(sender);
    sender.onClose(() => {
      this.streams.delete(sender);
      this.limits.close(addr);
    });
    if ("route" in admitted) this.openView(req, admitted, sender, { resume: readResume(SseSender.lastEventId(req)) });
    else this.openTopic(req, admitted.topic, sender, SseSender.lastEventId(req));
  }

  /**
   * Takes an upgrade under /weft/htmx/ (a view's or a topic's WebSocket);
   * false when the path is not under it. Refusals are plain HTTP errors.
   * `url`: the request target, as the caller parsed it.
   */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): boolean {
    const { pathname } = url;
    if (!pathname.startsWith(HTMX_PREFIX)) return false;
    const target = readTarget(url);
    if (target === undefined || target.kind === "sse") {
      refuseUpgrade(socket, "E_UNKNOWN_VIEW", `no htmx WebSocket at ${pathname}: /weft/htmx/ws/<view> or /weft/htmx/topic/<topic>`);
      return true;
    }
    const admitted = this.enter(req, target, (r, retryAfter) => refuseUpgrade(socket, r.code, r.message, retryAfter));
    if (admitted === undefined) return true;
    socket.once("close", () => this.limits.close(admitted.addr));
    if ("route" in admitted) {
      // Read at the handshake: the tokens every frame of this socket may carry (none without the cookie).
      const checkCsrf = this.csrf.checker(req);
      this.sockets.upgrade(req, socket, head, (sender) => this.openView(req, admitted, sender, { checkCsrf }));
      return true;
    }
    const { topic } = admitted;
    void this.authorizeTopic(req, topic).then((refused) => {
      if (refused !== undefined) return refuseUpgrade(socket, refused.code, refused.message);
      if (socket.destroyed) return;
      // app.close() ran while authorize was awaited: no new socket.
      if (this.closed) return refuseUpgrade(socket, "E_SHUTDOWN", ERRORS.E_SHUTDOWN.message);
      this.sockets.upgrade(req, socket, head, (sender) => {
        // A topic socket only sends: a frame from the page is refused (charged to the socket's rate bucket).
        sender.onFrame(() => sender.refuse("E_BAD_FRAME", "a topic socket only sends; send events on a view's socket (/weft/htmx/ws/<view>)"));
        this.openTopic(req, topic, sender, undefined);
      });
    });
    return true;
  }

  /** app.close(): every htmx socket closed with 1012 "service restart", SSE streams ended, topics unsubscribed. */
  async close(): Promise<void> {
    this.closed = true;
    this.sockets.close();
    for (const s of [...this.streams]) s.close(RESTART_CLOSE, "service restart");
    this.topics?.close();
  }

  /**
   * A topic connect's authorization, before anything is subscribed: the
   * app's `authorize(req)` (its denial: 401/403), then the topic rule's
   * `authorize(topic, session, req)` (false: 403 E_FORBIDDEN). A hook that
   * throws is reported to `onError` and refused 500 E_INTERNAL. Never rejects.
   */
  private async authorizeTopic(req: IncomingMessage, topic: string): Promise<Refusal | undefined> {
    try {
      let session: SessionData = {};
      const hook = this.core.options.authorize;
      if (hook !== undefined) {
        const r = await hook(req);
        if (isDenial(r)) return { code: denialCode(r), message: r.message ?? ERRORS[denialCode(r)].message };
        if (typeof r !== "object" || r === null) return { code: "E_FORBIDDEN", message: "authorize() returned no session data" };
        session = r;
      }
      const check = topicRule(this.o.topics, topic)?.topic.authorize;
      if (check !== undefined && (await check(topic, session, req)) !== true) return { code: "E_FORBIDDEN", message: `not allowed to follow topic ${topic}` };
      return undefined;
    } catch (err) {
      this.core.options.onError(err, `htmx topic authorize ${topic}`);
      return { code: "E_INTERNAL", message: ERRORS.E_INTERNAL.message };
    }
  }

  /**
   * Admits a connect and takes its slot in the connection limits; on a
   * refusal calls `refuse` (with Retry-After seconds for the connect rate)
   * and gives undefined. The caller frees the slot (`limits.close(addr)`)
   * when the connection ends.
   */
  private enter(req: IncomingMessage, target: Target, refuse: (r: Refusal, retryAfter?: number) => void): Admitted | undefined {
    const addr = limitAddress(req, this.core.options.trustProxy);
    const admitted = this.admit(req, target, addr);
    if ("code" in admitted) {
      refuse(admitted, admitted.code === "E_RATE_LIMIT" ? this.rate.retryAfter : undefined);
      return undefined;
    }
    const over = this.limits.open(addr);
    if (over !== undefined) {
      refuse({ code: over, message: ERRORS[over].message });
      return undefined;
    }
    return { ...admitted, addr };
  }

  /**
   * The checks every connect passes before anything is mounted: the guard,
   * the connect rate of `addr` (the client's address), then the view or
   * topic allowlist. The view's route and query, or the topic, when admitted.
   */
  private admit(req: IncomingMessage, target: Target, addr: string): { route: RouteMatch; query: Params } | { topic: string } | Refusal {
    const refuse = (code: ErrorCode, message: string = ERRORS[code].message): Refusal => ({ code, message });
    if (this.closed) return refuse("E_SHUTDOWN");
    // check, not checkPage: the connect mounts a view (or reads a topic) with the browser's cookies,
    // as a transport request does. Browsers send Origin on every WebSocket handshake and on
    // cross-origin EventSource GETs; a same-origin GET carries none and passes.
    const guarded = this.guard.check(req);
    if (guarded !== undefined) return refuse(guarded);
    if (!this.rate.take(addr)) return refuse("E_RATE_LIMIT", "too many htmx connects from this address: retry later");
    if (target.kind === "topic") return target.topic !== undefined && this.topics?.allows(target.topic) === true ? { topic: target.topic } : refuse("E_HTMX_TOPIC");
    const route = this.core.router.match(target.path);
    if (route === undefined || !this.o.views.has(route.pattern)) return refuse("E_UNKNOWN_VIEW", `no htmx view at ${target.path} (the htmx.views option lists those served)`);
    return { route, query: Object.fromEntries(target.search) };
  }

  private openTopic(req: IncomingMessage, topic: string, sender: HtmxSender, lastEventId: string | undefined): void {
    this.topics!.open(req, topic, sender, lastEventId).catch((err: unknown) => {
      this.core.options.onError(err, `htmx topic ${topic}`);
      this.fail(sender, "E_INTERNAL");
    });
  }

  private openView(req: IncomingMessage, { route, query }: { route: RouteMatch; query: Params }, sender: HtmxSender | WsSender, more: { resume?: { sid: string; seq: number } | undefined; checkCsrf?: (given: string | undefined) => boolean }): void {
    const held: [string, number][] = [];
    const ws = "onFrame" in sender ? sender : undefined;
    ws?.onFrame((text, bytes) => {
      if (held.length < MAX_EARLY_FRAMES) held.push([text, bytes]);
      else ws.refuse("E_BUSY", "the view is still mounting: send again");
    });
    openViewStream({ core: this.core, req, route, query, sender, ...more }).then(
      (stream) => {
        if ("code" in stream) return this.fail(sender, stream.code, stream.message);
        this.attach(stream, ws, held);
      },
      (err: unknown) => {
        this.core.options.onError(err, `htmx view ${route.pattern}`);
        this.fail(sender, "E_INTERNAL");
      },
    );
  }

  /** A live view stream takes the socket's frames and refusals (those held while it mounted first); it closes with its sender on its own. */
  private attach(stream: HtmxViewStream, ws: WsSender | undefined, held: [string, number][]): void {
    ws?.onFrame((text, bytes) => stream.receive(text, bytes));
    ws?.onRefusal((code, message) => stream.refuse(code, message));
    for (const [text, bytes] of held.splice(0)) stream.receive(text, bytes);
  }

  /** A refused open: the error fragment, then the stream ends (1008 unless the code has its own close code). */
  private fail(sender: HtmxSender, code: ErrorCode, message: string = ERRORS[code].message): void {
    this.core.metrics.error(code);
    sender.send({ data: errorFragment(this.o.errorId, code, message) });
    sender.close(closeCodeOf(code), code);
  }
}

/**
 * The WebSocket close code a refused open ends with: 1012 (service restart)
 * when the server shuts down — both htmx generations reconnect after it —,
 * else the code's own, else 1008 (policy: ext-ws does not reconnect). A full
 * server (E_SERVER_BUSY) never gets here: the connection limits refuse the
 * handshake itself (HTTP 503).
 */
function closeCodeOf(code: ErrorCode): number {
  if (code === "E_SHUTDOWN") return RESTART_CLOSE;
  return ERRORS[code].close !== 0 ? ERRORS[code].close : 1008;
}

/** `/weft/htmx/<kind>/<rest>` read; undefined when it is none of the endpoints. */
function readTarget(url: URL): Target | undefined {
  const rest = url.pathname.slice(HTMX_PREFIX.length);
  const slash = rest.indexOf("/");
  const kind = slash < 0 ? rest : rest.slice(0, slash);
  const tail = slash < 0 ? "" : rest.slice(slash + 1);
  if (kind === "ws" || kind === "sse") return { kind, path: `/${tail}`, search: url.searchParams };
  if (kind !== "topic" || tail === "") return undefined;
  return { kind, topic: decodeTopic(tail) };
}

/** A topic from its URL segment; undefined when it does not decode or is too long (refused E_HTMX_TOPIC). */
function decodeTopic(segment: string): string | undefined {
  try {
    const topic = decodeURIComponent(segment);
    return topic.length > 0 && topic.length <= MAX_TOPIC ? topic : undefined;
  } catch {
    return undefined;
  }
}

/** An SSE view stream's Last-Event-ID `<sid>.<seq>`, strictly; anything else starts afresh. */
export function readResume(id: string | undefined): { sid: string; seq: number } | undefined {
  const m = id === undefined ? null : RESUME_ID.exec(id);
  return m === null ? undefined : { sid: m[1]!, seq: Number(m[2]) };
}
