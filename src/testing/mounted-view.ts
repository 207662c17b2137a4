/**
 * A mounted view, as its browser would hold it: frames from the live session
 * are parsed from JSON and applied with the tree algebra the browser client
 * uses (protocol/tree.ts), so what the test reads is what a page would show.
 * Actions go through the rendered `weft-*` attributes (bindings.ts).
 */
import { StreamModel } from "./streams.ts";
import { ATTR, kindOf, S, type AnnouncePayload, type Envelope, type FlashPayload, type NavPayload, type RenderedTree, type TreeDiff } from "../protocol/messages.ts";
import { isErrorCode, type ErrorCode } from "../protocol/errors.ts";
import { applyDiff, applyParts, toHtml } from "../protocol/tree.ts";
import { DEFAULTS } from "../server/options.ts";
import { checkPayload } from "../server/security/payload.ts";
import type { Sink, ViewSession } from "../server/session.ts";
import { runTerminate } from "../server/terminate.ts";
import { ownHandler, type Json, type TerminateReason, type ViewDefinition } from "../server/view.ts";
import type { TestBus } from "./bus.ts";
import { clickEvent, controlEvent, modelEvent, submitEvent } from "./bindings.ts";
import { parseHtml, textOf, type TestElement } from "./dom.ts";
import type { FieldValue } from "./forms.ts";
import { selectAll } from "./selector.ts";
import { WeftTestError } from "./test-error.ts";

/**
 * A `ctx.pushEvent` the view sent.
 *
 * @example
 * assert.deepEqual(v.pushes, [{ name: "saved", payload: { id: 1 } }]);
 */
export interface TestPush {
  readonly name: string;
  readonly payload: Json;
}

/**
 * An error the view answered with, as the browser would receive it.
 *
 * @example
 * assert.equal(v.errors[0]?.code, "E_INVALID");
 */
export interface TestViewError {
  /** Registry code: E_INVALID, E_HANDLER, E_RENDER, E_RATE_LIMIT, E_NAV_TARGET … */
  readonly code: ErrorCode;
  /** The message on the wire. */
  readonly message: string;
  /** The ref of the event that caused it, if one did. */
  readonly ref?: number;
  /** What the handler or render threw (reported to `onError` on a server; never sent to the browser). */
  readonly cause?: unknown;
}

/**
 * A view mounted by {@link mountView}: read its HTML, act on it as a user
 * would, and inspect what it sent.
 *
 * @example
 * const v: MountedView = await mountView(Todos);
 * await v.submit("form", { title: "Milk" });
 * assert.equal(v.count("li"), 2);
 */
export class MountedView {
  /** `ctx.pushEvent` calls, in order. */
  readonly pushes: TestPush[] = [];
  /** `ctx.announce` calls, in order, as the browser gets them (`politeness` only when "assertive"). */
  readonly announcements: AnnouncePayload[] = [];
  /** `ctx.flash` calls, in order, as the browser gets them (those of `mount` after its render, as at a live mount). */
  readonly flashes: FlashPayload[] = [];
  /**
   * Navigations the view sent, in order: `ctx.patch` (kind "patch"),
   * `ctx.navigate` ("navigate"), `ctx.redirect` ("redirect"), a navigation
   * or redirect at mount, and a patch to another view's URL (a "navigate").
   */
  readonly navigations: NavPayload[] = [];
  /** Errors the view answered with, in order. */
  readonly errors: TestViewError[] = [];
  /** The page title as the browser shows it: the page's `<title>`, then every title the session sends (`title` as a function of the state). */
  title = "";
  /** @internal */
  frameCount = 0;
  /** The tree and statics as the browser keeps them (client/rendered.ts does the same over protocol/tree.ts). */
  private tree: RenderedTree | undefined;
  /** Component trees by id (`p` of the frames). */
  private parts = new Map<string, RenderedTree>();
  private readonly statics = new Map<number, readonly string[]>();
  private current = "";
  /** The view's streams as the browser holds them (streams.ts). */
  private readonly streams = new StreamModel();
  private parsed: TestElement | undefined;
  private ref = 0;
  private lastCause: unknown;
  private session: ViewSession | undefined;
  private leave: (() => void) | undefined;
  private readonly answers = new Map<number, Envelope>();

  /** @internal use {@link mountView} */
  constructor(readonly bus: TestBus, readonly label: string, private readonly view: ViewDefinition<unknown>) {}

  /**
   * The view's current HTML, as the browser holds it.
   *
   * @example
   * assert.match(v.html(), /Count: 1/);
   */
  html(): string {
    this.live();
    return this.current;
  }

  /**
   * The text of the first element matching `selector` (of the whole view
   * without one), whitespace collapsed and trimmed. Throws E_TEST_NO_MATCH.
   *
   * @example
   * assert.equal(v.text("#count"), "3");
   */
  text(selector?: string): string {
    const node = selector === undefined ? this.root() : this.one(selector);
    return textOf(node).replace(/\s+/g, " ").trim();
  }

  /**
   * How many elements match `selector` (0 when none).
   *
   * @example
   * assert.equal(v.count("li.todo"), 2);
   */
  count(selector: string): number {
    return selectAll(this.root(), selector).length;
  }

  /**
   * Attribute `name` of the first element matching `selector`, or null when it has none. Throws E_TEST_NO_MATCH.
   *
   * @example
   * assert.equal(v.attr("#save", "disabled"), "");
   */
  attr(selector: string, name: string): string | null {
    return this.one(selector).attrs.get(name.toLowerCase()) ?? null;
  }

  /**
   * Clicks the first element matching `selector`: the closest element with
   * `weft-click` (itself or an ancestor) names the event, its `weft-value-*`
   * attributes are the payload — as in the browser. Throws E_TEST_NO_MATCH,
   * E_TEST_NO_BINDING (no `weft-click`, or a disabled control) or
   * E_UNKNOWN_EVENT (the template names a handler the view lacks).
   *
   * @example
   * await v.click("#inc");
   */
  async click(selector: string): Promise<void> {
    const { name, payload, target } = clickEvent(this.one(selector), selector);
    await this.send(name, payload, target);
  }

  /**
   * Submits the form matching `selector` (or the form of the submit button it
   * matches) with `fields` typed over the form's own values, as the browser
   * client serialises it; the form's `weft-submit` names the event. Throws
   * E_TEST_NO_MATCH, E_TEST_NO_BINDING, E_TEST_FIELD (a field no control is
   * named) or E_UNKNOWN_EVENT.
   *
   * @example
   * await v.submit("#signup", { email: "ann@example.com", terms: true });
   */
  async submit(selector: string, fields: Readonly<Record<string, FieldValue>> = {}): Promise<void> {
    const { name, payload, target } = submitEvent(this.one(selector), selector, fields);
    await this.send(name, payload, target);
  }

  /**
   * Changes the control matching `selector` to `value` (a `change` event): the
   * closest `weft-change` (on the control or its form) names the event; the
   * payload is the form's fields with `_target`, or `{ name, value }` outside
   * a form. Throws E_TEST_NO_MATCH, E_TEST_NO_BINDING, E_TEST_FIELD or E_UNKNOWN_EVENT.
   *
   * @example
   * await v.change("input[name=name]", "Ann");
   */
  async change(selector: string, value?: FieldValue): Promise<void> {
    const { name, payload, target } = controlEvent(this.one(selector), selector, ATTR.change, value);
    await this.send(name, payload, target);
  }

  /**
   * Types `value` into the control matching `selector` (an `input` event),
   * through the closest `weft-input`; as {@link MountedView.change} otherwise.
   * Debounce and throttle do not apply: each call sends one event.
   *
   * @example
   * await v.input("input[name=email]", "ann@example");
   */
  async input(selector: string, value?: FieldValue): Promise<void> {
    const { name, payload, target } = controlEvent(this.one(selector), selector, ATTR.input, value);
    await this.send(name, payload, target);
  }

  /**
   * Sets the control matching `selector` to `value` as a `weft-model` control
   * does (docs/client.md, forms): its field takes the value when the view's
   * `model` lists it. Throws E_TEST_NO_MATCH, E_TEST_NO_BINDING (no
   * `weft-model` on a control) or E_UNKNOWN_FIELD (the view does not list the
   * field); a value its schema refuses lands in {@link MountedView.errors} (E_INVALID).
   *
   * @example
   * await v.model("#title", "Milk");
   * await v.model("#done", true);
   */
  async model(selector: string, value: FieldValue): Promise<void> {
    const { name, payload, target } = modelEvent(this.one(selector), selector, value);
    await this.send(name, payload, target, true);
  }

  /**
   * Sends event `name` with `payload` as the browser would (JSON on the wire),
   * without going through the HTML. Throws E_UNKNOWN_EVENT for a name the
   * view has no handler for; refusals (E_INVALID, E_RATE_LIMIT) and failures
   * (E_HANDLER, E_RENDER) land in {@link MountedView.errors}. Resolves with
   * the handler's `ctx.reply(value)` (undefined without one), as a hook's
   * `pushEvent` does in the browser.
   *
   * @example
   * await v.event("set", { n: 5 });
   * const rolled = await v.event("roll"); // ctx.reply's value
   */
  async event(name: string, payload: Record<string, unknown> = {}, target?: string): Promise<Json | undefined> {
    return await this.send(name, payload, target);
  }

  /**
   * Live-patches the view to `url` (a path of its route, e.g.
   * "/todos?page=2"), as a `weft-patch` link or the back button would:
   * `handleParams(params, url, state, ctx)` runs and the view re-renders.
   * A URL with no view, or one `auth` refuses, lands in
   * {@link MountedView.errors} (E_UNKNOWN_VIEW, E_FORBIDDEN …); another
   * view's URL is answered with a navigation (in {@link MountedView.navigations}).
   *
   * @example
   * await v.patch("/todos?page=2");
   * assert.equal(v.url, "/todos?page=2");
   */
  async patch(url: string): Promise<void> {
    const s = this.live();
    s.patch(++this.ref, url);
    await this.bus.settle();
    this.answers.clear();
  }

  /** The page's current URL, path and query, as the session holds it (live patches change it). */
  get url(): string {
    return this.live().url;
  }

  /**
   * Delivers `info[name](state, payload, ctx)`, as a broadcast or a timer
   * would. Throws E_UNKNOWN_EVENT when the view has no such info handler.
   *
   * @example
   * await v.info("tick", { now: 1 });
   */
  async info(name: string, payload?: unknown): Promise<void> {
    const s = this.live();
    if (ownHandler(this.view.info, name) === undefined) {
      throw new WeftTestError("E_UNKNOWN_EVENT", `the view has no info handler "${name}"`);
    }
    s.info(name, payload === undefined ? undefined : wire(payload));
    await this.bus.settle();
  }

  /**
   * Advances the bus's clock by `ms`: timers from `ctx.schedule` fire in
   * order, each one's work done before the next. Resolves with how many fired.
   *
   * @example
   * assert.equal(await v.advance(3000), 3); // a view that ticks every second
   */
  advance(ms: number): Promise<number> {
    return this.bus.advance(ms);
  }

  /**
   * Ends the session: timers, subscriptions and presence stop, and the view's
   * `terminate` runs with `reason` (default "closed", as when the browser
   * leaves). Resolves once terminate has finished and what it broadcast has
   * been delivered on the bus; rejects with what terminate threw (a server
   * reports it to `onError`). Once: a second call does nothing.
   *
   * @example
   * await v.unmount();            // terminate("closed", state, ctx)
   * await v.unmount("shutdown");  // as at app.close()
   */
  async unmount(reason: TerminateReason = "closed"): Promise<void> {
    const session = this.session;
    this.session = undefined;
    this.leave?.();
    this.leave = undefined;
    if (session === undefined) return;
    // As the server ends a session (session.ts `end`), with failures kept to reject with.
    const { state, path, params, session: data } = session.snapshot();
    session.dispose();
    let failure: { err: unknown } | undefined;
    await runTerminate(this.view, { reason, state, path, params, session: data }, {
      pubsub: this.bus.pubsub, presence: this.bus.presence, onError: (err) => (failure ??= { err }),
    });
    await this.bus.settle();
    if (failure !== undefined) throw failure.err;
  }

  /** @internal */
  settle(ms: number): Promise<void> {
    return this.session?.settle(ms) ?? Promise.resolve();
  }

  /** @internal starts the live session and takes its first render */
  start(session: ViewSession): void {
    this.session = session;
    this.leave = this.bus.add(this);
    const sink: Sink = { send: (frame) => this.receive(JSON.parse(frame) as Envelope) };
    session.attach(sink, 1, undefined, "test");
  }

  /** @internal the error a handler or render threw, for the next error frame */
  noteCause(err: unknown): void {
    this.lastCause = err;
  }

  /** Sends an event as the browser would; resolves with its reply (`ctx.reply`, `y` on its answer). */
  private async send(name: string, payload: Record<string, unknown>, target?: string, model = false): Promise<Json | undefined> {
    const s = this.live();
    const d = wire(payload) as Record<string, unknown>;
    const bad = checkPayload(d, DEFAULTS.maxJsonDepth); // as the server checks an event with default options
    if (bad !== undefined) throw new WeftTestError("E_BAD_FRAME", bad);
    const ref = ++this.ref;
    s.event(ref, name, d, target, model);
    await this.bus.settle();
    const answer = this.answers.get(ref);
    this.answers.clear();
    if (answer?.t === S.error && answer.c === "E_UNKNOWN_FIELD") throw new WeftTestError("E_UNKNOWN_FIELD", answer.m ?? name);
    if (answer?.t === S.error && answer.c === "E_UNKNOWN_EVENT") {
      const owner = target === undefined ? "the view" : `the component "${target}"`;
      throw new WeftTestError("E_UNKNOWN_EVENT", `${owner} has no handler "${name}" (check the template's weft-* attribute or the event name)`);
    }
    return answer?.y as Json | undefined;
  }

  private receive(env: Envelope): void {
    this.frameCount++;
    if (env.h !== undefined) this.title = env.h;
    if (env.r !== undefined && kindOf(env) !== S.rendered) this.answers.set(env.r, env);
    switch (kindOf(env)) {
      case S.rendered: this.apply(env, () => env.d as RenderedTree, new Map()); break;
      // A component's own event sends its diff in `p` alone.
      case S.diff: this.apply(env, () => (env.d === undefined ? this.tree! : applyDiff(this.tree, env.d as TreeDiff)), this.parts); break;
      case S.push: this.pushes.push({ name: env.e!, payload: (env.d ?? null) as Json }); break;
      case S.announce: this.announcements.push(env.d as AnnouncePayload); break;
      case S.flash: this.flashes.push(env.d as FlashPayload); break;
      case S.nav: this.navigations.push(env.d as NavPayload); break;
      case S.error: this.recordError(env); break;
      default: break;
    }
  }

  private recordError(env: Envelope): void {
    const code = typeof env.c === "string" && isErrorCode(env.c) ? env.c : "E_INTERNAL";
    const e: { code: ErrorCode; message: string; ref?: number; cause?: unknown } = { code, message: env.m ?? "" };
    if (env.r !== undefined) e.ref = env.r;
    if (this.lastCause !== undefined) e.cause = this.lastCause;
    this.lastCause = undefined;
    this.errors.push(e);
  }

  /** Merges the frame's statics and takes its tree; a frame that does not apply is a Weft bug, recorded as E_CLIENT_PATCH. */
  private apply(env: Envelope, next: () => RenderedTree, parts: Map<string, RenderedTree>): void {
    try {
      for (const [id, strings] of Object.entries(env.s ?? {})) this.statics.set(Number(id), strings);
      const tree = next();
      applyParts(parts, env.p);
      // A full render empties the stream containers; its ops fill them again (docs/streams.md).
      if (kindOf(env) === S.rendered) this.streams.clear();
      this.streams.apply(env.o);
      this.current = this.streams.fill(toHtml(tree, (id) => this.statics.get(id), (id) => parts.get(id)));
      this.tree = tree;
      this.parts = parts;
      this.parsed = undefined;
    } catch (err) {
      this.errors.push({ code: "E_CLIENT_PATCH", message: String(err), cause: err });
    }
  }

  private live(): ViewSession {
    if (this.session === undefined) throw new WeftTestError("E_TEST_NOT_MOUNTED", `${this.label}${this.navigations.length > 0 ? ` redirected to ${this.navigations[0]!.to}` : ""}`);
    return this.session;
  }

  private root(): TestElement {
    this.live();
    return (this.parsed ??= parseHtml(this.current));
  }

  private one(selector: string): TestElement {
    const el = selectAll(this.root(), selector)[0];
    if (el === undefined) throw new WeftTestError("E_TEST_NO_MATCH", `nothing matches "${selector}" in ${this.label}: ${clip(this.current)}`);
    return el;
  }
}

/** The value as it arrives after JSON on the wire (dates become strings, undefined keys vanish). */
function wire(value: unknown): unknown {
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

function clip(s: string): string {
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
}
