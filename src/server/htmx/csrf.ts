/**
 * CSRF tokens for htmx pages (docs/htmx.md#csrf). A WebSocket handshake
 * carries the page's cookies but cannot carry a custom header, and htmx sends
 * every form over the one socket: each frame must prove it comes from a page
 * the app rendered. The page gets a token from `app.htmxToken(req, res)` (into
 * `hx-headers` or a hidden `weft-csrf` field); the browser gets the cookie it
 * is bound to.
 *
 * - Cookie `weft_htmx`: 128 random bits, base64url; HttpOnly, SameSite=Lax,
 *   Path=/, Secure on TLS. Reused while present and well-formed.
 * - Token: base64url(HMAC-SHA256(secret, "weft-htmx:" + cookie)), made with the
 *   app's first secret; every configured secret verifies (rotation).
 *
 * A cross-site page can open a socket with the victim's cookie (SameSite=Lax
 * still sends it on a WebSocket handshake to the same site, and the Origin
 * check is the other guard), but it cannot read the token: the HMAC needs the
 * secret, and the cookie is HttpOnly.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { cookieValue } from "../http/cookie.ts";

/** The cookie the token is bound to. */
export const CSRF_COOKIE = "weft_htmx";
/** A well-formed cookie value: 16 bytes in unpadded base64url (22 characters, canonical last character). */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{21}[AQgw]$/;
const LABEL = "weft-htmx:";

/**
 * Makes and checks htmx CSRF tokens with the app's secrets.
 *
 * @example
 * const csrf = new HtmxCsrf(options.secrets);
 * const token = csrf.token(req, res, guard.secure(req)); // sets the cookie when missing
 * const check = csrf.checker(upgradeReq); // read once per socket
 * check(frame.csrf); // true for that page's frames, under any configured secret
 */
export class HtmxCsrf {
  private readonly secrets: readonly Buffer[];
  /** Cookies made for responses not yet sent: a page asking twice gets one cookie and one token. */
  private readonly made = new WeakMap<ServerResponse, string>();

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError("HtmxCsrf needs at least one secret");
    this.secrets = secrets.map((s) => Buffer.from(s, "utf8"));
  }

  /**
   * The token for the request's `weft_htmx` cookie; when the request has none
   * (or a malformed one), a new cookie is made and appended to the response's
   * Set-Cookie headers (others kept).
   */
  token(req: IncomingMessage, res: ServerResponse, secure: boolean): string {
    let cookie = readCookie(req) ?? this.made.get(res);
    if (cookie === undefined) {
      cookie = randomBytes(16).toString("base64url");
      this.made.set(res, cookie);
      appendSetCookie(res, `${CSRF_COOKIE}=${cookie}; Path=/; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
    }
    return this.sign(this.secrets[0]!, cookie);
  }

  /**
   * The check of every frame of a socket: the cookie read once from the
   * upgrade request; a token under any of the secrets passes (rotation), and
   * nothing passes when the upgrade had no well-formed cookie.
   */
  checker(req: IncomingMessage): (given: string | undefined) => boolean {
    const cookie = readCookie(req);
    if (cookie === undefined) return () => false;
    const tokens = this.secrets.map((s) => this.sign(s, cookie));
    return (given) => given !== undefined && tokens.reduce((ok, t) => csrfMatches(t, given) || ok, false);
  }

  private sign(secret: Buffer, cookie: string): string {
    return createHmac("sha256", secret).update(LABEL + cookie).digest("base64url");
  }
}

/**
 * Constant-time check of a frame's token against the expected one; false when
 * either is missing.
 *
 * @example csrfMatches(expectedToken, frame.csrf) // false for a frame without a token
 */
export function csrfMatches(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined || given === undefined) return false;
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The request's `weft_htmx` cookie when present and well-formed (the first one, as browsers send the most specific first). */
export function readCookie(req: IncomingMessage): string | undefined {
  if ((req.headers.cookie?.length ?? 0) > 16_384) return undefined;
  const value = cookieValue(req, CSRF_COOKIE);
  return value !== undefined && COOKIE_VALUE.test(value) ? value : undefined;
}

/** Adds a Set-Cookie header without replacing those already set. */
function appendSetCookie(res: ServerResponse, cookie: string): void {
  const prev = res.getHeader("set-cookie");
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader("set-cookie", [...list, cookie]);
}
