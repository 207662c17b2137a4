/**
 * Flash messages (`ctx.flash`; docs/client.md, "Flash messages"): each
 * `S.flash` frame becomes an item of the page's `[weft-flash]` slot (the
 * server places one in every page) — its text as text, never HTML, a
 * dismiss button, role="alert" for an error, role="status" else.
 *
 * Which flashes outlive a navigation: those of the handler that navigates.
 * The server sends a handler's flashes before its navigation frame, so the
 * flashes received since the last frame of any other kind (or the user's
 * last click) are the navigating handler's (`fresh`). A live navigation's
 * first render removes every item and shows the fresh ones again; at the server's
 * same-origin redirect they go to sessionStorage, and the next page shows
 * them at boot. A live patch changes nothing here.
 */
import type { Envelope, FlashPayload } from "../protocol/messages.ts";
import { S } from "../protocol/messages.ts";

/** The slot's selector, also the sessionStorage key of a redirect's flashes. */
const SLOT = "[weft-flash]";
/** The flashes of the navigating handler (see above). */
let fresh: FlashPayload[] = [];

/**
 * Shows flash `d` in the slot. The text is set as text; a `d` that is not a
 * flash throws (reported by the caller, E_CLIENT_PATCH) or shows its text as
 * it reads.
 */
function show(d: FlashPayload): void {
  const doc = document, el = doc.createElement("div"), b = doc.createElement("button");
  el.role = d.kind == "error" ? "alert" : "status";
  b.ariaLabel = "Dismiss";
  b.append("×");
  el.append(d.text, b);
  doc.querySelector(SLOT)?.append(el);
}

/**
 * A view's message, in its seq order (replays skipped): shows a flash; the
 * server's same-origin redirect keeps the fresh flashes for the next page;
 * any other frame but a navigation (a render, a reply) ends what counts as
 * fresh. `nav`: the view came by a live navigation, and `m` may be its first
 * render, which empties the slot and shows the fresh flashes again.
 *
 * @example flashIn(m, kindOf(m), nav); // in a view's receive (view.ts)
 */
export function flashIn(m: Envelope, k: string, nav: unknown): void {
  const d = m.d as { kind: string; text: string; external?: boolean };
  if (k == S.flash) show(d as FlashPayload), fresh.push(d as FlashPayload);
  else if (k != S.nav) {
    if (nav) document.querySelector(SLOT)?.replaceChildren(), fresh.forEach(show);
    fresh = [];
  } else if (d.kind == "redirect" && !d.external) {
    try {
      sessionStorage[SLOT] = JSON.stringify(fresh);
    } catch {
      // Storage disabled: the flashes go with the page.
    }
  }
}

/**
 * At boot: wires the dismiss buttons (a click removes the item; any click
 * ends what counts as fresh) and shows the flashes a redirect kept (once).
 *
 * @example flashBoot();
 */
export function flashBoot(): void {
  addEventListener("click", (e) => {
    fresh = [];
    (e.target as Element).closest?.(SLOT + " button")?.parentElement!.remove();
  }, true);
  try {
    const v = sessionStorage[SLOT];
    delete sessionStorage[SLOT];
    (JSON.parse(v) as FlashPayload[]).forEach(show);
  } catch {
    // None kept, storage disabled, or a value that is not ours: nothing to show.
  }
}
