/**
 * A view's page title (`title` in its definition). A string title is fixed:
 * it is written into the page once and never travels again. A function of
 * the state follows the state: the session computes it after every committed
 * change and sends it (the envelope's `h`) when it differs from the last one.
 * A title function that throws or returns something other than a string
 * fails like a render does (E_RENDER): the state stays as it was.
 */
import { describe } from "./startup-checks.ts";
import type { ViewDefinition } from "./view.ts";

/**
 * The title of `state` when the view's title is a function; undefined when
 * it is a string or absent (nothing to follow, nothing computed).
 *
 * @throws what the title function throws, or a TypeError naming `path` when it returns no string.
 * @example liveTitle(Counter, { count: 2 }, "/counter") // "Count: 2" (title: (s) => `Count: ${s.count}`)
 */
export function liveTitle<S>(view: ViewDefinition<S>, state: S, path: string): string | undefined {
  const title = view.title;
  if (typeof title !== "function") return undefined;
  const t: unknown = title(state);
  if (typeof t !== "string") throw new TypeError(`Weft: title() of the view at "${path}" must return a string, got ${describe(t)}`);
  return t;
}

/**
 * The text of the page's `<title>` at the server render: the string title,
 * the function's result, or "" without one.
 *
 * @throws like {@link liveTitle}.
 * @example pageTitle(defineView({ title: "Todos", mount, render }), state, "/todos") // "Todos"
 */
export function pageTitle<S>(view: ViewDefinition<S>, state: S, path: string): string {
  return liveTitle(view, state, path) ?? (typeof view.title === "string" ? view.title : "");
}
