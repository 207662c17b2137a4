/**
 * Applies stream ops (protocol/messages.ts, StreamOp) to a view's stream
 * containers, after the morph (which leaves their children alone, dom-patch.ts).
 * The browser is the only holder of a stream's items: insert at a position,
 * update in place by dom id, delete by dom id, prune beyond a limit, reset.
 */
import { ATTR, type StreamOp } from "../protocol/messages.ts";
import { morphdom, morphExts } from "./dom-patch.ts";

/**
 * Applies `ops` in order to the stream containers of the view at `root`
 * (a nested view's containers are its own). An op for a container that is
 * not on the page is skipped. `morph` updates an item in place (morphdom;
 * the unit tests pass their own).
 *
 * @example applyStreams(root, [["rows", "rows-1", -1, "<li id=\"rows-1\">a</li>"]]);
 */
export function applyStreams(root: Element, ops: StreamOp[], morph: (from: Element, to: Element) => unknown = morphdom): void {
  // The view's containers, found once per frame rather than once per op (a
  // frame may carry hundreds of ops for one stream); the last of a name wins.
  const boxes = new Map<string, Element>();
  for (const el of Array.from(root.querySelectorAll(`[${ATTR.stream}]`))) {
    if (el.parentElement?.closest(`[${ATTR.view}]`) === root) boxes.set(el.getAttribute(ATTR.stream)!, el);
  }
  // A frame that resets a stream refills it (a full render: a page's join, a
  // fresh mount, a live navigation): its items are the page's content, not new.
  let fill = false;
  for (const [name, id, at, html, limit] of ops) {
    const box = boxes.get(name);
    if (box === undefined) continue;
    const kids = box.children;
    if (id === undefined) {
      fill = true;
      box.replaceChildren();
    }
    let old: Element | undefined;
    for (let i = 0; i < kids.length; i++) if (kids[i]!.id === id) old = kids[i]; // no copy of the children per op
    if (html === undefined) old?.remove();
    else {
      // Parsed inside a container of the same kind: a <tr> needs a <tbody>'s rules.
      const t = box.cloneNode(false) as Element;
      t.innerHTML = html;
      const el = t.firstElementChild;
      if (el === null) continue;
      if (old !== undefined) morph(old, el);
      else {
        box.insertBefore(el, (at as number) < 0 ? null : kids[at as number] ?? null);
        // A new item adds elements as a patch does: the morph's extensions see each (focus.ts).
        if (!fill) for (const e of [el, ...el.querySelectorAll("*")]) for (const x of morphExts) x.added?.(e);
      }
      while (limit !== undefined && kids.length > Math.abs(limit)) kids[limit > 0 ? kids.length - 1 : 0]!.remove();
    }
  }
}
