/**
 * The engine every transport and the page handler share: mounting views,
 * signing tokens, joining sessions. Transports only move frames.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../protocol/errors.ts";
import type { FlashPayload } from "../protocol/messages.ts";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { RedisPubSub } from "./pubsub/redis.ts";
import { RedisTopicLog, topicLogOf, unwrapPubSub, withTopicLog } from "./htmx/topic-log.ts";
import { RedisConnection } from "./redis/connection.ts";
import { RedisStore } from "./store/redis.ts";
import type { SessionSnapshot, Store } from "./store/types.ts";
import { Cluster } from "./cluster/cluster.ts";
import { Ownership } from "./cluster/ownership.ts";
import { SessionMoved } from "./save-gate.ts";
import { WeftMetrics, type MalformedSource, type WeftGaugeSnapshot } from "./metrics.ts";
import { MemoryPresence } from "./presence/memory.ts";
import { RedisPresence } from "./presence/redis.ts";
import type { Presence } from "./presence/types.ts";
import { checkMeta } from "./session.ts";
import { checkTopic, type PubSub } from "./pubsub/types.ts";
import { authorizeRequest, denialCode, isDenial } from "./security/auth.ts";
import { SessionRegistry } from "./registry.ts";
import { defaultIdentity, sameIdentity } from "./identity.ts";
import { limitAddress } from "./security/client-address.ts";
import type { ResolvedOptions } from "./options.ts";
import { Router, type RouteMatch } from "./router.ts";
import { MAX_TOKEN_LENGTH, TokenSigner, type ChildClaim, type TokenClaims } from "./security/token.ts";
import { navEffect, pushEffect, sendEffects, type MountEffect, type NavEffect } from "./mount-effects.ts";
import { checkReply } from "./reply.ts";
import { announceEffect } from "./announce.ts";
import { addFlash, checkFlash, flashEffects } from "./flash.ts";
import { joinRoute, mountWithParams, NavRefusal, urlFor, type MountPatch, type NavRoute } from "./live-nav.ts";
import { NavigationError, navTarget } from "./navigation.ts";
import { ViewSession, type SessionConfig, type SessionInit, type Sink } from "./session.ts";
import type { Json, Params, SessionData, ViewContext, ViewDefinition } from "./view.ts";
import { ChildHub } from "./child-views/hub.ts";
import { infoDropReporter, resumedReports } from "./async/index.ts";
import { UploadNode } from "./uploads/node.ts";

/** A page mount's outcome. */
export type PageMount =
  // `flashes`: what the mount flashed, for the page's layout or, with a redirect, the next page (flash.ts).
  | { kind: "view"; init: SessionInit<unknown>; token: string; flashes: FlashPayload[] }
  | { kind: "redirect"; to: string; flashes: FlashPayload[] }
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
  /** Ownership, handoffs and request forwarding between nodes, with the `redis` option. */
  readonly cluster: Cluster | undefined;
  /** Which node runs each session: fenced saves, re-assert after an outage, the handover fence. */
  readonly ownership: Ownership | undefined;
  /** Who is in which topic (ctx.track). */
  readonly presence: Presence;
  /** Counters for `/weft/metrics`. */
  readonly metrics: WeftMetrics;
  /** Child views (`liveView()`): their tokens, page mounts and endings. */
  readonly children: ChildHub;
  /** Uploads: the temp files, budget and idle sweep of this node (uploads/). */
  readonly uploads: UploadNode;
  /** Live numbers for the metrics' gauges (set by the app, which has the transports). */
  gauges: () => WeftGaugeSnapshot = () => ({ sessions: this.registry.stats().live, connections: { websocket: 0, sse: 0, http: 0 } });
  /** Serves a request another node forwarded (set by the app). */
  serveForwarded: (req: IncomingMessage, res: import("node:http").ServerResponse) => void = (_req, res) => res.end();
  /** How long a snapshot outlives its session's last save, ms (live sessions refresh theirs). */
  readonly snapshotTtlMs: number;
  private readonly persist: ((snap: SessionSnapshot) => Promise<void>) | undefined;
  private readonly refresher: NodeJS.Timeout | undefined;
  /** What every session of this node shares. */
  private readonly sessionConfig: SessionConfig;
  /** Sessions started from a mount that pushed or navigated, until their first join sends those effects. */
  private readonly unsent = new WeakMap<ViewSession, readonly MountEffect[]>();

  constructor(readonly options: ResolvedOptions) {
    this.metrics = new WeftMetrics(() => ({ ...this.gauges(), malformed: this.malformed() }));
    const redis = options.redis !== undefined ? new RedisConnection(options.redis, options.onError) : undefined;
    this.redis = redis;
    // Broadcasts on htmx topics get their id from the topic log first (htmx/topic-log.ts); the rest pass through.
    this.pubsub = withTopicLog(options.pubsub ?? (redis !== undefined ? new RedisPubSub(redis, options.onError) : new MemoryPubSub()), options, redis);
    this.store = options.store ?? (redis !== undefined ? new RedisStore(redis, options.onError, () => this.cluster?.id ?? "") : undefined);
    this.snapshotTtlMs = options.sessionGraceMs + options.joinTimeoutMs + 60_000;
    const store = this.store;
    this.cluster = redis === undefined ? undefined : new Cluster(redis, {
      serve: (req, res) => this.serveForwarded(req, res),
      handOver: (sid) => this.ownership!.handOver(sid),
      onError: options.onError,
      forwardIdleMs: Math.max(options.longPollMs, options.sseHeartbeatMs, options.httpAnswerWaitMs) + 5_000,
      handoffMs: options.handoffTimeoutMs,
    });
    // A store always comes with redis (options refuse one without it), so with a store there is a cluster.
    this.ownership = store === undefined || this.cluster === undefined ? undefined : new Ownership(this.cluster, store, redis!, {
      sessions: () => this.registry.sessions(),
      get: (sid) => this.registry.get(sid),
      handOver: (s) => this.registry.handOver(s),
      forgetPending: (sid) => this.registry.forgetPending(sid),
      onError: options.onError,
    }, { snapshotTtlMs: this.snapshotTtlMs, handoverWaitMs: options.handoverWaitMs });
    const save = this.ownership?.persist;
    this.persist = save === undefined ? undefined : (snap) => save(snap).catch((err: unknown) => {
      if (!(err instanceof SessionMoved)) this.metrics.snapshotFailed();
      throw err;
    });
    this.presence = this.cluster !== undefined ? new RedisPresence(redis!, this.cluster.node, options.onError) : new MemoryPresence(options.onError);
    this.router = new Router(options.views as Record<string, ViewDefinition<unknown>>);
    this.children = new ChildHub(this, options.views as Record<string, ViewDefinition<unknown>>);
    this.uploads = new UploadNode({ dir: options.uploadDir, perSession: options.uploadBudget.perSession, perNode: options.uploadBudget.perNode, idleMs: options.uploadIdleMs, keepMs: options.uploadKeepMs, onError: options.onError });
    this.sessionConfig = { uploads: this.uploads, children: this.children, outboxSize: options.outboxSize, onError: options.onError, pubsub: this.pubsub, persist: this.persist, metrics: this.metrics, presence: this.presence,
      onMoved: (s) => this.registry.handOver(s), dev: options.dev, router: this.router,
      handlerTimeoutMs: options.handlerTimeoutMs, maxQueued: options.maxQueuedPerSession, infoDropped: infoDropReporter(options.logger, this.metrics) };
    // Idle sessions keep their snapshots alive.
    if (store?.touch !== undefined) {
      const touch = store.touch.bind(store);
      this.refresher = setInterval(() => {
        const sids = [...this.registry.sessions()].map((s) => s.sid);
        if (sids.length > 0) touch(sids, this.snapshotTtlMs).catch((err: unknown) => options.onError(err, "snapshot refresh"));
      }, Math.floor(this.snapshotTtlMs / 3));
      this.refresher.unref();
    }
    this.signer = new TokenSigner(options.secrets);
    this.registry = new SessionRegistry(options);
    if (this.store !== undefined) this.registry.onDrop = (s) => this.forget(s.sid);
    // A page evicted or expired unjoined: its stored mount goes too (it would only wait out its TTL).
    if (this.store !== undefined) this.registry.onDropPending = (sid) => this.forget(sid);
  }

  /**
   * Mounts a view for a server-rendered page. The state is kept as a pending
   * mount so that the browser's join takes it over: mount runs once per page.
   */
  async mountPage(route: RouteMatch, query: Params, req: IncomingMessage, pageUrl?: string): Promise<PageMount> {
    const asked = toParams(query, route.params);
    const at: NavRoute = { pattern: route.pattern, view: route.view, params: asked, url: pageUrl ?? urlFor(route.pattern, asked) };
    const session = await authorizeRequest(this.options.authorize, req, route.view, at.params);
    if (isDenial(session)) return { kind: "denied", code: denialCode(session), message: session.message };
    const sid = randomBytes(16).toString("base64url");
    const { ctx, timers, topics, tracked, redirect, effects, patch, flashes } = pageContext(at.params, session, this.pubsub, this.onBroadcastError, this.presence);
    let mounted: { state: unknown; route: NavRoute };
    try {
      mounted = await mountWithParams(route.view, at, ctx, patch, this.router, session);
    } catch (err) {
      if (err instanceof NavRefusal && err.quiet) return { kind: "denied", code: err.code, message: err.message };
      throw err;
    }
    if (redirect.to !== undefined) return { kind: "redirect", to: redirect.to, flashes };
    const { state } = mounted;
    const params = mounted.route.params;
    // A patch at mount set the URL the view rendered with: the browser's address follows at the join.
    if (mounted.route.url !== at.url) effects.push(navEffect(mounted.route.url, { kind: "patch", replace: true }));
    const token = this.token(sid, route.pattern, params, session);
    // Every join would refuse a longer token: refuse the page now (414)
    // instead of serving one that can never connect, and keep no state for it.
    if (token.length > MAX_TOKEN_LENGTH) return { kind: "denied", code: "E_URI_TOO_LONG" };
    const init: SessionInit<unknown> = { sid, path: route.pattern, view: route.view, params, url: mounted.route.url, session, state, timers, topics, tracked };
    // Pushes from the mount wait for the browser's join (a navigation answered with the 302 above).
    if (effects.length > 0) init.effects = effects;
    // The child views its render embeds mount with it: their first render is in the page.
    await this.children.preparePage(init, req);
    this.registry.putPending(init, limitAddress(req, this.options.trustProxy));
    // Any node may take the join: the page's mount is stored for it.
    if (this.store !== undefined) {
      const due = Date.now();
      const snap: SessionSnapshot = {
        sid, path: route.pattern, params, url: init.url, session, state: state as Json, seq: 0, lastRef: 0, topics, tracked,
        timers: timers.filter((t) => !t.cancelled).map((t) => ({ name: t.name, payload: t.payload, due: due + t.ms })),
        ...(init.effects !== undefined ? { effects: init.effects } : {}),
        ...(init.children !== undefined ? { children: init.children.records() } : {}),
      };
      await this.store.save(snap, this.options.joinTimeoutMs).catch((err: unknown) => this.options.onError(err, "page mount snapshot"));
    }
    return { kind: "view", init, token, flashes };
  }

  /** Signs a view token (`child`: a child view's claim, child-views/). */
  token(sid: string, view: string, params: Params, data: SessionData, child?: ChildClaim): string {
    return this.signer.sign({ sid, view, params, data, exp: Date.now() + this.options.tokenMaxAgeMs, ...(child !== undefined ? { c: child } : {}) });
  }

  /**
   * Joins a view: resumes the live session, or takes over the page's pending
   * mount, or mounts afresh (the server restarted or the page waited too long).
   */
  async join(sink: Sink, v: number, token: unknown, lastSeq: number | undefined, req: IncomingMessage | undefined, href?: unknown): Promise<JoinResult> {
    const claims = this.signer.verify(token);
    if (typeof claims === "string") return claims;
    const view = this.router.byPath(claims.view);
    if (view === undefined) return "E_UNKNOWN_VIEW";
    // A child view's token (child-views/): no URL of its own; its identity is the page's.
    const child = this.children.joined(claims);
    // The page's current URL (after live patches) when it is one of this
    // view's; it is authorized below like a page load of it.
    const here = (child === undefined ? joinRoute(this.router, claims.view, href) : undefined) ?? { pattern: claims.view, view, params: toParams(claims.params), url: urlFor(claims.view, claims.params) };
    // Authorization is checked again at every (re)join, against the real request.
    const data = claims.data ?? {};
    const now = await authorizeRequest(this.options.authorize, req, view, here.params);
    if (isDenial(now)) return denialCode(now);
    // The signed-in identity changed since the page was rendered: reload it.
    // Compared by identity (identity.ts), not byte for byte: a refreshed
    // timestamp or another key order in the session data is the same user.
    if (!sameIdentity(this.options.identity ?? defaultIdentity, now, child?.base ?? data)) return "E_FORBIDDEN";
    const fresh = this.token(claims.sid, claims.view, here.params, data, claims.c);
    let session = this.registry.claim(claims.sid);
    if (session === undefined && this.store !== undefined) session = await this.adopt(claims.sid, claims.view, view);
    // The client asked to resume a session that no node kept (restart without a store, expired): it mounts afresh.
    let renewed = false;
    if (session === undefined) {
      const pending = this.registry.takePending(claims.sid, view);
      const init = pending ?? (await this.mountLive(claims.sid, here, data));
      if (typeof init === "string") return init;
      // A concurrent join of the same sid may have won while we awaited mount.
      const won = this.registry.claim(claims.sid);
      renewed = won === undefined && pending === undefined && lastSeq !== undefined;
      session = won ?? this.start(init);
      lastSeq = undefined;
    }
    if (claims.c !== undefined) this.children.bind(session, claims.c);
    this.goLive(session, sink, v, lastSeq, fresh, renewed);
    return session;
  }

  /**
   * @internal Attaches a joined session to `sink` as view `v`; the join that
   * started it also sends its mount's pushes and navigations (once).
   */
  goLive(session: ViewSession, sink: Sink, v: number, lastSeq: number | undefined, token: string, renewed = false): void {
    this.cluster?.ownSession(session.sid).catch((err: unknown) => this.options.onError(err, "session ownership"));
    session.attach(sink, v, lastSeq, token, renewed);
    // The mount's pushes and navigations follow the join's render, once: the join that started the session sends them.
    const effects = this.unsent.get(session);
    if (effects !== undefined) {
      this.unsent.delete(session);
      const s = session;
      sendEffects(effects, (env) => s.emit(env));
    }
  }

  /** @internal Registers a live session made from `init` (its mount effects wait for {@link Core.goLive}). */
  start(init: SessionInit<unknown>): ViewSession {
    const s = new ViewSession(init, this.sessionConfig);
    if (init.effects !== undefined && init.effects.length > 0) this.unsent.set(s, init.effects);
    this.registry.add(s);
    return s;
  }

  /**
   * Takes a session over from its stored snapshot: first asks its live owner
   * (another node) to let go, so the snapshot is its last word. Undefined
   * when there is no snapshot (the caller mounts) or the store is down.
   */
  private async adopt(sid: string, path: string, view: ViewDefinition<unknown>): Promise<ViewSession | undefined> {
    const cluster = this.cluster;
    if (cluster !== undefined) {
      try {
        const owner = await cluster.sessionOwner(sid);
        if (owner !== undefined && owner !== cluster.id) await cluster.take(owner, sid);
      } catch (err) {
        this.options.onError(err, "session owner lookup");
      }
    }
    let snap: SessionSnapshot | undefined;
    try {
      snap = await this.store!.load(sid);
    } catch (err) {
      this.options.onError(err, "snapshot load");
      return undefined;
    }
    // A concurrent join of the same sid may have won meanwhile.
    const live = this.registry.claim(sid);
    if (live !== undefined) return live;
    if (snap === undefined || snap.path !== path) return undefined;
    this.registry.forgetPending(sid);
    const now = Date.now();
    return this.start({
      sid, path, view, params: toParams(snap.params as Params), url: snap.url ?? urlFor(path, snap.params as Params), session: snap.session, state: resumedReports(snap.state),
      timers: snap.timers.map((t) => ({ name: t.name, payload: t.payload, ms: Math.max(0, t.due - now) })),
      topics: [...snap.topics],
      tracked: { ...snap.tracked },
      resume: { seq: snap.seq, lastRef: snap.lastRef },
      components: snap.components,
      ...(snap.effects !== undefined ? { effects: [...snap.effects] } : {}),
      children: this.children.restore(snap.children),
    });
  }

  /** A session ended for good: forget its snapshot and ownership. */
  private forget(sid: string): void {
    this.store?.delete(sid).catch((err: unknown) => this.options.onError(err, "snapshot delete"));
    this.cluster?.disownSession(sid).catch(() => {});
  }

  /**
   * Graceful shutdown, first half: lets running work finish (within `ms`)
   * and saves every session's snapshot, so other nodes can take them over.
   */
  async quiesce(ms: number): Promise<void> {
    const sessions = [...this.registry.sessions()];
    await Promise.all(sessions.map((s) => s.settle(ms)));
    const store = this.store;
    if (store === undefined) return;
    await Promise.all(sessions.map((s) => store.save(s.snapshot(), this.snapshotTtlMs).catch((err: unknown) => this.options.onError(err, "snapshot on shutdown"))));
  }

  /**
   * @internal Mounts the view of `at` live (a join found no session, or a
   * live navigation): mount, then handleParams with `at`'s URL.
   */
  async mountLive(sid: string, at: NavRoute, data: SessionData): Promise<SessionInit<unknown> | ErrorCode> {
    const { ctx, timers, topics, tracked, effects, patch, flashes } = pageContext(at.params, data, this.pubsub, this.onBroadcastError, this.presence, true);
    try {
      const { state, route } = await mountWithParams(at.view, at, ctx, patch, this.router, data);
      if (route.url !== at.url) effects.push(navEffect(route.url, { kind: "patch", replace: true }));
      // Flashes first: one asked for beside a redirect must reach the client before the redirect does.
      return { sid, path: at.pattern, view: at.view, params: route.params, url: route.url, session: data, state, timers, topics, tracked, effects: [...flashEffects(flashes), ...effects] };
    } catch (err) {
      if (err instanceof NavRefusal && err.quiet) return err.code;
      this.options.onError(err, `mount of ${at.pattern}`);
      return err instanceof NavigationError || err instanceof NavRefusal ? "E_NAV_TARGET" : "E_MOUNT";
    }
  }

  /**
   * Sends `session` a full render on `sink` (with a fresh token): the client
   * restarts the view's stream there. Used when a link cannot replay a gap.
   */
  resync(session: ViewSession, sink: Sink, v: number): void {
    session.attach(sink, v, undefined, this.token(session.sid, session.path, session.params, session.ctx.session, this.children.claimOf(session)));
  }

  /** Ends every session; closes the backends Weft made itself (not those passed in). */
  async close(): Promise<void> {
    clearInterval(this.refresher);
    this.ownership?.close();
    const sids = [...this.registry.sessions()].map((s) => s.sid);
    // With a store, sessions are handed on: their snapshots stay for other nodes.
    this.registry.close(this.store !== undefined);
    // Their views' terminate may still broadcast: the backends stay open for it, within a bound.
    await this.registry.endings.settled(this.options.shutdownMs);
    // The ended sessions' upload temp files are being removed: wait for them.
    await this.uploads.close();
    await this.presence.close().catch((err: unknown) => this.options.onError(err, "presence close"));
    if (this.cluster !== undefined) {
      const cluster = this.cluster;
      await Promise.all(sids.map((sid) => cluster.disownSession(sid).catch(() => {})));
      await cluster.close();
    }
    if (this.options.pubsub === undefined) await this.pubsub.close();
    if (this.options.store === undefined) await this.store?.close();
    await this.redis?.close();
  }

  /** Messages from Redis that were not Weft's and were dropped, by source (for /weft/metrics). */
  malformed(): Record<MalformedSource, number> {
    const pubsub = unwrapPubSub(this.pubsub);
    const log = topicLogOf(this.pubsub);
    return {
      // The htmx topic log's stream entries that were no broadcast count with the topic channels' messages.
      pubsub: (pubsub instanceof RedisPubSub ? pubsub.malformed : 0) + (log instanceof RedisTopicLog ? log.malformed : 0),
      presence: this.presence instanceof RedisPresence ? this.presence.malformed : 0,
      cluster: this.cluster?.malformed ?? 0,
    };
  }

  /** What the backends are and whether they are reachable (for /weft/health). */
  backend(): { pubsub: string; store: string; redis?: "up" | "down" } {
    const kind = (given: unknown, made: unknown): string => {
      if (given !== undefined) return "custom";
      if (made === undefined) return "none";
      return this.redis !== undefined ? "redis" : "memory";
    };
    const out: { pubsub: string; store: string; redis?: "up" | "down" } = { pubsub: kind(this.options.pubsub, this.pubsub), store: kind(this.options.store, this.store) };
    if (this.redis !== undefined) out.redis = this.redis.ready ? "up" : "down";
    return out;
  }

  /** `app.broadcast`: publishes to every subscriber of `topic`, on every node. Rejects (and counts) when it cannot. */
  async broadcast(topic: string, name: string, payload: Json = null): Promise<void> {
    checkTopic(topic);
    try {
      await this.pubsub.publish(topic, { name, payload });
    } catch (err) {
      this.metrics.broadcastFailed();
      throw err;
    }
  }

  private readonly onBroadcastError = (err: unknown, where: string): void => {
    this.metrics.broadcastFailed();
    this.options.onError(err, where);
  };
}

/** Shared by every session without params: an empty null-prototype object costs a dictionary each. */
const NO_PARAMS: Params = Object.freeze(Object.create(null) as Params);

/** Params from `sources`, in a null-prototype object (NO_PARAMS when there are none). */
function toParams(...sources: Params[]): Params {
  const params = Object.assign(Object.create(null) as Params, ...sources);
  for (const _ in params) return params;
  return NO_PARAMS;
}

/** `ctx.stream*` in mount: refused with the way to do it (the page's full render calls `streams(state, ctx)`). */
function streamInMount(call: string, name: unknown): never {
  throw new TypeError(`ctx.${call}(${JSON.stringify(String(name))}) in mount: a mount's stream items would be lost; fill streams from the view's streams(state, ctx), which runs at every full render (docs/streams.md)`);
}

/**
 * The context of a mount that has no session yet: timers are recorded and
 * start when the session does; pushes and navigations are recorded in order
 * (`effects`) and sent after the join's render (mount-effects.ts); at the
 * server-rendered page a navigation (`redirect.to`, the last one) answers
 * the request with a 302 instead. Exported for the test kit (src/testing),
 * which mounts views exactly as a page does.
 *
 * @example
 * const { ctx, timers, redirect, effects } = pageContext({}, {}, pubsub, onError, presence);
 */
export function pageContext(params: Params, session: SessionData, pubsub: PubSub, onError: ResolvedOptions["onError"], presence: Presence, connected = false) {
  const timers: SessionInit<unknown>["timers"] = [];
  const topics: string[] = [];
  const tracked: Record<string, Json> = Object.create(null) as Record<string, Json>;
  const redirect: { to?: string } = {};
  const effects: MountEffect[] = [];
  const patch: MountPatch = {};
  // Flashes are kept apart from the effects: a page's first render shows them in its layout (flash.ts).
  const flashes: FlashPayload[] = [];
  // A navigation or redirect at the page's mount answers the GET with a 302;
  // at a live mount it follows the first render.
  const leave = (fx: NavEffect): void => {
    redirect.to = fx.d.to;
    effects.push(fx);
  };
  const ctx: ViewContext = {
    connected,
    params,
    session,
    pushEvent: (name: string, payload?: Json) => { effects.push(pushEffect(name, payload)); },
    // No browser event to answer while mounting: checked, then dropped (reply.ts).
    reply: (value) => { checkReply(value); },
    announce: (text, o) => { effects.push(announceEffect(text, o)); },
    flash: (kind, text) => addFlash(flashes, checkFlash(kind, text)),
    schedule: (name: string, payload: Json | undefined, ms: number) => {
      const t = { name, payload, ms, cancelled: false };
      timers.push(t);
      return () => { t.cancelled = true; };
    },
    patch: (to) => { patch.to = navTarget(to, false); },
    navigate: (to, o) => {
      if (o?.kind === "patch") patch.to = navTarget(to, false);
      else leave(navEffect(to, o));
    },
    redirect: (to, o) => leave(navEffect(to, { kind: "redirect", external: o?.external === true })),
    subscribe: (topic: string) => { topics.push(checkTopic(topic)); },
    unsubscribe: (topic: string) => { topics.splice(topics.indexOf(topic) >>> 0, 1); },
    // Presence starts with the session (a rendered page whose browser never joins is nobody).
    track: (topic: string, meta: Json) => { tracked[checkTopic(topic)] = checkMeta(meta); },
    untrack: (topic: string) => { delete tracked[topic]; },
    presence: (topic: string) => presence.list(topic),
    sendUpdate: () => { throw new TypeError("ctx.sendUpdate: the view has no components while it mounts; send updates from an event or info handler"); },
    // A task needs a live session (a page's mount may never be joined, or be joined on another node).
    startAsync: (name: string) => { throw new TypeError(`ctx.startAsync(${JSON.stringify(String(name))}) in mount: a task needs the live session; start it from an event or info handler (e.g. ctx.schedule("load", null, 0) in mount, and info.load starts it)`); },
    cancelAsync: () => false,
    // No files before the browser joins (uploads/).
    consumeUploads: () => Promise.resolve([]),
    cancelUpload: () => {},
    // A full render follows every mount and fills the streams from view.streams (docs/streams.md):
    // a stream call here would be lost, so it fails the mount, never silently.
    stream: (name: string) => streamInMount("stream", name),
    streamInsert: (name: string) => streamInMount("streamInsert", name),
    streamDelete: (name: string) => streamInMount("streamDelete", name),
    // A broadcast from a mount has no session to fail loudly in: send it now.
    broadcast: (topic: string, name: string, payload?: Json) => {
      pubsub.publish(topic, { name, payload: payload ?? null }).catch((err: unknown) => onError(err, `broadcast to "${topic}"`));
    },
  };
  return { ctx, timers, topics, tracked, redirect, effects, patch, flashes };
}
