import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { until } from "../../../test/support/until.ts";
import { AsyncRunningError, AsyncTasks, MAX_TASKS, type AsyncTask } from "./tasks.ts";
import type { AsyncReport } from "./report.ts";

/** A session stand-in: counts flushes, records ended reports and errors, holds the state. */
function host(initial: unknown = { n: 0 }) {
  const h = {
    state: initial,
    flushes: 0,
    ended: [] as [string, AsyncReport][],
    errors: [] as unknown[],
  };
  const tasks = new AsyncTasks({
    state: () => h.state,
    flush: () => void h.flushes++,
    ended: (name, r) => void h.ended.push([name, r]),
    onError: (err) => void h.errors.push(err),
  });
  /** Runs the queued flush as the session would: the reports go into the state. */
  const flush = (): Record<string, AsyncReport> | undefined => {
    const next = tasks.apply(h.state);
    if (next !== undefined) h.state = next;
    return (h.state as { async?: Record<string, AsyncReport> }).async;
  };
  return { h, tasks, flush };
}

/** A promise and its resolve/reject, for a task the test finishes by hand. */
function deferred<T = unknown>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe("background tasks", () => {
  it("reports running, then the result, and queues info for the end", async () => {
    const { h, tasks, flush } = host();
    const d = deferred();
    tasks.start("report", () => d.promise);
    assert.equal(h.flushes, 0, "nothing is queued while the starting handler runs");
    await tick();
    assert.equal(h.flushes, 1);
    assert.deepEqual(flush()?.report, { status: "running", progress: null, result: null, error: null });
    d.resolve({ rows: 3 });
    await until(() => h.ended.length === 1);
    assert.equal(h.flushes, 2);
    assert.deepEqual(flush()?.report, { status: "ok", progress: null, result: { rows: 3 }, error: null });
    assert.deepEqual(h.ended, [["report", { status: "ok", progress: null, result: { rows: 3 }, error: null }]]);
    assert.equal(tasks.has("report"), false);
  });

  it("coalesces progress reports queued before one flush into one, the latest", async () => {
    const { h, tasks, flush } = host();
    let task!: AsyncTask;
    const d = deferred();
    tasks.start("p", (t) => ((task = t), d.promise));
    await tick();
    flush();
    for (let i = 1; i <= 50; i++) {
      task.progress(i);
      if (i % 10 === 0) await tick();
    }
    assert.equal(h.flushes, 2, "fifty reports over five ticks, one flush while it waits in the queue");
    assert.equal(flush()?.p?.progress, 50);
    assert.equal(tasks.apply(h.state), undefined, "a second flush finds nothing");
    d.resolve(undefined);
    await until(() => h.ended.length === 1);
    assert.deepEqual(flush()?.p, { status: "ok", progress: 50, result: null, error: null });
  });

  it("cancels at once: the signal aborts, the status is cancelled, and a task that ignores its signal has its late result and progress dropped", async () => {
    const { h, tasks, flush } = host();
    let task!: AsyncTask;
    const d = deferred();
    tasks.start("slow", (t) => ((task = t), d.promise)); // never looks at its signal
    await tick();
    assert.equal(tasks.cancel("slow"), true);
    assert.equal(task.signal.aborted, true);
    assert.equal((task.signal.reason as DOMException).name, "AbortError");
    await tick();
    assert.deepEqual(flush()?.slow, { status: "cancelled", progress: null, result: null, error: null });
    const flushes = h.flushes;
    task.progress(99);
    d.resolve({ late: true });
    await tick();
    await tick();
    assert.equal(h.flushes, flushes, "nothing more was queued");
    assert.equal(tasks.apply(h.state), undefined);
    assert.deepEqual(h.ended.map(([, r]) => r.status), ["cancelled"]);
    assert.equal(tasks.cancel("slow"), false, "it is not running any more");
  });

  it("fails a task past its timeoutMs with E_TIMEOUT and aborts its signal", async () => {
    const { h, tasks, flush } = host();
    let signal!: AbortSignal;
    tasks.start("t", (t) => ((signal = t.signal), new Promise(() => {})), { timeoutMs: 20 });
    await until(() => h.ended.length === 1);
    assert.equal((signal.reason as DOMException).name, "TimeoutError");
    assert.deepEqual(flush()?.t, { status: "failed", progress: null, result: null, error: "E_TIMEOUT" });
    assert.deepEqual(h.errors, [], "a timeout is the task's status, not an app error");
  });

  it("fails a task whose result is not JSON, naming what and where", async () => {
    const { h, tasks, flush } = host();
    tasks.start("bad", async () => ({ rows: [1, { at: new Date(0) }] }));
    tasks.start("fn", async () => ({ f: () => 1 }));
    await until(() => h.ended.length === 2);
    assert.deepEqual(flush()?.bad, { status: "failed", progress: null, result: null, error: "result is not JSON: a Date at .rows[1].at" });
    assert.equal(flush()?.fn?.error, "result is not JSON: a function at .f");
    assert.equal(h.errors.length, 2, "reported to onError");
  });

  it("fails a task that throws with its message, reported to onError", async () => {
    const { h, tasks, flush } = host();
    tasks.start("x", () => { throw new Error("no data"); });
    await until(() => h.ended.length === 1);
    assert.deepEqual(flush()?.x, { status: "failed", progress: null, result: null, error: "no data" });
    assert.equal((h.errors[0] as Error).message, "no data");
  });

  it("refuses progress that is not JSON with a TypeError, and drops progress after the end", async () => {
    const { h, tasks, flush } = host();
    let task!: AsyncTask;
    tasks.start("p", (t) => {
      task = t;
      assert.throws(() => t.progress(NaN), /progress\("p", value\): value is not JSON: NaN at the top/);
      t.progress({ step: 1 });
      return "done";
    });
    await until(() => h.ended.length === 1);
    task.progress({ step: 2 });
    await tick();
    assert.deepEqual(flush()?.p, { status: "ok", progress: { step: 1 }, result: "done", error: null });
  });

  it("replaces a running task by default: the old one aborts and reports nothing more", async () => {
    const { h, tasks, flush } = host();
    const first = deferred();
    let firstSignal!: AbortSignal;
    tasks.start("r", (t) => ((firstSignal = t.signal), first.promise));
    await tick();
    tasks.start("r", async () => "second");
    assert.equal(firstSignal.aborted, true);
    first.resolve("first");
    await until(() => h.ended.length === 1);
    assert.deepEqual(flush()?.r, { status: "ok", progress: null, result: "second", error: null });
    assert.deepEqual(h.ended.map(([, r]) => r.result), ["second"]);
  });

  it("with ifRunning: \"reject\" throws AsyncRunningError and leaves the running task alone", async () => {
    const { h, tasks, flush } = host();
    const d = deferred();
    let called = 0;
    tasks.start("r", () => d.promise);
    assert.throws(() => tasks.start("r", () => void called++, { ifRunning: "reject" }), (e: unknown) => e instanceof AsyncRunningError && /a task of that name is running/.test(e.message));
    d.resolve(1);
    await until(() => h.ended.length === 1);
    assert.equal(called, 0);
    assert.equal(flush()?.r?.result, 1);
  });

  it("stops with its session: every signal aborts, nothing is queued after, a later start does nothing", async () => {
    const { h, tasks } = host();
    const d = deferred();
    let signal!: AbortSignal;
    let calls = 0;
    tasks.start("a", (t) => ((signal = t.signal), d.promise));
    await tick();
    const flushes = h.flushes;
    tasks.start("b", () => void calls++);
    tasks.stop();
    assert.equal(signal.aborted, true);
    d.resolve("late");
    tasks.start("c", () => void calls++);
    await tick();
    await tick();
    assert.equal(calls, 0, "a task not started yet, or started after, never runs");
    assert.equal(h.flushes, flushes);
    assert.deepEqual(h.ended, []);
  });

  it("refuses bad arguments and a state that is not an object", () => {
    const { tasks } = host();
    const fn = async () => 1;
    assert.throws(() => tasks.start("", fn), /name must be a non-empty string/);
    assert.throws(() => tasks.start("x".repeat(101), fn), /at most 100 characters/);
    assert.throws(() => tasks.start("a", 5 as never), /fn must be a function/);
    assert.throws(() => tasks.start("a", fn, { timeoutMs: 0 }), /timeoutMs must be a positive number/);
    assert.throws(() => tasks.start("a", fn, { timeoutMs: 2 ** 31 }), /timeoutMs must be a positive number/);
    assert.throws(() => tasks.start("a", fn, { ifRunning: "queue" as never }), /ifRunning must be "cancel" or "reject", got "queue"/);
    assert.throws(() => host(7).tasks.start("a", fn), /the view's state must be an object .* got number/);
    assert.equal(tasks.has("a"), false);
  });

  it("runs at most MAX_TASKS tasks at once in a session: one more throws a RangeError, a restart of a running name does not count twice", async () => {
    const { tasks } = host();
    const never = () => new Promise(() => {});
    for (let i = 0; i < MAX_TASKS; i++) tasks.start(`t${i}`, never);
    assert.throws(() => tasks.start("one-more", never), (e: unknown) => e instanceof RangeError && /64 tasks are running/.test(e.message));
    assert.doesNotThrow(() => tasks.start("t0", never), "replacing a running task");
    tasks.cancel("t1");
    assert.doesNotThrow(() => tasks.start("one-more", never), "room again once one ended");
    tasks.stop();
  });

  it("overlays a commit's state: new reports and running ones, the same object when it holds them, a non-object as it is", async () => {
    const { tasks } = host();
    assert.equal(tasks.overlay(5), 5, "no tasks: nothing to do");
    const d = deferred();
    tasks.start("r", () => d.promise);
    const s1 = tasks.overlay({ n: 1 }) as { n: number; async: Record<string, { status: string }> };
    assert.equal(s1.async.r!.status, "running");
    assert.equal(tasks.overlay(s1), s1, "holds them already: the same object");
    const s2 = tasks.overlay({ n: 2 }) as typeof s1;
    assert.equal(s2.async.r, s1.async.r, "a running report is written again into a state that lost it");
    assert.equal(tasks.overlay(7), 7, "a state that is not an object is left as it is");
    assert.equal(tasks.apply(s2), undefined, "no new report: the flush has nothing to do");
    d.resolve(1);
    await until(() => tasks.has("r") === false);
    await tick();
    const s3 = tasks.overlay(s2) as typeof s1;
    assert.equal(s3.async.r!.status, "ok");
    assert.deepEqual(tasks.overlay({ n: 3 }), { n: 3 }, "an ended report is written once");
  });

  it("writes a task named __proto__ as a plain key of state.async", async () => {
    const { h, tasks, flush } = host();
    tasks.start("__proto__", async () => 1);
    await until(() => h.ended.length === 1);
    const reports = flush()!;
    assert.equal(Object.getPrototypeOf(reports), Object.prototype);
    assert.deepEqual(Object.keys(reports), ["__proto__"]);
    assert.equal(JSON.parse(JSON.stringify(h.state)).async.__proto__.result, 1);
  });
});
