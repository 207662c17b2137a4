/**
 * The join of a live navigation (`weft-navigate`, `ctx.navigate`, back or
 * forward across views): mounts the view of a URL over a link that already
 * carries the page, with no page load. It must never let a client mount a
 * view it could not load as a page, so it does what the page's GET does — the
 * route from the URL (E_UNKNOWN_VIEW without one), the app's `authorize` on
 * the link's real request and the view's `auth` with the URL's params
 * (E_UNAUTHORIZED / E_FORBIDDEN), a fresh session id and a freshly signed
 * view token — and more: the frame must carry a valid view token of the page
 * it leaves, whose signed-in identity must still be the request's.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { S, type NavigatePayload } from "../protocol/messages.ts";
import type { Core, JoinResult } from "./core.ts";
import { defaultIdentity, sameIdentity } from "./identity.ts";
import { resolveRoute, type NavRoute } from "./live-nav.ts";
import { pageTitle } from "./page-title.ts";
import { authorizeRequest, denialCode, isDenial } from "./security/auth.ts";
import { MAX_TOKEN_LENGTH } from "./security/token.ts";
import type { Sink } from "./session.ts";

/**
 * Mounts the view at `d.u` as view `v` on `sink`, authorized like a page load
 * of that URL; resolves with the live session or the error code to answer.
 *
 * @example const res = await navigateJoin(core, link, 2, { k: token, u: "/todos/42", f: 1 }, req)
 */
export async function navigateJoin(core: Core, sink: Sink, v: number, d: unknown, req: IncomingMessage | undefined): Promise<JoinResult> {
  const p = (typeof d === "object" && d !== null ? d : {}) as Partial<Record<keyof NavigatePayload, unknown>>;
  const claims = core.signer.verify(p.k);
  if (typeof claims === "string") return claims;
  let route: NavRoute | undefined;
  try {
    route = resolveRoute(core.router, p.u);
  } catch {
    return "E_NAV_TARGET";
  }
  if (route === undefined) return "E_UNKNOWN_VIEW";
  const session = await authorizeRequest(core.options.authorize, req, route.view, route.params);
  if (isDenial(session)) return denialCode(session);
  // Another user signed in since the page was rendered: a page load sorts it out.
  if (!sameIdentity(core.options.identity ?? defaultIdentity, session, claims.data ?? {})) return "E_FORBIDDEN";
  const sid = randomBytes(16).toString("base64url");
  const init = await core.mountLive(sid, route, session);
  if (typeof init === "string") return init;
  const token = core.token(sid, route.pattern, init.params, session);
  if (token.length > MAX_TOKEN_LENGTH) return "E_URI_TOO_LONG";
  const s = core.start(init);
  core.goLive(s, sink, v, undefined, token);
  // A title that is not a function of the state travels with no render: the page's changes here.
  if (typeof route.view.title !== "function") s.emit({ t: S.reply, h: pageTitle(route.view, init.state, route.pattern) });
  return s;
}
