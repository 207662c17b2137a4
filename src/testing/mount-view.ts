/**
 * `mountView`: runs a view the way a page and its browser do, without either.
 * The view mounts through the page context (core.ts `pageContext`), then goes
 * live in a real `ViewSession` — the same handler allowlist, payload schemas,
 * rate limits, render, diff and wire envelopes — read back by a
 * {@link MountedView}. Only the timers differ: they run on the bus's clock.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { pageContext } from "../server/core.ts";
import { defaultUploadDir, UploadNode } from "../server/uploads/node.ts";
import { sendEffects } from "../server/mount-effects.ts";
import { flashEffects } from "../server/flash.ts";
import { mountWithParams, urlFor, type NavRoute } from "../server/live-nav.ts";
import { S } from "../protocol/messages.ts";
import { pageTitle } from "../server/page-title.ts";
import { Router } from "../server/router.ts";
import { authorizeRequest, denialCode, isDenial } from "../server/security/auth.ts";
import { ViewSession, type SessionConfig, type SessionInit, type TimerSpec } from "../server/session.ts";
import type { Params, SessionData, ViewDefinition } from "../server/view.ts";
import { createTestBus, type TestBus } from "./bus.ts";
import { MountedView } from "./mounted-view.ts";
import { WeftTestError } from "./test-error.ts";

/**
 * Options of {@link mountView}.
 *
 * @example
 * const options: MountOptions = { url: "/rooms/7?tab=2", route: "/rooms/:id", session: { user: "ann" } };
 */
export interface MountOptions {
  /** Mount params (win over those from `url` and `route`). */
  readonly params?: Params;
  /** The session data `authorize` would return for the request (what `ctx.session` and `auth` see). Default `{}`. */
  readonly session?: SessionData;
  /** The page URL, e.g. "/rooms/7?tab=2": its query becomes params, and its path gives `route`'s params. */
  readonly url?: string;
  /** The view's registered path with params, e.g. "/rooms/:id", matched against `url`'s path. */
  readonly route?: string;
  /** Views on one bus share broadcasts, presence and the clock (see {@link createTestBus}). Default: a bus of its own. */
  readonly bus?: TestBus;
}

/**
 * Mounts `view` as a page would — `auth`, `mount` (with `ctx.connected`
 * false, as for the server-rendered page), then live with the browser joined
 * — in a real session with no browser and no sockets. Rejects with what
 * `mount` threw, or with E_UNAUTHORIZED / E_FORBIDDEN when `auth` refuses. A
 * redirect at mount resolves with `navigations[0]` holding it and nothing
 * rendered.
 *
 * @example
 * const v = await mountView(Counter, { params: { start: "1" } });
 * await v.click("#inc");
 * assert.equal(v.text("#count"), "2");
 */
export async function mountView<S>(view: ViewDefinition<S>, options: MountOptions = {}): Promise<MountedView> {
  const bus = options.bus ?? createTestBus();
  const params = mountParams(options);
  const label = `the view mounted at ${options.url ?? options.route ?? "/"}`;
  const v = view as ViewDefinition<unknown>;
  const fakeRequest = {} as IncomingMessage;
  const session = await authorizeRequest(() => options.session ?? {}, fakeRequest, v, params);
  if (isDenial(session)) throw new WeftTestError(denialCode(session), `${label}: auth refused${session.message !== undefined ? `: ${session.message}` : ""}`);
  const mounted = new MountedView(bus, label, v);
  const page = pageContext(params, session, bus.pubsub, (err) => mounted.noteCause(err), bus.presence);
  const pattern = options.route ?? (options.url === undefined ? "/" : new URL(options.url, "http://test.invalid").pathname);
  const router = new Router({ [pattern]: v });
  const at: NavRoute = { pattern, view: v, params, url: pageUrl(options.url, pattern, params) };
  const { state, route } = await mountWithParams(v, at, page.ctx, page.patch, router, session);
  if (page.redirect.to !== undefined) {
    const fx = page.effects.find((e) => e.t === S.nav && e.d.to === page.redirect.to);
    mounted.navigations.push(fx?.t === S.nav ? fx.d : { to: page.redirect.to, kind: "redirect", replace: false });
    return mounted;
  }
  const live = new (clockedSession(bus))({
    sid: randomBytes(16).toString("base64url"), path: pattern, view: v, params: route.params, url: route.url, session, state,
    timers: page.timers, topics: page.topics, tracked: page.tracked,
  }, { outboxSize: 1000, onError: (err) => mounted.noteCause(err), pubsub: bus.pubsub, presence: bus.presence, router, uploads: testUploads(v, mounted) });
  mounted.title = pageTitle(v, state, pattern);
  mounted.start(live);
  // What mount pushed follows the first render, as at a browser's join.
  sendEffects([...flashEffects(page.flashes), ...page.effects], (env) => live.emit(env));
  await bus.settle();
  return mounted;
}

/**
 * Uploads for a view that declares them: no browser sends files here, so
 * `ctx.consumeUploads` resolves with `[]` and `state.uploads` shows no entries.
 * Nothing is written: the directory is never made.
 */
function testUploads(view: ViewDefinition<unknown>, mounted: MountedView): UploadNode | undefined {
  if (view.uploads === undefined) return undefined;
  return new UploadNode({ dir: defaultUploadDir(), perSession: 1, perNode: 1, idleMs: 60_000, onError: (err) => mounted.noteCause(err) });
}

/**
 * A ViewSession whose timers run on the bus's clock. Same contract as the
 * real one: `info(name, payload)` once, unless cancelled; none after dispose.
 * One class per mount, so the closure holds that session's timers.
 */
function clockedSession(bus: TestBus): new (init: SessionInit<unknown>, config: SessionConfig) => ViewSession {
  const timers = new Set<() => void>();
  return class ClockedSession extends ViewSession {
    override startTimer(t: TimerSpec): () => void {
      const cancel = (): void => {
        t.cancelled = true;
        clockCancel();
        timers.delete(cancel);
      };
      const clockCancel = bus.clock.setTimer(() => {
        timers.delete(cancel);
        if (!t.cancelled) this.info(t.name, t.payload);
      }, t.ms);
      timers.add(cancel);
      return cancel;
    }

    override dispose(): void {
      super.dispose();
      for (const cancel of [...timers]) cancel();
    }
  };
}

/** The page URL of the mount: `url` as given (path and query), or built from the route and params. */
function pageUrl(url: string | undefined, pattern: string, params: Params): string {
  if (url === undefined) return urlFor(pattern, params);
  const u = new URL(url, "http://test.invalid");
  return u.pathname + u.search;
}

/** Params as the server builds them: the query, then the path params, then the test's own. */
function mountParams(o: MountOptions): Params {
  const params = Object.create(null) as Params;
  if (o.url !== undefined) {
    const u = new URL(o.url, "http://test.invalid");
    for (const [k, val] of u.searchParams) params[k] = val;
    if (o.route !== undefined) {
      const match = new Router({ [o.route]: {} as ViewDefinition<unknown> }).match(u.pathname);
      if (match === undefined) throw new TypeError(`mountView: url "${o.url}" does not match route "${o.route}"`);
      Object.assign(params, match.params);
    }
  }
  return Object.assign(params, o.params);
}
