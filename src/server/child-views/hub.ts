/**
 * The app's side of child views: it names a child's view by its registered
 * path, mints a child's session id and token (the server's doing, when the
 * parent renders: a client cannot join a child it was not given), mounts a
 * page's children with the page so that their first render is inline, and
 * ends a child's session when its parent's render drops it or its parent ends.
 *
 * A child token carries, besides the usual claims, `c`: the parent's session
 * id, the child's id, and the keys its `session` option added to the page's
 * session data — a rejoin compares the signed-in identity without them.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { TemplateNode } from "../../protocol/messages.ts";
import { toHtml } from "../../protocol/tree.ts";
import type { Core } from "../core.ts";
import { pageContext } from "../core.ts";
import { flashEffects } from "../flash.ts";
import { mountWithParams, urlFor } from "../live-nav.ts";
import { renderView } from "../render-view.ts";
import { authorizeRequest, isDenial } from "../security/auth.ts";
import { limitAddress } from "../security/client-address.ts";
import type { ChildClaim, TokenClaims } from "../security/token.ts";
import type { SessionInit, ViewSession } from "../session.ts";
import type { SessionSnapshot } from "../store/types.ts";
import { staticsOf } from "../template/compile.ts";
import type { Json, Params, SessionData, TerminateReason, ViewDefinition } from "../view.ts";
import { ChildViewError, type LiveViewRef } from "./live-view.ts";
import { ChildScope, type ChildEntry, type ChildMinter, type ChildParent, type ChildRecord } from "./scope.ts";

/** How deep a page mounts children within children inline; deeper ones join empty and mount live. */
const MAX_PAGE_DEPTH = 4;

const NO_PARAMS: Params = Object.freeze(Object.create(null) as Params);

/** The child views of one app (one per Core). */
export class ChildHub implements ChildMinter {
  /** Each registered view's path (the first, for a view registered twice). */
  private readonly paths = new Map<ViewDefinition<unknown>, string>();
  /** Each live child session's claim (a WeakMap: nothing to clean up): tokens minted for it again (resyncs) keep it. */
  private readonly claims = new WeakMap<ViewSession, ChildClaim>();
  /** A page's first render, done while mounting its children: the page reuses it. */
  private readonly pageTrees = new WeakMap<SessionInit<unknown>, TemplateNode>();

  constructor(private readonly core: Core, views: Readonly<Record<string, ViewDefinition<unknown>>>) {
    for (const [path, view] of Object.entries(views)) if (!this.paths.has(view)) this.paths.set(view, path);
  }

  /** Development hot reload (dev/hot-reload.ts): `next` replaced `old`, at the same path. */
  replaceView(old: ViewDefinition<unknown>, next: ViewDefinition<unknown>): void {
    const path = this.paths.get(old);
    if (path !== undefined && !this.paths.has(next)) this.paths.set(next, path);
  }

  /** A child view's registered path; a ChildViewError for a view the app does not register. */
  pathOf(ref: LiveViewRef): string {
    const path = this.paths.get(ref.view);
    if (path === undefined) {
      throw new ChildViewError(`liveView "${ref.id}": its view is not one of createWeft's views; register it (createWeft({ views: { "/chat": Chat, … } })) — a child joins by its view's registered path`);
    }
    return path;
  }

  /** @internal A new child of `parent`: session id, session data and a token signed now. */
  mint(parent: ChildParent, ref: LiveViewRef): ChildEntry {
    const path = this.pathOf(ref);
    const base = parent.ctx.session;
    const extra = ref.session ?? {};
    const keys = Object.keys(extra);
    const clash = keys.filter((k) => Object.prototype.hasOwnProperty.call(base, k));
    if (clash.length > 0) {
      throw new ChildViewError(`liveView "${ref.id}": its session may add data, not change the page's: ${clash.map((k) => JSON.stringify(k)).join(", ")} ${clash.length > 1 ? "are" : "is"} already in the session`);
    }
    if (!isJson(extra, 0)) throw new ChildViewError(`liveView "${ref.id}": its session must be JSON (strings, finite numbers, booleans, null, arrays and plain objects, at most 32 deep): it is signed into the child's token`);
    const data: SessionData = keys.length === 0 ? base : { ...base, ...extra };
    const sid = randomBytes(16).toString("base64url");
    return { id: ref.id, sid, path, token: this.core.token(sid, path, NO_PARAMS, data, { p: parent.sid, i: ref.id, k: keys }), data };
  }

  /** @internal The child `e` left its parent: its session ends (a never-committed one only forgets its claim). */
  end(e: ChildEntry, committed: boolean): void {
    if (!committed) return;
    const live = this.core.registry.get(e.sid);
    if (live !== undefined) this.core.registry.drop(live, "closed");
    else this.core.registry.forgetPending(e.sid);
  }

  /** @internal A child's token verified at its join went live as `session`: its later tokens carry the same claim. */
  bind(session: ViewSession, c: ChildClaim): void {
    this.claims.set(session, c);
  }

  /** @internal The child claim of a live session, if it is a child's. */
  claimOf(session: ViewSession): ChildClaim | undefined {
    return this.claims.get(session);
  }

  /**
   * @internal A join's token was verified: for a child's token, the session
   * data the signed-in identity is compared with (the page's, without the
   * child's keys).
   */
  joined(claims: TokenClaims): { base: SessionData } | undefined {
    const c = claims.c;
    if (c === undefined) return undefined;
    const base: SessionData = { ...(claims.data ?? {}) };
    for (const k of c.k) delete base[k];
    return { base };
  }

  /** @internal A session ended: unless it was handed on, its children end too. */
  ended(_sid: string, children: ChildScope | undefined, reason: TerminateReason): void {
    if (children !== undefined && reason !== "handover" && reason !== "shutdown") children.endAll();
  }

  /** @internal A parent rebuilt from its snapshot keeps its children (their sessions, tokens and roots). */
  restore(records: readonly ChildRecord[] | undefined): ChildScope | undefined {
    return records === undefined || records.length === 0 ? undefined : new ChildScope(this, records);
  }

  /** @internal The page's first render (made while mounting its children), once. */
  takePageTree(init: SessionInit<unknown>): TemplateNode | undefined {
    const t = this.pageTrees.get(init);
    this.pageTrees.delete(init);
    return t;
  }

  /** @internal A parent for a page's render: its pending mount, with the children mounted with it. */
  pageParent(init: SessionInit<unknown>): ChildParent {
    return { sid: init.sid, path: init.path, ctx: { session: init.session }, children: init.children, childHub: this };
  }

  /**
   * @internal A page's mount: mounts the children its render embeds (each a
   * pending mount of its own, like a page's, so that its join does not mount
   * again), then renders again with their HTML inline. A render that throws
   * is left to the page, which answers E_RENDER.
   */
  async preparePage(init: SessionInit<unknown>, req: IncomingMessage, depth = 0): Promise<void> {
    const parent = this.pageParent(init);
    for (let round = 0; round < 2; round++) {
      let tree: TemplateNode;
      try {
        tree = renderView(init.view, init.state, init.path, parent);
      } catch {
        return;
      }
      const fresh = (parent.children?.all() ?? []).filter((e) => e.html === undefined);
      if (fresh.length === 0 || depth >= MAX_PAGE_DEPTH) {
        this.pageTrees.set(init, tree);
        break;
      }
      await Promise.all(fresh.map((e) => this.mountChild(e, init, req, depth)));
    }
    if (parent.children !== undefined) init.children = parent.children;
  }

  /**
   * Mounts child `e` of the page `parent` for its first render. A child whose
   * auth refuses or whose mount throws renders an empty root: its join is
   * refused (or mounts again) and its root shows the error, the page goes on.
   */
  private async mountChild(e: ChildEntry, parent: SessionInit<unknown>, req: IncomingMessage, depth: number): Promise<void> {
    e.html = "";
    const core = this.core;
    const view = core.router.byPath(e.path)!;
    try {
      if (isDenial(await authorizeRequest(core.options.authorize, req, view, NO_PARAMS))) return;
      const data = e.data ?? parent.session;
      const { ctx, timers, topics, tracked, effects: later, patch, flashes } = pageContext(NO_PARAMS, data, core.pubsub, core.options.onError, core.presence);
      const at = { pattern: e.path, view, params: NO_PARAMS, url: urlFor(e.path, NO_PARAMS) };
      const { state } = await mountWithParams(view, at, ctx, patch, core.router, data);
      const init: SessionInit<unknown> = { sid: e.sid, path: e.path, view, params: NO_PARAMS, url: at.url, session: data, state, timers, topics, tracked };
      // A child's flashes follow its join's render (the page's layout has been given the page's own).
      const effects = [...flashEffects(flashes), ...later];
      if (effects.length > 0) init.effects = effects;
      await this.preparePage(init, req, depth + 1);
      const tree = this.takePageTree(init) ?? renderView(view, state, e.path, this.pageParent(init));
      e.html = toHtml(tree, staticsOf);
      core.registry.putPending(init, limitAddress(req, core.options.trustProxy));
      await this.store(init);
    } catch (err) {
      core.options.onError(err, `mount of the child view "${e.id}" (${e.path})`);
    }
  }

  /** With a store, a child's pending mount is stored like a page's: any node may take its join. */
  private async store(init: SessionInit<unknown>): Promise<void> {
    const store = this.core.store;
    if (store === undefined) return;
    const due = Date.now();
    const snap: SessionSnapshot = {
      sid: init.sid, path: init.path, params: init.params, url: init.url, session: init.session, state: init.state as Json, seq: 0, lastRef: 0,
      topics: init.topics ?? [], tracked: init.tracked ?? {},
      timers: init.timers.filter((t) => !t.cancelled).map((t) => ({ name: t.name, payload: t.payload, due: due + t.ms })),
      ...(init.effects !== undefined ? { effects: init.effects } : {}),
      ...(init.children !== undefined ? { children: init.children.records() } : {}),
    };
    await store.save(snap, this.core.options.joinTimeoutMs).catch((err: unknown) => this.core.options.onError(err, "child mount snapshot"));
  }
}

/** True when `v` survives JSON as it is (what a token can carry). */
function isJson(v: unknown, depth: number): boolean {
  if (v === null || typeof v === "string" || typeof v === "boolean") return true;
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v !== "object" || depth >= 32) return false;
  if (Array.isArray(v)) return v.every((x) => isJson(x, depth + 1));
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as Record<string, unknown>).every((x) => isJson(x, depth + 1));
}
