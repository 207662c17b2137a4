/**
 * Client hooks: `weft-hook="Name"` on an element inside a view root runs
 * `window.Weft.hooks.Name`'s callbacks with a per-element instance as `this`
 * — `mounted`, `beforeUpdate`/`updated` around a patch that changes the
 * element, `destroyed`, `disconnected`/`reconnected` with the view's link.
 *
 * One sweep ({@link sync}) does the bookkeeping: it destroys instances whose
 * element left the page (or whose view died), calls `updated` after a patch
 * that changed the element, and mounts the hook elements of a joined view that
 * have none. The view sweeps after every message it applied (a morph, stream
 * ops: they insert HTML outside the morph), and when its link goes down or its
 * join is answered — which covers the page's first join and a live
 * navigation's new view. `beforeUpdate` comes from the morph ({@link morphExts}).
 *
 * Invariants: at most one instance per element; a callback that throws is
 * reported (`weft:error`, E_CLIENT_PATCH) and nothing else stops; a name with
 * no hook is looked up again at the next sweep (a hook may be registered after
 * the client loaded; a dev page warns once, dev-warnings.ts).
 */
import { ATTR } from "../protocol/messages.ts";
import { targetOf } from "./bindings.ts";
import { EVENT_PREFIX, reportError } from "./dom-events.ts";
import { morphExts } from "./dom-patch.ts";
import { fail } from "./replies.ts";
import type { View } from "./view.ts";

/**
 * `this` in a hook's callbacks: one per hooked element, made from the hook
 * (its own fields and methods are reachable through `this`).
 *
 * @example
 * Weft.hooks.Chart = { mounted() { this.handleEvent("points", (p) => draw(this.el, p)); } };
 */
export interface HookInstance {
  /** The element carrying `weft-hook`. */
  readonly el: HTMLElement;
  /**
   * Sends event `name` to the view (or to the component the element is in, as
   * bindings do). Resolves with the handler's `ctx.reply(value)` (undefined
   * without one); rejects with an Error whose `code` is the error code (E_HANDLER,
   * E_UNKNOWN_EVENT, E_TOO_LARGE; E_BAD_FRAME for a payload JSON cannot carry;
   * on a dead view its down code or E_NOT_JOINED …). Resolves or rejects once,
   * across reconnects.
   *
   * @example
   * const n = await this.pushEvent("roll", { sides: 6 });
   */
  pushEvent(name: string, payload?: Record<string, unknown>): Promise<unknown>;
  /**
   * Calls `fn` with the payload of every `ctx.pushEvent(name, payload)` of the
   * view (its components' too; not a child view's), until the instance is destroyed.
   *
   * @example
   * this.handleEvent("points", (points) => draw(this.el, points));
   */
  handleEvent(name: string, fn: (payload: unknown) => void): void;
}

/**
 * A hook: the callbacks Weft calls (all optional; `this` is the {@link HookInstance}).
 *
 * @example
 * (window as any).Weft.hooks.Clock = { mounted() { this.el.textContent = new Date().toTimeString(); } };
 */
export interface Hook {
  /** The element is on the page and its view has joined. */
  mounted?(this: HookInstance): void;
  /** A patch is about to change the element (its attributes, or its children unless `weft-ignore`). */
  beforeUpdate?(this: HookInstance): void;
  /** That patch is done. */
  updated?(this: HookInstance): void;
  /** The element left the page, or its view left or died. */
  destroyed?(this: HookInstance): void;
  /** The view's link went down. */
  disconnected?(this: HookInstance): void;
  /** The view joined again after {@link Hook.disconnected}. */
  reconnected?(this: HookInstance): void;
}

/**
 * `window.Weft` (not `window.weft`, the transport info): made by the client
 * when the page has none, kept when the page set it before the client loaded.
 *
 * @example
 * window.Weft = { hooks: { Chart } }; // before the client script, or:
 * Weft.hooks.Chart = Chart;           // after it
 */
export interface WeftPage {
  /** The hooks by name (`weft-hook="Name"`), looked up when an element mounts. */
  hooks: Record<string, Hook>;
}

/** One mounted element: its instance, view, hook name, link state, pending update, and what ends its listeners. */
interface Rec {
  i: HookInstance;
  v: View;
  n: string;
  u: boolean;
  p?: boolean;
  l: AbortController;
}

const HOOK = ATTR.hook;
const recs = new Map<Element, Rec>();
let on = false;

const page = globalThis as { Weft?: Partial<WeftPage> };

/**
 * Makes `window.Weft` (keeps the page's) with a `hooks` registry, and hooks the
 * morph. Runs when the client script runs, so a page script after it can register.
 *
 * @example
 * installHooks();
 */
export function installHooks(): void {
  on = true;
  const w = page.Weft || (page.Weft = {});
  w.hooks || (w.hooks = {});
  morphExts.push({
    updating(from, to) {
      const r = recs.get(from);
      if (r && !same(from, to)) {
        r.p = true;
        call(r, "beforeUpdate");
      }
    },
  });
}

/**
 * The sweep: destroys instances whose element left the page, lost its hook or
 * whose view died; tells the others a patch updated them, and with `up`
 * that `v`'s link changed; mounts the unmounted hook elements of `v` while it
 * is joined.
 *
 * @example
 * sync(view, true); // the view's join was answered
 */
export function sync(v: View, up?: boolean): void {
  if (!on) return;
  for (const [el, r] of recs) {
    if (!el.isConnected || r.v.isDead || el.getAttribute(HOOK) !== r.n) {
      recs.delete(el);
      r.l.abort(); // its handleEvent listeners
      call(r, "destroyed");
      continue;
    }
    if (r.p) call(r, "updated", (r.p = false));
    // A link change of `v` (`up` given, and not what the instance last heard).
    if (r.v === v && up === !r.u) call(r, (r.u = up) ? "reconnected" : "disconnected");
  }
  if (!v.isJoined) return;
  for (const el of v.root.querySelectorAll(`[${HOOK}]`)) {
    if (!recs.has(el) && el.closest(`[${ATTR.view}]`) === v.root) mount(el as HTMLElement, v);
  }
}

function mount(el: HTMLElement, v: View): void {
  const n = el.getAttribute(HOOK)!;
  const all = page.Weft?.hooks;
  // A name such as "constructor" or "__proto__" finds nothing (not Object.prototype's).
  const def: unknown = n in {} ? 0 : all?.[n];
  // None (yet): looked up again at the next sweep; a dev page warns (dev-warnings.ts).
  if (Object(def) !== def) return;
  const r = { v, n, u: true, l: new AbortController() } as unknown as Rec;
  r.i = Object.assign(Object.create(def as object) as HookInstance, {
    el,
    pushEvent: (name: string, payload?: Record<string, unknown>) => new Promise((ok, no) => {
      const ref = v.push(name, payload ?? {}, [], targetOf(el, v.root));
      // A string: refused before sending (too large, not JSON, the view down or dead), with that code.
      typeof ref == "string" ? no(fail(ref)) : v.replies.set(ref, [ok, no]);
    }),
    handleEvent: (name: string, fn: (payload: unknown) => void) => {
      // Only the view's own pushes: a child view's bubble up through this root from its own.
      const f = (e: Event) => e.target == v.root && run(r, name, () => fn((e as CustomEvent).detail));
      v.root.addEventListener(EVENT_PREFIX + name, f, r.l); // its `signal` ends it
    },
  });
  recs.set(el, r);
  call(r, "mounted");
}

/** Calls callback `f` of `r`'s instance (`_`: room for an assignment made on the way). */
function call(r: Rec, f: keyof Hook, _?: unknown): void {
  run(r, f, () => (r.i as Hook)[f]?.call(r.i));
}

function run(r: Rec, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    reportError(r.v.root, "E_CLIENT_PATCH", `${r.n}.${what}: ${err}`, undefined, r.v.id);
  }
}

/** Whether the server's `to` leaves `from` as it is (a `weft-ignore` element: its attributes). */
function same(from: Element, to: Element): boolean {
  return from.hasAttribute(ATTR.ignore) ? from.cloneNode(false).isEqualNode(to.cloneNode(false)) : from.isEqualNode(to);
}
