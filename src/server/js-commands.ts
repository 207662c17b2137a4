/**
 * JS commands: client-side DOM changes described as data (Phoenix LiveView's
 * `JS`). A command list is JSON — an array of `[name, args]` pairs — that a
 * binding attribute carries instead of an event name
 * (`weft-click='[["show",{"to":"#m"}]]'`); the browser client runs it with no
 * round trip (src/client/js-commands.ts), and only its `push` commands reach
 * the server, as events. No command evaluates code: a strict CSP keeps working.
 *
 * Invariant: a {@link JsCommands} is immutable; every builder call returns a
 * new list, so a shared `const open = JS.show("#m")` can be extended anywhere.
 */
import { sanitizeUrl } from "./template/escape.ts";
import type { Json } from "./view.ts";

/**
 * One command on the wire: its name and its arguments (always an object).
 *
 * @example
 * const c: JsCommand = ["show", { to: "#modal" }];
 */
export type JsCommand = readonly [name: string, args: Readonly<Record<string, Json>>];

/**
 * Where a command acts: a CSS selector (every match in the document), given as
 * the string itself or as `{ to }`. Absent: the element that carries the binding.
 *
 * @example
 * JS.hide("#modal");            // same as JS.hide({ to: "#modal" })
 */
export type JsTarget = string | { to?: string };

/**
 * Options of {@link JsCommands.show} and {@link JsCommands.toggle}.
 *
 * @example
 * JS.show({ to: "#menu", display: "flex" });
 */
export interface JsShowOptions {
  /** CSS selector of the elements to show; default: the bound element. */
  to?: string;
  /** The CSS `display` to show with; default `"block"`. */
  display?: string;
}

/**
 * Options of {@link JsCommands.transition}.
 *
 * @example
 * JS.transition("fade-in", { to: "#toast", time: 300 });
 */
export interface JsTransitionOptions {
  /** CSS selector; default: the bound element. */
  to?: string;
  /** How long the classes stay, in ms (0–60000); default 200. */
  time?: number;
}

/**
 * Options of {@link JsCommands.dispatch}.
 *
 * @example
 * JS.dispatch("copy", { to: "#code", detail: { from: "toolbar" } });
 */
export interface JsDispatchOptions {
  /** CSS selector; default: the bound element. */
  to?: string;
  /** The CustomEvent's `detail` (JSON). */
  detail?: Json;
  /** Whether the event bubbles; default true. */
  bubbles?: boolean;
}

/**
 * Options of {@link JsCommands.push}.
 *
 * @example
 * JS.push("select", { value: { id: 7 }, target: "card-1" });
 */
export interface JsPushOptions {
  /** Fields merged over the binding's own payload (form fields, `weft-value-*`). */
  value?: { [key: string]: Json };
  /** The component id whose handler runs (as `weft-target`); default: as for the binding. */
  target?: string;
}

/**
 * How many commands one list may hold; the client refuses longer lists.
 *
 * @example
 * if (list.commands.length === MAX_JS_COMMANDS) console.warn("full");
 */
export const MAX_JS_COMMANDS = 64;

/**
 * The attributes whose value {@link JsCommands.setAttribute} treats as a URL
 * (lower case). The browser client refuses a `javascript:`, `data:` or
 * `vbscript:` URL in exactly these (src/client/js-commands.ts holds the same
 * list; a unit test keeps them equal); in any other attribute a value is text.
 * Every name is also a URL attribute of templates (`URL_ATTRIBUTES`).
 *
 * @example
 * JS_URL_ATTRIBUTES.includes("href"); // true
 */
export const JS_URL_ATTRIBUTES: readonly string[] = ["href", "src", "action", "formaction", "xlink:href", "poster", "data"];

/**
 * An immutable list of JS commands. Start from {@link JS}; each method returns
 * a new list with one more command. In an `html` template it renders as its
 * JSON (escaped like any attribute value); `String(list)` is the same JSON.
 *
 * @example
 * const open = JS.show("#modal").focusFirst("#modal").push("opened");
 * html`<button weft-click=${open}>Open</button>`;
 */
export class JsCommands {
  /** @internal */
  constructor(
    /** The commands, in order. */
    readonly commands: readonly JsCommand[],
  ) {}

  /**
   * Shows the targets: removes `hidden` and sets `style.display` (default `"block"`).
   *
   * @example
   * JS.show("#modal");
   */
  show(target?: string | JsShowOptions): JsCommands {
    return this.add("show", shown(target));
  }

  /**
   * Hides the targets (`style.display = "none"`).
   *
   * @example
   * JS.hide("#modal");
   */
  hide(target?: JsTarget): JsCommands {
    return this.add("hide", to(opts(target)));
  }

  /**
   * Shows each target that is hidden (computed `display: none`), hides the others.
   *
   * @example
   * JS.toggle({ to: "#menu", display: "flex" });
   */
  toggle(target?: string | JsShowOptions): JsCommands {
    return this.add("toggle", shown(target));
  }

  /**
   * Adds classes (space-separated) to the targets.
   *
   * @example
   * JS.addClass("open active", { to: "#panel" });
   */
  addClass(names: string, target?: JsTarget): JsCommands {
    return this.add("addClass", { names: classes(names), ...to(opts(target)) });
  }

  /**
   * Removes classes (space-separated) from the targets.
   *
   * @example
   * JS.removeClass("open", "#panel");
   */
  removeClass(names: string, target?: JsTarget): JsCommands {
    return this.add("removeClass", { names: classes(names), ...to(opts(target)) });
  }

  /**
   * Toggles classes (space-separated) on each target.
   *
   * @example
   * JS.toggleClass("open", "#panel");
   */
  toggleClass(names: string, target?: JsTarget): JsCommands {
    return this.add("toggleClass", { names: classes(names), ...to(opts(target)) });
  }

  /**
   * Sets an attribute on the targets. Event-handler attributes (`on*`) and
   * `srcdoc` are refused (TypeError); in a URL attribute ({@link JS_URL_ATTRIBUTES})
   * an unsafe URL (`javascript:`…) becomes `about:invalid#weft-unsafe-url`, as
   * in templates. Any other value is text, whatever it holds.
   *
   * @example
   * JS.setAttribute("aria-expanded", "true", "#menu-button");
   * JS.setAttribute("title", "Transcript: 3", "#notes");
   */
  setAttribute(name: string, value: string, target?: JsTarget): JsCommands {
    const n = attrName(name);
    const v = str(value, "value");
    return this.add("setAttribute", { name: n, value: JS_URL_ATTRIBUTES.includes(n.toLowerCase()) ? sanitizeUrl(v) : v, ...to(opts(target)) });
  }

  /**
   * Removes an attribute from the targets.
   *
   * @example
   * JS.removeAttribute("disabled", "#send");
   */
  removeAttribute(name: string, target?: JsTarget): JsCommands {
    return this.add("removeAttribute", { name: str(name, "name"), ...to(opts(target)) });
  }

  /**
   * Adds classes (space-separated) for `time` ms (default 200), then removes
   * them; the rest of the list does not wait.
   *
   * @example
   * JS.transition("shake", { to: "#login", time: 400 });
   */
  transition(names: string, options: JsTransitionOptions = {}): JsCommands {
    const { time } = options;
    if (time !== undefined && !(Number.isFinite(time) && time >= 0 && time <= 60_000)) {
      throw new TypeError(`Weft: JS.transition's time must be a number of ms from 0 to 60000; got ${String(time)}`);
    }
    return this.add("transition", { names: classes(names), ...to(options), ...(time === undefined ? {} : { time }) });
  }

  /**
   * Dispatches a DOM `CustomEvent` named `event` on the targets (bubbling unless `bubbles: false`).
   *
   * @example
   * JS.dispatch("weft-demo:copied", { detail: { id: 3 } });
   */
  dispatch(event: string, options: JsDispatchOptions = {}): JsCommands {
    const args: Record<string, Json> = { event: nonEmpty(event, "event"), ...to(options) };
    if (options.detail !== undefined) args["detail"] = jsonValue(options.detail, "detail");
    if (options.bubbles === false) args["bubbles"] = false;
    return this.add("dispatch", args);
  }

  /**
   * Focuses the (first) target.
   *
   * @example
   * JS.focus("#search");
   */
  focus(target?: JsTarget): JsCommands {
    return this.add("focus", to(opts(target)));
  }

  /**
   * Focuses the first focusable element inside the (first) target.
   *
   * @example
   * JS.show("#dialog").focusFirst("#dialog");
   */
  focusFirst(target?: JsTarget): JsCommands {
    return this.add("focusFirst", to(opts(target)));
  }

  /**
   * Sends event `event` to the server as the binding itself would (its payload,
   * loading class, exactly-once delivery, component target), with `value`
   * merged over the payload.
   *
   * @example
   * JS.hide("#modal").push("closed", { value: { reason: "cancel" } });
   */
  push(event: string, options: JsPushOptions = {}): JsCommands {
    const args: Record<string, Json> = { event: nonEmpty(event, "event") };
    if (options.value !== undefined) {
      const v = options.value;
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new TypeError("Weft: JS.push's value must be an object of JSON values");
      args["value"] = jsonValue(v, "value");
    }
    if (options.target !== undefined) args["target"] = str(options.target, "target");
    return this.add("push", args);
  }

  /**
   * The list as JSON, with `<`, `>`, `&` and `'` as `\u` escapes so that it
   * cannot end a `<script>` or a single-quoted attribute even outside a template.
   *
   * @example
   * String(JS.hide("#m")); // '[["hide",{"to":"#m"}]]'
   */
  toString(): string {
    return JSON.stringify(this.commands).replace(/[<>&'\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }

  /**
   * The commands, for `JSON.stringify` (and `json()` in a `<script>`).
   *
   * @example
   * JSON.stringify({ open: JS.show("#m") }); // '{"open":[["show",{"to":"#m"}]]}'
   */
  toJSON(): readonly JsCommand[] {
    return this.commands;
  }

  private add(name: string, args: Record<string, Json>): JsCommands {
    if (this.commands.length >= MAX_JS_COMMANDS) throw new TypeError(`Weft: a JS command list holds at most ${MAX_JS_COMMANDS} commands`);
    return new JsCommands([...this.commands, [name, args]]);
  }
}

/**
 * The empty command list, where every chain starts.
 *
 * @example
 * html`<button weft-click=${JS.toggleClass("open", "#panel")}>Menu</button>`
 */
export const JS: JsCommands = new JsCommands([]);

/** A target given as a selector string or as options, as options. */
function opts(target: string | JsShowOptions | undefined): JsShowOptions {
  if (target === undefined) return {};
  if (typeof target === "string") return { to: target };
  if (target === null || typeof target !== "object") throw new TypeError("Weft: a JS command's target must be a CSS selector string or an options object");
  return target;
}

/** The args of show and toggle: the target and, when given, the display value. */
function shown(target: string | JsShowOptions | undefined): Record<string, string> {
  const o = opts(target);
  return o.display === undefined ? to(o) : { ...to(o), display: str(o.display, "display") };
}

function to(o: { to?: string }): Record<string, string> {
  return o.to === undefined ? {} : { to: nonEmpty(o.to, "to") };
}

function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new TypeError(`Weft: a JS command's ${what} must be a string; got ${typeof v}`);
  return v;
}

/** Class names separated by single spaces (the client splits on one space), at least one. */
function classes(v: unknown): string {
  const names = str(v, "names").trim().split(/\s+/).join(" ");
  if (names === "") throw new TypeError("Weft: a JS command's names must hold at least one class name");
  return names;
}

function nonEmpty(v: unknown, what: string): string {
  if (str(v, what) === "") throw new TypeError(`Weft: a JS command's ${what} must not be empty`);
  return v as string;
}

/** Attribute names as HTML allows them, never an event handler or srcdoc (the client refuses those too). */
function attrName(name: unknown): string {
  const n = nonEmpty(name, "attribute name");
  if (!/^[A-Za-z_:][-A-Za-z0-9_:.]*$/.test(n)) throw new TypeError(`Weft: JS.setAttribute needs an attribute name; got ${JSON.stringify(n.slice(0, 40))}`);
  if (/^on|^srcdoc$/i.test(n)) throw new TypeError(`Weft: JS.setAttribute refuses event-handler attributes and srcdoc; got ${JSON.stringify(n)}`);
  return n;
}

/** A JSON copy of `v`: refuses what JSON cannot hold (undefined, functions, bigints, cycles). */
function jsonValue(v: unknown, what: string): Json {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = undefined;
  }
  if (typeof text !== "string") throw new TypeError(`Weft: a JS command's ${what} must be a JSON value`);
  return JSON.parse(text) as Json;
}
