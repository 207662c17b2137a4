/**
 * A view's HTML as htmx out-of-band fragments: the elements with an `id`,
 * what changed between two renders, and error fragments. STUB: to be built.
 */

/** A render's HTML, parsed into its id'd elements. */
export interface FragmentDoc {
  /** The HTML it was parsed from. */
  readonly html: string;
}

/** Parses a view's rendered HTML. */
export function parseFragments(html: string): FragmentDoc {
  return { html };
}

/** Every outermost element with an id, each marked `hx-swap-oob="true"`: what a (re)connecting page gets. */
export function fullMessage(doc: FragmentDoc): string {
  return doc.html;
}

/**
 * The smallest set of OOB fragments that turns `prev` into `next` ("" when
 * nothing changed). `outside`: some change lies outside every id'd element
 * (it cannot be sent; the caller warns once per view).
 */
export function changeMessage(prev: FragmentDoc, next: FragmentDoc): { html: string; outside: boolean } {
  return { html: prev.html === next.html ? "" : next.html, outside: false };
}

/** The error fragment: `<div id="{id}" hx-swap-oob="true" role="alert" data-code="{code}" [data-event]>{message}</div>`, escaped. */
export function errorFragment(id: string, code: string, message: string, event?: string): string {
  void event;
  return `<div id="${id}" hx-swap-oob="true" role="alert" data-code="${code}">${message}</div>`;
}
