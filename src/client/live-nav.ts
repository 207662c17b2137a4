/**
 * Live navigation in the browser (docs/navigation.md): `weft-patch` and
 * `weft-navigate` clicks, the server's `nav` messages, and back/forward.
 *
 * Every history entry the page makes carries `{ weft: { root, scroll } }`:
 * `root` names the live view instance the entry belongs to (a new one per
 * live navigation), `scroll` the scroll position last seen there. Going back
 * or forward to an entry of the same instance replays a patch (the server's
 * handleParams runs with that URL); to another instance it mounts the view of
 * that URL. The scroll position is restored once the server has answered.
 * Entries without that key (hash links, the app's own pushState) are left to
 * the browser.
 */
import { ATTR } from "../protocol/messages.ts";
import { guard, reportError } from "./dom-events.ts";
import { live, safeTarget } from "./navigation.ts";
import type { LiveSocket } from "./live-socket.ts";
import type { View } from "./view.ts";

interface Entry {
  root: number;
  scroll?: number;
}

/**
 * Wires live navigation for the page's main view (its outermost view root).
 *
 * @example installLiveNav(socket);
 */
export function installLiveNav(socket: LiveSocket): void {
  // Random, so that entries of an earlier load of the page (same tab) never pass for this one's.
  let root = Math.random();
  const h = history;
  /** Writes this entry's weft key (keeping the app's own state). */
  const mark = (scroll?: number): void => h.replaceState({ ...(h.state as object), weft: { root, scroll } satisfies Entry }, "");
  /** The main view: the first root in document order is the outermost. */
  const main = (): View | undefined => {
    const v = socket.viewOf(document.querySelector(`[${ATTR.view}]`)!);
    return v?.isDead ? undefined : v;
  };
  const path = (u: URL): string => u.pathname + u.search;
  /**
   * Pushes (or replaces) the entry of `u`, of a new view instance with
   * `fresh`; the main view, or undefined when there is none (the page loads).
   */
  const go = (u: URL, replace: boolean, fresh?: boolean): View | undefined => {
    const v = main();
    if (!v) return void location.assign(u.href);
    mark(scrollY); // the entry being left keeps where it was scrolled to
    if (fresh) root = Math.random();
    h[replace ? "replaceState" : "pushState"]({ weft: { root } satisfies Entry }, "", u.href);
    return v;
  };
  /** Mounts the view of `u` on the main root; once it rendered, screen readers start at its root. */
  const mount = (v: View, u: string, scroll: number): void => {
    const next = socket.replace(v, u);
    next.onLive = () => {
      next.root.tabIndex = -1;
      next.root.focus({ preventScroll: true });
      scrollTo(0, scroll);
    };
  };

  live.patch = (u, replace, els) => {
    const v = go(u, replace);
    if (v && els) v.patchTo(path(u), els);
  };
  live.navigate = (u, replace) => {
    const v = go(u, replace, true);
    if (v) mount(v, path(u), 0);
  };

  h.scrollRestoration = "manual";
  // Leaving by a page load: the browser restores this entry's scroll itself when
  // it is loaded again; back in this document (back-forward cache), Weft does.
  addEventListener("pagehide", () => (h.scrollRestoration = "auto"));
  addEventListener("pageshow", () => (h.scrollRestoration = "manual"));
  mark(scrollY);
  let timer: ReturnType<typeof setTimeout> | undefined;
  addEventListener("scroll", () => {
    clearTimeout(timer);
    timer = setTimeout(guard(() => mark(scrollY)), 99);
  }, { passive: true });

  addEventListener("popstate", guard((e: PopStateEvent) => {
    const entry = (e.state as { weft?: Entry } | null)?.weft;
    if (!entry) return;
    const v = main();
    if (!v) return location.reload();
    const u = path(new URL(location.href));
    const scroll = entry.scroll || 0;
    if (entry.root === root) return v.patchTo(u, [], () => scrollTo(0, scroll));
    root = entry.root;
    mount(v, u, scroll);
  }));

  document.addEventListener("click", guard((e: MouseEvent) => {
    if (e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const el = (e.target as Element).closest?.(`[${ATTR.patch}],[${ATTR.navigate}]`);
    if (!el || (el.getAttribute("target") || "_self") !== "_self") return;
    const patch = el.hasAttribute(ATTR.patch);
    const to = el.getAttribute(patch ? ATTR.patch : ATTR.navigate) || el.getAttribute("href") || "";
    e.preventDefault();
    const u = safeTarget({ to, kind: "patch" }, location.href);
    if (!u) return reportError(el, "E_NAV_TARGET", to);
    if (patch) live.patch(u, false, [el]);
    else live.navigate(u, false);
  }));
}
