/**
 * Live navigation on the server: resolving a page URL to its view and params,
 * `handleParams` at mount and after a patch, and the checks a live patch
 * passes (docs/navigation.md).
 *
 * A URL is always resolved through the router here, never trusted from the
 * client's claim: a patch that moves a view to other path params (or query)
 * runs the view's `auth` with them, as a page load of that URL would.
 */
import type { ErrorCode } from "../protocol/errors.ts";
import { navTarget } from "./navigation.ts";
import type { Router } from "./router.ts";
import { denialCode, isDenial } from "./security/auth.ts";
import type { Params, SessionData, ViewContext, ViewDefinition } from "./view.ts";

/**
 * A page URL resolved against the app's views.
 *
 * @example const r: NavRoute = { pattern: "/todos/:id", view: Todo, params: { id: "42" }, url: "/todos/42" };
 */
export interface NavRoute {
  /** The registered pattern, e.g. "/todos/:id". */
  readonly pattern: string;
  readonly view: ViewDefinition<unknown>;
  /** The query, then the path params (which win), in a null-prototype object. */
  readonly params: Params;
  /** The path with query, e.g. "/todos/42?tab=2" (what handleParams gets). */
  readonly url: string;
}

/**
 * A navigation refused with a registry code. `quiet` (the default): the
 * client's doing (no view there, auth refused, a hostile URL from the
 * browser), answered and not reported to `onError`; a patch loop is the
 * app's bug and is reported.
 *
 * @example throw new NavRefusal("E_UNKNOWN_VIEW", "no view is registered at /nope")
 */
export class NavRefusal extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly quiet = true) {
    super(message);
  }
}

/**
 * How many patches in a row (a handleParams that patches again) before it counts as a loop.
 *
 * @example if (++chain > MAX_PATCH_CHAIN) throw new NavRefusal("E_NAV_TARGET", "a patch loop?", false);
 */
export const MAX_PATCH_CHAIN = 8;

// Any origin will do as a base: only the path and query are read.
const BASE = "http://weft.invalid";

/**
 * Resolves `to` (a same-origin path) to its view: undefined when no view is
 * registered there.
 *
 * @throws NavigationError (E_NAV_TARGET) when `to` is not a same-origin path.
 * @example resolveRoute(router, "/todos/42?tab=2") // { pattern: "/todos/:id", params: { tab: "2", id: "42" }, url: "/todos/42?tab=2", view }
 */
export function resolveRoute(router: Router, to: unknown): NavRoute | undefined {
  const u = new URL(navTarget(to, false), BASE);
  const m = router.match(u.pathname);
  if (m === undefined) return undefined;
  const params = Object.create(null) as Params;
  for (const [k, v] of u.searchParams) params[k] = v;
  Object.assign(params, m.params);
  return { pattern: m.pattern, view: m.view, params, url: u.pathname + u.search };
}

/**
 * The page URL a join names (`u`, the browser's `location.href`) when it is a
 * URL of the view `pattern`; undefined otherwise (missing, malformed, another
 * view's): the join then keeps the token's params.
 *
 * @example joinRoute(router, "/todos", "https://app.example/todos?page=2")?.url // "/todos?page=2"
 */
export function joinRoute(router: Router, pattern: string, href: unknown): NavRoute | undefined {
  if (typeof href !== "string" || href.length > 8192) return undefined;
  let path: string;
  try {
    const u = new URL(href, BASE);
    path = u.pathname + u.search;
  } catch {
    return undefined;
  }
  try {
    const r = resolveRoute(router, path);
    return r?.pattern === pattern ? r : undefined;
  } catch {
    return undefined;
  }
}

/** A param as URL text: params are strings; anything else a token could carry (an object whose toString is not a function) is empty, never a throw. */
function text(v: unknown): string {
  return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : "";
}

/**
 * The URL of `pattern` with `params` filled in (path params in the path, the
 * rest as the query): the URL of a session known only by its token's params.
 *
 * @example urlFor("/rooms/:id", { id: "7", tab: "2" }) // "/rooms/7?tab=2"
 */
export function urlFor(pattern: string, params: Params): string {
  const used = new Set<string>();
  const path = pattern.replace(/:([^/]+)/g, (_, name: string) => {
    used.add(name);
    return encodeURIComponent(text(params[name]));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (!used.has(k)) q.append(k, text(v));
  const qs = q.toString();
  return qs === "" ? path : `${path}?${qs}`;
}

/**
 * Runs the view's `auth` for `params` with the session's data: a live patch
 * to other params is allowed only when a page load of that URL would be.
 *
 * @throws NavRefusal (E_UNAUTHORIZED / E_FORBIDDEN) when auth refuses.
 * @example await checkAuth(view, ctx.session, route.params)
 */
export async function checkAuth(view: ViewDefinition<unknown>, session: SessionData, params: Params): Promise<void> {
  if (view.auth === undefined) return;
  const ok = await view.auth(session, params);
  if (ok === true) return;
  const code = isDenial(ok) ? denialCode(ok) : "E_FORBIDDEN";
  throw new NavRefusal(code, isDenial(ok) && ok.message !== undefined ? ok.message : "not allowed: the session may not use this view with these params");
}

/**
 * Calls `view.handleParams` when it has one; the state it returns, or
 * `state` when it returns nothing (or the view has none).
 *
 * @example state = await runHandleParams(view, route.params, route.url, state, ctx)
 */
export function runHandleParams<S>(view: ViewDefinition<S>, params: Params, url: string, state: S, ctx: ViewContext): S | Promise<S> {
  const h = view.handleParams;
  if (h === undefined) return state;
  const out = h(params, url, state, ctx);
  if (out instanceof Promise) return out.then((next) => (next === undefined ? state : next));
  return out === undefined ? state : out;
}

/**
 * Where a mount's `ctx.patch` calls go (core.ts pageContext).
 *
 * @example const patch: MountPatch = {}; ctx.patch("/todos?page=2"); // patch.to === "/todos?page=2"
 */
export interface MountPatch {
  /** The last target `ctx.patch` asked for while mounting, not yet applied. */
  to?: string | undefined;
}

/** The mounted state of a view that declares uploads, with `uploads` as Weft owns it: no entries yet (uploads/). */
function withUploads(view: ViewDefinition<unknown>, state: unknown): unknown {
  if (view.uploads === undefined || typeof state !== "object" || state === null || Array.isArray(state)) return state;
  const uploads: Record<string, { entries: never[]; errors: never[] }> = {};
  for (const name of Object.keys(view.uploads)) uploads[name] = { entries: [], errors: [] };
  return { ...state, uploads };
}

/**
 * Mounts a view the way a page does: `mount(params)`, then `handleParams`
 * with the page's URL — or with the URL a `ctx.patch` in mount or in
 * handleParams asked for (a patch at mount only sets the URL the view renders
 * with). A patch to another view's path, or none, is refused with E_NAV_TARGET.
 * Resolves with the state and the URL and params it was rendered for.
 *
 * @example const { state, url } = await mountWithParams(view, route, ctx, patch, router, session)
 */
export async function mountWithParams(view: ViewDefinition<unknown>, at: NavRoute, ctx: ViewContext, patch: MountPatch, router: Router, session: SessionData): Promise<{ state: unknown; route: NavRoute }> {
  let state = await view.mount(at.params, ctx);
  let route = at;
  for (let i = 0; ; i++) {
    const to = patch.to;
    patch.to = undefined;
    if (to !== undefined) {
      if (i >= MAX_PATCH_CHAIN) throw new NavRefusal("E_NAV_TARGET", `handleParams patched ${MAX_PATCH_CHAIN} times in a row: a patch loop?`, false);
      const next = resolveRoute(router, to);
      if (next?.pattern !== at.pattern) throw new NavRefusal("E_NAV_TARGET", `ctx.patch while mounting must stay in the view at ${at.pattern}, got ${JSON.stringify(to)}`, false);
      await checkAuth(view, session, next.params);
      route = next;
    }
    state = await runHandleParams(view, route.params, route.url, state, ctx);
    if (patch.to === undefined) return { state: withUploads(view, state), route };
  }
}
