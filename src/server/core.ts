/**
 * The engine every transport and the page handler share: mounting views,
 * signing tokens, joining sessions. Transports only move frames.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../protocol/errors.ts";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { RedisPubSub } from "./pubsub/redis.ts";
import { RedisConnection } from "./redis/connection.ts";
import { RedisStore } from "./store/redis.ts";
import type { Store } from "./store/types.ts";
import { checkTopic, type PubSub } from "./pubsub/types.ts";
import { authorizeRequest, denialCode, isDenial } from "./security/auth.ts";
import { SessionRegistry } from "./registry.ts";
import type { ResolvedOptions } from "./options.ts";
import { Router, type RouteMatch } from "./router.ts";
import { TokenSigner, type TokenClaims } from "./security/token.ts";
import { ViewSession, type SessionInit, type Sink } from "./session.ts";
import type { Json, Params, SessionData, ViewContext, ViewDefinition } from "./view.ts";

/** A page mount's outcome. */
export type PageMount =
  | { kind: "view"; init: SessionInit<unknown>; token: string; title: string }
  | { kind: "redirect"; to: string }
  | { kind: "denied"; code: ErrorCode; message?: string | undefined };

/** A join's outcome. */
export type JoinResult = ViewSession | ErrorCode;

export class Core {
  readonly router: Router;
  readonly signer: TokenSigner;
  readonly registry: SessionRegistry;
  readonly pubsub: PubSub;
  /** Where session snapshots go; undefined on one process without a store. */
  readonly store: Store | undefined;
  /** The node's Redis connections, with the `redis` option. */
  readonly redis: RedisConnection | undefined;

  constructor(readonly options: ResolvedOptions) {
    const redis = options.redis !== undefined ? new RedisConnection(options.redis, options.onError) : undefined;
    this.redis = redis;
    this.pubsub = options.pubsub ?? (redis !== undefined ? new RedisPubSub(redis, options.onError) : new MemoryPubSub());
    this.store = options.store ?? (redis !== undefined ? new RedisStore(redis, options.onError) : undefined);
    this.router = new Router(options.views as Record<string, ViewDefinition<unknown>>);
    this.signer = new TokenSigner(options.secrets);
    this.registry = new SessionRegistry(options);
  }

  /**
   * Mounts a view for a server-rendered page. The state is kept as a pending
   * mount so that the browser's join takes it over: mount runs once per page.
   */
  async mountPage(route: RouteMatch, query: Params, req: IncomingMessage): Promise<PageMount> {
    const params: Params = Object.assign(Object.create(null), query, route.params);
    const session = await authorizeRequest(this.options.authorize, req, route.view, params);
    if (isDenial(session)) return { kind: "denied", code: denialCode(session), message: session.message };
    const sid = randomBytes(16).toString("base64url");
    const { ctx, timers, topics, redirect } = pageContext(params, session, this.pubsub, this.options.onError);
    const state = await route.view.mount(params, ctx);
    if (redirect.to !== undefined) return { kind: "redirect", to: redirect.to };
    const init: SessionInit<unknown> = { sid, path: route.pattern, view: route.view, params, session, state, timers, topics };
    this.registry.putPending(init);
    const title = typeof route.view.title === "function" ? route.view.title(state) : (route.view.title ?? "");
    return { kind: "view", init, token: this.token(sid, route.pattern, params, session), title };
  }

  /** Signs a view token. */
  token(sid: string, view: string, params: Params, data: SessionData): string {
    return this.signer.sign({ sid, view, params, data, exp: Date.now() + this.options.tokenMaxAgeMs });
  }

  /**
   * Joins a view: resumes the live session, or takes over the page's pending
   * mount, or mounts afresh (the server restarted or the page waited too long).
   */
  async join(sink: Sink, v: number, token: unknown, lastSeq: number | undefined, req: IncomingMessage | undefined): Promise<JoinResult> {
    const claims = this.signer.verify(token);
    if (typeof claims === "string") return claims;
    const view = this.router.byPath(claims.view);
    if (view === undefined) return "E_UNKNOWN_VIEW";
    // Authorization is checked again at every (re)join, against the real request.
    const data = claims.data ?? {};
    const now = await authorizeRequest(this.options.authorize, req, view, claims.params);
    if (isDenial(now)) return denialCode(now);
    // The signed-in identity changed since the page was rendered: reload it.
    if (JSON.stringify(now) !== JSON.stringify(data)) return "E_FORBIDDEN";
    const fresh = this.token(claims.sid, claims.view, claims.params, data);
    let session = this.registry.claim(claims.sid);
    if (session === undefined) {
      const init = this.registry.takePending(claims.sid, view) ?? (await this.mountLive(view, claims, data));
      if (typeof init === "string") return init;
      // A concurrent join of the same sid may have won while we awaited mount.
      session = this.registry.claim(claims.sid) ?? this.start(init);
      lastSeq = undefined;
    }
    session.attach(sink, v, lastSeq, fresh);
    return session;
  }

  private start(init: SessionInit<unknown>): ViewSession {
    const s = new ViewSession(init, { outboxSize: this.options.outboxSize, onError: this.options.onError, pubsub: this.pubsub });
    this.registry.add(s);
    return s;
  }

  private async mountLive(view: ViewDefinition<unknown>, claims: TokenClaims, data: SessionData): Promise<SessionInit<unknown> | ErrorCode> {
    const params: Params = Object.assign(Object.create(null), claims.params);
    const { ctx, timers, topics } = pageContext(params, data, this.pubsub, this.options.onError, true);
    try {
      const state = await view.mount(params, ctx);
      return { sid: claims.sid, path: claims.view, view, params, session: data, state, timers, topics };
    } catch (err) {
      this.options.onError(err, `mount of ${claims.view}`);
      return "E_MOUNT";
    }
  }

  /**
   * Sends `session` a full render on `sink` (with a fresh token): the client
   * restarts the view's stream there. Used when a link cannot replay a gap.
   */
  resync(session: ViewSession, sink: Sink, v: number): void {
    session.attach(sink, v, undefined, this.token(session.sid, session.path, session.params, session.ctx.session));
  }

  /** Ends every session; closes the backends Weft made itself (not those passed in). */
  async close(): Promise<void> {
    this.registry.close();
    if (this.options.pubsub === undefined) await this.pubsub.close();
    if (this.options.store === undefined) await this.store?.close();
    await this.redis?.close();
  }

  /** What the backends are and whether they are reachable (for /weft/health). */
  backend(): { pubsub: string; store: string; redis?: "up" | "down" } {
    const kind = (given: unknown, made: unknown) => (given !== undefined ? "custom" : made !== undefined && this.redis !== undefined ? "redis" : made === undefined ? "none" : "memory");
    const out: { pubsub: string; store: string; redis?: "up" | "down" } = { pubsub: kind(this.options.pubsub, this.pubsub), store: kind(this.options.store, this.store) };
    if (this.redis !== undefined) out.redis = this.redis.ready ? "up" : "down";
    return out;
  }

  /** `app.broadcast`: publishes to every subscriber of `topic`, on every node. */
  async broadcast(topic: string, name: string, payload: Json = null): Promise<void> {
    checkTopic(topic);
    return this.pubsub.publish(topic, { name, payload });
  }
}

/**
 * The context of a mount that has no session yet: timers are recorded and
 * start when the session does; pushes have no one to go to and are dropped;
 * a redirect answers the page request.
 */
function pageContext(params: Params, session: SessionData, pubsub: PubSub, onError: ResolvedOptions["onError"], connected = false) {
  const timers: SessionInit<unknown>["timers"] = [];
  const topics: string[] = [];
  const redirect: { to?: string } = {};
  const ctx: ViewContext = {
    connected,
    params,
    session,
    pushEvent: () => {},
    schedule: (name: string, payload: Json | undefined, ms: number) => {
      const t = { name, payload, ms, cancelled: false };
      timers.push(t);
      return () => { t.cancelled = true; };
    },
    navigate: (to: string) => { redirect.to = to; },
    subscribe: (topic: string) => { topics.push(checkTopic(topic)); },
    unsubscribe: (topic: string) => { topics.splice(topics.indexOf(topic) >>> 0, 1); },
    // A broadcast from a mount has no session to fail loudly in: send it now.
    broadcast: (topic: string, name: string, payload?: Json) => {
      pubsub.publish(topic, { name, payload: payload ?? null }).catch((err: unknown) => onError(err, `broadcast to "${topic}"`));
    },
  };
  return { ctx, timers, topics, redirect };
}
