/**
 * `weft-optimistic-*` (docs/client.md, forms): changes an element shows at
 * once while its event is in flight, one attribute each:
 * - `weft-optimistic-class="liked"` shows the class toggled from the server's version;
 * - `weft-optimistic-text="Saving…"` shows that text (never parsed as HTML);
 * - `weft-optimistic-aria-pressed="true"` (any `aria-*` or `data-*` name)
 *   sets that attribute; other names (`on*`, `href`, `style` …) are refused.
 *
 * The loading lock (dom-patch.ts `Loading`) notes the server's version of
 * what they touch when the event is sent and at every patch meanwhile,
 * dresses it, and puts the server's latest version back on the answer or a
 * refusal: the same (no flicker), or visibly rolled back.
 */
import { ATTR } from "../protocol/messages.ts";
import { reportError } from "./dom-events.ts";

/**
 * Parsed ops: [kind ("class", "text" or the attribute's name), value, the server's version].
 *
 * @example
 * const o: Opt = [["class", "liked", false]];
 */
export type Opt = [kind: string, value: string, server?: string | boolean | null][];

/**
 * The ops of `el`'s `weft-optimistic-*` attributes (empty without any). One
 * it refuses (a class name with spaces, an attribute other than `aria-*` and
 * `data-*`) is left out and reported as `E_CLIENT_PATCH`.
 *
 * @example
 * optOf(button); // [["class", "liked"]]
 */
export function optOf(el: Element): Opt {
  const ops: Opt = [];
  for (const { name, value } of Array.from(el.attributes)) {
    if (!name.startsWith(ATTR.optimisticPrefix)) continue;
    const k = name.slice(ATTR.optimisticPrefix.length);
    if (k == "text" || (k == "class" ? /^[\w-]+$/.test(value) : /^(aria|data)-/.test(k))) ops.push([k, value]);
    else reportError(el, "E_CLIENT_PATCH", name);
  }
  return ops;
}

/**
 * Notes the server's version (`el` as the server rendered it) of what the ops touch.
 *
 * @example
 * note(to, lock.o);
 */
export function note(el: Element, ops: Opt): void {
  for (const o of ops) o[2] = o[0] == "class" ? el.classList.contains(o[1]) : o[0] == "text" ? el.innerHTML : el.getAttribute(o[0]);
}

/**
 * Shows the ops on `el` (`on`; idempotent: relative to the noted server's
 * version), or puts the noted server's version back (`!on`).
 *
 * @example
 * put(button, lock.o, true);
 */
export function put(el: Element, ops: Opt, on: boolean): void {
  for (const [k, v, s] of ops) {
    if (k == "class") el.classList.toggle(v, on != s);
    else if (k == "text") on ? (el.textContent = v) : (el.innerHTML = s as string);
    else if (on || s != null) el.setAttribute(k, on ? v : (s as string));
    else el.removeAttribute(k);
  }
}
