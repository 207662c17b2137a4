/**
 * The page's announcer for screen readers (`ctx.announce`, and the link going
 * down and coming back where `weft-announce-connection` asks for it).
 *
 * One per page, made on first use: a visually hidden box at the end of
 * <body> — outside every view root, so no patch touches it — holding a polite
 * region (`role="status"`) and an assertive one. Text goes in as a text
 * node, never as HTML. An announcement empties its region at once and adds
 * its text a moment later (100 ms): a region just made, or one that showed
 * the same text, is then still seen to change, so the text is read (again);
 * two arriving within that moment both end up in the region, in order.
 */
import { ATTR, type AnnouncePayload } from "../protocol/messages.ts";

/** The polite and the assertive region, once made. */
let regions: HTMLCollection | undefined;
/** A loss of the link was announced: the next join answered announces the reconnection. */
let down = false;

/**
 * Reads `d.text` out: polite unless `d.politeness` is "assertive". Whatever
 * `text` holds goes in as text (the server sends only strings).
 *
 * @example
 * announce({ text: "Saved." });
 * announce({ text: "Could not save.", politeness: "assertive" });
 */
export function announce(d: AnnouncePayload): void {
  if (!regions) {
    // Built, not parsed, and styled through the CSSOM: a strict CSP (style-src
    // without 'unsafe-inline') refuses a style attribute in markup, which would leave
    // the box visible, but not `el.style`. The ARIA attributes are set through their
    // reflected properties, as flash.ts does.
    const doc = document, box = doc.createElement("div"), p = doc.createElement("i"), a = doc.createElement("i");
    p.role = "status";
    a.ariaLive = "assertive";
    box.style.cssText = "position:fixed;clip-path:inset(50%)";
    box.append(p, a);
    regions = doc.body.appendChild(box).children;
  }
  // The server sends `politeness` only when it is "assertive".
  const el = regions[d.politeness ? 1 : 0]!;
  el.textContent = "";
  setTimeout(() => el.append(d.text, " "), 100);
}

/**
 * The page's link went down (`up` false: it had worked) or a view's join was
 * answered (`up` true). With `weft-announce-connection` on <body> or on a
 * view root, a loss is announced once, and the first join answered after it
 * announces the reconnection. A transport switch loses nothing and is not
 * announced, nor is a page's first connect.
 *
 * @example
 * linkNote(false); // "Connection lost. Reconnecting…"
 */
export function linkNote(up: boolean): void {
  const on = (!up || down) && document.querySelector(`[${ATTR.announceConnection}]`);
  if (on) {
    down = !up;
    announce({ text: (on.getAttribute(ATTR.announceConnection) || "Connection lost. Reconnecting…|Reconnected.").split("|")[+up]! });
  }
}
