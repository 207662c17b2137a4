/**
 * A view's rendered HTML read as the tree of its addressable elements: those
 * an htmx out-of-band swap can target, `hx-swap-oob` finding its target by
 * `#id` (htmx 2 `oobSwap`, htmx 4 `#createOOBTask`). fragments.ts compares two
 * such trees and writes the OOB messages.
 *
 * The HTML is parsed by the tolerant parser of src/server/html/parse.ts (also the test kit's;
 * dependency-free, linear, never throws), which records each element's source
 * span; every slice here is exact source text, so a fragment sent to the page
 * is byte for byte what the view rendered.
 *
 * Invariants: building is iterative (no recursion on the page's nesting depth,
 * which raw() HTML controls) and linear in the input.
 */
import { parseHtml, VOID_ELEMENTS, type HtmlElement, type SourceSpan } from "../html/parse.ts";

/**
 * An element with an id an htmx page can target. Its "skeleton" (what changes
 * when it must be sent whole) is its start tag + `parts` interleaved with the ids
 * of `children` + its end tag: the element with each id'd descendant cut out.
 *
 * @example
 * const doc = parseFragments('<ul id="l"><li id="a">A</li></ul>');
 * const l = doc.top[0]!; // l.children[0].id === "a", l.parts == ["", ""]
 */
export interface Fragment {
  /** The id (decoded). */
  readonly id: string;
  /** Lower-case tag name. */
  readonly tag: string;
  /**
   * Offsets in the document's HTML: start tag at `start`, content from
   * `openEnd`, end tag from `closeStart` (`closeStart === end` when the source
   * has none: void, self-closed, or closed by an ancestor), element up to `end`.
   * The start and end tags are sliced from the HTML where they are needed, not kept.
   */
  readonly start: number;
  readonly openEnd: number;
  readonly closeStart: number;
  readonly end: number;
  /** The nearest id'd descendants, in document order. */
  readonly children: readonly Fragment[];
  /** The content around `children`: `children.length + 1` source slices (start and end tags excluded). */
  readonly parts: readonly string[];
  /** Its parent in the page is its id'd parent element (or the top level): a `beforeend` of that parent can place it. */
  readonly direct: boolean;
  /** Inside `<svg>` or `<math>` (not the root itself): sent alone, it would be parsed as an HTML element. */
  readonly foreign: boolean;
  /** Its nearest id'd ancestor; undefined at the top level. */
  readonly parent: Fragment | undefined;
  /** No end tag may follow it: void or self-closed (`<br>`, `<path/>`). */
  readonly selfClosed: boolean;
}

/**
 * A render's HTML, parsed into its id'd elements.
 *
 * @example
 * const doc = parseFragments('<h1>Hi</h1><p id="n">1</p>');
 * doc.top.map((f) => f.id); // ["n"]
 * doc.parts;                // ["<h1>Hi</h1>", ""]
 */
export interface FragmentDoc {
  /** The HTML it was parsed from. */
  readonly html: string;
  /** The outermost id'd elements, in document order. */
  readonly top: readonly Fragment[];
  /** The HTML around them (`top.length + 1` slices): what no fragment can change. */
  readonly parts: readonly string[];
  /** Every id'd element by id. */
  readonly ids: ReadonlyMap<string, Fragment>;
}

/** Elements whose content is not in the document: `<template>` (its content is a separate fragment), `<noscript>` (raw text when scripts run). */
const INERT = new Set(["template", "noscript"]);
/** Roots of foreign content: what is inside is SVG or MathML, not HTML. */
const FOREIGN = new Set(["svg", "math"]);

interface Building {
  id: string;
  el: HtmlElement;
  span: SourceSpan;
  children: Building[];
  direct: boolean;
  foreign: boolean;
}

/**
 * Parses a view's rendered HTML into its id'd elements.
 *
 * An element counts as id'd when its `id` is non-empty and no other element
 * of the document has the same id. A repeated id is not addressable, in any
 * of its places: htmx swaps every element matching `#id`
 * (`querySelectorAll`), so a fragment for one would overwrite the others.
 * Such elements are plain content of their id'd ancestor, which is then sent
 * whole when they change. (The first one does not win, unlike `getElementById`.)
 *
 * @example
 * const doc = parseFragments('<div id="a"><i id="b">x</i></div><template><b id="c"></b></template>');
 * [...doc.ids.keys()]; // ["a", "b"]: a template's content is not in the page
 */
export function parseFragments(html: string): FragmentDoc {
  const spans = new Map<HtmlElement, SourceSpan>();
  const root = parseHtml(html, { spans, idsOnly: true });
  const unique = uniqueIds(root);
  const top: Building[] = [];
  // Depth-first, in document order: three stacks in step hold each element, its nearest id'd
  // ancestor and whether it is inside svg/math (three arrays: no tuple per element).
  const els: HtmlElement[] = [];
  const owners: Array<Building | undefined> = [];
  const foreigns: boolean[] = [];
  const push = (el: HtmlElement, owner: Building | undefined, foreign: boolean) => {
    for (let i = el.children.length - 1; i >= 0; i--) {
      const c = el.children[i]!;
      if (c.kind !== "element") continue;
      els.push(c);
      owners.push(owner);
      foreigns.push(foreign);
    }
  };
  push(root, undefined, false);
  while (els.length > 0) {
    const el = els.pop()!;
    const owner = owners.pop();
    const foreign = foreigns.pop()!;
    const id = el.attrs.get("id");
    let inner = owner;
    if (id !== undefined && unique.has(id)) {
      const b: Building = { id, el, span: spans.get(el)!, children: [], direct: el.parent === (owner?.el ?? root), foreign };
      (owner?.children ?? top).push(b);
      inner = b;
    }
    if (el.children.length > 0 && !INERT.has(el.tag)) push(el, inner, foreign || FOREIGN.has(el.tag));
  }
  const ids = new Map<string, Fragment>();
  const frozen = top.map((b) => freeze(html, b, ids));
  return { html, top: frozen, parts: partsOf(html, 0, html.length, frozen), ids };
}

/** Ids that occur once in the document (outside template content), non-empty. */
function uniqueIds(root: HtmlElement): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  const stack: HtmlElement[] = [root];
  while (stack.length > 0) {
    const el = stack.pop()!;
    const id = el.attrs.get("id");
    if (id !== undefined && id !== "") (seen.has(id) ? repeated : seen).add(id);
    if (INERT.has(el.tag)) continue;
    for (const c of el.children) if (c.kind === "element") stack.push(c);
  }
  for (const id of repeated) seen.delete(id);
  return seen;
}

/** Turns the built tree into Fragments (iteratively: children before parents) and indexes them by id, in document order. */
function freeze(html: string, top: Building, ids: Map<string, Fragment>): Fragment {
  const order: Building[] = []; // document order
  const stack = [top];
  while (stack.length > 0) {
    const b = stack.pop()!;
    order.push(b);
    for (let i = b.children.length - 1; i >= 0; i--) stack.push(b.children[i]!);
  }
  const done = new Map<Building, Fragment>();
  for (let i = order.length - 1; i >= 0; i--) {
    const b = order[i]!;
    const { start, openEnd, closeStart, end } = b.span;
    const children = b.children.map((c) => done.get(c)!);
    const f: Fragment = {
      id: b.id, tag: b.el.tag, start, openEnd, closeStart, end, children, parts: partsOf(html, openEnd, closeStart, children), direct: b.direct,
      selfClosed: VOID_ELEMENTS.has(b.el.tag) || (closeStart === openEnd && html.startsWith("/>", openEnd - 2)),
      foreign: b.foreign, parent: undefined,
    };
    for (const c of children) (c as { parent: Fragment | undefined }).parent = f;
    done.set(b, f);
  }
  for (const b of order) ids.set(b.id, done.get(b)!);
  return done.get(top)!;
}

/** The source from `from` to `to` with each child's outer HTML cut out. */
function partsOf(html: string, from: number, to: number, children: readonly Fragment[]): string[] {
  const parts: string[] = [];
  let at = from;
  for (const c of children) {
    parts.push(html.slice(at, c.start));
    at = c.end;
  }
  parts.push(html.slice(at, to));
  return parts;
}
