/**
 * `liveView(View, { id, session })`: a template value that embeds another
 * view, with its own session, events, timers and lifecycle, in the parent's
 * page. Inert until rendered: the render that meets it (render-tree.ts) asks
 * the parent's child table (scope.ts) for the child's root element.
 */
import type { SessionData, ViewDefinition } from "../view.ts";

/** A child id: a letter, then letters, digits, `-`, `_`, `:` or `.` (at most 64): it is also the root element's `id`. */
const CHILD_ID = /^[A-Za-z][-\w:.]{0,63}$/;

/**
 * Options of {@link liveView}.
 *
 * @example
 * const options: LiveViewOptions = { id: "chat", session: { room: "lobby" } };
 */
export interface LiveViewOptions {
  /**
   * The child's id, unique among the parent's children in one render, and
   * stable across renders: the same id is the same child (its session goes
   * on); an id the render no longer has ends that child's session. Also the
   * DOM `id` of the child's root element.
   */
  readonly id: string;
  /**
   * Data for the child's mount, added to its `ctx.session` (the page's
   * authenticated session data stays; keys that already exist there are
   * refused: a child cannot change who is signed in). Signed into the child's
   * token by the server; JSON only.
   */
  readonly session?: SessionData;
}

/**
 * What `liveView()` returns: a child view to embed where it stands (text
 * position only). Rendering it needs a live parent: a view's render.
 *
 * @example
 * const child: LiveViewRef = liveView(Chat, { id: "chat" });
 */
export class LiveViewRef {
  /** @internal */
  constructor(
    readonly view: ViewDefinition<unknown>,
    readonly id: string,
    readonly session: SessionData | undefined,
  ) {}

  /** A child view stands in text only: an attribute or comment hole fails loudly instead of printing "[object Object]". */
  toString(): string {
    throw new ChildViewError(`liveView "${this.id}" stands in an attribute or comment; a child view renders only in text position: <section>\${liveView(Chat, { id: "${this.id}" })}</section>`);
  }
}

/**
 * A child view used wrongly: a bad id or option, a duplicate id in one render,
 * a view the app does not register. Thrown from the parent's render, so the
 * parent answers `E_RENDER` (a page: HTTP 500) and keeps its last good state.
 *
 * @example
 * try { renderTree(t) } catch (e) { if (e instanceof ChildViewError) console.error(e.message) }
 */
export class ChildViewError extends Error {
  override readonly name = "ChildViewError";
}

/**
 * Embeds a live view (a child) in a view's template. The child has its own
 * session, events, timers, subscriptions and lifecycle, and is joined over
 * the page's one connection. The parent's re-renders never re-mount it nor
 * touch its DOM; when the parent's render no longer has it, its session ends
 * (`terminate` runs with reason `"closed"`). A child that fails (its mount or
 * a handler throws) shows its own error; the parent goes on.
 *
 * The child view must be one of the app's views (`createWeft({ views })`):
 * its token names the view by its registered path, so that any node can take
 * it over.
 *
 * @param view - the child's view definition (registered in `createWeft({ views })`)
 * @param options - `id` (required, stable) and `session` (data for its mount)
 *
 * @example
 * render: (s) => html`<h1>${s.title}</h1>${liveView(Chat, { id: "chat", session: { room: "lobby" } })}`
 */
export function liveView<S>(view: ViewDefinition<S>, options: LiveViewOptions): LiveViewRef {
  const o = options as Partial<LiveViewOptions> | undefined;
  if (typeof view !== "object" || view === null || typeof (view as ViewDefinition<S>).render !== "function") {
    throw new ChildViewError("liveView(view, { id }) needs a view made by defineView: liveView(Chat, { id: \"chat\" })");
  }
  if (typeof o !== "object" || o === null || typeof o.id !== "string" || !CHILD_ID.test(o.id)) {
    throw new ChildViewError(`liveView: \`id\` must be a letter then up to 63 letters, digits, "-", "_", ":" or "." (it is the root element's id), got ${JSON.stringify(o?.id ?? null)}`);
  }
  const s = o.session;
  if (s !== undefined && (typeof s !== "object" || s === null || Array.isArray(s))) {
    throw new ChildViewError(`liveView "${o.id}": \`session\` must be a plain object of JSON values`);
  }
  return new LiveViewRef(view as unknown as ViewDefinition<unknown>, o.id, s);
}
