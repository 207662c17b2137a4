/**
 * JS commands in the browser: runs a command list (JSON `[[name, args], …]`,
 * built on the server by `JS`, src/server/js-commands.ts) that a binding
 * attribute carries instead of an event name. Only `push` reaches the server.
 *
 * Invariants: nothing is evaluated (JSON.parse and a fixed table of DOM
 * operations); a list that is not valid as a whole runs no command; what a
 * command changes on an element is recorded (a WeakMap, so a removed element
 * takes its record with it) and re-applied to the server's version of that
 * element at every patch ("sticky", as in Phoenix LiveView).
 */
import type { EventSink, Payload } from "./bindings.ts";
import { reportError } from "./dom-events.ts";
import { morphExts } from "./dom-patch.ts";

/** Sends a server event from a `push` command (value merged over the binding's payload). */
type Push = (event: string, value: Payload, target?: string) => void;
type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON, checked where used
type Op = (e: HTMLElement) => void;

/** Per element, what commands did to it, by key (`d` display, `c`+class, `a`+attribute), to re-apply after a patch. */
const sticky = new WeakMap<Element, Map<string, Op>>();
/** Bad lists already reported (their first 99 characters), at most 50: each is reported once. */
const warned = new Set<string>();

/** Runs `f` on `t` and records it under `k` for later patches. */
const rec = (t: HTMLElement, k: string, f: Op): void => {
  f(t);
  sticky.get(t)?.set(k, f) ?? sticky.set(t, new Map([[k, f]]));
};

type Cmd = (t: HTMLElement, a: Args, p: Push) => void;

/** Adds (`on` true), removes (false) or toggles (undefined) each class of `a.names` (single spaces between them). */
const cls =
  (on?: boolean): Cmd =>
  (t, a) =>
    a.names.split(" ").forEach((n: string) => {
      const v = on ?? !t.classList.contains(n);
      rec(t, "c" + n, (e) => e.classList.toggle(n, v));
    });

/**
 * Shows (`on` true: `style.display` = `a.display` or "block", which also beats
 * the `hidden` attribute), hides (false: "none") or toggles (undefined, by the computed display).
 */
const shown =
  (on?: boolean): Cmd =>
  (t, a) => {
    const d = on ?? getComputedStyle(t).display == "none" ? a.display ?? "block" : "none";
    rec(t, "d", (e) => (e.style.display = d));
  };

/** The commands: each runs on one target element. Own properties only (see {@link exec}). */
const C: Record<string, Cmd> = {
  show: shown(true),
  hide: shown(false),
  toggle: shown(),
  addClass: cls(true),
  removeClass: cls(false),
  toggleClass: cls(),
  setAttribute: (t, { name: n, value: v }) => {
    // Never script: no event handler (on*), no srcdoc, and in a URL attribute (JS_URL_ATTRIBUTES of
    // src/server/js-commands.ts, the same list) no javascript:, data: or vbscript: URL, its scheme read with the
    // controls and spaces a browser skips removed. Any other value is text ("Export data: CSV" in a title).
    // "=" ends the name: setAttribute refuses a name with one. A value that is not a string has no `replace`: refused.
    if (/^(on|srcdoc=|(href|src|action|formaction|xlink:href|poster|data)=(javascript|data|vbscript):)/i.test(n + "=" + v.replace(/[\0- ]/g, ""))) throw n;
    rec(t, "a" + n, (e) => e.setAttribute(n, v));
  },
  removeAttribute: (t, { name: n }) => rec(t, "a" + n, (e) => e.removeAttribute(n)),
  transition: (t, a, p) => {
    C["addClass"]!(t, a, p);
    // Then gone, record and all: a later patch neither keeps nor removes them.
    setTimeout(() => a.names.split(" ").forEach((n: string) => (t.classList.remove(n), sticky.get(t)?.delete("c" + n))), a.time ?? 200);
  },
  // CustomEventInit reads `detail` and `bubbles` from the args.
  dispatch: (t, a) => t.dispatchEvent(new CustomEvent(a.event, { bubbles: true, ...a })),
  focus: (t) => t.focus(),
  // The first descendant that takes focus (hidden, disabled and tabindex=-1 ones do not).
  focusFirst: (t) => {
    for (const c of t.querySelectorAll<HTMLElement>("*")) if (c.tabIndex >= 0 && (c.focus(), document.activeElement == c)) break;
  },
  // A name that is not a string reaches the server, which refuses it. No `p` (Weft.js without one): nothing to send.
  push: (_, a, p) => p?.(a.event, a.value, a.target),
};

/** Reports a bad list once: a `weft:error` E_CLIENT_JS (which a dev page also warns of, dev-warnings.ts). */
const bad = (el: Element, v: string): void => {
  v = v.slice(0, 99);
  if (warned.has(v) || warned.size > 49) return;
  warned.add(v);
  reportError(el, "E_CLIENT_JS", v);
};

/**
 * Runs command list `json` for element `el`. A list that is not JSON, not an
 * array of at most 64 `[name, object]` pairs, or names an unknown command runs
 * nothing; a command that fails (a selector that does not parse, a refused
 * attribute) is skipped. Both are reported once per list.
 *
 * @example
 * exec(button, '[["show",{"to":"#modal"}]]', (e, v) => view.push(e, v, [button]));
 */
export function exec(el: Element, json: string, push?: Push): void {
  let l: [string, Args][];
  try {
    // Not an array (null, a number, an object) throws here too: it has no `every`.
    l = JSON.parse(json);
    if (!(l.length < 65 && l.every((c) => c instanceof Array && Object.keys(C).includes(c[0]) && c[1] instanceof Object))) throw 0;
  } catch {
    return bad(el, json);
  }
  for (const [n, a] of l) {
    try {
      // push runs once; the others on every match of `to`, or on the bound element.
      for (const t of n != "push" && a.to ? document.querySelectorAll(a.to) : [el]) C[n]!(t as HTMLElement, a, push!);
    } catch {
      bad(el, json);
    }
  }
}

/**
 * An event sink for a binding whose value is a command list: running it, its
 * `push` commands reach `view` with the binding's payload, elements and target.
 *
 * @example
 * const sink = name[0] == "[" ? commandSink(el, name, view) : view;
 */
export const commandSink = (el: Element, json: string, view: EventSink): EventSink => ({
  push: (_, p, els, g) => exec(el, json, (e, v, t) => view.push(e, { ...p, ...v }, els, t ?? g)),
});

// Patches re-apply what commands changed to the server's version of each element.
morphExts.push({ updating: (f, t) => sticky.get(f)?.forEach((op) => op(t as HTMLElement)) });

// `Weft.js(el, json, push?)` runs a list from page code (hooks): `push(event, value, target)` sends its push commands.
((globalThis as { Weft?: Record<string, unknown> }).Weft ??= {}).js = exec;
