/**
 * Development hot reload, browser side (in the development part only): the
 * server's `dev:css` push (src/server/dev/hot-reload.ts) names the CSS files
 * that changed; every same-origin `<link rel="stylesheet">` whose file name
 * matches (all of them when none does) is fetched again with a cache-busting
 * query. The new link goes in beside the old one, which is removed once the
 * new one has loaded, so the page never shows unstyled. No page reload.
 */
import { EVENT_PREFIX } from "./dom-events.ts";

/** What the server pushes: the changed files' names and a stamp (each view of the page gets the same push). */
export interface CssChange {
  readonly f: readonly string[];
  readonly n: number;
}

/**
 * Swaps the stylesheets `change` names in `doc`; returns how many links it re-fetches.
 *
 * @example
 * swapCss(document, { f: ["app.css"], n: Date.now() });
 */
export function swapCss(doc: Document, change: CssChange): number {
  const links = Array.from(doc.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet"][href]')).filter((l) => new URL(l.href).origin === doc.location.origin);
  const named = links.filter((l) => change.f.includes(new URL(l.href).pathname.split("/").pop() ?? ""));
  const swapped = named.length > 0 ? named : links;
  for (const old of swapped) {
    const url = new URL(old.href);
    url.searchParams.set("weft-css", String(change.n));
    const fresh = old.cloneNode() as HTMLLinkElement;
    fresh.href = url.href;
    fresh.onload = () => old.remove();
    fresh.onerror = () => fresh.remove();
    old.after(fresh);
  }
  return swapped.length;
}

/**
 * Listens for `dev:css` pushes on `doc` (once per stamp: a page with several views gets one per view).
 *
 * @example
 * swapCssOnPush(document); // dev.ts
 */
export function swapCssOnPush(doc: Document): void {
  let last = 0;
  doc.addEventListener(EVENT_PREFIX + "dev:css", (e) => {
    const change = (e as CustomEvent<CssChange>).detail;
    if (change === null || typeof change !== "object" || !Array.isArray(change.f) || change.n === last) return;
    last = change.n;
    console.info(`weft: ${change.f.join(", ")} changed: ${swapCss(doc, change)} stylesheet(s) re-fetched`);
  });
}
