/**
 * A view's HTML as htmx out-of-band fragments: the elements with an `id`,
 * what changed between two renders, and error fragments.
 *
 * htmx facts this relies on (htmx 2.0 `oobSwap`, htmx-ext-ws; htmx 4.0
 * `#processOOB`/`#createOOBTask`/`#insertContent`, hx-ws): each top-level
 * element of a message carrying `hx-swap-oob` is swapped into every element
 * of the page matching `#id` (`querySelectorAll`, so an id must be unique):
 * "true" → outerHTML (the element, its `hx-swap-oob` removed, replaces the
 * target), "beforeend" / "afterbegin" → the element's children are inserted at
 * the end / start of the target (the element itself is dropped), "delete" →
 * the target is removed; "style:selector" targets the selector instead of the
 * element's id. htmx 4 finds every target before swapping, htmx 2 one
 * fragment after the other: no message here depends on the order. Both parse
 * the message inside a `<template>`, so `<tr>`/`<li>` fragments need no table
 * or list around them (but see oob-assemble.ts for what one message may mix),
 * and both ignore whitespace text between the top-level fragments (htmx 4's
 * hx-ws adds `swapEmpty:false`). Checked in Chromium by
 * test/e2e/oob-fragments.test.ts.
 */
import { attributeAt } from "../html/parse.ts";
import { escapeHtml } from "../template/escape.ts";
import { parseFragments, type Fragment, type FragmentDoc } from "./fragment-doc.ts";
import { assemble, deletion, type Piece } from "./oob-assemble.ts";

export { parseFragments, type Fragment, type FragmentDoc };

/**
 * Every outermost element with an id, each marked `hx-swap-oob="true"`:
 * what a (re)connecting page gets, joined by "\n" (table parts first, so
 * that they parse: oob-assemble.ts).
 *
 * @example
 * fullMessage(parseFragments('<h1>Todos</h1><ul id="l"><li id="a">A</li></ul>'));
 * // '<ul id="l" hx-swap-oob="true"><li id="a">A</li></ul>'
 */
export function fullMessage(doc: FragmentDoc): string {
  const pieces = doc.top.map((f): Piece => ({ kind: "whole", html: whole(doc.html, f), owner: f }));
  return assemble(pieces, (f) => whole(doc.html, f), false).html;
}

/**
 * The smallest set of OOB fragments that turns a page showing `prev` into
 * `next` ("" when nothing changed), joined by "\n". `outside`: some change
 * lies outside every id'd element (text at the top level, a new or moved
 * outermost element): it cannot be sent; the caller warns once per view.
 *
 * Per element, outermost first: unchanged → nothing; only id'd descendants
 * changed → recurse into them; id'd children appended / prepended (each a
 * direct child, new to the page) → `beforeend` / `afterbegin` with just them;
 * id'd children gone from the page → `delete` each (an empty `<template>`
 * naming it); anything else → the element whole (`hx-swap-oob="true"`). An
 * outermost element gone from the page is deleted too. Where children are
 * inserted or removed, whitespace-only text beside them may end up on the
 * other side of them (it does not show, outside `white-space: pre`). Table
 * parts of different kinds (rows and sections, say), and elements inside
 * `<svg>`, cannot share a message: they go as an id'd ancestor, whole; with
 * none, they count as `outside`.
 *
 * @example
 * const a = parseFragments('<ul id="l"><li id="a">A</li></ul>');
 * const b = parseFragments('<ul id="l"><li id="a">A</li><li id="b">B</li></ul>');
 * changeMessage(a, b); // { html: '<ul id="l" hx-swap-oob="beforeend"><li id="b">B</li></ul>', outside: false }
 */
export function changeMessage(prev: FragmentDoc, next: FragmentDoc): { html: string; outside: boolean } {
  const c: Compare = { prev, next, out: [] };
  const root = (doc: FragmentDoc): Level => ({ children: doc.top, parts: doc.parts });
  let outside = false;
  if (prev.html !== next.html && !reshape(c, root(prev), root(next), 0)) {
    outside = true;
    // Best effort for what can be sent: outermost elements in both, and those gone from the page.
    const tops = new Set(next.top);
    for (const p of prev.top) {
      const n = next.ids.get(p.id);
      if (n === undefined) c.out.push({ kind: "delete", html: deletion(p.id), owner: undefined });
      else if (tops.has(n)) pair(c, p, n, 0);
    }
  }
  const { html, unsent } = assemble(c.out, (f) => whole(next.html, f), true);
  return { html, outside: outside || unsent };
}

/**
 * The error fragment:
 * `<div id="{id}" hx-swap-oob="true" role="alert" data-code="{code}" [data-event="{event}"]>{message}</div>`,
 * every value HTML-escaped.
 *
 * @example
 * errorFragment("weft-error", "E_INVALID", "n: expected a number", "set");
 * // '<div id="weft-error" hx-swap-oob="true" role="alert" data-code="E_INVALID" data-event="set">n: expected a number</div>'
 */
export function errorFragment(id: string, code: string, message: string, event?: string): string {
  const ev = event === undefined ? "" : ` data-event="${escapeHtml(event)}"`;
  return `<div id="${escapeHtml(id)}" hx-swap-oob="true" role="alert" data-code="${escapeHtml(code)}"${ev}>${escapeHtml(message)}</div>`;
}

/** One comparison: both documents and the fragments written so far. */
interface Compare {
  readonly prev: FragmentDoc;
  readonly next: FragmentDoc;
  readonly out: Piece[];
}

/** An id'd element, or the top level of a document (nothing can be inserted there): its id'd children and the content around them. */
interface Level {
  readonly children: readonly Fragment[];
  readonly parts: readonly string[];
}

/**
 * How deep id'd elements are compared before one is sent whole: the
 * comparison recurses once per level, and raw() HTML may nest without bound.
 */
const MAX_DEPTH = 200;

/** The fragments for one element present in both renders (same id, same place), `depth` id'd levels down. */
function pair(c: Compare, p: Fragment, n: Fragment, depth: number): void {
  if (sameSource(c, p.start, p.end, n.start, n.end)) return;
  // Same start and end tags: only the content changed.
  if (depth < MAX_DEPTH && sameSource(c, p.start, p.openEnd, n.start, n.openEnd) && sameSource(c, p.closeStart, p.end, n.closeStart, n.end) && reshape(c, p, n, depth + 1)) return;
  c.out.push({ kind: "whole", html: whole(c.next.html, n), owner: n });
}

/**
 * Writes the fragments turning `p`'s content into `n`'s, when it can say it
 * without sending `n` whole: children kept in order (each compared in turn),
 * children removed from the page, and (below the top level, `depth` > 0) new
 * children at the start and the end. Returns false, having written nothing,
 * when it cannot.
 */
function reshape(c: Compare, p: Level, n: Level, depth: number): boolean {
  // Below the top level, n is an element: the id'd parent of its children, and the container of inserts.
  const owner = depth > 0 ? (n as Fragment) : undefined;
  const kept: Fragment[] = [];
  const removed: Fragment[] = [];
  // p's parts as they read once `removed` are gone; `seam`: a removal merged two parts there.
  const slots: string[] = [];
  const seam: boolean[] = [];
  let acc = p.parts[0]!;
  let merged = false;
  for (let i = 0; i < p.children.length; i++) {
    const ch = p.children[i]!;
    const there = c.next.ids.get(ch.id);
    if (there === undefined) {
      removed.push(ch);
      acc += p.parts[i + 1]!;
      merged = true;
    } else if (there.parent !== owner) return false; // moved elsewhere: a delete by id would remove it there too
    else {
      kept.push(ch);
      slots.push(acc);
      seam.push(merged);
      acc = p.parts[i + 1]!;
      merged = false;
    }
  }
  slots.push(acc);
  seam.push(merged);
  const k = kept.length;
  const a = k === 0 ? 0 : n.children.findIndex((f) => f.id === kept[0]!.id);
  const b = n.children.length - a - k;
  if (a < 0 || b < 0) return false;
  for (let j = 0; j < k; j++) if (n.children[a + j]!.id !== kept[j]!.id) return false;
  const added = [...n.children.slice(0, a), ...n.children.slice(a + k)];
  if (added.length > 0 && (owner === undefined || !added.every((f) => f.direct && !c.prev.ids.has(f.id)))) return false;
  if (a > 0 && !blank(n.parts[0]!)) return false;
  if (b > 0 && !blank(n.parts[a + k + b]!)) return false;
  for (let j = 0; j <= k; j++) {
    const edge = (j === 0 && a > 0) || (j === k && b > 0) || seam[j]!;
    if (edge ? !sameShown(slots[j]!, n.parts[a + j]!) : slots[j] !== n.parts[a + j]) return false;
  }
  for (const r of removed) c.out.push({ kind: "delete", html: deletion(r.id), owner });
  if (a > 0) c.out.push({ kind: "insert", html: insertion(c.next.html, owner!, "afterbegin", n.children[0]!, n.children[a - 1]!), owner });
  if (b > 0) c.out.push({ kind: "insert", html: insertion(c.next.html, owner!, "beforeend", n.children[a + k]!, n.children[a + k + b - 1]!), owner });
  for (let j = 0; j < k; j++) pair(c, kept[j]!, n.children[a + j]!, depth);
  return true;
}

/** Whether the old render's source from `a` to `b` is the new render's from `x` to `y`. */
function sameSource(c: Compare, a: number, b: number, x: number, y: number): boolean {
  return b - a === y - x && c.prev.html.slice(a, b) === c.next.html.slice(x, y);
}

/** `f` whole, marked `hx-swap-oob="true"`, closed when its source leaves it open. */
function whole(html: string, f: Fragment): string {
  return oobTag(html.slice(f.start, f.openEnd), "true") + html.slice(f.openEnd, f.end) + missingClose(f);
}

/** `container`'s start tag marked `how`, holding the source from `first` to `last`. */
function insertion(html: string, container: Fragment, how: string, first: Fragment, last: Fragment): string {
  const close = container.closeStart === container.end ? `</${container.tag}>` : html.slice(container.closeStart, container.end);
  return oobTag(html.slice(container.start, container.openEnd), how) + html.slice(first.start, last.end) + close;
}

function missingClose(f: Fragment): string {
  return f.closeStart === f.end && !f.selfClosed ? `</${f.tag}>` : "";
}

const TAG_NAME = /^<[A-Za-z][^\s/>]*/;

/**
 * A start tag with `hx-swap-oob="how"` after its attributes, its own
 * `hx-swap-oob` / `data-hx-swap-oob` dropped (Weft decides how a fragment is
 * swapped). Added after the last attribute, not before "/>": in `<br id=a/>`
 * the slash belongs to the unquoted id.
 */
function oobTag(openTag: string, how: string): string {
  const name = TAG_NAME.exec(openTag)![0];
  let out = name;
  let at = name.length;
  let kept = at;
  // The last attribute ends with `=` and an empty unquoted value (`a=`, `a= `).
  let emptyValue = false;
  for (let a = attributeAt(openTag, at); a !== undefined; a = attributeAt(openTag, at)) {
    const attr = openTag.slice(a.nameAt, a.nameEnd).toLowerCase();
    if (attr === "hx-swap-oob" || attr === "data-hx-swap-oob") {
      out += openTag.slice(kept, at);
      kept = a.end;
    }
    emptyValue = a.valueAt > a.nameEnd && a.valueAt === a.end;
    at = a.end;
  }
  const attr = ` hx-swap-oob="${how}"`;
  const cut = !openTag.endsWith(">"); // by the end of the render: closed here, or the browser would drop it
  const end = cut ? `${openTag.slice(at)}>` : openTag.slice(at);
  // After `a=` (an empty unquoted value) the attribute would become a's value, and after a cut-off
  // tag's open quote part of it: put it first then.
  if (cut || emptyValue) return `${name}${attr}${out.slice(name.length)}${openTag.slice(kept, at)}${end}`;
  return `${out}${openTag.slice(kept, at)}${attr}${end}`;
}

const BLANK = /^[ \t\n\f\r]*$/;
const EDGES = /^[ \t\n\f\r]+|[ \t\n\f\r]+$/g;

/** Only HTML whitespace (not String.trim's: a no-break space shows). */
function blank(s: string): boolean {
  return BLANK.test(s);
}

/**
 * Two content slices that show the same: equal, or equal but for whitespace
 * at their edges that stands as text of its own (next to a tag or blank).
 */
function sameShown(a: string, b: string): boolean {
  if (a === b) return true;
  const ta = a.replace(EDGES, "");
  if (ta !== b.replace(EDGES, "")) return false;
  return ta === "" || (/^<[A-Za-z!/]/.test(ta) && ta.endsWith(">"));
}
