/**
 * A form's fields as the browser client sends them on `weft-submit`
 * (client/bindings.ts `serializeForm`, which reads `FormData`): named,
 * enabled controls in tree order; checked boxes only (value "on" by default);
 * the selected options of a select (the first option when none is marked);
 * no buttons but the submitter, no files; a repeated name becomes an array.
 */
import { descendants, textOf, type TestElement } from "./dom.ts";
import { WeftTestError } from "./test-error.ts";

/**
 * Values a test types into a form: a string (or number) for a text control or
 * select, several strings for a multiple select or repeated name, `true` /
 * `false` to check or uncheck a box (or pick a radio by its value as a string).
 *
 * @example
 * await v.submit("#f", { title: "x", qty: 2, tags: ["a", "b"], terms: true } satisfies Record<string, FieldValue>);
 */
export type FieldValue = string | number | boolean | readonly string[];

/**
 * A form's payload, as the client builds it.
 *
 * @example
 * const p: FormPayload = { title: "x", tags: ["a", "b"] };
 */
export type FormPayload = Record<string, string | string[]>;

const BUTTON_TYPES = new Set(["submit", "button", "reset", "image"]);

/**
 * Serialises `form` with `fields` typed over it. Throws E_TEST_FIELD for a
 * field no control of the form is named, so a typo in the template or the
 * test fails the test.
 *
 * @example
 * formPayload(form, { email: "a@b.c", terms: true }); // { email: "a@b.c", terms: "on" }
 */
export function formPayload(form: TestElement, fields: Readonly<Record<string, FieldValue>> = {}, submitter?: TestElement): FormPayload {
  const controls = [...descendants(form)].filter((el) => isControl(el) && name(el) !== "" && !disabled(el, form));
  const names = new Set(controls.map(name));
  for (const key of Object.keys(fields)) {
    if (!names.has(key)) throw new WeftTestError("E_TEST_FIELD", `no enabled control named "${key}" in the form (it has: ${[...names].join(", ") || "none"})`);
  }
  const out = Object.create(null) as FormPayload;
  const add = (key: string, value: string): void => {
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  };
  const typed = new Set<string>();
  for (const el of controls) {
    const key = name(el);
    if (Object.prototype.hasOwnProperty.call(fields, key)) {
      // A name shared by several controls (radios, boxes) takes the typed value once.
      if (typed.has(key)) continue;
      typed.add(key);
      for (const v of typedValues(el, fields[key]!)) add(key, v);
      continue;
    }
    for (const v of ownValues(el, submitter)) add(key, v);
  }
  return out;
}

function isControl(el: TestElement): boolean {
  return el.tag === "input" || el.tag === "select" || el.tag === "textarea" || el.tag === "button";
}

function name(el: TestElement): string {
  return el.attrs.get("name") ?? "";
}

function type(el: TestElement): string {
  return (el.attrs.get("type") ?? (el.tag === "button" ? "submit" : "text")).toLowerCase();
}

/** Disabled itself, or inside a disabled fieldset of the form. */
function disabled(el: TestElement, form: TestElement): boolean {
  if (el.attrs.has("disabled")) return true;
  for (let a = el.parent; a !== undefined && a !== form; a = a.parent) if (a.tag === "fieldset" && a.attrs.has("disabled")) return true;
  return false;
}

/** What a control contributes untouched by the test. */
function ownValues(el: TestElement, submitter: TestElement | undefined): string[] {
  if (el.tag === "textarea") return [textOf(el).replace(/^\r?\n/, "")];
  if (el.tag === "select") return selected(el).map(optionValue);
  const t = type(el);
  if (el.tag === "button" || BUTTON_TYPES.has(t)) return el === submitter && t !== "image" ? [el.attrs.get("value") ?? ""] : [];
  if (t === "file") return [];
  if (t === "checkbox" || t === "radio") return el.attrs.has("checked") ? [el.attrs.get("value") ?? "on"] : [];
  return [el.attrs.get("value") ?? ""];
}

/** What a control named in `fields` sends: the test's value, shaped by the control. */
function typedValues(el: TestElement, value: FieldValue): string[] {
  const t = type(el);
  if (typeof value === "boolean") {
    if (t !== "checkbox" && t !== "radio") throw new WeftTestError("E_TEST_FIELD", `"${name(el)}" is not a checkbox: give it a string, not ${String(value)}`);
    return value ? [el.attrs.get("value") ?? "on"] : [];
  }
  const values = Array.isArray(value) ? value.map(String) : [String(value)];
  if (el.tag === "select") {
    const options = [...descendants(el)].filter((o) => o.tag === "option").map(optionValue);
    const bad = values.find((v) => !options.includes(v));
    if (bad !== undefined) throw new WeftTestError("E_TEST_FIELD", `the select "${name(el)}" has no option "${bad}" (options: ${options.join(", ")})`);
  }
  return values;
}

function selected(select: TestElement): TestElement[] {
  const options = [...descendants(select)].filter((o) => o.tag === "option" && !o.attrs.has("disabled"));
  const chosen = options.filter((o) => o.attrs.has("selected"));
  if (chosen.length > 0 || select.attrs.has("multiple")) return chosen;
  return options.slice(0, 1);
}

function optionValue(o: TestElement): string {
  return o.attrs.get("value") ?? textOf(o).replace(/\s+/g, " ").trim();
}
