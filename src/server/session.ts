/**
 * One live view session: state, rendered tree, seq and outbox, processed refs,
 * timers. Transport-agnostic: it writes envelopes to whatever sink is attached
 * (a WebSocket today; an SSE stream or a long-poll tomorrow) and keeps them in a
 * bounded outbox so that a client that comes back can be replayed what it missed.
 *
 * Invariants:
 * - work (events, info) runs one item at a time, in arrival order, even when a
 *   handler is async;
 * - `state` and `tree` only change together, after a successful render: a
 *   throwing handler or render leaves the last good state;
 * - each event ref is applied at most once (`lastRef`); refs are monotonic.
 */
import { ERRORS, type ErrorCode } from "../protocol/errors.ts";
import { S, type Envelope, type RenderedTree, type StreamOp } from "../protocol/messages.ts";
import { NavigationError, navPayload } from "./navigation.ts";
import { beginStreams, endStreams, StreamBuffer, type StreamRef } from "./streams/index.ts";
import type { MountEffect } from "./mount-effects.ts";
import { announceEffect } from "./announce.ts";
import { flashEffect } from "./flash.ts";
import { checkTopic, type PubSub } from "./pubsub/types.ts";
import type { SessionSnapshot } from "./store/types.ts";
import { SaveGate } from "./save-gate.ts";
import type { WeftMetrics } from "./metrics.ts";
import type { Presence, PresenceDiff, PresenceEntry, PresenceListener } from "./presence/types.ts";
import { createHash } from "node:crypto";
import { TokenBucket, type Rate } from "./security/rate-limit.ts";
import { diffTree, StaticsLedger } from "./template/diff.ts";
import { renderView } from "./render-view.ts";
import { liveTitle } from "./page-title.ts";
import { ownHandler, type EventHandler, type StandardResult, type StandardSchemaV1, type Json, type Params, type Payload, type SessionData, type TerminateReason, type ViewContext, type ViewDefinition } from "./view.ts";
import { unknownEventMessage } from "./unknown-event.ts";
import { modelHandler } from "./model.ts";
import { cacheTable, confirms, type CacheClaim } from "./event-cache.ts";
import { clip } from "./clip.ts";
import { checkReply } from "./reply.ts";
import { checkAuth, MAX_PATCH_CHAIN, NavRefusal, resolveRoute, runHandleParams, urlFor, type NavRoute } from "./live-nav.ts";
import type { Router } from "./router.ts";
import { runTerminate } from "./terminate.ts";
import { ComponentHost, type SavedComponent } from "./components/host.ts";
import { endHostless, hostless, NEEDS_HOST } from "./components/scope.ts";
import { componentEvent } from "./components/events.ts";
import type { AnyComponent } from "./components/define.ts";
import type { ChildHub } from "./child-views/hub.ts";
import { renderWithChildren, type ChildParent, type ChildScope } from "./child-views/scope.ts";
import { AsyncTasks, HandlerTimeout, HANDLER_TIMEOUT_MS, MAX_QUEUED, withinLimit, type AsyncFn, type AsyncOptions } from "./async/index.ts";
import { SessionUploads, type UploadNode } from "./uploads/index.ts";

/** Where a session's frames go: a connection, with the view id the client chose. */
export interface Sink {
  /** Sends one frame; `env` is the envelope it serialises (links that wait for answers read it). */
  send(frame: string, env?: Envelope): void;
  /**
   * Present on a link with an encoding of its own (a MessagePack socket,
   * transports/msgpack.ts): it takes the envelope and no JSON is made for it.
   */
  readonly sendEnvelope?: ((env: Envelope) => void) | undefined;
}

/**
 * Sends `env` on `sink`: as JSON text, made once here, or to the sink's own
 * encoder. A JSON sink pays one property check for the choice.
 * @example sendTo(link, { t: S.error, c: "E_BAD_FRAME", m: "…" });
 */
export function sendTo(sink: Sink, env: Envelope): void {
  if (sink.sendEnvelope !== undefined) sink.sendEnvelope(env);
  else sink.send(JSON.stringify(env), env);
}

/** Settings a session needs (resolved app options). */
export interface SessionConfig {
  readonly outboxSize: number;
  readonly onError: (err: unknown, where: string) => void;
  readonly pubsub: PubSub;
  /** Who is in which topic (ctx.track). */
  readonly presence?: Presence | undefined;
  /**
   * Saves snapshots to a shared store (several nodes). When set, every frame
   * waits until the state it follows is saved: a frame the client has seen is
   * never ahead of what another node could take over. A failed save (the
   * store is down) still lets the frames go: the node keeps serving.
   */
  readonly persist?: ((snap: SessionSnapshot) => Promise<void>) | undefined;
  /** Counts events, their latency, errors and failed broadcasts. */
  readonly metrics?: WeftMetrics | undefined;
  /** Another node owns the session now (a save was refused): let this copy go. */
  readonly onMoved?: ((session: ViewSession) => void) | undefined;
  /** Development mode: errors say more (an unknown event lists the view's events). */
  readonly dev?: boolean | undefined;
  /** The app's views: live patches resolve their URL here (live-nav.ts). */
  readonly router?: Router | undefined;
  /** The app's child views (child-views/): renders that embed `liveView()` mint and end children through it. */
  readonly children?: ChildHub | undefined;
  /** An async handler's time limit, ms (`handlerTimeoutMs`; an event's `timeoutMs` wins). Default 10 000. */
  readonly handlerTimeoutMs?: number | undefined;
  /** Work queued at most behind the running handler (`maxQueuedPerSession`). Default 64. */
  readonly maxQueued?: number | undefined;
  /** An info message was dropped: the queue was full (counted and logged by the app). */
  readonly infoDropped?: ((path: string, name: string) => void) | undefined;
  /** The node's uploads (uploads/): temp files and budgets of the views that declare `uploads`. */
  readonly uploads?: UploadNode | undefined;
}

/** A timer asked for by `ctx.schedule`. */
export interface TimerSpec {
  name: string;
  payload: Json | undefined;
  ms: number;
  /** When it fires (ms since epoch), once started. */
  due?: number;
  handle?: NodeJS.Timeout;
  cancelled?: boolean;
}

type Work =
  // `target`: the component whose handler runs (absent: the view's).
  | { kind: "event"; ref: number; name: string; payload: Payload; at: number; target?: string | undefined; model?: boolean; claim?: CacheClaim | undefined }
  | { kind: "info"; name: string; payload: unknown }
  // Background tasks' reports (async/): written into state.async.
  | { kind: "async"; ref?: undefined; name: "async" }
  // Framework work on the state (uploads/): `run` changes what the render shows, or answers a code.
  | { kind: "apply"; ref?: number; name: string; run: () => ErrorCode | undefined | void }
  // A live patch: from the browser (with its ref) or from ctx.patch (resolved already).
  | { kind: "params"; ref?: number; name: "handleParams"; url: unknown; route?: NavRoute }
  // A development hot reload (dev/hot-reload.ts): `view` renders from now on; the old one comes back if its render throws.
  | { kind: "swap"; ref?: undefined; name: "hot reload"; view: ViewDefinition<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The browser event ref a piece of work answers, if any. */
function refOf(work: Work): number | undefined {
  return work.kind === "info" ? undefined : work.ref;
}

/** A handler that refused to run (unknown, over its rate): answered already, nothing to commit. */
const SKIP = Symbol("skip");

type Result<S> = S | void | typeof SKIP | Promise<S | void | typeof SKIP>;

/** What a session is created from (a mount, or a page's pending mount). */
export interface SessionInit<S> {
  sid: string;
  /** The registered view path (what its tokens bind). */
  path: string;
  view: ViewDefinition<S>;
  params: Params;
  /** The page URL (path and query) the state was rendered for; default: built from `path` and `params`. */
  url?: string | undefined;
  session: SessionData;
  state: S;
  /** Timers asked for while mounting the page: started now. */
  timers: TimerSpec[];
  /** Topics subscribed to while mounting the page: subscribed now. */
  topics?: string[];
  /** Presence tracked while mounting the page (topic → meta): tracked now. */
  tracked?: Record<string, Json>;
  /** Taken over from a snapshot: the seq and last ref it covers. */
  resume?: { seq: number; lastRef: number };
  /** Pushes and navigations the mount asked for: the join that starts the session sends them after its render (mount-effects.ts). */
  effects?: MountEffect[];
  /** Components from a snapshot (components/host.ts): their state, not mounted again. */
  components?: Record<string, SavedComponent> | undefined;
  /** The child views its page mounted with it, or its snapshot kept (child-views/). */
  children?: ChildScope | undefined;
}

export class ViewSession<S = unknown> implements ChildParent {
  readonly sid: string;
  /** The registered view path and the current params (to sign fresh tokens). */
  readonly path: string;
  /** Path params and query of the current URL (they change with live patches). */
  params: Params;
  /** The page's current URL, path and query (live patches change it). */
  url: string;
  /** A `ctx.patch` of the running work, applied once it commits. */
  private patchTo: { route: NavRoute; replace: boolean } | undefined;
  /** Patches in a row (handleParams patching again): bounded by MAX_PATCH_CHAIN. */
  private patchChain = 0;
  private view: ViewDefinition<S>;
  private state: S;
  private tree: RenderedTree;
  /** The view's components (components/host.ts); undefined while it has none. */
  private parts: ComponentHost | undefined;
  /** The title of `state` when the view's title is a function of it (page-title.ts), else undefined. */
  private title: string | undefined;
  private readonly ledger = new StaticsLedger();
  private seq = 0;
  private readonly outbox: Envelope[] = [];
  private lastRef = 0;
  /** The ref of the last event whose handling finished (what a snapshot covers). */
  private doneRef = 0;
  /** `seq` when the work in progress began: frames after it belong to unfinished work. */
  private workSeq: number | undefined;
  /** The ref of the browser event being handled, if the work in progress is one. */
  private runningRef: number | undefined;
  /** With a shared store: frames wait for the snapshot that covers them. */
  private readonly gate: SaveGate | undefined;
  /** Rebuilt on this node from a snapshot: the client's statics ids are another node's. */
  private foreign = false;
  private sink: Sink | undefined;
  private v = 0;
  private busy = false;
  private readonly queue: Work[] = [];
  /** Pending timers, topic subscriptions (topic → unsubscribe) and presence: made on first use (most sessions have none). */
  private timers: Set<TimerSpec> | undefined;
  private disposed = false;
  private topics: Map<string, () => void> | undefined;
  private tracked: Map<string, { meta: Json; listener: PresenceListener }> | undefined;
  /** The running browser event's `ctx.reply` value (reply.ts): `y` on the frame that answers it. */
  private replied: Json | undefined;
  /** `ctx.stream*` calls waiting for the next render (streams/), made by the first. */
  private streamCalls: StreamBuffer | undefined;
  /** The streams the last committed render placed, and those of the render in progress (undefined: none). */
  private placed: Map<string, StreamRef> | undefined;
  private drawn: Map<string, StreamRef> | undefined;
  /** Per-handler rate limits, created on first use. */
  private buckets: Map<string, TokenBucket> | undefined;
  /** Background tasks (async/), made by the first `ctx.startAsync`. */
  private tasks: AsyncTasks | undefined;
  /** The running event handler's own `timeoutMs`, if it has one. */
  private limitMs: number | undefined;
  readonly ctx: ViewContext;
  /** @internal The child views its render embeds (child-views/), made by the first that does. */
  children: ChildScope | undefined;
  /** @internal The view's uploads (uploads/): undefined when it declares none. */
  readonly uploads: SessionUploads | undefined;

  constructor(init: SessionInit<S>, private readonly config: SessionConfig) {
    this.sid = init.sid;
    this.path = init.path;
    this.params = init.params;
    this.url = init.url ?? urlFor(init.path, init.params);
    this.view = init.view;
    // Weft owns `state.uploads` (a snapshot's entries adopt their files from a shared uploadDir, or come back failed).
    if (init.view.uploads !== undefined && config.uploads !== undefined) {
      this.uploads = new SessionUploads(config.uploads, init.view.uploads, (init.state as { uploads?: unknown } | null)?.uploads, (run) => this.enqueue({ kind: "apply", name: "uploads", run }));
      init.state = this.uploads.overlay(init.state);
    }
    this.state = init.state;
    // Before the first render: a render that embeds a new child view mints its token from ctx.session.
    this.ctx = new SessionContext(this, init.params, init.session);
    this.children = init.children;
    if (init.components !== undefined) (this.parts = new ComponentHost()).restore(init.components);
    this.tree = this.draw(init.state);
    this.placed = this.drawn;
    this.parts?.commit(this.ledger);
    this.title = liveTitle(init.view, init.state, init.path);
    if (init.resume !== undefined) {
      this.seq = init.resume.seq;
      this.lastRef = this.doneRef = init.resume.lastRef;
      this.foreign = true;
    }
    const persist = config.persist;
    if (persist !== undefined) {
      this.gate = new SaveGate(persist, { snapshot: () => this.snapshot(), deliver: (env) => this.deliver(env), onError: config.onError, moved: (ref) => this.moved(ref) }, this.seq);
    }
    for (const t of init.timers) if (!t.cancelled) this.startTimer(t);
    for (const topic of init.topics ?? []) this.subscribe(topic);
    for (const [topic, meta] of Object.entries(init.tracked ?? {})) this.track(topic, meta);
  }

  /**
   * Attaches a sink (the client joined or rejoined as view `v`). With `lastSeq`
   * covered by the outbox, replays what came after it and answers with a reply;
   * otherwise sends a full render. Either answer carries `token` and the last
   * applied ref, so the client knows which of its events to resend. `renewed`:
   * the client asked to resume but the session was mounted afresh (its full
   * render carries `n: 1`, so `weft-recover` forms send their values).
   */
  attach(sink: Sink, v: number, lastSeq: number | undefined, token: string, renewed = false): void {
    this.sink = sink;
    this.v = v;
    this.gate?.clear();
    const first = this.outbox[0];
    const covered = !this.foreign && lastSeq !== undefined && lastSeq <= this.seq
      && (lastSeq === this.seq || (first !== undefined && first.q! <= lastSeq + 1));
    if (covered) {
      for (const env of this.outbox) if (env.q! > lastSeq) this.write(env);
      this.emit({ t: S.reply, r: this.lastRef, k: token });
      return;
    }
    this.foreign = false;
    this.ledger.reset();
    this.ledger.collect(this.tree);
    // Not kept for replay: a client that misses a full render gets a new one
    // (an empty outbox covers nothing before it), and what came before it is moot.
    this.outbox.length = 0;
    const o = this.restream();
    this.emit({ t: S.rendered, d: this.tree, p: this.parts?.full(this.ledger), s: this.ledger.take(), o, r: this.lastRef, k: token, h: this.title, n: renewed ? 1 : undefined, z: cacheTable(this.view as ViewDefinition<unknown>), u: this.uploads?.configs }, false);
  }

  /** Detaches the sink (the link dropped); the session keeps running. */
  detach(sink: Sink): void {
    if (this.sink === sink) this.sink = undefined;
  }

  /** True when `sink` is the one attached (a newer link may have taken over). */
  isAttachedTo(sink: Sink): boolean {
    return this.sink === sink;
  }

  /** @internal The app's child views, for renders that embed one. */
  get childHub(): ChildHub | undefined {
    return this.config.children;
  }

  /** True while a sink is attached. */
  get attached(): boolean {
    return this.sink !== undefined;
  }

  /** The client has applied everything up to `q`: drop it from the outbox. */
  ack(q: number): void {
    let n = 0;
    while (n < this.outbox.length && this.outbox[n]!.q! <= q) n++;
    if (n > 0) this.outbox.splice(0, n);
  }

  /**
   * Queues a browser event (for component `target`, when given; with `model`,
   * a `weft-model` update of field `name`, model.ts; with `claim`, answered
   * from the browser's cache, event-cache.ts). Refs already applied are
   * answered, not re-applied.
   */
  event(ref: number, name: string, payload: Payload, target?: string, model?: boolean, claim?: CacheClaim): void {
    if (!this.takeRef(ref) || this.full(ref)) return;
    this.enqueue({ kind: "event", ref, name, payload, at: performance.now(), target, model, claim });
  }

  /**
   * Renders the view's `state` with its components (components/host.ts;
   * staged until committed). A view without components renders with no
   * closure made: this is every event's render.
   */
  private draw(state: S): RenderedTree {
    if (this.parts === undefined || this.parts.idle) {
      // No host while the view has no components (components/scope.ts): a
      // render that places its first stops, and runs again with one.
      const outer = hostless();
      try {
        return this.drawStreams(state);
      } catch (err) {
        if (err !== NEEDS_HOST) throw err;
      } finally {
        endHostless(outer);
      }
      this.parts ??= new ComponentHost();
    }
    return this.parts.render(() => this.drawStreams(state));
  }

  /** Renders the view's `state`, noting the streams it places in `drawn` (streams/). */
  private drawStreams(state: S): RenderedTree {
    const outer = beginStreams();
    try {
      return renderView(this.view, state, this.path, this);
    } finally {
      this.drawn = endStreams(outer);
    }
  }

  /**
   * The stream ops of a full render: the browser empties every stream the
   * view places, and the view's `streams(state, ctx)` fills them again. A
   * throw leaves them empty (reported): never stale or doubled items.
   */
  private restream(): StreamOp[] | undefined {
    if (this.placed === undefined) return undefined;
    const calls = (this.streamCalls ??= new StreamBuffer());
    calls.discard();
    try {
      this.view.streams?.(this.state, this.ctx);
      return calls.encode(this.placed, true);
    } catch (err) {
      this.config.onError(err, "streams");
      calls.discard();
      return [...this.placed.keys()].map((name): StreamOp => [name]);
    }
  }

  /** @internal ctx.stream*: the calls wait for the next render. */
  streamBuffer(): StreamBuffer {
    return (this.streamCalls ??= new StreamBuffer());
  }

  /** @internal ctx.sendUpdate: applied after the running work's render. */
  sendUpdate(def: AnyComponent, id: unknown, props: Record<string, unknown>): void {
    (this.parts ??= new ComponentHost()).sendUpdate(def, id, { ...props, id: String(id) });
  }

  /**
   * Queues a live patch from the browser (`weft-patch`, back/forward): ordered
   * and applied once with the events (it shares their refs), answered like one.
   */
  patch(ref: number, url: unknown): void {
    if (!this.takeRef(ref) || this.full(ref)) return;
    this.enqueue({ kind: "params", ref, name: "handleParams", url });
  }

  /** True for a new ref (taken as the last one); an applied one is answered with a reply, not applied again. */
  private takeRef(ref: number): boolean {
    if (ref <= this.lastRef) {
      this.emit({ t: S.reply, r: this.lastRef });
      return false;
    }
    this.lastRef = ref;
    return true;
  }

  /**
   * True when the queue is full (`maxQueued`): browser frame `ref` is refused
   * with E_BUSY outside the view's stream (no seq: the client settles that
   * ref alone, not the ones queued before it) and never applied — its ref is
   * taken, so a resend after a reconnect is answered, not applied.
   */
  private full(ref: number): boolean {
    if (this.queue.length < (this.config.maxQueued ?? MAX_QUEUED)) return false;
    this.config.metrics?.error("E_BUSY");
    this.deliver({ t: S.error, c: "E_BUSY", m: ERRORS.E_BUSY.message, r: ref });
    return true;
  }

  /** @internal ctx.patch: checked now, applied after the running work commits. */
  livePatch(to: unknown, replace: boolean): void {
    if (this.disposed) return;
    const route = this.resolve(to);
    if (route.pattern !== this.path) {
      this.emit({ t: S.nav, d: navPayload(route.url, { kind: "navigate", replace }) });
      return;
    }
    this.patchTo = { route, replace };
  }

  /** `to` resolved through the app's views; throws E_NAV_TARGET (a bad target) or E_UNKNOWN_VIEW. */
  private resolve(to: unknown): NavRoute {
    const route = this.config.router === undefined ? undefined : resolveRoute(this.config.router, to);
    if (route === undefined) throw new NavRefusal("E_UNKNOWN_VIEW", `no view is registered at ${JSON.stringify(clip(String(to)))}`);
    return route;
  }

  /**
   * A live patch's work: the URL must be this view's, allowed by its `auth`
   * for the new params; then handleParams runs and the session takes the URL.
   * Another view's URL is answered with a live navigation to it instead.
   */
  private async runPatch(work: Extract<Work, { kind: "params" }>): Promise<S | typeof SKIP> {
    if (++this.patchChain > MAX_PATCH_CHAIN) throw new NavRefusal("E_NAV_TARGET", `handleParams patched ${MAX_PATCH_CHAIN} times in a row: a patch loop?`, false);
    let route = work.route;
    try {
      route ??= this.resolve(work.url);
    } catch (err) {
      // A browser's hostile URL is refused, not reported as the app's failure.
      throw err instanceof NavigationError ? new NavRefusal(err.code, err.message) : err;
    }
    if (route.pattern !== this.path) {
      this.emit({ t: S.nav, d: navPayload(route.url, { kind: "navigate", replace: true }), r: work.ref });
      return SKIP;
    }
    await checkAuth(this.view as ViewDefinition<unknown>, this.ctx.session, route.params);
    const next = await runHandleParams(this.view, route.params, route.url, this.state, this.ctx);
    this.params = route.params;
    (this.ctx as SessionContext).params = route.params;
    this.url = route.url;
    return next;
  }

  /** @internal The view's definition as it runs now (dev/hot-reload.ts maps it to the newest). */
  get definition(): ViewDefinition<S> {
    return this.view;
  }

  /**
   * @internal Development hot reload: after the work queued before it, `view`
   * replaces the definition and renders the current state (mount does not run
   * again); the diff goes out like an event's. A render that throws keeps the
   * old definition and answers E_RENDER.
   */
  hotSwap(view: ViewDefinition<S>): void {
    this.enqueue({ kind: "swap", name: "hot reload", view });
  }

  /**
   * @internal An upload frame (C.upload, C.uploadCancel; uploads/): ordered
   * and applied once with the events (it shares their refs), answered like one.
   */
  uploadWork(ref: number, name: string, run: (u: SessionUploads) => ErrorCode | undefined): void {
    if (!this.takeRef(ref) || this.full(ref)) return;
    this.enqueue({ kind: "apply", ref, name, run: () => (this.uploads === undefined ? "E_UPLOAD_UNKNOWN" : run(this.uploads)) });
  }

  /** Queues an info message (timer, pub/sub, async result). */
  info(name: string, payload: unknown): void {
    // Bounded like events: past maxQueued the message is dropped (counted, logged), never kept.
    if (this.queue.length >= (this.config.maxQueued ?? MAX_QUEUED)) return this.config.infoDropped?.(this.path, name);
    this.enqueue({ kind: "info", name, payload });
  }

  /** @internal ctx.startAsync (async/): the task runs beside the queue; its reports come back through it. */
  startAsync(name: string, fn: AsyncFn, o?: AsyncOptions): void {
    if (this.disposed) return;
    this.tasks ??= new AsyncTasks({
      state: () => this.state,
      flush: () => this.enqueue({ kind: "async", name: "async" }),
      ended: (n, report) => ownHandler(this.view.info, n) !== undefined && this.enqueue({ kind: "info", name: n, payload: report }),
      onError: this.config.onError,
    });
    this.tasks.start(name, fn, o);
  }

  /** @internal ctx.cancelAsync */
  cancelAsync(name: string): boolean {
    return this.tasks?.cancel(name) ?? false;
  }

  /** Sends a message with the next seq, kept in the outbox for replay unless `keep` is false. */
  emit(env: Envelope, keep = true): void {
    if (this.disposed) return;
    env.q = ++this.seq;
    if (keep) {
      this.outbox.push(env);
      if (this.outbox.length > this.config.outboxSize) this.outbox.shift();
    }
    this.write(env);
  }

  /** @internal ctx.reply: kept for the answer of the running browser event, dropped elsewhere (reply.ts). */
  reply(value: Json | undefined): void {
    const y = checkReply(value);
    if (this.runningRef !== undefined) this.replied = y;
  }

  /** @internal ctx.subscribe */
  subscribe(topic: string): void {
    if (this.disposed || this.topics?.has(topic) === true) return;
    (this.topics ??= new Map()).set(topic, this.config.pubsub.subscribe(topic, (m) => this.info(m.name, m.payload)));
  }

  /** @internal ctx.unsubscribe */
  unsubscribe(topic: string): void {
    this.topics?.get(topic)?.();
    this.topics?.delete(topic);
  }

  /** This session's entry id in presence lists: stable across nodes, says nothing about the sid. */
  private get presenceId(): string {
    return createHash("sha256").update(this.sid).digest("base64url").slice(0, 16);
  }

  /** @internal ctx.track */
  track(topic: string, meta: Json): void {
    const presence = this.config.presence;
    if (this.disposed || presence === undefined) return;
    const known = this.tracked?.get(topic);
    if (known === undefined) {
      const listener = presence.listen(topic, (d) => this.presenceDiff(d));
      (this.tracked ??= new Map()).set(topic, { meta, listener });
      // The list as it is now, once loaded: the view starts from it.
      void listener.ready.then((ok) => {
        if (ok && this.tracked?.get(topic)?.listener === listener) this.presenceDiff({ topic, joins: presence.list(topic), leaves: [] });
      });
    } else known.meta = meta;
    presence.track(topic, this.presenceId, meta).catch((err: unknown) => this.config.onError(err, `presence track in "${clip(topic)}"`));
  }

  /** @internal ctx.untrack */
  untrack(topic: string): void {
    const t = this.tracked?.get(topic);
    if (t === undefined) return;
    this.tracked!.delete(topic);
    t.listener.off();
    this.config.presence?.untrack(topic, this.presenceId).catch((err: unknown) => this.config.onError(err, `presence untrack in "${clip(topic)}"`));
  }

  /** @internal ctx.presence */
  presenceList(topic: string): PresenceEntry[] {
    return this.config.presence?.list(topic) ?? [];
  }

  private presenceDiff(d: PresenceDiff): void {
    if (this.disposed || this.tracked?.has(d.topic) !== true || ownHandler(this.view.info, "presence") === undefined) return;
    this.info("presence", { topic: d.topic, joins: d.joins, leaves: d.leaves, list: this.presenceList(d.topic) });
  }

  /** @internal ctx.broadcast */
  broadcast(topic: string, name: string, payload: Json | undefined): void {
    // Fenced: a handler still running when its session was handed over has no effects.
    if (this.disposed) return;
    let sent: Promise<void>;
    try {
      sent = this.config.pubsub.publish(topic, { name, payload: payload ?? null });
    } catch (err) {
      sent = Promise.reject(err);
    }
    sent.catch((err: unknown) => {
      this.config.metrics?.broadcastFailed();
      this.config.onError(err, `broadcast to "${clip(topic)}"`);
    });
  }

  /**
   * What another node needs to take this session over, as of the last
   * finished piece of work (an async handler in flight is not in it).
   */
  snapshot(): SessionSnapshot {
    const timers = [];
    for (const t of this.timers ?? []) if (!t.cancelled && t.due !== undefined) timers.push({ name: t.name, payload: t.payload, due: t.due });
    return {
      sid: this.sid, path: this.path, params: this.params, url: this.url, session: this.ctx.session,
      state: (this.uploads?.saved(this.state) ?? this.state) as Json, seq: this.workSeq ?? this.seq, lastRef: this.doneRef, components: this.parts?.snapshot(),
      topics: [...(this.topics?.keys() ?? [])], timers,
      tracked: Object.fromEntries([...(this.tracked ?? [])].map(([topic, t]) => [topic, t.meta])),
      ...(this.children !== undefined ? { children: this.children.records() } : {}),
    };
  }

  /**
   * Resolves once no work is running or queued and no save is in flight (or
   * after `ms`): the session is at rest, ready to hand over.
   */
  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while ((this.busy || this.queue.length > 0 || this.gate?.busy === true) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * The first browser event received but not finished (running or queued):
   * a handover leaves it, unanswered here, to the new node.
   */
  get unfinishedRef(): number | undefined {
    if (this.runningRef !== undefined) return this.runningRef;
    for (const w of this.queue) {
      const ref = refOf(w);
      if (ref !== undefined) return ref;
    }
    return undefined;
  }

  /** Saves a snapshot soon (with a store): Redis came back, maybe empty. */
  requestSave(): void {
    this.gate?.request();
  }

  /**
   * Another node owns this session now: this copy is stale. Tells the client
   * with E_NOT_JOINED outside the stream (it keeps its unanswered events,
   * rejoins — the join finds the owner — and resends them there), then lets go.
   * `ref`: the first event whose answer is lost with this copy.
   */
  moved(ref?: number): void {
    const sink = this.sink;
    if (sink !== undefined && !this.disposed) {
      const env: Envelope = { t: S.error, c: "E_NOT_JOINED", m: "the session moved to another node: rejoin", v: this.v };
      if (ref !== undefined) env.r = ref;
      this.config.metrics?.error("E_NOT_JOINED");
      sendTo(sink, env);
    }
    this.config.onMoved?.(this as ViewSession);
  }

  /**
   * Ends this live instance: disposes it, then runs the view's `terminate`
   * with the last committed state (terminate.ts). Once: undefined when it had
   * ended already, else the running terminate (undefined when nothing to wait for).
   */
  end(reason: TerminateReason): Promise<void> | undefined {
    if (this.disposed) return undefined;
    // Another node takes it: the upload temp files stay a while for it to adopt.
    if (reason === "handover") this.uploads?.handOver();
    this.dispose();
    this.config.children?.ended(this.sid, this.children, reason);
    return runTerminate(this.view, { reason, state: this.state, path: this.path, params: this.params, session: this.ctx.session }, this.config);
  }

  /** Stops timers, subscriptions, and drops the sink. */
  dispose(): void {
    this.disposed = true;
    this.sink = undefined;
    this.gate?.stop();
    for (const off of this.topics?.values() ?? []) off();
    this.topics = undefined;
    for (const topic of [...(this.tracked?.keys() ?? [])]) this.untrack(topic);
    for (const t of this.timers ?? []) clearTimeout(t.handle);
    this.timers = undefined;
    this.queue.length = 0;
    this.tasks?.stop();
    this.uploads?.close();
  }

  /** @internal ctx.schedule */
  startTimer(t: TimerSpec): () => void {
    if (this.disposed) return () => {};
    (this.timers ??= new Set()).add(t);
    t.due = Date.now() + t.ms;
    t.handle = setTimeout(() => {
      this.timers?.delete(t);
      if (!t.cancelled) this.info(t.name, t.payload);
    }, t.ms);
    return () => {
      t.cancelled = true;
      clearTimeout(t.handle);
      this.timers?.delete(t);
    };
  }

  private write(env: Envelope): void {
    if (this.sink === undefined || this.gate?.hold(env)) return;
    this.deliver(env);
  }

  /** @internal Writes a frame to the sink (the save gate calls it for held frames). */
  deliver(env: Envelope): void {
    const sink = this.sink;
    if (sink === undefined) return;
    env.v = this.v;
    sendTo(sink, env);
  }

  private enqueue(work: Work): void {
    if (this.disposed) return;
    if (this.busy) {
      this.queue.push(work);
      return;
    }
    this.process(work);
  }

  /** Runs one item; sync handlers finish here, async ones hold the queue. */
  private process(work: Work): void {
    this.replied = undefined;
    this.workSeq = this.seq;
    this.runningRef = refOf(work);
    this.limitMs = undefined;
    if (work.kind !== "params") this.patchChain = 0;
    let result: Result<S>;
    try {
      result = this.invoke(work);
    } catch (err) {
      this.fail(work, "E_HANDLER", err);
      return;
    }
    if (result instanceof Promise) {
      this.busy = true;
      // The time limit (async/deadline.ts): past it E_TIMEOUT, and the late result is dropped.
      withinLimit(result, this.limitMs ?? this.config.handlerTimeoutMs ?? HANDLER_TIMEOUT_MS).then(
        (next) => this.commit(work, next),
        (err) => this.fail(work, err instanceof HandlerTimeout ? "E_TIMEOUT" : "E_HANDLER", err),
      ).finally(() => this.drain());
      return;
    }
    this.commit(work, result);
  }

  private drain(): void {
    this.busy = false;
    this.workSeq = undefined;
    while (!this.busy && !this.disposed) {
      const next = this.queue.shift();
      if (next === undefined) return;
      this.process(next);
    }
  }

  /** Calls the handler; a missing one answers E_UNKNOWN_EVENT and returns the state. */
  private invoke(work: Work): Result<S> {
    if (work.kind === "params") return this.runPatch(work);
    if (work.kind === "swap") {
      // The old definition waits in the work item until the render succeeds (answer()).
      [this.view, work.view] = [work.view, this.view];
      return this.state;
    }
    if (work.kind === "apply") {
      const code = work.run();
      if (code === undefined) return this.state;
      this.error(code, ERRORS[code].message, work.ref);
      return SKIP;
    }
    if (work.kind === "async") return this.tasks?.apply(this.state) ?? SKIP;
    if (work.kind === "info") {
      const h = ownHandler(this.view.info, work.name);
      if (h === undefined) throw new Error(`no info handler "${work.name}"`);
      return h(this.state, work.payload, this.ctx);
    }
    // A model update sets a field of the view; a component has no model list (docs/client.md, forms).
    if (work.model === true) {
      const m = modelHandler(work.target === undefined ? this.view.model : undefined, work.name, this.config.dev === true);
      if ("code" in m) {
        this.error(m.code, m.message, work.ref);
        return SKIP;
      }
      return this.call(m, this.state, work);
    }
    if (work.target !== undefined) {
      const found = componentEvent(this.parts, work.target, work.name, this.config.dev === true);
      if ("code" in found) {
        this.error(found.code, found.message, work.ref);
        return SKIP;
      }
      return this.call(found.handler as EventHandler<S>, found.state as S, work);
    }
    const h = ownHandler(this.view.events, work.name);
    if (h === undefined) {
      this.error("E_UNKNOWN_EVENT", unknownEventMessage(work.name, this.view.events ?? {}, this.config.dev === true), work.ref);
      return SKIP;
    }
    return this.call(h, this.state, work);
  }

  /** Runs an event handler on `state` (the view's or, with `work.target`, a component's). */
  private call(h: EventHandler<S>, state: S, work: Extract<Work, { kind: "event" }>): Result<S> {
    if (typeof h === "function") return h(state, work.payload, this.ctx);
    this.limitMs = h.timeoutMs;
    // A component's handler has a rate bucket of its own, named by the component's id and the event.
    if (h.rateLimit !== undefined && !this.bucket(work.target === undefined ? work.name : `${work.target} ${work.name}`, h.rateLimit).take()) {
      this.error("E_RATE_LIMIT", `too many "${clip(work.name)}" events: slow down`, work.ref);
      return SKIP;
    }
    // `handler` is another name for `run` (checkEvents allows exactly one).
    const run = (h.run ?? h.handler)!;
    if (h.schema === undefined) return run(state, work.payload, this.ctx);
    return this.validated(h.schema, run as ValidatedRun<S>, work.payload, state);
  }

  private bucket(name: string, rate: Rate): TokenBucket {
    this.buckets ??= new Map();
    let b = this.buckets.get(name);
    if (b === undefined) this.buckets.set(name, (b = new TokenBucket(rate)));
    return b;
  }

  private validated(schema: ValidatedSchema, run: ValidatedRun<S>, payload: Payload, state: S): Result<S> {
    const check = (r: StandardResult<unknown>): S | void | Promise<S | void> => {
      if (r.issues !== undefined) throw new InvalidPayload(r.issues.map((i) => i.message));
      return run(state, r.value, this.ctx);
    };
    const r = schema["~standard"].validate(payload);
    return r instanceof Promise ? r.then(check) : check(r);
  }

  /**
   * Ends a piece of work with its new state. An event's latency is taken
   * after its answer (diff, reply or error) is written, as
   * weft_event_duration_seconds promises: handler, render, diff and write.
   */
  private commit(work: Work, next: S | void | typeof SKIP): void {
    this.finish(work);
    this.answer(work, next);
    this.replied = undefined;
    this.measure(work);
    this.patched();
  }

  /**
   * The committed work called `ctx.patch`: the browser's URL changes, then
   * handleParams runs with it — next, before any queued work.
   */
  private patched(): void {
    const p = this.patchTo;
    this.patchTo = undefined;
    if (p === undefined || this.disposed) return;
    this.emit({ t: S.nav, d: navPayload(p.route.url, { kind: "patch", replace: p.replace }) });
    const work: Work = { kind: "params", name: "handleParams", url: p.route.url, route: p.route };
    if (this.busy) this.queue.unshift(work);
    else this.process(work);
  }

  /**
   * Renders the new state, diffs it and sends the diff (or a reply). Renders
   * whenever a handler ran, even when it returned nothing or the same object:
   * a handler that changed the state in place must not leave stale HTML on
   * the screen (the diff is empty, and only a reply goes, when nothing changed).
   */
  private answer(work: Work, result: S | void | typeof SKIP): void {
    if (this.disposed || result === SKIP) return;
    if (work.kind === "event" && work.target !== undefined) return this.answerComponent(work, work.target, result);
    const ref = refOf(work);
    let next = result === undefined ? this.state : result;
    if (this.uploads !== undefined) next = this.uploads.overlay(next);
    // Background tasks' reports (async/): the new ones, and the running ones a handler's state may have dropped.
    if (this.tasks !== undefined) next = this.tasks.overlay(next);
    let tree: RenderedTree;
    let title: string | undefined;
    let o: StreamOp[] | undefined;
    try {
      tree = this.draw(next);
      o = this.streamCalls?.waiting === true ? this.streamCalls.encode(this.drawn, false) : undefined;
      title = liveTitle(this.view, next, this.path);
      this.parts?.flush((err) => this.config.onError(err, `${work.kind} "${work.name}"`));
    } catch (err) {
      this.parts?.discard();
      if (work.kind === "swap") this.view = work.view;
      this.report(work, "E_RENDER", err);
      return;
    }
    const diff = diffTree(this.tree, tree, this.ledger);
    const p = this.parts?.commit(this.ledger);
    // The title travels only when it changed (undefined for a fixed title).
    const h = title !== this.title ? title : undefined;
    this.state = next;
    this.tree = tree;
    this.title = title;
    this.placed = this.drawn;
    // The browser answered this event from its cache (event-cache.ts) and shows our page: a reply does.
    if (work.kind === "event" && confirms(this.view as ViewDefinition<unknown>, work.name, work.claim, this.seq, tree, this.parts?.lookup, o, h)) return this.emit({ t: S.reply, r: ref, y: this.replied, q: 0, v: 0 });
    if (diff === undefined && p === undefined && o === undefined) {
      if (ref !== undefined || h !== undefined) this.emit({ t: S.reply, r: ref, y: this.replied, h, q: 0, v: 0 });
      return;
    }
    // No `t`: a diff is the implied kind (protocol/messages.ts). Every field
    // the frame will carry is in the literal (q and v are set on the way out),
    // in wire order; undefined ones are left out of the JSON.
    if (p === undefined) this.emit({ d: diff, s: this.ledger.take(), o, r: ref, y: this.replied, h, q: 0, v: 0 });
    else this.emit({ d: diff, p, s: this.ledger.take(), o, r: ref, y: this.replied, h, q: 0, v: 0 });
  }

  /** A component's event committed: re-renders that component only and sends its diff (`p`, no `d`). */
  private answerComponent(work: Work, target: string, result: S | void): void {
    const ref = refOf(work);
    const parts = this.parts!;
    let o: StreamOp[] | undefined;
    try {
      // A child view in the component renders into the view's child table (partial: the others stay).
      renderWithChildren(this, () => parts.rerender(target, result === undefined ? parts.stateOf(target) : result), true);
      parts.flush((err) => this.config.onError(err, `event "${work.name}" of component "${target}"`));
      // The view's streams as its last render placed them (a component's event does not render the view).
      o = this.streamCalls?.waiting === true ? this.streamCalls.encode(this.placed, false) : undefined;
    } catch (err) {
      parts.discard();
      this.report(work, "E_RENDER", err);
      return;
    }
    const p = parts.commit(this.ledger);
    if (p === undefined && o === undefined) this.emit({ t: S.reply, r: ref, y: this.replied, q: 0, v: 0 });
    else this.emit({ p, s: this.ledger.take(), o, r: ref, y: this.replied, q: 0, v: 0 });
  }

  /** A piece of work ended (committed or failed): the next snapshot covers it. */
  private finish(work: Work): void {
    const ref = refOf(work);
    if (ref !== undefined) this.doneRef = ref;
    this.workSeq = undefined;
    this.runningRef = undefined;
    this.gate?.request();
  }

  /** Counts an answered event and its latency (arrival to frame written). */
  private measure(work: Work): void {
    if (work.kind === "event") this.config.metrics?.event((performance.now() - work.at) / 1000);
  }

  private fail(work: Work, code: ErrorCode, err: unknown): void {
    this.patchTo = undefined;
    this.streamCalls?.discard();
    this.parts?.discard();
    this.finish(work);
    this.report(work, code, err);
    this.measure(work);
  }

  /** Answers failed work with its error code (and reports unexpected errors to onError). */
  private report(work: Work, code: ErrorCode, err: unknown): void {
    const ref = refOf(work);
    if (err instanceof InvalidPayload) {
      this.error("E_INVALID", `${ERRORS.E_INVALID.message}: ${err.issues.join("; ")}`, ref);
      return;
    }
    // Refused navigation (no view there, auth refused): the client's doing, not a failure.
    if (err instanceof NavRefusal && err.quiet) {
      this.error(err.code, err.message, ref);
      return;
    }
    this.config.onError(err, `${work.kind} "${work.name}"`);
    const c = err instanceof NavigationError || err instanceof NavRefusal ? err.code : code;
    // In development a render error says why (a duplicate key names the keys); in production only the code's text.
    const why = c === "E_RENDER" && this.config.dev === true && err instanceof Error ? `: ${err.message}` : "";
    this.error(c, err instanceof NavRefusal ? err.message : ERRORS[c].message + why, ref);
  }

  private error(code: ErrorCode, message: string, ref: number | undefined): void {
    this.config.metrics?.error(code);
    const env: Envelope = { t: S.error, c: code, m: message };
    if (ref !== undefined) env.r = ref;
    this.emit(env);
  }
}

type ValidatedSchema = StandardSchemaV1<unknown, unknown>;
type ValidatedRun<S> = (state: S, payload: unknown, ctx: ViewContext) => S | void | Promise<S | void>;

/** A schema rejected the payload. */
class InvalidPayload extends Error {
  constructor(readonly issues: string[]) {
    super("invalid payload");
  }
}


type ContextSession = Pick<ViewSession, "uploads" | "emit" | "startTimer" | "subscribe" | "unsubscribe" | "broadcast" | "track" | "untrack" | "presenceList" | "livePatch" | "sendUpdate" | "streamBuffer" | "reply" | "startAsync" | "cancelAsync">;

/**
 * The context of a joined session. Its effects are getters on the prototype
 * that hand out a function bound to the session, so an idle session holds one
 * small object instead of a closure per effect, and `({ pushEvent }) => …`
 * still works.
 */
class SessionContext implements ViewContext {
  readonly connected = true;
  readonly #s: ContextSession;

  /** The current URL's params: an own property (`{ ...ctx }` copies it), replaced by live patches. */
  params: Params;

  constructor(owner: ContextSession, params: Params, readonly session: SessionData) {
    this.#s = owner;
    this.params = params;
  }

  get reply(): ViewContext["reply"] {
    const s = this.#s;
    return (value) => s.reply(value);
  }

  get pushEvent(): ViewContext["pushEvent"] {
    const s = this.#s;
    return (name, payload) => s.emit({ t: S.push, e: name, d: payload ?? null });
  }

  get announce(): ViewContext["announce"] {
    const s = this.#s;
    return (text, o) => s.emit(announceEffect(text, o));
  }

  get flash(): ViewContext["flash"] {
    const s = this.#s;
    return (kind, text) => s.emit(flashEffect(kind, text));
  }

  get startAsync(): ViewContext["startAsync"] {
    const s = this.#s;
    return (name, fn, o) => s.startAsync(name, fn, o);
  }

  get cancelAsync(): ViewContext["cancelAsync"] {
    const s = this.#s;
    return (name) => s.cancelAsync(name);
  }

  get schedule(): ViewContext["schedule"] {
    const s = this.#s;
    return (name, payload, ms) => s.startTimer({ name, payload, ms });
  }

  get patch(): ViewContext["patch"] {
    const s = this.#s;
    return (to, o) => s.livePatch(to, o?.replace === true);
  }

  get navigate(): ViewContext["navigate"] {
    const s = this.#s;
    return (to, o) => (o?.kind === "patch" ? s.livePatch(to, o.replace === true) : s.emit({ t: S.nav, d: navPayload(to, o) }));
  }

  get redirect(): ViewContext["redirect"] {
    const s = this.#s;
    return (to, o) => s.emit({ t: S.nav, d: navPayload(to, { kind: "redirect", external: o?.external === true }) });
  }

  get subscribe(): ViewContext["subscribe"] {
    const s = this.#s;
    return (topic) => s.subscribe(checkTopic(topic));
  }

  get unsubscribe(): ViewContext["unsubscribe"] {
    const s = this.#s;
    return (topic) => s.unsubscribe(topic);
  }

  get broadcast(): ViewContext["broadcast"] {
    const s = this.#s;
    return (topic, name, payload) => s.broadcast(topic, name, payload);
  }

  get track(): ViewContext["track"] {
    const s = this.#s;
    return (topic, meta) => s.track(checkTopic(topic), checkMeta(meta));
  }

  get untrack(): ViewContext["untrack"] {
    const s = this.#s;
    return (topic) => s.untrack(topic);
  }

  get presence(): ViewContext["presence"] {
    const s = this.#s;
    return (topic) => s.presenceList(topic);
  }

  get sendUpdate(): ViewContext["sendUpdate"] {
    const s = this.#s;
    return (def, id, props) => s.sendUpdate(def, id, props);
  }

  get stream(): ViewContext["stream"] {
    const s = this.#s;
    return (name, items, o) => s.streamBuffer().stream(name, items, o);
  }

  get streamInsert(): ViewContext["streamInsert"] {
    const s = this.#s;
    return (name, item, o) => s.streamBuffer().insert(name, item, o);
  }

  get streamDelete(): ViewContext["streamDelete"] {
    const s = this.#s;
    return (name, item) => s.streamBuffer().delete(name, item);
  }

  get consumeUploads(): ViewContext["consumeUploads"] {
    const u = this.#s.uploads;
    return (name, fn) => (u === undefined ? Promise.reject(new TypeError(`ctx.consumeUploads("${clip(String(name))}"): the view declares no uploads`)) : u.consume(name, fn));
  }

  get cancelUpload(): ViewContext["cancelUpload"] {
    const u = this.#s.uploads;
    return (name, ref) => void u?.cancel(name, ref);
  }
}

/** Presence meta: JSON of at most 4 KiB (it travels to every node and every listener). */
export function checkMeta(meta: Json): Json {
  const raw = JSON.stringify(meta ?? null);
  if (raw === undefined || raw.length > 4096) throw new TypeError("presence meta must be JSON of at most 4096 characters");
  return meta ?? null;
}
