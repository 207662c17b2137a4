/**
 * The render in progress, for `component()` holes: a view's render is
 * synchronous, so the host that renders it (host.ts) is set here for the
 * duration and render-tree.ts hands it each component it meets. Kept apart
 * from host.ts so that render-tree.ts imports no renderer back.
 */
import type { ComponentNode, RenderedTree } from "../../protocol/messages.ts";
import { Template } from "../template/html.ts";
import { renderTree } from "../template/render-tree.ts";
import type { ComponentRef } from "./define.ts";

/** Renders the components of one pass (host.ts). */
export interface ComponentVisitor {
  visit(ref: ComponentRef): ComponentNode;
}

let current: ComponentVisitor | undefined;

/**
 * Runs `fn` with `visitor` rendering the components it meets.
 *
 * @example withVisitor(host, () => renderView(view, state, path))
 */
export function withVisitor<T>(visitor: ComponentVisitor, fn: () => T): T {
  const prev = current;
  current = visitor;
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/**
 * A `component()` value in a template hole: its place in the tree (`{ c: id }`).
 * Outside a live session's render (the page's first HTML, `renderToString`)
 * there is no state to keep: the component mounts and renders in place.
 *
 * @example componentHole(component(Card, { id: "c1" })) // { c: "c1" }
 */
export function componentHole(ref: ComponentRef): RenderedTree {
  if (current !== undefined) return current.visit(ref);
  const t: unknown = ref.def.render(ref.def.mount(ref.props));
  if (!(t instanceof Template)) throw new TypeError(`Weft: render() of component "${ref.id}" must return an html\`…\` template`);
  return renderTree(t);
}
