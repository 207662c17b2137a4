/**
 * The page title the server sends (the envelope's `h`, for a view whose
 * `title` follows its state). Only the page's outermost view root sets it: a
 * view nested in another does not fight its parent for `document.title`.
 */
import { ATTR } from "../protocol/messages.ts";

/**
 * Sets `document.title` to `title` when `root` is not inside another view root.
 *
 * @example applyTitle(view.root, "Inbox (3)");
 */
export function applyTitle(root: Element, title: string): void {
  if (root.parentElement?.closest(`[${ATTR.view}]`) == null) document.title = title;
}
