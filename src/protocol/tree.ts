/**
 * The rendered tree, pure: merging diffs and building HTML. Used by the browser
 * client to apply what the server sends, by the server to render pages, and by
 * the tests to prove that diffs rebuild exactly what a full render gives.
 * Never touches `document`.
 */
import { ATTR, type ComponentNode, type KeyedDiff, type ListDiff, type ListNode, type RenderedTree, type SlotsDiff, type TemplateNode, type TreeDiff } from "./messages.ts";

/** Looks up the static strings of a fingerprint id. */
export type StaticsLookup = (id: number) => readonly string[] | undefined;

/** Looks up a component's tree by id (the `p` map of the envelopes so far). */
export type PartsLookup = (id: string) => RenderedTree | undefined;

/** Components nest at most this deep: a forged cycle (`a` in `b` in `a`) fails instead of recursing forever. */
const MAX_COMPONENT_DEPTH = 64;

/** True when `x` is a component node (`{ c }`). */
export function isComponentNode(x: unknown): x is ComponentNode {
  return typeof x === "object" && x !== null && "c" in x;
}

/** True when `x` is a template node (`{ s, d }`). */
export function isTemplateNode(x: unknown): x is TemplateNode {
  return typeof x === "object" && x !== null && "s" in x;
}

/** True when `x` is a list node (`{ l }`). */
export function isListNode(x: unknown): x is ListNode {
  return typeof x === "object" && x !== null && "l" in x;
}

/** True when `x` is a list diff (`{ n, u? }`). */
export function isListDiff(x: unknown): x is ListDiff {
  return typeof x === "object" && x !== null && "n" in x;
}

/** True when `x` is a keyed list diff (`{ o, u? }`). */
export function isKeyedDiff(x: unknown): x is KeyedDiff {
  return typeof x === "object" && x !== null && "o" in x;
}

/**
 * Applies `diff` to `tree` and returns the new tree. Mutates `tree` in place
 * where it can (the client owns its tree; copying on every keystroke is waste).
 * Throws a `TypeError` on a diff that does not fit the tree, so that the caller
 * can ask for a full render instead of showing a wrong DOM.
 */
export function applyDiff(tree: RenderedTree | undefined, diff: TreeDiff): RenderedTree {
  if (typeof diff === "string" || isTemplateNode(diff) || isListNode(diff) || isComponentNode(diff)) return diff;
  if (isListDiff(diff)) return applyListDiff(tree, diff);
  if (isKeyedDiff(diff)) return applyKeyedDiff(tree, diff);
  if (!isTemplateNode(tree)) throw new TypeError("slot diff: no template");
  applySlots(tree, diff);
  return tree;
}

function applySlots(node: TemplateNode, diff: SlotsDiff): void {
  for (const key in diff) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= node.d.length) throw new TypeError(`bad slot ${key}`);
    node.d[i] = applyDiff(node.d[i], diff[key] as TreeDiff);
  }
}

function applyListDiff(tree: RenderedTree | undefined, diff: ListDiff): RenderedTree {
  if (!isListNode(tree)) throw new TypeError("list diff: no list");
  const items = tree.l;
  if (!Number.isInteger(diff.n) || diff.n < 0) throw new TypeError("bad list length");
  items.length = Math.min(items.length, diff.n);
  for (const key in diff.u) {
    const i = Number(key);
    // An index past the current end would leave a hole (diff.u is walked in key order).
    if (!Number.isInteger(i) || i < 0 || i >= diff.n || i > items.length) throw new TypeError(`bad index ${key}`);
    items[i] = applyDiff(items[i], diff.u[key] as TreeDiff);
  }
  if (items.length !== diff.n) throw new TypeError("list holes");
  return tree;
}

/**
 * Rebuilds a keyed list from its runs (messages.ts, KeyedDiff). Checks that
 * every run stays inside the old list, that no old item is taken twice (the
 * tree is patched in place: a shared item would change in two places) and
 * that every new position gets a full item.
 */
function applyKeyedDiff(tree: RenderedTree | undefined, diff: KeyedDiff): RenderedTree {
  if (!isListNode(tree) || !Array.isArray(diff.o)) throw new TypeError("keyed diff: no list");
  const old = tree.l;
  const taken = new Uint8Array(old.length);
  const fresh = diff.u === undefined ? 0 : Object.keys(diff.u).length;
  const out: (RenderedTree | undefined)[] = [];
  let added = 0;
  for (const run of diff.o) {
    if (typeof run === "number") {
      // New items come with a full tree each in `u`: more than `u` holds cannot be right.
      if (!Number.isInteger(run) || run < 1 || (added += run) > fresh) throw new TypeError("bad new run");
      for (let k = 0; k < run; k++) out.push(undefined);
      continue;
    }
    const [from, count] = Array.isArray(run) ? run : [];
    if (!Number.isInteger(from) || !Number.isInteger(count) || from! < 0 || count! < 1 || from! + count! > old.length) throw new TypeError("bad old run");
    for (let i = from!; i < from! + count!; i++) {
      if (taken[i] === 1) throw new TypeError(`item ${i} twice`);
      taken[i] = 1;
      out.push(old[i]);
    }
  }
  for (const key in diff.u) {
    const i = Number(key);
    if (!Number.isInteger(i) || i < 0 || i >= out.length) throw new TypeError(`bad index ${key}`);
    out[i] = applyDiff(out[i], diff.u[key] as TreeDiff);
  }
  for (const item of out) if (item === undefined) throw new TypeError("keyed holes");
  tree.l = out as RenderedTree[];
  return tree;
}

/**
 * Applies an envelope's `p` (messages.ts, ComponentParts) to the components
 * held in `parts`: `null` drops a component, anything else is applied as a
 * diff to its tree (a full tree for a new one). Throws a `TypeError` on a
 * malformed map, like {@link applyDiff}.
 *
 * @example applyParts(parts, { c1: { 0: "2" }, old: null });
 */
export function applyParts(parts: Map<string, RenderedTree>, p: unknown): void {
  if (p === undefined) return;
  if (typeof p !== "object" || p === null || Array.isArray(p)) throw new TypeError("bad parts");
  for (const [id, diff] of Object.entries(p as Record<string, unknown>)) {
    if (diff === null) parts.delete(id);
    else parts.set(id, applyDiff(parts.get(id), diff as TreeDiff));
  }
}

/**
 * Builds the HTML of a tree. Throws a `TypeError` when a fingerprint's statics
 * are unknown (the server sends them before, or with, the first use), or a
 * component's tree is (`parts` holds the components, messages.ts `p`).
 */
export function toHtml(tree: RenderedTree, statics: StaticsLookup, parts?: PartsLookup, depth = 0): string {
  if (typeof tree === "string") return tree;
  if (isListNode(tree)) {
    let out = "";
    for (const item of tree.l) out += toHtml(item, statics, parts, depth);
    return out;
  }
  if (isComponentNode(tree)) return componentHtml(tree.c, statics, parts, depth);
  const s = statics(tree.s);
  if (s === undefined) throw new TypeError(`unknown statics ${tree.s}`);
  if (!Array.isArray(tree.d) || tree.d.length !== s.length - 1) throw new TypeError(`bad slots ${tree.s}`);
  let out = s[0] ?? "";
  for (let i = 0; i < tree.d.length; i++) out += toHtml(tree.d[i] as RenderedTree, statics, parts, depth) + (s[i + 1] ?? "");
  return out;
}

/**
 * A root element's start tag, up to its name: where a component's HTML gets
 * `weft-component` (the server checks that each component render starts so)
 * and a stream item its dom id (streams/buffer.ts).
 */
export const ROOT_TAG = /^\s*<[a-zA-Z][^\s/>]*/;

/**
 * A component's HTML, its root element marked with `weft-component="ID"`
 * (events inside go to the component). The id is escaped for the attribute.
 */
function componentHtml(id: string, statics: StaticsLookup, parts: PartsLookup | undefined, depth: number): string {
  const tree = typeof id === "string" ? parts?.(id) : undefined;
  if (tree === undefined) throw new TypeError(`unknown component ${String(id).slice(0, 64)}`);
  if (depth >= MAX_COMPONENT_DEPTH) throw new TypeError("components too deep");
  const html = toHtml(tree, statics, parts, depth + 1);
  const m = ROOT_TAG.exec(html);
  if (m === null) return html;
  const at = m[0].length;
  return `${html.slice(0, at)} ${ATTR.component}="${id.replace(/[&"'<>]/g, (c) => `&#${c.charCodeAt(0)};`)}"${html.slice(at)}`;
}
