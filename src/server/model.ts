/**
 * `weft-model`: two-way binding of a control to a state field. The browser
 * sends a model update as an event frame with `b: 1`, `e` the field and `d`
 * `{ value }` (protocol/messages.ts); the session turns it into an event whose
 * handler sets that one field — applied once by ref, ordered with the events,
 * answered like one.
 *
 * Security: only the fields the view lists in `model` can be set (a browser
 * must never set `isAdmin`); a listed field with a schema takes only values
 * the schema accepts. Names such as `__proto__` or `constructor` are never
 * fields, whatever the list says.
 */
import { clip } from "./clip.ts";
import { describe } from "./startup-checks.ts";
import type { EventSpec, StandardResult, StandardSchemaV1 } from "./view.ts";

/**
 * The fields of state `S` the browser may set with `weft-model`: a list of
 * names (any JSON value the browser sends is taken), or an object of names to
 * `true` or a Standard Schema that validates (and may transform) the value.
 *
 * @example
 * const a: ModelSpec<{ title: string; done: boolean }> = ["title", "done"];
 * const b: ModelSpec<{ title: string; done: boolean }> = { title: z.string().max(80), done: true };
 */
export type ModelSpec<S> =
  | readonly (keyof S & string)[]
  | { readonly [K in keyof S & string]?: StandardSchemaV1<unknown, S[K]> | true };

/**
 * A refused model update: the code and message to answer it with.
 *
 * @example const r: ModelRefusal = { code: "E_UNKNOWN_FIELD", message: 'the view has no bindable field "isAdmin"' };
 */
export interface ModelRefusal {
  readonly code: "E_UNKNOWN_FIELD";
  readonly message: string;
}

/** Names that are never bindable fields: they reach or replace an object's prototype. */
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

/**
 * The handler of a model update of `field`: an event spec whose schema
 * checks that the payload is `{ value }` (and the value against the field's
 * schema, when it has one) and whose run returns `{ ...state, [field]: value }`.
 * A field the view does not list (or no `model` at all) is refused with
 * E_UNKNOWN_FIELD; in development the message lists the bindable fields.
 *
 * @example
 * const h = modelHandler(["title"], "title", false); // { schema, run }
 * modelHandler(["title"], "isAdmin", false);        // { code: "E_UNKNOWN_FIELD", … }
 */
export function modelHandler<S>(spec: ModelSpec<S> | undefined, field: string, dev: boolean): EventSpec<S, unknown> | ModelRefusal {
  const entry = lookup(spec, field);
  if (entry === undefined) {
    const listed = dev ? ` (its model: ${fieldsOf(spec).join(", ") || "none"})` : "";
    return { code: "E_UNKNOWN_FIELD", message: `the view has no bindable field "${clip(field)}"${listed}` };
  }
  const inner = entry === true ? undefined : entry;
  return {
    schema: valueSchema(inner),
    // A computed key defines an own property, even for a name the prototype has.
    run: (state, value) => ({ ...state, [field]: value }) as S,
  };
}

/** The field's entry: true, its schema, or undefined when it is not bindable. */
function lookup<S>(spec: ModelSpec<S> | undefined, field: string): StandardSchemaV1 | true | undefined {
  if (spec === undefined || FORBIDDEN.has(field)) return undefined;
  if (Array.isArray(spec)) return (spec as readonly string[]).includes(field) ? true : undefined;
  if (!Object.prototype.hasOwnProperty.call(spec, field)) return undefined;
  return (spec as Record<string, StandardSchemaV1 | true | undefined>)[field];
}

function fieldsOf<S>(spec: ModelSpec<S> | undefined): string[] {
  if (spec === undefined) return [];
  return Array.isArray(spec) ? [...(spec as readonly string[])] : Object.keys(spec);
}

/**
 * A schema over the payload `{ value }`: refuses a payload without an own
 * `value`, then validates the value with `inner` (when given); its output is
 * the value the field takes.
 */
function valueSchema(inner: StandardSchemaV1 | undefined): StandardSchemaV1<unknown, unknown> {
  return {
    "~standard": {
      version: 1,
      vendor: "weft-model",
      validate: (payload: unknown): StandardResult<unknown> | Promise<StandardResult<unknown>> => {
        if (typeof payload !== "object" || payload === null || !Object.prototype.hasOwnProperty.call(payload, "value")) {
          return { issues: [{ message: "a model update carries { value }" }] };
        }
        const value = (payload as { value: unknown }).value;
        return inner === undefined ? { value } : inner["~standard"].validate(value);
      },
    },
  };
}

/**
 * The start-up check of a view's `model` option: absent, a list of field
 * names, or an object of names to `true` or a Standard Schema. Names that
 * reach the prototype (`__proto__`, `constructor`, `prototype`) are refused.
 *
 * @example checkModel("defineView", ["title", "done"])
 */
export function checkModel(where: string, model: unknown): void {
  if (model === undefined) return;
  const shape = `\`model\` must list the fields weft-model may set, e.g. model: ["title"] or model: { title: schema, done: true }`;
  let names: string[];
  if (Array.isArray(model)) {
    const bad = model.find((n) => typeof n !== "string" || n.length === 0);
    if (bad !== undefined || model.length === 0) throw new TypeError(`${where}: ${shape}, got ${model.length === 0 ? "an empty array" : `a list holding ${describe(bad)}`}`);
    names = model as string[];
  } else if (typeof model === "object" && model !== null) {
    names = Object.keys(model);
    for (const [name, entry] of Object.entries(model)) {
      const ok = entry === true || (typeof entry === "object" && entry !== null && typeof (entry as StandardSchemaV1)["~standard"]?.validate === "function");
      if (!ok) throw new TypeError(`${where}: model.${name} must be true or a Standard Schema (zod, valibot, arktype), got ${describe(entry)}`);
    }
  } else {
    throw new TypeError(`${where}: ${shape}, got ${describe(model)}`);
  }
  const forbidden = names.find((n) => FORBIDDEN.has(n));
  if (forbidden !== undefined) throw new TypeError(`${where}: model may not name "${forbidden}": it is not a state field`);
}
