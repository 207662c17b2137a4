/**
 * Flashes across a redirect at a page's first render: `ctx.flash(…)` then
 * `ctx.redirect(url)` (or `ctx.navigate`) in `mount` answers the GET with a
 * 302 and no page, so the flashes ride to the next page in a short-lived
 * cookie (`weft_flash`: HttpOnly, SameSite=Lax, Path=/, Max-Age=60). The next
 * page render of this app reads it, shows its flashes in the layout, and
 * clears it (Max-Age=0).
 *
 * The value is `base64url(JSON [expiry, [[kind, text], …]]) "." base64url(MAC)`,
 * the MAC an HMAC-SHA256 with the app's first secret over a label and the
 * body (every secret verifies, as for view tokens). A value that does not
 * verify, has expired, or does not parse into valid flashes is ignored (and
 * cleared): a cookie made elsewhere never shows. The cookie belongs to one
 * browser, so a flash never reaches another user.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FlashPayload } from "../../protocol/messages.ts";
import { addFlash, isFlashPayload } from "../flash.ts";
import { cookieValue } from "./cookie.ts";

/** The cookie's name. */
export const FLASH_COOKIE = "weft_flash";

/** How long a redirect's flashes wait for the next page, seconds. */
export const FLASH_COOKIE_MAX_AGE = 60;

/**
 * The longest cookie value written or read, in characters. Browsers keep
 * about 4 KB per cookie; flashes beyond it are dropped (the oldest first).
 */
export const MAX_FLASH_COOKIE_CHARS = 3800;

/** Domain separation: a view token's MAC never passes for a flash cookie's. */
const LABEL = "weft-flash\0";
const VALUE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

/**
 * The `Set-Cookie` header that carries `flashes` to the next page (the
 * oldest dropped until the value fits {@link MAX_FLASH_COOKIE_CHARS});
 * undefined when there are none.
 *
 * @example
 * const c = flashCookie([{ kind: "info", text: "Signed out." }], secrets, false);
 * if (c !== undefined) res.setHeader("Set-Cookie", c);
 */
export function flashCookie(flashes: readonly FlashPayload[], secrets: readonly string[], secure: boolean, now = Date.now()): string | undefined {
  const list = flashes.map((f) => [f.kind, f.text]);
  const exp = now + FLASH_COOKIE_MAX_AGE * 1000;
  let value = "";
  while (list.length > 0) {
    const body = Buffer.from(JSON.stringify([exp, list]), "utf8").toString("base64url");
    value = `${body}.${mac(secrets[0] ?? "", body).toString("base64url")}`;
    if (value.length <= MAX_FLASH_COOKIE_CHARS) break;
    list.shift();
  }
  if (list.length === 0) return undefined;
  return `${FLASH_COOKIE}=${value}; Path=/; Max-Age=${FLASH_COOKIE_MAX_AGE}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/**
 * The `Set-Cookie` header that clears the cookie (after its flashes were shown).
 *
 * @example res.setHeader("Set-Cookie", clearFlashCookie(false));
 */
export function clearFlashCookie(secure: boolean): string {
  return `${FLASH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/**
 * The flashes the request's `weft_flash` cookie carries: `undefined` when it
 * has none, `[]` when it has one that is not valid (forged, expired, garbled:
 * clear it, show nothing), else the flashes (at most
 * MAX_FLASHES_PER_KIND of each kind).
 *
 * @example
 * const carried = readFlashCookie(req, core.options.secrets);
 */
export function readFlashCookie(req: IncomingMessage, secrets: readonly string[], now = Date.now()): FlashPayload[] | undefined {
  const raw = cookieValue(req, FLASH_COOKIE);
  if (raw === undefined) return undefined;
  if (raw.length > MAX_FLASH_COOKIE_CHARS || !VALUE.test(raw)) return [];
  const dot = raw.indexOf(".");
  const body = raw.slice(0, dot);
  const sig = Buffer.from(raw.slice(dot + 1), "base64url");
  if (!secrets.some((s) => safeEqual(mac(s, body), sig))) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return [];
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== "number" || parsed[0] < now || !Array.isArray(parsed[1])) return [];
  const out: FlashPayload[] = [];
  for (const e of parsed[1] as unknown[]) {
    const f = Array.isArray(e) ? { kind: e[0] as unknown, text: e[1] as unknown } : undefined;
    if (isFlashPayload(f)) addFlash(out, { kind: f.kind, text: f.text });
  }
  return out;
}

function mac(secret: string, body: string): Buffer {
  return createHmac("sha256", secret).update(LABEL + body).digest();
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
