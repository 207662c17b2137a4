/**
 * The server side of streams: a session's `ctx.stream*` calls wait here until
 * the render that follows them, which turns them into ops (protocol/messages.ts,
 * StreamOp) with each inserted item's HTML; then they are gone. The server
 * keeps no item, no dom id and no count: what a session holds for its streams
 * is this buffer (empty between pieces of work) and the last render's
 * `stream()` refs (a name and a function each). The browser holds the items.
 */
import type { StreamOp } from "../../protocol/messages.ts";
import { ROOT_TAG } from "../../protocol/tree.ts";
import { escapeHtml } from "../template/escape.ts";
import { html } from "../template/html.ts";
import { renderToString } from "../template/render-tree.ts";
import { checkName, StreamError, type StreamRef } from "./ref.ts";

/** Options of `ctx.stream` and `ctx.streamInsert`. */
export interface StreamOptions {
  /**
   * Where the items go: 0 the start, -1 (the default) the end, `n` before the
   * item now at index `n`. Clamped: below -1 is -1 (the end), past the end is the end.
   */
  at?: number;
  /**
   * Keep at most `|limit|` items after the insert: a positive limit removes
   * items from the end, a negative one from the start (the browser prunes).
   */
  limit?: number;
  /** `ctx.stream` only: empty the container first. */
  reset?: boolean;
}

/** A call waiting for the next render: reset, delete, or insert (with its item). */
type Pending =
  | { readonly name: string; readonly kind: 0 }
  | { readonly name: string; readonly kind: 1; readonly id: string }
  | { readonly name: string; readonly kind: 2; readonly id: string; readonly item: unknown; readonly at: number; readonly limit: number | undefined };

/** The largest `at` sent: any larger index is the end anyway. */
const MAX_AT = 2 ** 31 - 1;

/** The one template every item renders through (one call site: one fingerprint). */
const item = (v: unknown): string => renderToString(html`${v as string}`);

/**
 * The default dom id of an item: `NAME-ID`, from the item's `id` (a string or
 * a finite number), as Phoenix LiveView does.
 *
 * @example domIdOf("rows", { id: 7 }) // "rows-7"
 */
export function domIdOf(name: string, value: unknown): string {
  const id = typeof value === "object" && value !== null ? (value as { id?: unknown }).id : undefined;
  if (typeof id === "string" || (typeof id === "number" && Number.isFinite(id))) return `${name}-${id}`;
  throw new StreamError(`stream "${name}": an item needs an \`id\` (a string or a finite number) for its dom id "${name}-ID"; got ${id === undefined ? "none" : typeof id}`);
}

/**
 * The `ctx.stream*` calls of one session since its last render.
 *
 * @example
 * const b = new StreamBuffer();
 * b.insert("rows", { id: 1, title: "a" }, { at: 0 });
 * b.encode(refs, false); // [["rows", "rows-1", 0, "<li id=\"rows-1\">a</li>"]]
 */
export class StreamBuffer {
  private pending: Pending[] = [];

  /** `ctx.stream(name, items, { at, limit, reset })`. */
  stream(name: string, items: Iterable<unknown>, o?: StreamOptions): void {
    checkName(name, "ctx.stream");
    if (items === null || items === undefined || typeof (items as Iterable<unknown>)[Symbol.iterator] !== "function") {
      throw new StreamError(`ctx.stream("${name}", items) needs an array or an iterable of items, got ${items === null ? "null" : typeof items}`);
    }
    const at = atOf(name, o?.at);
    const limit = limitOf(name, o?.limit);
    const batch: Pending[] = o?.reset === true ? [{ name, kind: 0 }] : [];
    // A batch keeps its order wherever it goes: at n, its items are at n, n+1, …
    let i = 0;
    for (const value of items) batch.push({ name, kind: 2, id: domIdOf(name, value), item: value, at: at < 0 ? at : Math.min(at + i++, MAX_AT), limit });
    this.pending.push(...batch);
  }

  /** `ctx.streamInsert(name, item, { at, limit })`. */
  insert(name: string, value: unknown, o?: StreamOptions): void {
    checkName(name, "ctx.streamInsert");
    this.pending.push({ name, kind: 2, id: domIdOf(name, value), item: value, at: atOf(name, o?.at), limit: limitOf(name, o?.limit) });
  }

  /** `ctx.streamDelete(name, item | domId)`. */
  delete(name: string, value: unknown): void {
    checkName(name, "ctx.streamDelete");
    this.pending.push({ name, kind: 1, id: typeof value === "string" ? value : domIdOf(name, value) });
  }

  /** Drops the calls of work that failed: its render never happened. */
  discard(): void {
    this.pending.length = 0;
  }

  /** True when calls wait for a render. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Turns the waiting calls into ops with the streams the render placed, and
   * forgets them. `full`: the ops of a full render, which start by emptying
   * every placed stream. Throws a {@link StreamError} for a call on a stream
   * the render did not place, or an item that does not render one element.
   */
  encode(placed: ReadonlyMap<string, StreamRef> | undefined, full: boolean): StreamOp[] | undefined {
    const calls = this.pending;
    this.pending = [];
    const ops: StreamOp[] = [];
    if (full) for (const name of placed?.keys() ?? []) ops.push([name]);
    for (const c of calls) {
      const ref = placed?.get(c.name);
      if (ref === undefined) throw unknownStream(c.name, placed);
      if (c.kind === 0) ops.push([c.name]);
      else if (c.kind === 1) ops.push([c.name, c.id]);
      else {
        const op: StreamOp = [c.name, c.id, c.at, itemHtml(ref, c.item, c.id)];
        if (c.limit !== undefined) op.push(c.limit);
        ops.push(op);
      }
    }
    return ops.length > 0 ? ops : undefined;
  }
}

/** The item's HTML, its root element given the dom id (first, so that it wins over one the template set). */
function itemHtml(ref: StreamRef, value: unknown, id: string): string {
  const out = item(ref.render(value, id));
  const m = ROOT_TAG.exec(out);
  if (m === null) throw new StreamError(`stream "${ref.name}": an item must render one element (its root gets the dom id), got ${JSON.stringify(out.slice(0, 40))}`);
  return `${out.slice(0, m[0].length)} id="${escapeHtml(id)}"${out.slice(m[0].length)}`;
}

function unknownStream(name: string, placed: ReadonlyMap<string, StreamRef> | undefined): StreamError {
  const known = [...(placed?.keys() ?? [])].map((n) => JSON.stringify(n)).join(", ");
  return new StreamError(`ctx.stream("${name}"): the view's template places no stream("${name}", …) in this render (${known === "" ? "it places none" : `it places ${known}`})`);
}

/** `at`: a number; clamped to -1 (the end) … MAX_AT (past the end is the end). */
function atOf(name: string, at: unknown): number {
  if (at === undefined) return -1;
  if (typeof at !== "number" || Number.isNaN(at)) throw new StreamError(`stream "${name}": \`at\` must be a number (0 the start, -1 the end), got ${typeof at === "number" ? "NaN" : typeof at}`);
  return at < 0 ? -1 : Math.min(Math.floor(at), MAX_AT);
}

/** `limit`: a non-zero integer (positive keeps the first items, negative the last). */
function limitOf(name: string, limit: unknown): number | undefined {
  if (limit === undefined) return undefined;
  if (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit === 0) throw new StreamError(`stream "${name}": \`limit\` must be a non-zero integer (10 keeps the first 10 items, -10 the last 10), got ${String(limit)}`);
  return limit;
}
