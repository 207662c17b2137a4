/**
 * Server-side diffing of two rendered trees, and the per-session record of
 * which statics the client already holds. The diff is the smallest thing in the
 * protocol's terms (protocol/messages.ts, TreeDiff) that turns the old tree into
 * the new one: unchanged subtrees send nothing, a template keeps its statics and
 * sends only changed slots, a list sends only changed and added items, a
 * keyed list (keyed.ts) only its inserted, deleted, moved and changed items.
 */
import type { KeyedDiff, ListDiff, ListNode, RenderedTree, SlotsDiff, TemplateNode, TreeDiff } from "../../protocol/messages.ts";
import { isComponentNode, isListNode, isTemplateNode } from "../../protocol/tree.ts";
import { staticsOf } from "./compile.ts";
import { KEYS, type Key, type KeyedListNode } from "./keyed.ts";

/** Statics the client of one view session holds, and those to send next. */
export class StaticsLedger {
  /**
   * Template ids the client has, as a bitset of 30 bits per word (small
   * integers stay unboxed): ids are small and per process, and a Set would
   * cost every idle session a hash table.
   */
  private known: number[] = [];
  private pending: Record<string, string[]> | undefined;

  /** Records the statics used by a full subtree that the client lacks. */
  collect(tree: RenderedTree): void {
    // A component's tree travels apart (components/parts.ts collects it).
    if (typeof tree === "string" || isComponentNode(tree)) return;
    if (isListNode(tree)) {
      for (const item of tree.l) this.collect(item);
      return;
    }
    if (!this.has(tree.s)) {
      this.add(tree.s);
      (this.pending ??= {})[tree.s] = staticsOf(tree.s) as string[];
    }
    for (const slot of tree.d) this.collect(slot);
  }

  /** Takes the statics collected since the last call (for one envelope). */
  take(): Record<string, string[]> | undefined {
    const p = this.pending;
    this.pending = undefined;
    return p;
  }

  /** Forgets everything: the next message is a full render to a fresh client. */
  reset(): void {
    this.known = [];
    this.pending = undefined;
  }

  private has(id: number): boolean {
    return ((this.known[(id / 30) | 0] ?? 0) & (1 << id % 30)) !== 0;
  }

  private add(id: number): void {
    const w = (id / 30) | 0;
    let known = this.known;
    if (w >= known.length) {
      // Grown to the exact size: an idle session keeps no spare capacity.
      const grown = new Array<number>(w + 1).fill(0);
      for (let i = 0; i < known.length; i++) grown[i] = known[i]!;
      this.known = known = grown;
    }
    known[w]! |= 1 << id % 30;
  }
}

/**
 * Diffs `prev` against `next`; `undefined` when nothing changed. Full subtrees
 * in the result have their statics recorded in `ledger`.
 */
export function diffTree(prev: RenderedTree | undefined, next: RenderedTree, ledger: StaticsLedger): TreeDiff | undefined {
  if (typeof next === "string") return prev === next ? undefined : next;
  if (isTemplateNode(next)) {
    if (isTemplateNode(prev) && prev.s === next.s) return diffSlots(prev, next, ledger);
  } else if (isListNode(next)) {
    if (isListNode(prev)) return diffList(prev, next, ledger);
  } else if (isComponentNode(prev) && prev.c === next.c) {
    return undefined; // the same component: its own changes travel in `p`
  }
  ledger.collect(next);
  return next;
}

function diffSlots(prev: TemplateNode, next: TemplateNode, ledger: StaticsLedger): SlotsDiff | undefined {
  let out: SlotsDiff | undefined;
  const d = next.d;
  for (let i = 0; i < d.length; i++) {
    const sub = diffTree(prev.d[i], d[i] as RenderedTree, ledger);
    if (sub !== undefined) (out ??= {})[i] = sub;
  }
  return out;
}

function diffList(prev: KeyedListNode, next: KeyedListNode, ledger: StaticsLedger): ListDiff | KeyedDiff | undefined {
  const pk = prev[KEYS];
  const nk = next[KEYS];
  // By index when either side is not keyed, or when the keys kept their order.
  if (pk === undefined || nk === undefined || sameKeys(pk, nk)) return diffByIndex(prev, next, ledger);
  return diffByKey(prev.l, pk, next.l, nk, ledger);
}

function sameKeys(a: readonly Key[], b: readonly Key[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The runs of a keyed list's new order (messages.ts, KeyedDiff): consecutive
 * kept items that were consecutive before make one `[from, count]` run, new
 * items one count. A single insert, delete or move makes at most three runs,
 * whatever the list's length. Kept items are diffed against their old selves.
 */
function diffByKey(a: readonly RenderedTree[], pk: readonly Key[], b: readonly RenderedTree[], nk: readonly Key[], ledger: StaticsLedger): KeyedDiff {
  const at = new Map<Key, number>();
  for (let i = 0; i < pk.length; i++) at.set(pk[i] as Key, i);
  const o: (number | [number, number])[] = [];
  let u: { [index: string]: TreeDiff } | undefined;
  let run: [number, number] | undefined;
  for (let j = 0; j < b.length; j++) {
    const i = at.get(nk[j] as Key);
    if (i === undefined) {
      (u ??= {})[j] = full(b[j] as RenderedTree, ledger);
      run = undefined;
      const last = o.length - 1;
      if (typeof o[last] === "number") (o[last] as number)++;
      else o.push(1);
      continue;
    }
    const sub = diffTree(a[i], b[j] as RenderedTree, ledger);
    if (sub !== undefined) (u ??= {})[j] = sub;
    if (run !== undefined && run[0] + run[1] === i) run[1]++;
    else o.push((run = [i, 1]));
  }
  return u === undefined ? { o } : { o, u };
}

function diffByIndex(prev: ListNode, next: ListNode, ledger: StaticsLedger): ListDiff | undefined {
  const a = prev.l;
  const b = next.l;
  let u: { [index: string]: TreeDiff } | undefined;
  for (let i = 0; i < b.length; i++) {
    const sub = i < a.length ? diffTree(a[i], b[i] as RenderedTree, ledger) : full(b[i] as RenderedTree, ledger);
    if (sub !== undefined) (u ??= {})[i] = sub;
  }
  if (u === undefined && a.length === b.length) return undefined;
  return u === undefined ? { n: b.length } : { n: b.length, u };
}

function full(tree: RenderedTree, ledger: StaticsLedger): RenderedTree {
  ledger.collect(tree);
  return tree;
}
