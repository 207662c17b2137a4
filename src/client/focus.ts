/**
 * `weft-focus-after`: an element with it takes focus when it appears — added
 * by a patch (a live navigation's render included) or a stream insert, or
 * given the attribute by a patch — never on a patch that merely keeps it, nor
 * for the items of a frame that refills a stream (streams.ts): a page's join
 * fills the streams that its HTML comes without, which appear to nobody.
 * When several appear in one frame the last one wins. Focus moves once the
 * frame is applied (a microtask): the patch puts the previous focus back after keyed
 * moves, which must not undo this.
 */
import { ATTR } from "../protocol/messages.ts";
import { morphExts } from "./dom-patch.ts";

/**
 * Installs `weft-focus-after` as an extension of the morph (once, at boot).
 *
 * @example
 * installFocus();
 */
export function installFocus(): void {
  const F = ATTR.focusAfter;
  // `el` (on the page) gets focus when `to` (its new version) has the attribute.
  const take = (el: Element, to: Element) => to.hasAttribute(F) && queueMicrotask(() => (el as HTMLElement).focus());
  morphExts.push({
    added: (el) => take(el, el),
    updating: (from, to) => !from.hasAttribute(F) && take(from, to),
  });
}
