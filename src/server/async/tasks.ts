/**
 * A session's background tasks (`ctx.startAsync` / `ctx.cancelAsync`).
 *
 * A task runs beside the session's work queue, never in it: the view keeps
 * answering events while it runs. What it says reaches the state only as
 * part of a piece of work, so state still changes one piece at a time:
 * - every report (running, progress, the end) is kept in `fresh`, the latest
 *   per name, until a commit writes it into `state.async` ({@link AsyncTasks.overlay},
 *   called by every commit of the view); ONE flush work item is queued for
 *   them, in case no other work comes — several progress reports queued make
 *   one render;
 * - a running task's report is written at every commit, so a handler that
 *   returns a state without it (or with its own value there) cannot lose it;
 *   an ended task's report is written once, after which the state is the
 *   app's (a handler may drop it to clear a result);
 * - a report that ends a task also queues `info[name](state, report, ctx)`
 *   after that flush, when the view has the handler.
 *
 * Invariants: a task that has ended (ok, failed, timed out, cancelled,
 * replaced, or its session gone) reports nothing more — its late result or
 * progress is dropped, whether or not it honoured its abort signal; after
 * `stop()` nothing is queued at all. Reports are posted from a microtask, so
 * a task started or cancelled inside a handler never re-enters the queue
 * while that handler runs.
 */
import type { Json } from "../view.ts";
import { clip } from "../clip.ts";
import { ASYNC_KEY, checkState, isRecord, toJson, withReports, type AsyncReport, type AsyncStatus } from "./report.ts";

/**
 * What a task function gets: `signal` aborts when the task is cancelled,
 * times out, is replaced, or its session ends; `progress(value)` reports a
 * JSON value to the view (`state.async[name].progress`). A value that is not
 * JSON throws a TypeError; after the task ended a report is dropped.
 *
 * @example
 * ctx.startAsync("report", async ({ signal, progress }) => {
 *   for (let i = 1; i <= 10; i++) { await step(i, { signal }); progress(i * 10); }
 *   return { rows: 42 };
 * });
 */
export interface AsyncTask {
  readonly signal: AbortSignal;
  progress(value: Json): void;
}

/**
 * A task: its (JSON) result becomes `state.async[name].result`; what it
 * throws makes it "failed".
 *
 * @example
 * const count: AsyncFn = async ({ signal }) => ({ rows: await db.count({ signal }) });
 */
export type AsyncFn = (task: AsyncTask) => unknown;

/**
 * Options of `ctx.startAsync`. `timeoutMs`: the task fails with error
 * "E_TIMEOUT" (and its signal aborts) when it has not ended by then; default
 * none. `ifRunning`: what starting a name that is running does — "cancel"
 * (default) aborts the running task (it reports nothing more) and starts the
 * new one; "reject" throws an {@link AsyncRunningError} and leaves it running.
 *
 * @example ctx.startAsync("search", run, { timeoutMs: 5_000, ifRunning: "reject" })
 */
export interface AsyncOptions {
  readonly timeoutMs?: number;
  readonly ifRunning?: "cancel" | "reject";
}

/**
 * `ctx.startAsync(name, fn, { ifRunning: "reject" })` while `name` runs:
 * the running task goes on, the new one does not start.
 *
 * @example
 * try { ctx.startAsync("export", run, { ifRunning: "reject" }); } catch (e) { if (e instanceof AsyncRunningError) ctx.flash("info", "Already exporting."); }
 */
export class AsyncRunningError extends Error {
  override readonly name = "AsyncRunningError";
  constructor(readonly task: string) {
    super(`ctx.startAsync(${JSON.stringify(task)}): a task of that name is running (ifRunning: "reject"); cancel it first or start it with ifRunning: "cancel"`);
  }
}

/** What the tasks need of their session. */
export interface AsyncHost {
  /** The view's state now (checked to be an object before a task starts). */
  state(): unknown;
  /** Queues the work that calls {@link AsyncTasks.apply}. */
  flush(): void;
  /** Queues `info[name](state, report, ctx)`, when the view has that handler. */
  ended(name: string, report: AsyncReport): void;
  onError(err: unknown, where: string): void;
}

interface Task {
  readonly ctrl: AbortController;
  timer: NodeJS.Timeout | undefined;
  progress: Json | null;
  done: boolean;
  /** Its latest report (written at every commit while it runs). */
  report: AsyncReport | undefined;
}

/** The longest `error` a report keeps of what a task threw, in characters. */
const MAX_ERROR_CHARS = 1000;

/**
 * Tasks running at once in one session, at most: an app that names tasks
 * after what a browser sent cannot be made to hold an unbounded number.
 */
export const MAX_TASKS = 64;

/** The longest task name, in characters. */
export const MAX_TASK_NAME = 100;

/** The tasks of one session. */
export class AsyncTasks {
  private readonly running = new Map<string, Task>();
  /** Reports not written into the state yet, the latest per name. */
  private readonly fresh = new Map<string, AsyncReport>();
  private finals: [string, AsyncReport][] = [];
  /** A microtask will post. */
  private posting = false;
  /** A flush is queued and has not run yet: later reports ride on it. */
  private queued = false;
  private stopped = false;

  constructor(private readonly host: AsyncHost) {}

  /** True while task `name` runs. */
  has(name: string): boolean {
    return this.running.has(name);
  }

  /** Starts `fn` as task `name` (see {@link AsyncOptions}); after `stop()` it does nothing. */
  start(name: string, fn: AsyncFn, o: AsyncOptions = {}): void {
    if (this.stopped) return;
    checkStart(name, fn, o);
    checkState(this.host.state());
    const old = this.running.get(name);
    if (old !== undefined) {
      if (o.ifRunning === "reject") throw new AsyncRunningError(name);
      // Replaced: aborted and silent; the new task's "running" takes its place.
      this.end(name, old, new DOMException("replaced by a new task of the same name", "AbortError"));
    } else if (this.running.size >= MAX_TASKS) {
      throw new RangeError(`ctx.startAsync(${JSON.stringify(name)}): ${MAX_TASKS} tasks are running in this session already (the most there can be); cancel one or wait for one to end`);
    }
    const task: Task = { ctrl: new AbortController(), timer: undefined, progress: null, done: false, report: undefined };
    this.running.set(name, task);
    if (o.timeoutMs !== undefined) {
      task.timer = setTimeout(() => this.settle(name, task, "failed", "E_TIMEOUT", new DOMException(`the task ran past its timeoutMs (${o.timeoutMs})`, "TimeoutError")), o.timeoutMs);
    }
    this.report(name, task, "running", null, null);
    const arg: AsyncTask = { signal: task.ctrl.signal, progress: (v) => this.progress(name, task, v) };
    // Started from a microtask: the handler that starts it finishes first.
    Promise.resolve().then(() => (task.done ? undefined : fn(arg))).then(
      (r) => this.result(name, task, r),
      (err: unknown) => {
        if (!task.done) this.host.onError(err, `async task "${name}"`);
        this.settle(name, task, "failed", clip(err instanceof Error ? err.message : String(err), MAX_ERROR_CHARS));
      },
    );
  }

  /** Cancels task `name`: its signal aborts and it reports "cancelled" now. False when it was not running. */
  cancel(name: string): boolean {
    const task = this.running.get(name);
    if (task === undefined) return false;
    this.settle(name, task, "cancelled", null, new DOMException("cancelled", "AbortError"));
    return true;
  }

  /** The session ended: every task aborts, nothing is reported or queued any more. */
  stop(): void {
    this.stopped = true;
    for (const [name, task] of this.running) this.end(name, task, new DOMException("the session ended", "AbortError"));
    this.fresh.clear();
    this.finals = [];
  }

  /**
   * The flush work: `state` with the reports written ({@link AsyncTasks.overlay}),
   * or undefined when no report is new (another commit wrote them first).
   */
  apply<S>(state: S): S | undefined {
    this.queued = false;
    return this.fresh.size === 0 ? undefined : this.overlay(state);
  }

  /**
   * What a commit of the view writes: `state` with the new reports and those
   * of the running tasks in `state.async` — the same object when it holds
   * them already (most commits), a state that is not an object as it is.
   */
  overlay<S>(state: S): S {
    if (this.fresh.size === 0 && this.running.size === 0) return state;
    const out = new Map(this.fresh);
    this.fresh.clear();
    for (const [name, task] of this.running) if (task.report !== undefined && !out.has(name)) out.set(name, task.report);
    if (!isRecord(state)) return state;
    const now = state[ASYNC_KEY];
    if (isRecord(now)) {
      let same = true;
      for (const [name, r] of out) {
        if (!Object.prototype.hasOwnProperty.call(now, name) || now[name] !== r) {
          same = false;
          break;
        }
      }
      if (same) return state;
    }
    return withReports(state, out);
  }

  private progress(name: string, task: Task, value: Json): void {
    if (task.done) return;
    task.progress = toJson(value, `progress(${JSON.stringify(name)}, value): value`);
    this.report(name, task, "running", null, null);
  }

  private result(name: string, task: Task, value: unknown): void {
    if (task.done) return;
    let r: Json;
    try {
      r = value === undefined ? null : toJson(value, "result");
    } catch (err) {
      this.host.onError(err, `async task "${name}"`);
      this.settle(name, task, "failed", (err as Error).message);
      return;
    }
    this.settle(name, task, "ok", null, undefined, r);
  }

  /** Ends `task` with a final report (once: a late one is dropped). `abort`: the reason its signal gets. */
  private settle(name: string, task: Task, status: AsyncStatus, error: string | null, abort?: DOMException, result: Json | null = null): void {
    if (task.done) return;
    this.end(name, task, abort);
    this.finals.push([name, this.report(name, task, status, result, error)]);
  }

  private end(name: string, task: Task, abort: DOMException | undefined): void {
    task.done = true;
    clearTimeout(task.timer);
    if (this.running.get(name) === task) this.running.delete(name);
    if (abort !== undefined) task.ctrl.abort(abort);
  }

  private report(name: string, task: Task, status: AsyncStatus, result: Json | null, error: string | null): AsyncReport {
    const r: AsyncReport = { status, progress: task.progress, result, error };
    task.report = r;
    this.fresh.set(name, r);
    this.post();
    return r;
  }

  /** Posts the flush (unless one is queued) and the ended tasks' info, from a microtask. */
  private post(): void {
    if (this.posting) return;
    this.posting = true;
    queueMicrotask(() => {
      this.posting = false;
      if (this.stopped) return;
      if (!this.queued && this.fresh.size > 0) {
        this.queued = true;
        this.host.flush();
      }
      const finals = this.finals;
      this.finals = [];
      for (const [name, r] of finals) this.host.ended(name, r);
    });
  }
}

/** Throws a TypeError for a bad name, function or options. */
function checkStart(name: unknown, fn: unknown, o: unknown): void {
  if (typeof name !== "string" || name === "" || name.length > MAX_TASK_NAME) throw new TypeError(`ctx.startAsync(name, fn): name must be a non-empty string of at most ${MAX_TASK_NAME} characters`);
  if (typeof fn !== "function") throw new TypeError(`ctx.startAsync(${JSON.stringify(name)}, fn): fn must be a function ({ signal, progress }) => result`);
  if (typeof o !== "object" || o === null) throw new TypeError(`ctx.startAsync(${JSON.stringify(name)}, fn, options): options must be an object { timeoutMs?, ifRunning? }`);
  const { timeoutMs, ifRunning } = o as AsyncOptions;
  if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs > 0) || timeoutMs > 2 ** 31 - 1)) {
    throw new TypeError(`ctx.startAsync(${JSON.stringify(name)}): timeoutMs must be a positive number of ms (at most 2^31 - 1), got ${String(timeoutMs)}`);
  }
  if (ifRunning !== undefined && ifRunning !== "cancel" && ifRunning !== "reject") {
    throw new TypeError(`ctx.startAsync(${JSON.stringify(name)}): ifRunning must be "cancel" or "reject", got ${JSON.stringify(ifRunning) ?? String(ifRunning)}`);
  }
}
