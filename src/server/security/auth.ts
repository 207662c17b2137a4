/**
 * Authorization: the app's `authorize(req)` hook turns the real HTTP request
 * into session data, or denies it; a view's `auth(session, params)` decides
 * whether that session may use the view. Both run at mount and at every join.
 */
import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../../protocol/errors.ts";
import type { Params, SessionData, ViewDefinition } from "../view.ts";

const DENIAL = Symbol("weft.denial");

/** A refusal from `authorize` or a view's `auth`. */
export interface AuthDenial {
  readonly [DENIAL]: true;
  /** 401: not signed in; 403: signed in, not allowed. */
  readonly status: 401 | 403;
  readonly message?: string | undefined;
}

/** What `authorize` returns: the session data, or a denial. */
export type AuthResult = SessionData | AuthDenial;

/**
 * Denies a request: `deny(401)` when nobody is signed in, `deny(403)` when the
 * signed-in user may not do this.
 * @example authorize: (req) => userFrom(req.headers.cookie) ?? deny(401, "sign in first")
 */
export function deny(status: 401 | 403, message?: string): AuthDenial {
  return { [DENIAL]: true, status, message };
}

/** True when `x` is a denial made by {@link deny}. */
export function isDenial(x: unknown): x is AuthDenial {
  return typeof x === "object" && x !== null && (x as { [DENIAL]?: true })[DENIAL] === true;
}

/** The error code a denial answers with. */
export function denialCode(d: AuthDenial): ErrorCode {
  return d.status === 401 ? "E_UNAUTHORIZED" : "E_FORBIDDEN";
}

/**
 * Runs the app's hook and the view's check for a request; resolves with the
 * session data or the denial.
 */
export async function authorizeRequest(
  hook: ((req: IncomingMessage) => AuthResult | Promise<AuthResult>) | undefined,
  req: IncomingMessage | undefined,
  view: ViewDefinition<unknown>,
  params: Params,
): Promise<SessionData | AuthDenial> {
  let session: AuthResult = {};
  if (hook !== undefined) {
    if (req === undefined) return deny(401, "no request to authorize");
    session = await hook(req);
    if (isDenial(session)) return session;
    if (typeof session !== "object" || session === null) return deny(403, "authorize() returned no session data");
  }
  if (view.auth !== undefined) {
    const ok = await view.auth(session, params);
    if (isDenial(ok)) return ok;
    if (ok !== true) return deny(403);
  }
  return session;
}
