/**
 * Views: the public shape of a view definition and of the context its
 * callbacks receive.
 */
import type { AuthDenial } from "./security/auth.ts";
import type { PresenceEntry } from "./presence/types.ts";
import type { Rate } from "./security/rate-limit.ts";
import { checkView } from "./view-check.ts";
import type { Template } from "./template/html.ts";
import type { ComponentDefinition, ComponentId, ComponentProps } from "./components/define.ts";
import { noteOrigin } from "./dev/origins.ts";
import type { StreamOptions } from "./streams/buffer.ts";
import type { ModelSpec } from "./model.ts";
import type { AnnounceOptions } from "./announce.ts";
import type { EventCache } from "./event-cache.ts";
import type { FlashKind } from "./flash.ts";
import type { AsyncFn, AsyncOptions } from "./async/tasks.ts";
import type { UploadedFile, UploadOptions } from "./uploads/types.ts";

/** Plain JSON-serialisable data. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Params passed to `mount`: path params (":id") and the query string. */
export type Params = Record<string, string>;

/** An event payload as the browser sent it (form fields, `weft-value-*`). */
export type Payload = Record<string, unknown>;

/** Data from the authenticated request (see `authorize`), visible in every callback. */
export type SessionData = Record<string, unknown>;

/**
 * The Standard Schema interface (https://standardschema.dev), v1: zod, valibot
 * and arktype schemas implement it, so they validate payloads as they are.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** Result of a Standard Schema validation. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined }> };

/**
 * What view callbacks may do besides returning state.
 *
 * The effects may be taken apart (`(s, p, { pushEvent }) => …`): each is
 * bound to its session. The context is not a plain object — its effects live
 * on its prototype, so an idle session holds no function per effect — and
 * `{ ...ctx }` copies only `connected`, `params` and `session`. `params` is
 * read-only (sessions without params share one frozen object).
 */
export interface ViewContext {
  /** False while mounting for the server-rendered page; true once the browser has joined. */
  readonly connected: boolean;
  /** Mount params (path params and query). */
  readonly params: Params;
  /** Data from the authenticated request. */
  readonly session: SessionData;
  /**
   * Sends an event to the browser; the page receives it as a `weft:NAME` DOM
   * event on the view root, with `detail` = payload. Called in `mount`, the
   * push waits for the browser's join and follows the view's first render
   * (in order, once): how a hook gets its initial data.
   */
  pushEvent(name: string, payload?: Json): void;
  /**
   * Answers the browser event being handled with `value`: a client hook's
   * `this.pushEvent(name, payload)` promise resolves with it (undefined when
   * the handler gives none). It travels on the frame that answers the event,
   * and is replayed with it after a reconnect. Only a browser event has an
   * answer: in `mount`, `info`, `handleParams` or after the handler finished
   * the value is checked and dropped. JSON of at most 65,536 characters; another value
   * throws a TypeError (the handler fails with E_HANDLER). The last call wins.
   * See docs/client.md, "Hooks".
   *
   * @example
   * roll: (s, _p, ctx) => { const n = 1 + Math.floor(Math.random() * 6); ctx.reply({ n }); return { ...s, last: n }; }
   */
  reply(value: Json | undefined): void;
  /**
   * Reads `text` out to screen-reader users: the browser puts it (as text,
   * never HTML) into an aria-live region of its own, outside every view root.
   * `politeness`: "polite" (default) waits until the reader is idle,
   * "assertive" interrupts (for errors). The same text announced twice is read
   * twice. Called in `mount`, it waits for the browser's join and follows the
   * view's first render. A text that is empty, not a string or longer than
   * 1,000 characters, or another politeness, throws a TypeError (the handler
   * fails). See docs/client.md, "Accessibility".
   *
   * @example ctx.announce(`Added “${title}”. ${n} items.`)
   */
  announce(text: string, options?: AnnounceOptions): void;
  /**
   * Shows a short message to the user in the page's `weft-flash` slot
   * (outside every view root): `kind` "info" (role="status") or "error"
   * (role="alert"), `text` as text (never HTML), with a dismiss button.
   * A live navigation clears the flashes shown; one set by the handler that
   * navigates or redirects shows on the next view or page (call `flash`
   * before `navigate` / `redirect`); a live patch keeps them. In `mount` it
   * shows in the page's first render (the layout places it), or — when the
   * mount redirects — on the next page (a short-lived signed cookie). A kind
   * other than "info" or "error", or a text that is blank, not a string or
   * longer than 1,000 characters, throws a TypeError (the handler fails).
   * See docs/client.md, "Flash messages".
   *
   * @example ctx.flash("info", `Welcome, ${name}!`)
   */
  flash(kind: FlashKind, text: string): void;
  /**
   * Delivers `info[name](state, payload, ctx)` after `ms` milliseconds. Timers
   * asked for while mounting the page start when the browser joins. Returns a
   * function that cancels the timer.
   */
  schedule(name: string, payload: Json | undefined, ms: number): () => void;
  /**
   * Runs `fn` as background task `name`, outside the session's work queue:
   * the view keeps answering events while it runs. Its reports reach the
   * view as state, through the queue: `state.async[name]` is
   * `{ status: "running" | "ok" | "failed" | "cancelled", progress, result, error }`
   * (Weft's: a handler's value there is replaced), and several progress
   * reports that queue up make one render. When the status becomes a final
   * one, `info[name](state, report, ctx)` runs too, if the view has it.
   * `fn` gets `{ signal, progress }`; its result must be JSON (else "failed"
   * with the reason). A name that is running is cancelled first (or, with
   * `ifRunning: "reject"`, this throws an AsyncRunningError); `timeoutMs`
   * fails it with error "E_TIMEOUT". Tasks end with their session (nothing
   * reported after). Not in `mount`: it throws there (start one from an
   * `info` handler of a `ctx.schedule(name, payload, 0)` timer). The
   * view's state must be an object. See docs/async.md.
   *
   * @example
   * start: (s, _p, ctx) => { ctx.startAsync("report", async ({ signal, progress }) => build({ signal, onStep: progress }), { timeoutMs: 60_000 }); },
   */
  startAsync(name: string, fn: AsyncFn, options?: AsyncOptions): void;
  /**
   * Cancels background task `name`: its `signal` aborts and it is reported
   * "cancelled" at once — even if it ignores the signal, whatever it
   * reports or returns later is dropped. False when no task of that name runs.
   *
   * @example stop: (s, _p, ctx) => { ctx.cancelAsync("report"); }
   */
  cancelAsync(name: string): boolean;
  /**
   * Live patch: changes the page's URL (`history.pushState`, or
   * `replaceState` with `replace`) and keeps this view; once the handler has
   * committed, `handleParams(params, url, state, ctx)` runs with the new URL.
   * `to` is a same-origin path of this view (`"/todos?page=2"`); a path of
   * another view becomes a live navigation to it, a path with no view fails
   * the handler with E_UNKNOWN_VIEW. In the page's first (HTTP) render it only
   * sets the URL the view renders with (handleParams sees it; the browser's
   * address follows at the join). See docs/navigation.md.
   *
   * @example ctx.patch(`/todos?page=${s.page + 1}`)
   */
  patch(to: string, options?: { replace?: boolean }): void;
  /**
   * Live navigation: mounts the view at `to` (a same-origin path) over the
   * same connection, with no page load; this view's session ends (terminate
   * reason "navigate"). The new view is authorized as a page load of `to`
   * would be. A path with no view is loaded as a page. In the page's first
   * (HTTP) render it answers the GET with a 302 to `to`.
   *
   * The older form with `kind` still works: `kind: "patch"` is
   * {@link ViewContext.patch}, `kind: "redirect"` is {@link ViewContext.redirect}.
   * A target that is not a same-origin path (another host, `javascript:`,
   * `data:`) throws a `NavigationError` (code `E_NAV_TARGET`), so the handler
   * fails and the view keeps its state (docs/security.md).
   *
   * @example ctx.navigate(`/todos/${id}`)
   */
  navigate(to: string, options?: { replace?: boolean; kind?: "patch" | "navigate" | "redirect"; external?: boolean }): void;
  /**
   * Full page load of `to`: a same-origin path, or with `{ external: true }`
   * an absolute http(s) URL elsewhere; any other target throws a
   * `NavigationError` (E_NAV_TARGET). In the page's first (HTTP) render it
   * answers the GET with a 302.
   *
   * @example ctx.redirect("/login")
   */
  redirect(to: string, options?: { external?: boolean }): void;
  /**
   * Subscribes this session to `topic`: every broadcast to it lands in
   * `info[name](state, payload, ctx)`. Subscriptions asked for while mounting
   * the page start when the browser joins; they end with the session.
   */
  subscribe(topic: string): void;
  /** Ends a subscription. */
  unsubscribe(topic: string): void;
  /**
   * Sends `info[name](state, payload)` to every session subscribed to `topic`
   * (this one included when subscribed), on every node. A failure is reported
   * to `onError`, never thrown.
   */
  broadcast(topic: string, name: string, payload?: Json): void;
  /**
   * Shows this session in `topic`'s presence list with `meta` (calling it
   * again replaces the meta), on every node, until `untrack` or the session
   * ends — or its node dies (the entry expires). The session then gets
   * `info.presence(state, { topic, joins, leaves, list }, ctx)` with the
   * current list at once and with every change after.
   *
   * @example
   * mount: (p, ctx) => { ctx.track("room:1", { name: p.name }); return { online: [] }; },
   * info: { presence: (s, d: PresenceUpdate) => ({ ...s, online: d.list.map((e) => e.meta) }) },
   */
  track(topic: string, meta: Json): void;
  /** Leaves `topic`'s presence list. */
  untrack(topic: string): void;
  /** `topic`'s presence list as this node knows it (complete for tracked topics once loaded). */
  presence(topic: string): PresenceEntry[];
  /**
   * Sends `props` to the component `id` (of definition `component`) that the
   * view renders: its `update(props, state)` runs after this work's render,
   * and the component re-renders (docs/components.md). One that is not
   * rendered is reported to `onError` and the update dropped. While the page
   * mounts there are no components yet: it throws.
   *
   * @example ctx.sendUpdate(Card, "c1", { title: "Renamed" })
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sendUpdate<P extends ComponentProps>(component: ComponentDefinition<any, P>, id: ComponentId, props: Omit<P, "id"> | Partial<P>): void;
  /**
   * Streams `items` into stream `name` (placed in the template by
   * `stream(name, render)`): each is rendered once, sent with its dom id
   * (`NAME-ID` from its `id`) and kept by the browser, not the server; an item
   * whose dom id is on the page already is updated where it stands. `at`: 0
   * the start, -1 (default) the end, n before item n (clamped); `limit`: keep
   * the first (positive) or last (negative) `|limit|` items; `reset`: empty the
   * stream first. Calls while mounting are ignored: every full render fills the
   * streams from the view's `streams(state, ctx)`. See docs/streams.md.
   *
   * @example ctx.stream("rows", nextPage, { limit: -500 })
   */
  stream(name: string, items: Iterable<unknown>, options?: StreamOptions): void;
  /**
   * Inserts (or updates in place) one item of stream `name`; see {@link ViewContext.stream}.
   *
   * @example ctx.streamInsert("rows", row, { at: 0 })
   */
  streamInsert(name: string, item: unknown, options?: Omit<StreamOptions, "reset">): void;
  /**
   * Removes an item of stream `name` from the page: by the item (its dom id
   * `NAME-ID`) or by dom id.
   *
   * @example ctx.streamDelete("rows", "rows-7")
   */
  streamDelete(name: string, item: unknown): void;
  /**
   * Hands each finished file of upload `name` (the view's `uploads`), in
   * order, to `fn`: `path` is its temp file (a server-chosen name in
   * `uploadDir`), removed as soon as `fn` settles, and the entry leaves
   * `state.uploads`. Resolves with `fn`'s results. Entries still uploading
   * are left alone; a throw from `fn` stops there and is rethrown. An unknown
   * name throws a TypeError. While mounting there are no files: it resolves
   * with `[]`. See docs/uploads.md.
   *
   * @example
   * save: async (s, _p, ctx) => ({ ...s, saved: [...s.saved, ...(await ctx.consumeUploads("avatar", async ({ path, name }) => { await copyFile(path, `/srv/${randomUUID()}`); return name; }))] }),
   */
  consumeUploads<R>(name: string, fn: (file: UploadedFile) => R | Promise<R>): Promise<R[]>;
  /**
   * Cancels entry `ref` of upload `name`: it leaves `state.uploads` and its
   * temp data is removed; chunks sent for it after are refused
   * (E_UPLOAD_CANCELLED). An entry that is not there is a no-op.
   *
   * @example ctx.cancelUpload("avatar", entry.ref)
   */
  cancelUpload(name: string, ref: string): void;
}

/** What `info.presence` receives. */
export interface PresenceUpdate {
  readonly topic: string;
  /** Entries that appeared (or changed meta) since the last update. */
  readonly joins: readonly PresenceEntry[];
  /** Entries that went (or changed meta: apply leaves first). */
  readonly leaves: readonly PresenceEntry[];
  /** The whole list after this update. */
  readonly list: readonly PresenceEntry[];
}

/**
 * Why a session's live instance on this node ended (what `terminate` gets):
 * - `"closed"`: the browser left the view (its page went away, or the view's
 *   root left the page), or its link dropped and it did not come back within
 *   `sessionGraceMs` — the session is over;
 * - `"shutdown"`: `app.close()` on this node. Without a shared store the
 *   session is over; with one (Redis) its client reconnects to another node,
 *   which takes it over from its snapshot (mount does not run again there);
 * - `"handover"`: another node took the live session over (its client's
 *   request landed there); the session goes on there, and that node runs
 *   `terminate` when it ends.
 *
 * @example
 * terminate: (reason, state) => { if (reason !== "handover") seats.free(state.seat); }
 */
export type TerminateReason = "closed" | "shutdown" | "handover" | "navigate";

/**
 * The context `terminate` gets. The client is gone, so there is nothing to
 * push, navigate, schedule, subscribe or track; a broadcast still reaches every
 * other subscribed session (on every node), and presence lists can be read.
 *
 * @example
 * terminate: (_reason, state, ctx) => ctx.broadcast(`room:${ctx.params.id}`, "left", { name: state.name }),
 */
export interface TerminateContext {
  /** Always false: no browser is attached any more. */
  readonly connected: false;
  /** Mount params (path params and query). */
  readonly params: Params;
  /** Data from the authenticated request. */
  readonly session: SessionData;
  /** As {@link ViewContext.broadcast}: a failure is reported to `onError`, never thrown. */
  broadcast(topic: string, name: string, payload?: Json): void;
  /** As {@link ViewContext.presence}. */
  presence(topic: string): PresenceEntry[];
}

/** An event handler: returns the new state, or nothing to keep the state. */
export type EventFn<S, P = Payload> = (state: S, payload: P, ctx: ViewContext) => S | void | Promise<S | void>;

/**
 * An event handler with options: the function as `run` or `handler` (two
 * names for one thing: give exactly one), a payload `schema` (Standard
 * Schema; the function gets its output, an invalid payload answers
 * E_INVALID), a `rateLimit` for this handler per session (over it answers
 * E_RATE_LIMIT), a `timeoutMs` for an async handler (over it answers
 * E_TIMEOUT), and for a view's pure handler a `cache` (the browser answers
 * an identical event from its cache: docs/client.md, event-cache.ts).
 *
 * @example
 * save: { schema: Todo, run: (s, todo) => ({ ...s, todos: [...s.todos, todo] }) },
 * search: { handler: (s, p: { q: string }) => ({ ...s, q: p.q }), cache: { ttlMs: 60_000, key: ["q"] } },
 * slow: { run: async (s) => ({ ...s, rows: await db.rows() }), timeoutMs: 30_000 },
 */
export type EventSpec<S, Out = Payload> = EventOptions<Out> & (
  | { readonly run: EventFn<S, Out>; readonly handler?: undefined }
  | { readonly handler: EventFn<S, Out>; readonly run?: undefined }
);

/**
 * The options of an {@link EventSpec} besides its function.
 *
 * @example
 * const opts: EventOptions<{ q: string }> = { schema: Query, rateLimit: { perSecond: 5, burst: 10 }, cache: { ttlMs: 60_000, key: ["q"] } };
 */
export interface EventOptions<Out = Payload> {
  readonly schema?: StandardSchemaV1<unknown, Out>;
  readonly rateLimit?: Rate;
  /**
   * This handler's time limit in ms, over the app's `handlerTimeoutMs`: an
   * async handler not settled by then answers E_TIMEOUT, keeps the last good
   * state and lets the queue move on (docs/async.md).
   */
  readonly timeoutMs?: number;
  /** Only on a view's pure handler: see {@link EventCache}. */
  readonly cache?: EventCache;
}

/** An event handler with a payload schema (see {@link EventSpec}). */
export type ValidatedEvent<S, Out> = EventSpec<S, Out> & { readonly schema: StandardSchemaV1<unknown, Out> };

/** A handler in `events`: a function, or `{ run | handler, schema?, rateLimit?, cache? }`. */
// The payload type of a validated handler is whatever its schema outputs.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventHandler<S> = EventFn<S> | EventSpec<S, any>;

/** A handler in `info` (timers, pub/sub, async results). */
export type InfoHandler<S> = (state: S, payload: unknown, ctx: ViewContext) => S | void | Promise<S | void>;

/** A view definition (see {@link defineView}). */
export interface ViewDefinition<S = unknown> {
  /** Computes the initial state. Runs once per page view. */
  mount(params: Params, ctx: ViewContext): S | Promise<S>;
  /** The ONLY handlers the browser can call, by own key. */
  readonly events?: Readonly<Record<string, EventHandler<S>>>;
  /** Handlers for messages that do not come from the browser. */
  readonly info?: Readonly<Record<string, InfoHandler<S>>>;
  /**
   * The state fields the browser may set with `weft-model` (docs/client.md,
   * forms): a list of names, or names to `true` or a Standard Schema for the
   * value. A field not listed answers E_UNKNOWN_FIELD and leaves the state as
   * it is — a browser can never set a field the view did not list (`isAdmin`).
   *
   * @example
   * model: ["title", "done"],
   * model: { title: z.string().max(80), done: true },
   */
  readonly model?: ModelSpec<NoInfer<S>>;
  /**
   * File uploads by name (docs/uploads.md): what each accepts, its limits,
   * and whether it starts at once. A `<input type="file" weft-upload="NAME">`
   * picks files; Weft owns `state.uploads` (see `Uploads`), and
   * `ctx.consumeUploads(NAME, fn)` takes the finished files.
   *
   * @example
   * uploads: { avatar: { accept: [".png", "image/jpeg"], maxBytes: 5_000_000, maxFiles: 3, autoUpload: true } },
   */
  readonly uploads?: Readonly<Record<string, UploadOptions>>;
  /**
   * Runs after `mount` (with the page's URL), after every live patch
   * (`weft-patch`, `ctx.patch`, back/forward within the view) and at every
   * re-mount (with the page's current URL): derive the URL-dependent state
   * here. `params` are the path params and the query; `url` is the path
   * with query, e.g. "/todos?page=2". Returns the new state (or nothing to
   * keep it); may be async. See docs/navigation.md.
   *
   * @example handleParams: (p, _url, s) => ({ ...s, page: Number(p.page ?? 1) })
   */
  handleParams?(params: Params, url: string, state: S, ctx: ViewContext): S | void | Promise<S | void>;
  /** Renders the state. Must be pure: same state, same HTML. */
  render(state: S): Template;
  /**
   * Fills the view's streams for a full render: called (with `ctx.stream`
   * calls) whenever the browser gets one — at the join that follows the page,
   * a rejoin that cannot resume, a takeover by another node — so that the
   * browser's stream containers, emptied by a full render, hold the right
   * items exactly once. See docs/streams.md.
   *
   * @example streams: (s, ctx) => ctx.stream("rows", db.rows(0, s.loaded))
   */
  streams?(state: S, ctx: ViewContext): void;
  /**
   * The page title: a string (fixed), or a function of the state, which the
   * title follows — computed after every committed change and sent to the
   * browser (`document.title`) when it differs from the last one. It must
   * return a string and be pure and cheap, like `render`; a throw fails the
   * change with E_RENDER and keeps the last good state.
   *
   * @example title: (s) => `Inbox (${s.unread})`
   */
  readonly title?: string | ((state: S) => string);
  /**
   * Who may use the view: true to allow, false (403) or `deny(401 | 403)` to
   * refuse. Sees the session data from `authorize`. Runs at mount and at every join.
   */
  readonly auth?: (session: SessionData, params: Params) => boolean | AuthDenial | Promise<boolean | AuthDenial>;
  /**
   * Cleans up when the session's live instance on this node ends: once per
   * instance, on every transport, with the last committed state and why it
   * ended ({@link TerminateReason}). Not called for a rendered page whose
   * browser never joined (no session went live): set up what needs cleaning
   * up when `ctx.connected` is true. A throw or a rejection is reported to
   * `onError` (naming the view), never thrown further; `app.close()` awaits
   * an async terminate for at most `shutdownMs`.
   *
   * @example
   * terminate: async (reason, state, ctx) => {
   *   if (reason === "handover") return; // the session goes on on another node
   *   await locks.release(state.docId);
   *   ctx.broadcast(`doc:${state.docId}`, "left", { user: ctx.session.user as string });
   * },
   */
  readonly terminate?: (reason: TerminateReason, state: S, ctx: TerminateContext) => void | Promise<void>;
}

/**
 * Defines a view. Checks the definition's shape at once, so that a typo shows
 * at startup and not at the first click: unknown keys (with "did you mean"),
 * a missing `mount` or `render`, handlers that are not functions.
 *
 * @example
 * const Counter = defineView({
 *   mount: () => ({ count: 0 }),
 *   events: { inc: (s) => ({ count: s.count + 1 }) },
 *   render: (s) => html`<button weft-click="inc">${s.count}</button>`,
 * });
 */
export function defineView<S>(definition: ViewDefinition<S>): ViewDefinition<S> {
  checkView(definition, "defineView");
  const view = Object.freeze({ ...definition });
  noteOrigin(view); // its module, for development hot reload (dev/origins.ts)
  return view;
}

/**
 * Returns the own handler `name` of `table`, never an inherited one
 * (`__proto__`, `constructor`, `toString`, `hasOwnProperty` …).
 */
export function ownHandler<T>(table: Readonly<Record<string, T>> | undefined, name: string): T | undefined {
  return table !== undefined && Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}
