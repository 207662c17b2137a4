/**
 * The template side of streams: `stream(name, render)` in a container's start
 * tag marks it as the stream's container (`weft-stream="NAME"`) and says how an
 * item renders. The stream's items are never part of the rendered tree: the
 * hole renders the attribute alone, and a render only notes which streams it
 * placed (and their render functions), for the session to turn its pending
 * `ctx.stream*` calls into ops (buffer.ts).
 */
import { ATTR } from "../../protocol/messages.ts";
import type { TemplateValue } from "../template/html.ts";

/** A stream's name: a letter, then letters, digits, `_` or `-` (at most 64). */
const NAME = /^[A-Za-z][\w-]{0,63}$/;

/**
 * A stream that cannot be used as asked: a bad name, an item without a dom id,
 * a name that no `stream()` in the rendered template places, a bad `at` or
 * `limit`. Thrown by the `ctx.stream*` call (E_HANDLER) or by the render that
 * turns the calls into ops (E_RENDER); the view keeps its state.
 *
 * @example
 * createWeft({ views, secret, onError: (err) => { if (err instanceof StreamError) log.warn(err.message); } });
 */
export class StreamError extends TypeError {
  constructor(detail: string) {
    super(`Weft: ${detail}`);
    this.name = "StreamError";
  }
}

/**
 * Checks a stream name; returns it.
 *
 * @example checkName("rows", "ctx.stream") // "rows"
 */
export function checkName(name: unknown, where: string): string {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new StreamError(`${where}: a stream name is a letter then letters, digits, _ or - (at most 64), got ${typeof name === "string" ? JSON.stringify(name.slice(0, 70)) : typeof name}`);
  }
  return name;
}

/**
 * What `stream()` returns: the container's attribute and the item's render.
 *
 * @example const rows: StreamRef = stream("rows", (r) => html`<li>${r.title}</li>`);
 */
export class StreamRef {
  /** @internal */
  constructor(
    readonly name: string,
    readonly render: (item: unknown, domId: string) => TemplateValue,
  ) {}

  /** A stream in text position: not where it belongs. */
  toString(): string {
    throw new StreamError(`stream("${this.name}") belongs in its container's start tag: html\`<ul id="${this.name}" \${stream("${this.name}", render)}></ul>\``);
  }
}

/**
 * Places stream `name` on its container: the element whose start tag holds it
 * gets `weft-stream="NAME"`, and its children are the stream's items, kept by
 * the browser (the server keeps none of them). `ctx.stream`,
 * `ctx.streamInsert` and `ctx.streamDelete` add and remove items; each item
 * renders with `render(item, domId)`, which must return one element (its root
 * gets the id `domId`). Leave the container otherwise empty, and give it an id.
 * See docs/streams.md.
 *
 * @example
 * html`<tbody id="rows" ${stream("rows", (row) => html`<tr><td>${row.title}</td></tr>`)}></tbody>`
 */
export function stream<T>(name: string, render: (item: T, domId: string) => TemplateValue): StreamRef {
  checkName(name, "stream()");
  if (typeof render !== "function") throw new StreamError(`stream("${name}", render) needs a render function: (item) => html\`<li>…</li>\``);
  return new StreamRef(name, render as StreamRef["render"]);
}

/**
 * Streams placed by the render in progress: null while no render collects,
 * undefined until the first `stream()` of one. A render runs synchronously,
 * so one module slot serves every session; a render nested in another (a
 * child view's first render) saves and restores the outer one's.
 */
let placed: Map<string, StreamRef> | undefined | null = null;

/**
 * The attribute a `stream()` hole renders, noting the stream for the render in
 * progress. Two `stream()` of one name in one render fail it.
 *
 * @example streamAttr(stream("rows", render)) // 'weft-stream="rows"'
 */
export function streamAttr(ref: StreamRef): string {
  if (placed !== null) {
    if (placed?.has(ref.name) === true) throw new StreamError(`stream("${ref.name}") is placed twice in one render; a stream has one container`);
    (placed ??= new Map()).set(ref.name, ref);
  }
  return `${ATTR.stream}="${ref.name}"`;
}

/**
 * Starts noting the streams a render places; returns the outer render's, for
 * {@link endStreams}. No allocation: the hot path renders through it.
 *
 * @example const outer = beginStreams(); try { render(); } finally { drawn = endStreams(outer); }
 */
export function beginStreams(): Map<string, StreamRef> | undefined | null {
  const outer = placed;
  placed = undefined;
  return outer;
}

/**
 * Ends the render begun with {@link beginStreams}: the streams it placed (undefined when none).
 *
 * @example const placed = endStreams(outer);
 */
export function endStreams(outer: Map<string, StreamRef> | undefined | null): Map<string, StreamRef> | undefined {
  const mine = placed ?? undefined;
  placed = outer;
  return mine;
}
