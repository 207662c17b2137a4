/**
 * Development warnings (the client's development part, dev.ts: pages of a
 * server with the `dev` option): the console warnings a developer needs and a
 * production page does not, kept out of the client every page loads.
 *
 * - `weft: no hook Name`, once per name, for a `weft-hook` element in a
 *   joined view (the views hooks.ts mounts hooks in) whose name no hook is
 *   registered under — looked at again whenever the page changes, so a hook
 *   registered after the client loaded does not warn;
 * - `weft E_CLIENT_JS <list>`, once per bad JS command list: the client
 *   reports each list once (js-commands.ts), and this repeats it as a warning.
 */
import { ATTR, CLASS } from "../protocol/messages.ts";
import { EVENT_PREFIX, type WeftErrorDetail } from "./dom-events.ts";

/**
 * Starts the development warnings for `doc`.
 *
 * @example
 * warnInDev(document); // dev.ts
 */
export function warnInDev(doc: Document): void {
  const warned = new Set<string>();
  const hooks = (): void => {
    const all = (globalThis as { Weft?: { hooks?: Record<string, unknown> } }).Weft?.hooks;
    for (const el of doc.querySelectorAll(`[${ATTR.hook}]`)) {
      if (!el.closest(`[${ATTR.view}]`)?.classList.contains(CLASS.connected)) continue;
      const n = el.getAttribute(ATTR.hook)!;
      // As hooks.ts looks it up: a name such as "constructor" finds nothing.
      const def: unknown = n in {} ? 0 : all?.[n];
      if (Object(def) === def || warned.has(n)) continue;
      warned.add(n);
      console.warn("weft: no hook", n);
    }
  };
  new MutationObserver(hooks).observe(doc, { subtree: true, childList: true, attributes: true, attributeFilter: ["class", ATTR.hook] });
  doc.addEventListener(EVENT_PREFIX + "error", (e) => {
    const d = (e as CustomEvent<WeftErrorDetail | null>).detail;
    if (d?.code === "E_CLIENT_JS") console.warn("weft E_CLIENT_JS", d.message);
  });
}
