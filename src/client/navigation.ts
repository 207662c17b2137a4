/**
 * Follows a `nav` message. The server already refuses targets that are not
 * same-origin paths (src/server/navigation.ts); the client checks again, so a
 * server of another version or a forged frame cannot turn `location.assign`
 * into a `javascript:` sink or send the page to another origin the app did
 * not allow.
 */
import type { NavPayload } from "../protocol/messages.ts";

/**
 * The URL to go to, or undefined when the target must not be followed: only
 * http(s), and only this page's origin unless the server said `external`.
 * @example safeTarget({ to: "/todos", kind: "patch" }, "https://a.example/x") // URL https://a.example/todos
 */
export function safeTarget(nav: NavPayload, here: string): URL | undefined {
  let u: URL;
  try {
    u = new URL(nav.to, here);
  } catch {
    return undefined;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
  if (u.origin !== new URL(here).origin && (nav.external !== true || nav.kind !== "redirect")) return undefined;
  return u;
}

/**
 * Live navigation, installed at boot (live-nav.ts): `patch` pushes the URL
 * and, given the elements that asked for it, sends the patch for the
 * server's handleParams (a server's patch has run it already); `navigate`
 * mounts the view of the URL over the same connection.
 *
 * @example live.navigate(new URL("/todos/42", location.href), false);
 */
export const live = {} as {
  patch: (u: URL, replace: boolean, els?: readonly Element[]) => void;
  navigate: (u: URL, replace: boolean) => void;
};

/** Follows `nav`; false when it was refused. */
export function navigate(nav: NavPayload): boolean {
  const u = typeof nav?.to === "string" ? safeTarget(nav, location.href) : undefined;
  if (u === undefined) return false;
  if (nav.kind === "redirect") location[nav.replace ? "replace" : "assign"](u.href);
  else live[nav.kind](u, nav.replace === true);
  return true;
}
