/**
 * Navigation targets: what `ctx.navigate` may send a browser to. A target goes
 * into `history.pushState`, `location.assign` and a 302 `Location` header, so
 * an app that passes user input (`?next=…`) must not make an open redirect or
 * a DOM-XSS sink of it. The client checks the same rules again
 * (src/client/navigation.ts) before it follows a `nav` message.
 */
import type { NavPayload } from "../protocol/messages.ts";
import { clip } from "./clip.ts";

/** A navigation target that breaks the rules; its code is `E_NAV_TARGET`. */
export class NavigationError extends TypeError {
  /** The error code sent to the client and counted in the metrics. */
  readonly code = "E_NAV_TARGET" as const;
}

// Any origin will do as a base: it only tells a path from a URL elsewhere.
const BASE = "http://weft.invalid";

/**
 * Checks and normalises a navigation target. Without `external` only a
 * same-origin path passes (`/todos?page=2`); `//evil.com`, `/\evil.com`,
 * `/\t/evil.com` and anything with a scheme are refused. With `external`, an
 * absolute `http:`/`https:` URL passes too. `javascript:`, `data:` and every
 * other scheme are always refused. The result is URL-serialised: no control
 * characters, safe for a `Location` header.
 *
 * @throws NavigationError when the target breaks the rules.
 * @example navTarget("/todos?page=2", false) // "/todos?page=2"
 * @example navTarget("https://example.com/", true) // "https://example.com/"
 */
export function navTarget(to: unknown, external: boolean): string {
  if (typeof to !== "string" || to.length === 0 || to.length > 8192) {
    throw new NavigationError(`Weft: a navigation target must be a non-empty string of at most 8192 characters, got ${typeof to}`);
  }
  if (to.startsWith("/")) {
    const u = parse(to, BASE);
    // The URL parser drops tabs and newlines and reads "\" as "/": what looked
    // like a path can name another host ("/\t/evil.com" is "//evil.com").
    if (u !== undefined && u.origin === BASE) return u.pathname + u.search + u.hash;
  }
  if (external) {
    const u = parse(to, undefined);
    if (u !== undefined && (u.protocol === "https:" || u.protocol === "http:")) return u.href;
    throw new NavigationError(`Weft: navigate({ external: true }) takes an absolute http(s) URL, got ${JSON.stringify(clip(to, 80))}`);
  }
  throw new NavigationError(`Weft: navigate() takes a same-origin path such as "/todos?page=2", got ${JSON.stringify(clip(to, 80))}; pass { external: true } for an http(s) URL elsewhere`);
}

/**
 * The `d` of a nav message for `ctx.navigate(to, options)` and its kin: the
 * kind ("navigate" unless "patch" or "redirect" is asked for), the checked
 * target, and `external` only on a redirect (a patch or a live navigation
 * stays in the app, so only a redirect may leave the origin).
 *
 * @throws NavigationError when the target breaks the rules.
 * @example navPayload("/todos", { replace: true }) // { to: "/todos", kind: "navigate", replace: true }
 * @example navPayload("/todos?page=2", { kind: "patch" }) // { to: "/todos?page=2", kind: "patch", replace: false }
 */
export function navPayload(to: unknown, o?: { replace?: boolean; kind?: NavPayload["kind"]; external?: boolean }): NavPayload {
  const kind = o?.kind === "redirect" || o?.kind === "patch" ? o.kind : "navigate";
  const external = o?.external === true && kind === "redirect";
  const d: NavPayload = { to: navTarget(to, external), kind, replace: o?.replace === true };
  if (external) d.external = true;
  return d;
}

function parse(to: string, base: string | undefined): URL | undefined {
  try {
    return new URL(to, base);
  } catch {
    return undefined;
  }
}
