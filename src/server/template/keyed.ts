/**
 * Keyed lists: `keyed(items, key, render)` in a template renders like an
 * array of templates, and also records each item's key on the rendered list
 * node, so that the next diff (diff.ts) can say "item 7 moved to the front"
 * or "the first item went" in a few bytes instead of resending every item
 * whose index shifted.
 *
 * The keys live on the node under a symbol: `JSON.stringify` skips symbol
 * keys, so they never travel (the client needs positions, not keys), and the
 * session's copy of the tree carries them to the next diff.
 */
import type { ListNode } from "../../protocol/messages.ts";
import type { TemplateValue } from "./html.ts";

/** A list item's key: a string or a finite number. */
export type Key = string | number;

/** The keys of a keyed list node, in item order (server side only). */
export const KEYS: unique symbol = Symbol("weft.keys");

/** A rendered list node that knows its items' keys. */
export interface KeyedListNode extends ListNode {
  [KEYS]?: readonly Key[];
}

/**
 * What `keyed()` returns: inert until rendered (render-tree.ts), so that a
 * bad key fails the render (E_RENDER), not the handler. Any item type stands
 * where a template value may: the callbacks are held untyped.
 *
 * @example
 * const list: Keyed = keyed(todos, (t) => t.id, (t) => html`<li>${t.title}</li>`);
 */
export class Keyed {
  /** @internal */
  constructor(
    readonly items: readonly unknown[],
    private readonly parts: KeyedParts,
  ) {}

  /** The key of item `i`, checked: a string or a finite number. */
  keyOf(i: number): Key {
    const k = this.parts.key(this.items[i], i);
    if (typeof k === "string" || (typeof k === "number" && Number.isFinite(k))) return k;
    throw new KeyedListError(`the key of item ${i} is ${describeKey(k)}; keys must be strings or finite numbers`);
  }

  /** What item `i` renders. */
  render(i: number): TemplateValue {
    return this.parts.render(this.items[i], i);
  }
}

interface KeyedParts {
  key(item: unknown, index: number): unknown;
  render(item: unknown, index: number): TemplateValue;
}

/**
 * A list whose items are identified by a key: inserting, deleting or moving
 * one item sends only that change to the browser, not every item after it.
 * Items share their template's statics, as arrays of templates do.
 *
 * Keys must be strings or finite numbers, unique within one render (a
 * duplicate fails the render with `E_RENDER`; the view keeps its state).
 * For DOM identity across moves (focus, an input's value, a running CSS
 * transition), give each item's root element an `id`: the client's morph
 * keeps elements by id (docs/lists.md).
 *
 * @param items - the items, in display order (an array or any iterable)
 * @param key - an item's key: `(item, index) => string | number`
 * @param render - an item's template: `(item, index) => html\`…\``
 *
 * @example
 * html`<ul>${keyed(s.todos, (t) => t.id, (t) => html`<li id=${`todo-${t.id}`}>${t.title}</li>`)}</ul>`
 */
export function keyed<T>(items: Iterable<T>, key: (item: T, index: number) => Key, render: (item: T, index: number) => TemplateValue): Keyed {
  if (typeof key !== "function" || typeof render !== "function") {
    throw new TypeError("Weft: keyed(items, key, render) needs a key function and a render function: keyed(todos, (t) => t.id, (t) => html`<li>…</li>`)");
  }
  if (items === null || items === undefined || typeof (items as Iterable<T>)[Symbol.iterator] !== "function") {
    throw new TypeError(`Weft: keyed() needs an array or an iterable of items, got ${items === null ? "null" : typeof items}`);
  }
  const list = Array.isArray(items) ? (items as readonly T[]) : Array.from(items);
  return new Keyed(list, { key: key as KeyedParts["key"], render: render as KeyedParts["render"] });
}

/**
 * A keyed list that cannot render: a duplicate key, or a key that is not a
 * string or a finite number. The view's path is added by renderView; a live
 * view answers the work with E_RENDER and keeps its state.
 *
 * @example
 * createWeft({ views, secret, onError: (err) => { if (err instanceof KeyedListError) log.warn(err.message); } });
 */
export class KeyedListError extends TypeError {
  constructor(detail: string) {
    super(`Weft: keyed(): ${detail}`);
    this.name = "KeyedListError";
  }

  /** Adds the view the list belongs to (once). */
  inView(path: string): this {
    if (!this.message.includes(" in the view at ")) this.message += ` (in the view at ${JSON.stringify(path)})`;
    return this;
  }
}

/** Throws a {@link KeyedListError} naming up to five duplicate keys. */
export function duplicateKeys(dupes: readonly Key[]): never {
  const unique = [...new Set(dupes)];
  const shown = unique.slice(0, 5).map(describeKey).join(", ");
  const more = unique.length > 5 ? ` and ${unique.length - 5} more` : "";
  throw new KeyedListError(`duplicate key${unique.length > 1 ? "s" : ""} ${shown}${more} in one render; each item needs a key of its own`);
}

function describeKey(k: unknown): string {
  if (typeof k === "string") return JSON.stringify(k.length > 40 ? `${k.slice(0, 40)}…` : k);
  if (typeof k === "number") return String(k);
  if (k === null) return "null";
  if (Array.isArray(k)) return "an array";
  return typeof k === "object" ? "an object" : `a ${typeof k}`;
}
