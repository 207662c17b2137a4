/**
 * The render in progress, for `component()` holes: a view's render is
 * synchronous, so the host that renders it (host.ts) is set here for the
 * duration and render-tree.ts hands it each component it meets. Kept apart
 * from host.ts so that render-tree.ts imports no renderer back.
 *
 * A session whose view has no components renders with no host at all (the
 * hot path pays two variable writes): the first component such a render
 * meets stops it ({@link NEEDS_HOST}), and the session renders again with a
 * host, which it keeps while the view has components. Nothing of the stopped
 * render is used: no component mounts twice.
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

/** Thrown through a hostless render by its first component: render again with a host. */
export const NEEDS_HOST: unique symbol = Symbol("weft.needsHost");

/** The visitor of a hostless live render: stops it at the first component. */
const STOP: ComponentVisitor = {
  visit() {
    throw NEEDS_HOST;
  },
};

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
 * Begins a live render with no host; returns what {@link endHostless} restores.
 * A component in the render throws {@link NEEDS_HOST}.
 *
 * @example const outer = hostless(); try { tree = render(); } finally { endHostless(outer); }
 */
export function hostless(): ComponentVisitor | undefined {
  const outer = current;
  current = STOP;
  return outer;
}

/**
 * Ends a render begun with {@link hostless} (a render may nest in another:
 * a child view's session made during it).
 *
 * @example endHostless(outer)
 */
export function endHostless(outer: ComponentVisitor | undefined): void {
  current = outer;
}

/**
 * A `component()` value in a template hole: its place in the tree (`{ c: id }`).
 * Outside a live render (the page's first HTML, `renderToString`) there is
 * no state to keep: the component mounts and renders in place.
 *
 * @example componentHole(component(Card, { id: "c1" })) // { c: "c1" }
 */
export function componentHole(ref: ComponentRef): RenderedTree {
  if (current !== undefined) return current.visit(ref);
  const t: unknown = ref.def.render(ref.def.mount(ref.props));
  if (!(t instanceof Template)) throw new TypeError(`Weft: render() of component "${ref.id}" must return an html\`…\` template`);
  return renderTree(t);
}
