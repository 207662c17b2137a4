/**
 * The `weft-*` bindings as the browser client reads them (client/bindings.ts),
 * over the parsed view: which element names the event, and the payload it
 * sends. A missing binding is an error here (the browser would send nothing),
 * so a typo in a template fails the test instead of passing silently.
 */
import { ATTR } from "../protocol/messages.ts";
import type { TestElement } from "./dom.ts";
import { formPayload, type FieldValue } from "./forms.ts";
import { WeftTestError } from "./test-error.ts";

/**
 * An event as the client would send it.
 *
 * @example
 * const e: BoundEvent = { name: "inc", payload: { by: "5" } };
 */
export interface BoundEvent {
  readonly name: string;
  readonly payload: Record<string, unknown>;
  /** The component it goes to (`weft-target`, or the closest `weft-component` root); undefined: the view. */
  readonly target?: string | undefined;
}

/**
 * A click on `el`: the closest element with `weft-click` names the event; its
 * `weft-value-*` attributes are the payload.
 *
 * @example
 * clickEvent(button, "#inc"); // { name: "inc", payload: {} }
 */
export function clickEvent(el: TestElement, selector: string): BoundEvent {
  const bound = closest(el, (e) => e.attrs.has(ATTR.click));
  if (bound === undefined) throw new WeftTestError("E_TEST_NO_BINDING", `"${selector}" matches <${el.tag}>, which has no ${ATTR.click} (nor has any ancestor)`);
  refuseDisabled(el, selector);
  refuseDisabled(bound, selector);
  return { name: bound.attrs.get(ATTR.click)!, payload: values(bound, obj()), target: targetOf(bound) };
}

/**
 * A submit of the form `el` is (or, for a submit button, is in): the form's
 * `weft-submit` names the event; its fields, with `fields` typed over them,
 * and its `weft-value-*` attributes are the payload.
 *
 * @example
 * submitEvent(form, "#f", { title: "x" }); // { name: "add", payload: { title: "x" } }
 */
export function submitEvent(el: TestElement, selector: string, fields: Readonly<Record<string, FieldValue>>): BoundEvent {
  const form = closest(el, (e) => e.tag === "form");
  if (form === undefined) throw new WeftTestError("E_TEST_NO_BINDING", `"${selector}" matches <${el.tag}>, which is not a form nor inside one`);
  const name = form.attrs.get(ATTR.submit);
  if (name === undefined || name === "") throw new WeftTestError("E_TEST_NO_BINDING", `the form of "${selector}" has no ${ATTR.submit}`);
  if (el !== form) refuseDisabled(el, selector);
  return { name, payload: values(form, formPayload(form, fields, el !== form ? el : undefined)), target: targetOf(form) };
}

/**
 * A `change` or `input` of the control `el` (with `value` typed into it): the
 * closest element with `attr` (`weft-change` / `weft-input`, on the control or
 * its form) names the event; the payload is the form's fields and `_target`
 * (the control's name), or `{ name, value }` outside a form.
 *
 * @example
 * controlEvent(input, "input[name=email]", "weft-input", "a@b.c"); // { name: "validate", payload: { email: "a@b.c", _target: "email", … } }
 */
export function controlEvent(el: TestElement, selector: string, attr: string, value: FieldValue | undefined): BoundEvent {
  if (el.tag !== "input" && el.tag !== "select" && el.tag !== "textarea") {
    throw new WeftTestError("E_TEST_NO_BINDING", `"${selector}" matches <${el.tag}>, which is not a form control (input, select, textarea)`);
  }
  const bound = closest(el, (e) => e.attrs.has(attr));
  if (bound === undefined) throw new WeftTestError("E_TEST_NO_BINDING", `"${selector}" has no ${attr} (nor has any ancestor)`);
  refuseDisabled(el, selector);
  const form = closest(el, (e) => e.tag === "form");
  const controlName = el.attrs.get("name") ?? "";
  let payload: Record<string, unknown>;
  if (form !== undefined) {
    payload = formPayload(form, controlName !== "" && value !== undefined ? { [controlName]: value } : {});
    if (controlName !== "") payload["_target"] = controlName;
  } else {
    payload = obj();
    if (controlName !== "") payload["name"] = controlName;
    const v = ownValue(el, value);
    if (v !== undefined) payload["value"] = v;
  }
  return { name: bound.attrs.get(attr)!, payload: values(bound, payload), target: targetOf(bound) };
}

/**
 * A `weft-model` update of the control `el` to `value`, as the client sends
 * it: the control's `weft-model` names the field; the value is a boolean for a
 * checkbox, strings for a multiple select, else a string (numbers become strings).
 *
 * @example
 * modelEvent(input, "#title", "Milk"); // { name: "title", payload: { value: "Milk" } }
 */
export function modelEvent(el: TestElement, selector: string, value: FieldValue): BoundEvent {
  const field = el.attrs.get(ATTR.model);
  if (field === undefined || field === "" || (el.tag !== "input" && el.tag !== "select" && el.tag !== "textarea")) {
    throw new WeftTestError("E_TEST_NO_BINDING", `"${selector}" matches <${el.tag}>, which is not a form control with ${ATTR.model}`);
  }
  refuseDisabled(el, selector);
  const box = el.tag === "input" && (el.attrs.get("type") ?? "").toLowerCase() === "checkbox";
  const sent = box ? value === true || value === "true" : Array.isArray(value) ? value.map(String) : String(value);
  const payload = obj();
  payload["value"] = sent;
  return { name: field, payload, target: targetOf(el) };
}

/** A control's value outside a form: an unchecked box sends none, as in the client. */
function ownValue(el: TestElement, value: FieldValue | undefined): unknown {
  const checkable = el.tag === "input" && /^(checkbox|radio)$/i.test(el.attrs.get("type") ?? "");
  const checked = typeof value === "boolean" ? value : el.attrs.has("checked");
  if (checkable && !checked) return undefined;
  if (value === undefined || typeof value === "boolean") return el.attrs.get("value") ?? (checkable ? "on" : "");
  return Array.isArray(value) ? value.map(String) : String(value);
}

/**
 * The component an event of `bound` goes to, as the client decides
 * (client/bindings.ts): its `weft-target` ("" for the view), else the
 * closest component root (`weft-component`).
 */
function targetOf(bound: TestElement): string | undefined {
  const t = bound.attrs.get(ATTR.target) ?? closest(bound, (e) => e.attrs.has(ATTR.component))?.attrs.get(ATTR.component);
  return t === "" ? undefined : t;
}

function closest(el: TestElement, test: (e: TestElement) => boolean): TestElement | undefined {
  for (let e: TestElement | undefined = el; e !== undefined && e.tag !== "#root"; e = e.parent) if (test(e)) return e;
  return undefined;
}

/** A disabled control takes no clicks or input in a browser. */
function refuseDisabled(el: TestElement, selector: string): void {
  const control = el.tag === "button" || el.tag === "input" || el.tag === "select" || el.tag === "textarea";
  if (control && el.attrs.has("disabled")) throw new WeftTestError("E_TEST_NO_BINDING", `"${selector}" is disabled: a browser would send nothing`);
}

/** Adds the element's `weft-value-*` attributes (client/bindings.ts `values`). */
function values(el: TestElement, payload: Record<string, unknown>): Record<string, unknown> {
  for (const [name, value] of el.attrs) if (name.startsWith(ATTR.valuePrefix)) payload[name.slice(ATTR.valuePrefix.length)] = value;
  return payload;
}

function obj(): Record<string, unknown> {
  // No prototype: a field named "__proto__" stays a plain key, as in the client.
  return Object.create(null) as Record<string, unknown>;
}
