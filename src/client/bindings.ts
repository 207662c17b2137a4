/**
 * `weft-*` event bindings, by delegation: one listener per DOM event type on the
 * document, so elements added by patches need no wiring. For each DOM event the
 * closest element carrying the binding attribute names the server event, and
 * the view root around that element says which view gets it.
 */
import { ATTR } from "../protocol/messages.ts";
import { guard } from "./dom-events.ts";
import { isControl, noteSubmitted, noteTyped } from "./dom-patch.ts";
import { commandSink } from "./js-commands.ts";

/**
 * An event payload: form fields, `weft-value-*` parameters, key, value.
 *
 * @example
 * const p: Payload = { title: "x", _target: "title" };
 */
export type Payload = Record<string, unknown>;

/**
 * Where bindings deliver events (a view).
 *
 * @example
 * const sink: EventSink = { push: (name, payload, els) => view.push(name, payload, els) };
 */
export interface EventSink {
  /**
   * Sends event `name` (to component `target`, if any); `els` show the loading
   * state until it is acknowledged. `b`: a `weft-model` update of field `name`.
   */
  push(name: string, payload: Payload, els: readonly Element[], target?: string, b?: 1): void;
}

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

interface Hit {
  el: Element;
  view: EventSink;
  name: string;
  /** The component the event goes to; undefined: the view. */
  target: string | undefined;
  /** A `weft-model` update: `name` is the field. */
  b?: 1;
}

/** A debounce or throttle in progress for one element and one kind of event. */
interface Limiter {
  el: Element;
  timer?: ReturnType<typeof setTimeout> | undefined;
  /** The event to send when the wait ends (the latest one wins). */
  fire?: (() => void) | undefined;
}

/**
 * Installs the delegated listeners on `doc`. `lookup` maps a view root to its view.
 *
 * @example
 * bind(document, (root) => socket.viewOf(root));
 */
export function bind(doc: Document, lookup: (root: Element) => EventSink | undefined): void {
  const limiters = new WeakMap<Element, Record<string, Limiter>>();
  const pending = new Set<Limiter>();

  const on = (type: string, fn: (e: Event) => void): void => doc.addEventListener(type, guard(fn));

  const find = (e: Event, attr: string): Hit | undefined => {
    const el = e.target instanceof Element ? e.target.closest(`[${attr}]`) : null;
    const root = el?.closest(`[${ATTR.view}]`);
    const view = root ? lookup(root) : undefined;
    const name = el?.getAttribute(attr);
    // A value starting with "[" is a JS command list (js-commands.ts), not an event name.
    return el && root && view && name ? { el, view: name[0] == "[" ? commandSink(el, name, view) : view, name, target: targetOf(el, root) } : undefined;
  };

  const flush = (lim: Limiter): void => {
    clearTimeout(lim.timer);
    pending.delete(lim);
    const fire = lim.fire;
    lim.timer = lim.fire = undefined;
    fire?.();
  };

  /**
   * Sends now, or per `weft-debounce` / `weft-throttle` read from the control
   * first (it may sit in a form that carries the binding), then the bound element.
   */
  const limit = (control: Element, hit: Hit, kind: string, payload: () => Payload): void => {
    // weft-confirm: asked when the event would go; cancelled, nothing is sent (and nothing shows loading).
    const send = guard(() => confirmed(hit.el) && hit.view.push(hit.name, values(hit.el, payload()), [hit.el], hit.target, hit.b));
    const debounce = control.getAttribute(ATTR.debounce) ?? hit.el.getAttribute(ATTR.debounce);
    const throttle = control.getAttribute(ATTR.throttle) ?? hit.el.getAttribute(ATTR.throttle);
    if (debounce === null && throttle === null) return send();
    const all = limiters.get(control) ?? {};
    limiters.set(control, all);
    const lim = (all[kind] ??= { el: control });
    pending.add(lim);
    if (debounce !== null) {
      clearTimeout(lim.timer);
      lim.fire = send;
      // "blur": no timer; the focusout handler flushes it.
      if (debounce !== "blur") lim.timer = setTimeout(() => flush(lim), Number(debounce) || 0);
      return;
    }
    if (lim.timer !== undefined) {
      lim.fire = send; // inside the window: keep the latest as the trailing event
      return;
    }
    send();
    const ms = Number(throttle) || 0;
    const end = (): void => {
      const trailing = lim.fire;
      lim.fire = undefined;
      if (trailing === undefined) {
        lim.timer = undefined;
        pending.delete(lim);
        return;
      }
      trailing();
      lim.timer = setTimeout(end, ms);
    };
    lim.timer = setTimeout(end, ms);
  };

  on("click", (e) => {
    const hit = find(e, ATTR.click);
    if (hit) limit(hit.el, hit, "click", obj);
  });

  on("submit", (e) => {
    const hit = find(e, ATTR.submit);
    const form = hit?.el;
    if (!hit || !(form instanceof HTMLFormElement)) return;
    e.preventDefault();
    if (!confirmed(form)) return;
    // Debounced changes inside the form go first, so the server sees them before the submit.
    for (const lim of pending) if (form.contains(lim.el)) flush(lim);
    const payload = values(form, serializeForm(form, (e as SubmitEvent).submitter));
    noteSubmitted(form);
    hit.view.push(hit.name, payload, [form, ...Array.from(form.querySelectorAll(`[${ATTR.disableWith}]`))], hit.target);
  });

  for (const [type, attr] of [["input", ATTR.input], ["change", ATTR.change]] as const) {
    on(type, (e) => {
      const control = e.target;
      if (!isControl(control)) return;
      noteTyped(control);
      const hit = find(e, attr);
      if (hit) limit(control, hit, type, () => controlPayload(control));
      // weft-model: a box, a radio or a select on change, any other control on input.
      const m = find(e, ATTR.model);
      if (m?.el == control && (type == "change") == /^(checkbox|radio|select)/.test(control.type)) {
        m.b = 1;
        limit(control, m, "m", () => ({ value: modelValue(control) }));
      }
    });
  }

  for (const [type, attr] of [["keydown", ATTR.keydown], ["keyup", ATTR.keyup]] as const) {
    on(type, (e) => {
      const hit = find(e, attr);
      const key = (e as KeyboardEvent).key;
      // Autofill fires keydown events without a key.
      if (!hit || typeof key !== "string") return;
      const want = hit.el.getAttribute(ATTR.key);
      if (want !== null && want.toLowerCase() !== key.toLowerCase()) return;
      const target = e.target as Element;
      limit(target, hit, type, () => withValue({ key }, target));
    });
  }

  for (const [type, attr] of [["focusin", ATTR.focus], ["focusout", ATTR.blur]] as const) {
    on(type, (e) => {
      const target = e.target as Element;
      if (type === "focusout") for (const lim of pending) if (lim.el === target) flush(lim);
      const hit = find(e, attr);
      const related = (e as FocusEvent).relatedTarget;
      // Focus moving inside the bound element is neither a focus nor a blur of it.
      if (!hit || (related instanceof Node && hit.el.contains(related))) return;
      limit(target, hit, type, () => withValue(obj(), target));
    });
  }
}

/**
 * The component an event of `el` goes to: its `weft-target` ("" for the
 * view), else the closest component root (`weft-component`) inside the view.
 *
 * @example
 * targetOf(button, root); // "card-1", or undefined for the view
 */
export function targetOf(el: Element, root: Element): string | undefined {
  const own = el.getAttribute(ATTR.target);
  if (own !== null) return own === "" ? undefined : own;
  const host = el.closest(`[${ATTR.component}]`);
  return host !== null && root.contains(host) ? (host.getAttribute(ATTR.component) ?? undefined) : undefined;
}

/** True unless the element's `weft-confirm` question was dismissed. */
function confirmed(el: Element): boolean {
  const q = el.getAttribute(ATTR.confirm);
  return q === null || confirm(q);
}

/** A `weft-model` control's value: a box's checked flag, a multiple select's values, else the value. */
function modelValue(c: Control): unknown {
  return c.type == "checkbox" ? (c as HTMLInputElement).checked : c.type == "select-multiple" ? Array.from((c as HTMLSelectElement).selectedOptions, (o) => o.value) : c.value;
}

function obj(): Payload {
  // No prototype: a field named "__proto__" or "constructor" stays a plain key.
  return Object.create(null) as Payload;
}

/** Adds the element's `weft-value-NAME` attributes (names are lower case, as HTML stores them). */
function values(el: Element, payload: Payload): Payload {
  for (const { name, value } of Array.from(el.attributes)) {
    if (name.startsWith(ATTR.valuePrefix)) payload[name.slice(ATTR.valuePrefix.length)] = value;
  }
  return payload;
}

function withValue(payload: Payload, target: Element): Payload {
  if (isControl(target)) payload["value"] = target.value;
  return payload;
}

/** A control's event payload: its form's fields and `_target`, or `{ value, name }` outside a form. */
function controlPayload(control: Control): Payload {
  const form = control.form;
  const payload = form ? serializeForm(form) : obj();
  if (form) {
    if (control.name) payload["_target"] = control.name;
    return payload;
  }
  if (control.name) payload["name"] = control.name;
  // An unchecked box sends no value, as in a form; a checked one its value (not modelValue's flag).
  if (!/^(checkbox|radio)$/.test(control.type) || (control as HTMLInputElement).checked) payload["value"] = control.type == "checkbox" ? control.value : modelValue(control);
  return payload;
}

/**
 * A form's fields as an object: a repeated name becomes an array of strings,
 * unchecked boxes are absent, files are left out (they do not travel as events).
 *
 * @example
 * serializeForm(form); // { title: "x", tags: ["a", "b"] }
 */
export function serializeForm(form: HTMLFormElement, submitter?: HTMLElement | null): Payload {
  let data: FormData;
  try {
    data = new FormData(form, submitter);
  } catch {
    data = new FormData(form); // an engine that refuses this submitter
  }
  const out = obj();
  data.forEach((value, name) => {
    if (typeof value !== "string") return;
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  });
  return out;
}
