/**
 * The shape check of a view definition, made by `defineView` and again by
 * `createWeft` for each entry of `views` (a plain object typed as a view, or
 * an `undefined` left by a circular import, fails there, not at a request).
 */
import { validRate } from "./security/rate-limit.ts";
import { checkCache } from "./event-cache.ts";
import { checkModel } from "./model.ts";
import { checkUploads } from "./uploads/config.ts";
import { describe, rejectUnknownKeys } from "./startup-checks.ts";
import type { ViewDefinition } from "./view.ts";

/**
 * Every key a view definition may have. The type check below fails when
 * ViewDefinition gains a key that is not listed here: add it to the list.
 */
export const VIEW_KEYS = ["mount", "events", "info", "render", "title", "auth", "terminate", "handleParams", "streams", "model", "uploads"] as const satisfies readonly (keyof ViewDefinition)[];
type Unlisted = Exclude<keyof ViewDefinition, (typeof VIEW_KEYS)[number]>;
// A compile error here names a ViewDefinition key missing from VIEW_KEYS.
const allListed: [Unlisted] extends [never] ? true : Unlisted = true;
void allListed;

/**
 * Throws a TypeError when `definition` is not a valid view: unknown keys
 * (with "did you mean"), a missing `mount` or `render`, handlers that are
 * neither functions nor `{ run | handler, schema?, rateLimit?, cache? }`. `where` starts the message.
 *
 * @example checkView(def, "defineView")
 */
export function checkView(definition: unknown, where: string): asserts definition is ViewDefinition<unknown> {
  if (typeof definition !== "object" || definition === null || Array.isArray(definition)) {
    throw new TypeError(`${where}: a view must be an object made by defineView({ mount, render, events? }), got ${describe(definition)}`);
  }
  rejectUnknownKeys(where, definition, VIEW_KEYS);
  const d = definition as Partial<ViewDefinition<unknown>>;
  if (typeof d.mount !== "function") throw new TypeError(`${where}: \`mount(params, ctx)\` must be a function returning the initial state, got ${describe(d.mount)}`);
  if (typeof d.render !== "function") throw new TypeError(`${where}: \`render(state)\` must be a function returning html\`…\`, got ${describe(d.render)}`);
  if (d.title !== undefined && typeof d.title !== "string" && typeof d.title !== "function") throw new TypeError(`${where}: \`title\` must be a string or a function of the state, got ${describe(d.title)}`);
  if (d.auth !== undefined && typeof d.auth !== "function") throw new TypeError(`${where}: \`auth(session, params)\` must be a function, got ${describe(d.auth)}`);
  if (d.terminate !== undefined && typeof d.terminate !== "function") throw new TypeError(`${where}: \`terminate(reason, state, ctx)\` must be a function, got ${describe(d.terminate)}`);
  if (d.handleParams !== undefined && typeof d.handleParams !== "function") throw new TypeError(`${where}: \`handleParams(params, url, state, ctx)\` must be a function, got ${describe(d.handleParams)}`);
  if (d.streams !== undefined && typeof d.streams !== "function") throw new TypeError(`${where}: \`streams(state, ctx)\` must be a function, got ${describe(d.streams)}`);
  checkEvents(where, d.events, true);
  checkModel(where, d.model);
  checkUploads(where, d.uploads);
  for (const [name, h] of Object.entries(table(where, "info", d.info))) {
    if (typeof h !== "function") throw new TypeError(`${where}: info.${name} must be a function (state, payload, ctx) => state, got ${describe(h)}`);
  }
}

/**
 * `events` of a view or a component: absent, or an object whose handlers are
 * functions or `{ run | handler, schema?, rateLimit?, timeoutMs?, cache? }` — exactly one
 * of `run` and `handler`; `cache` only for a view's (`view` true).
 *
 * @example checkEvents("defineComponent", { inc: (s) => s })
 */
export function checkEvents(where: string, events: unknown, view = false): void {
  for (const [name, h] of Object.entries(table(where, "events", events))) {
    const spec = h as { run?: unknown; handler?: unknown; schema?: { "~standard"?: { validate?: unknown } }; rateLimit?: unknown; cache?: unknown; timeoutMs?: unknown } | null;
    const ok = typeof h === "function" || (typeof h === "object" && spec !== null && typeof (spec.run ?? spec.handler) === "function"
      && (spec.run === undefined || spec.handler === undefined)
      && (spec.schema === undefined || typeof spec.schema?.["~standard"]?.validate === "function")
      && (spec.rateLimit === undefined || validRate(spec.rateLimit as never))
      && (spec.timeoutMs === undefined || validTimeout(spec.timeoutMs)));
    if (!ok) throw new TypeError(`${where}: events.${name} must be a function (state, payload, ctx) => state or { run (or handler, not both), schema?, rateLimit?: { perSecond, burst }, timeoutMs?: ms > 0, cache?: { ttlMs, key } }, got ${describe(h)}`);
    if (spec?.cache !== undefined) checkCache(where, name, spec.cache, view);
  }
}

/** A handler time limit: a positive number of ms a timer can hold (at most 2^31 - 1). */
function validTimeout(ms: unknown): boolean {
  return typeof ms === "number" && ms > 0 && ms <= 2 ** 31 - 1;
}

/** `events` / `info`: absent, or an object of handlers by name. */
function table(where: string, key: string, value: unknown): object {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${where}: \`${key}\` must be an object of handlers by name, e.g. ${key}: { inc: (state) => state }, got ${describe(value)}`);
  }
  return value;
}
