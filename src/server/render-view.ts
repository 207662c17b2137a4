/**
 * Renders a view's state into the wire tree, checking first that `render`
 * returned a template: a string, a Promise or `undefined` (a forgotten
 * `html` tag, an async render, a missing `return`) fails with a message that
 * names the view and says what it got, instead of a TypeError deep inside
 * the template compiler.
 */
import type { TemplateNode } from "../protocol/messages.ts";
import { describe } from "./startup-checks.ts";
import { Template } from "./template/html.ts";
import { KeyedListError } from "./template/keyed.ts";
import type { ViewDefinition } from "./view.ts";
import { renderTreeWithChildren, type ChildParent } from "./child-views/scope.ts";
import { outsideSession, renderStatic } from "./components/scope.ts";

/**
 * `view.render(state)` as a tree; throws a TypeError naming `path` when it
 * is not an html`…` template. `parent`: the session (or page mount) whose
 * render this is, which keeps the child views it embeds (child-views/).
 *
 * @example renderView(Counter, { count: 0 }, "/counter") // { s: 0, d: ["0"] }
 */
export function renderView<S>(view: ViewDefinition<S>, state: S, path: string, parent?: ChildParent): TemplateNode {
  const t: unknown = view.render(state);
  if (!(t instanceof Template)) throw notATemplate(t, path);
  try {
    // Outside a session (a page's first HTML) components render in place (components/scope.ts).
    return outsideSession() ? renderStatic(() => renderTreeWithChildren(parent, t)) : renderTreeWithChildren(parent, t);
  } catch (err) {
    // A duplicate or bad key names the view it was rendered for.
    throw err instanceof KeyedListError ? err.inView(path) : err;
  }
}

function notATemplate(got: unknown, path: string): TypeError {
  const hint = typeof got === "string" ? " — tag it: render: (state) => html`…`"
    : got instanceof Promise ? " — render must be synchronous: load data in mount or an event handler"
    : got === undefined ? " — is a `return` missing?" : "";
  return new TypeError(`Weft: render() of the view at "${path}" must return an html\`…\` template, got ${describe(got)}${hint}`);
}
