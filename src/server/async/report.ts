/**
 * What a view's state says about its background tasks: `state.async[name]`,
 * one {@link AsyncReport} per task name, written by Weft (never by a
 * handler: a running task's report is written into every committed state,
 * and an ending one once, tasks.ts). Reports
 * are plain JSON, so they travel in snapshots like the rest of the state; a
 * task's promise does not, so a snapshot's running task is cancelled where
 * the snapshot is taken up ({@link resumedReports}).
 */
import type { Json } from "../view.ts";

/**
 * Where a task is: running, or ended ok, failed or cancelled.
 *
 * @example
 * const ended = (s: AsyncStatus) => s !== "running";
 */
export type AsyncStatus = "running" | "ok" | "failed" | "cancelled";

/**
 * One task's report, as `state.async[name]`. `progress` is the last value
 * the task reported (kept when it ends; null before the first), `result`
 * its JSON result once "ok" (null otherwise), `error` why it failed: "E_TIMEOUT"
 * when its `timeoutMs` passed, "result is not JSON: …" when its result was not
 * plain JSON, else the message of what it threw (null unless "failed").
 *
 * @example
 * render: (s: { async?: AsyncReports }) => html`<progress value=${Number(s.async?.report?.progress ?? 0)} max="100"></progress>`
 */
export interface AsyncReport<R = Json> {
  readonly status: AsyncStatus;
  readonly progress: Json | null;
  readonly result: R | null;
  readonly error: string | null;
}

/**
 * `state.async`: a report per task name. Declare it in the view's state type
 * as optional (it appears with the first task).
 *
 * @example
 * type State = { count: number; async?: AsyncReports };
 */
export type AsyncReports = Readonly<Record<string, AsyncReport>>;

/** The state key Weft owns. */
export const ASYNC_KEY = "async";

/** A plain object (not null, not an array). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/**
 * `state` with `reports` written into `state.async` (a new object each, the
 * other keys kept). A value at `async` that is not an object is replaced.
 * Names are written as own data properties: `__proto__` is just a name.
 *
 * @example withReports({ n: 1 }, new Map([["r", report]])) // { n: 1, async: { r: report } }
 */
export function withReports<S>(state: S, reports: ReadonlyMap<string, AsyncReport>): S {
  checkState(state);
  const old = state[ASYNC_KEY];
  const async: Record<string, unknown> = isRecord(old) ? { ...old } : {};
  for (const [name, r] of reports) Object.defineProperty(async, name, { value: r, enumerable: true, writable: true, configurable: true });
  return { ...state, [ASYNC_KEY]: async } as S;
}

/**
 * Throws a TypeError unless `state` is an object, where Weft can keep the reports.
 *
 * @example checkState(ctx.state) // before a task starts
 */
export function checkState(state: unknown): asserts state is Record<string, unknown> {
  if (!isRecord(state)) throw new TypeError(`ctx.startAsync: the view's state must be an object (Weft keeps the tasks' reports at state.${ASYNC_KEY}), got ${state === null ? "null" : Array.isArray(state) ? "an array" : typeof state}`);
}

/**
 * A state taken up from a snapshot (another node, a restart): its tasks
 * stayed behind, so every "running" report becomes "cancelled" (progress
 * kept). Anything else is left as it is.
 *
 * @example resumedReports(snap.state)
 */
export function resumedReports<S>(state: S): S {
  const reports = isRecord(state) ? state[ASYNC_KEY] : undefined;
  if (!isRecord(reports)) return state;
  let gone: Map<string, AsyncReport> | undefined;
  for (const [name, r] of Object.entries(reports)) {
    if (isRecord(r) && r.status === "running") (gone ??= new Map()).set(name, { ...(r as unknown as AsyncReport), status: "cancelled" });
  }
  return gone === undefined ? state : withReports(state, gone);
}

/** Deepest nesting a task's result or progress may have. */
export const MAX_JSON_DEPTH = 64;

/**
 * Why `value` is not plain JSON — a function, a symbol, a bigint, undefined
 * in an array, NaN or ±Infinity, a class instance (Date, Map …), a cycle or
 * nesting deeper than {@link MAX_JSON_DEPTH} — naming where; undefined when
 * it is. An object property that is undefined is allowed (JSON drops it).
 *
 * @example jsonProblem({ at: new Date() }) // "a Date at .at"
 */
export function jsonProblem(value: unknown, path = "", stack: object[] = []): string | undefined {
  const at = path === "" ? "the top" : path;
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${value} at ${at}`;
    case "object":
      break;
    default:
      return `${value === undefined ? "undefined" : `a ${typeof value}`} at ${at}`;
  }
  if (value === null) return undefined;
  if (stack.length >= MAX_JSON_DEPTH) return `nesting deeper than ${MAX_JSON_DEPTH} at ${at}`;
  if (stack.includes(value)) return `a cycle at ${at}`;
  const proto: unknown = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    return `a ${typeof name === "string" && name !== "" ? name : "class instance"} at ${at}`;
  }
  stack.push(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const p = jsonProblem(value[i], `${path}[${i}]`, stack);
        if (p !== undefined) return p;
      }
      return undefined;
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const p = jsonProblem(v, `${path}.${k.length > 32 ? `${k.slice(0, 32)}…` : k}`, stack);
      if (p !== undefined) return p;
    }
    return undefined;
  } finally {
    stack.pop();
  }
}

/**
 * A copy of `value` as JSON would carry it (the task keeps no reference into
 * the state), or a TypeError naming what is not JSON. `what` starts the message.
 *
 * @example toJson({ rows: 3 }, "result") // { rows: 3 }
 */
export function toJson(value: unknown, what: string): Json {
  const p = jsonProblem(value);
  if (p !== undefined) throw new TypeError(`${what} is not JSON: ${p}`);
  return JSON.parse(JSON.stringify(value)) as Json;
}
