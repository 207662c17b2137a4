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
import { duplicateIds, MAX_COMPONENT_DEPTH, tooDeep, type ComponentRef } from "./define.ts";

/**
 * Renders the components of one pass (host.ts).
 *
 * @example const v: ComponentVisitor = { visit: (ref) => ({ c: ref.id }) };
 */
export interface ComponentVisitor {
  visit(ref: ComponentRef): ComponentNode | RenderedTree;
}

let current: ComponentVisitor | undefined;

/**
 * Thrown through a hostless render by its first component: render again with a host.
 *
 * @example try { render(); } catch (err) { if (err !== NEEDS_HOST) throw err; }
 */
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
 * True outside a session's render (a page's first HTML): the view's render
 * should go through {@link renderStatic}.
 *
 * @example return outsideSession() ? renderStatic(render) : render();
 */
export function outsideSession(): boolean {
  return current === undefined;
}

/**
 * A render outside a session (the page's first HTML): there is no state to
 * keep, so each component mounts and renders in place; ids placed twice
 * fail the render naming them, as in a live render.
 *
 * @example html = toHtml(renderStatic(() => renderTree(t)), staticsOf);
 */
export function renderStatic<T>(fn: () => T): T {
  const seen = new Set<string>();
  let dupes: string[] | undefined;
  let depth = 0;
  const prev = current;
  current = {
    visit(ref) {
      if (seen.has(ref.id)) (dupes ??= []).push(ref.id);
      seen.add(ref.id);
      // As deep as a live render allows (host.ts), not until the stack overflows.
      if (depth >= MAX_COMPONENT_DEPTH) throw tooDeep(ref.id);
      depth++;
      try {
        return inPlace(ref);
      } finally {
        depth--;
      }
    },
  };
  try {
    const out = fn();
    if (dupes !== undefined) throw duplicateIds(dupes);
    return out;
  } finally {
    current = prev;
  }
}

function inPlace(ref: ComponentRef): RenderedTree {
  const t: unknown = ref.def.render(ref.def.mount(ref.props));
  if (!(t instanceof Template)) throw new TypeError(`Weft: render() of component "${ref.id}" must return an html\`…\` template`);
  return renderTree(t);
}

/**
 * A `component()` value in a template hole: its place in the tree (`{ c: id }`)
 * in a live render; rendered in place elsewhere ({@link renderStatic}, and
 * a bare `renderToString`).
 *
 * @example componentHole(component(Card, { id: "c1" })) // { c: "c1" }
 */
export function componentHole(ref: ComponentRef): RenderedTree {
  return current !== undefined ? current.visit(ref) : inPlace(ref);
}
