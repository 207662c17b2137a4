/**
 * The page title the server sends (the envelope's `h`, for a view whose
 * `title` follows its state). Only the page's outermost view root sets it: a
 * view nested in another does not fight its parent for `document.title`.
 *
 * A layout may dress the view's title (`${p.title} · Acme`): the page's
 * script tag carries the view's own title (`data-title`), and what the layout
 * put around it in `document.title` is kept around every later title.
 */
import { ATTR } from "../protocol/messages.ts";

/** What the layout put before and after the view's title; learnt at the first title set. */
let dress: [string, string] | undefined;

/**
 * What `full` (the page's title as served) holds around `own` (the view's
 * title): ["", ""] when `own` is not in it.
 *
 * @example titleDress("Inbox · Acme", "Inbox") // ["", " · Acme"]
 */
export function titleDress(full: string, own: string | undefined): [string, string] {
  const i = own === undefined ? -1 : full.indexOf(own);
  return i < 0 ? ["", ""] : [full.slice(0, i), full.slice(i + own!.length)];
}

/**
 * Sets `document.title` to `title`, dressed as the layout dressed the first
 * one, when `root` is not inside another view root.
 *
 * @example applyTitle(view.root, "Inbox (3)");
 */
export function applyTitle(root: Element, title: string): void {
  if (root.parentElement?.closest(`[${ATTR.view}]`) != null) return;
  dress ??= titleDress(document.title, document.querySelector<HTMLElement>("script[data-title]")?.dataset.title);
  document.title = dress[0] + title + dress[1];
}

/** @internal Tests: forget the learnt dress. */
export function forgetTitleDress(): void {
  dress = undefined;
}
