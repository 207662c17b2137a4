/**
 * Background tasks, handler time limits and the bounded queue, in a real
 * ViewSession (no sockets): what the browser would receive, frame by frame.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { until } from "../../../test/support/until.ts";
import type { Envelope } from "../../protocol/messages.ts";
import { pageContext } from "../core.ts";
import { MemoryPresence } from "../presence/memory.ts";
import { MemoryPubSub } from "../pubsub/memory.ts";
import { ViewSession, type SessionConfig } from "../session.ts";
import { html } from "../template/html.ts";
import { defineView, type ViewContext } from "../view.ts";
import type { AsyncReport, AsyncReports } from "./report.ts";
import type { AsyncTask } from "./tasks.ts";

type State = { count: number; async?: AsyncReports; ended?: string[] };

/** The running job's controls, set by its function. */
let job: { task: AsyncTask; finish: (v: unknown) => void } | undefined;
/** Resolves the pending slow handlers. */
const slow: ((s: State) => void)[] = [];

const View = defineView<State>({
  mount: () => ({ count: 0 }),
  events: {
    inc: (s) => ({ ...s, count: s.count + 1 }),
    // A new state without `async`, as a handler that builds its state afresh returns.
    reset: () => ({ count: 0 }),
    start: (s, p, ctx) => {
      ctx.startAsync("job", (task) => new Promise((finish) => (job = { task, finish })), p.timeoutMs === undefined ? {} : { timeoutMs: Number(p.timeoutMs) });
      return s;
    },
    cancel: (s, _p, ctx) => {
      ctx.cancelAsync("job");
      return s;
    },
    wait: () => new Promise<State>((r) => slow.push(r)),
    hang: { run: () => new Promise<State>((r) => slow.push(r)), timeoutMs: 30 },
  },
  info: {
    job: (s, r) => ({ ...s, ended: [...(s.ended ?? []), (r as AsyncReport).status] }),
    tick: (s) => ({ ...s, count: s.count + 100 }),
    later: () => new Promise<State>((r) => slow.push(r)),
  },
  render: (s) => html`<p id="n">${s.count}</p><p id="job">${s.async?.job?.status ?? "idle"} ${JSON.stringify(s.async?.job?.progress ?? null)} ${JSON.stringify(s.async?.job?.result ?? null)}</p>`,
});

function open(config: Partial<SessionConfig> = {}) {
  job = undefined;
  slow.length = 0;
  const frames: Envelope[] = [];
  const errors: unknown[] = [];
  const dropped: string[] = [];
  const session = new ViewSession<State>(
    { sid: "s1", path: "/", view: View, params: {}, session: {}, state: { count: 0 }, timers: [] },
    { outboxSize: 256, onError: (err) => errors.push(err), pubsub: new MemoryPubSub(), infoDropped: (_p, name) => dropped.push(name), ...config },
  );
  session.attach({ send: (f) => frames.push(JSON.parse(f) as Envelope) }, 1, undefined, "t");
  frames.length = 0;
  const state = () => session.snapshot().state as unknown as State;
  return { session, frames, errors, dropped, state };
}

describe("background tasks in a session", () => {
  it("keeps answering events while a task runs; progress and the result arrive as state; info gets the end", async () => {
    const { session, frames, state } = open();
    session.event(1, "start", {});
    await until(() => state().async?.job?.status === "running");
    session.event(2, "inc", {});
    session.event(3, "inc", {});
    assert.equal(state().count, 2, "events are answered while the task runs");
    const before = frames.length;
    for (let i = 1; i <= 10; i++) job!.task.progress(i * 10);
    await until(() => state().async?.job?.progress === 100);
    assert.equal(frames.length, before + 1, "ten progress reports, one render");
    job!.finish({ rows: 7 });
    await until(() => state().ended?.length === 1);
    assert.deepEqual(state().async?.job, { status: "ok", progress: 100, result: { rows: 7 }, error: null });
    assert.deepEqual(state().ended, ["ok"]);
    assert.ok(frames.every((f) => f.t !== "x"), "no error frame");
  });

  it("cancels at once; a task that ignores its signal has its late result dropped", async () => {
    const { session, state } = open();
    session.event(1, "start", {});
    await until(() => job !== undefined && state().async?.job?.status === "running");
    session.event(2, "cancel", {});
    assert.equal(job!.task.signal.aborted, true);
    await until(() => state().async?.job?.status === "cancelled");
    const settled = state();
    job!.task.progress(50);
    job!.finish({ late: true });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(state(), settled, "late progress and result dropped");
    assert.deepEqual(state().ended, ["cancelled"]);
  });

  it("shows running in the starting handler's own answer, and cancelled in the cancelling one's", () => {
    const { session, frames, state } = open();
    session.event(1, "start", {});
    assert.equal(state().async?.job?.status, "running");
    assert.equal(frames.at(-1)!.r, 1, "the answer of the start carries it");
    session.event(2, "cancel", {});
    assert.equal(state().async?.job?.status, "cancelled");
    assert.equal(frames.at(-1)!.r, 2);
  });

  it("keeps a running task's report when a handler returns a state without it; an ended one is written once, so a handler may clear it", async () => {
    const { session, state } = open();
    session.event(1, "start", {});
    await until(() => job !== undefined);
    job!.task.progress(20);
    await until(() => state().async?.job?.progress === 20);
    session.event(2, "reset", {});
    assert.deepEqual(state().async?.job, { status: "running", progress: 20, result: null, error: null }, "still there");
    job!.finish("done");
    await until(() => state().ended?.length === 1);
    assert.equal(state().async?.job?.status, "ok");
    session.event(3, "reset", {});
    assert.deepEqual(state(), { count: 0 }, "cleared by the app");
    session.event(4, "inc", {});
    assert.deepEqual(state(), { count: 1 }, "and not written again");
  });

  it("fails a task past its timeoutMs with E_TIMEOUT", async () => {
    const { session, state } = open();
    session.event(1, "start", { timeoutMs: 20 });
    await until(() => state().async?.job?.status === "failed");
    assert.equal(state().async?.job?.error, "E_TIMEOUT");
    assert.equal(job!.task.signal.aborted, true);
  });

  it("ends every task with its session, reporting nothing after", async () => {
    const { session, frames, state } = open();
    session.event(1, "start", {});
    await until(() => job !== undefined && state().async?.job?.status === "running");
    const n = frames.length;
    session.dispose();
    assert.equal(job!.task.signal.aborted, true);
    job!.task.progress(1);
    job!.finish("late");
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(frames.length, n);
    assert.equal(state().async?.job?.status, "running", "the last committed state, as a snapshot would have it");
  });

  it("does nothing for a startAsync after the session ended (a handler still running then)", async () => {
    const { session, frames } = open();
    let calls = 0;
    session.dispose();
    session.ctx.startAsync("late", () => void calls++);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls, 0);
    assert.deepEqual(frames, []);
  });

  it("refuses startAsync in mount, with the way to do it", () => {
    const page = pageContext({}, {}, new MemoryPubSub(), () => {}, new MemoryPresence(() => {}));
    assert.throws(() => page.ctx.startAsync("load", async () => 1), /ctx\.startAsync\("load"\) in mount: a task needs the live session; .*ctx\.schedule/);
    assert.equal(page.ctx.cancelAsync("load"), false);
  });

  it("is reached through the context's getters, which may be taken apart", () => {
    const { session } = open();
    const { startAsync, cancelAsync }: ViewContext = session.ctx;
    assert.equal(typeof startAsync, "function");
    assert.equal(cancelAsync("none"), false);
  });
});

describe("handler time limit", () => {
  it("answers E_TIMEOUT for an async handler past its timeoutMs, keeps the last good state and moves on; its late result is dropped", async () => {
    const { session, frames, state, errors } = open();
    session.event(1, "inc", {});
    session.event(2, "hang", {});
    session.event(3, "inc", {});
    await until(() => frames.some((f) => f.t === "x"));
    const err = frames.find((f) => f.t === "x")!;
    assert.equal(err.c, "E_TIMEOUT");
    assert.equal(err.r, 2);
    assert.equal(typeof err.q, "number", "in the view's stream");
    await until(() => state().count === 2);
    slow[0]!({ count: 999 });
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(state().count, 2, "the late result is dropped");
    assert.equal(errors.length, 1, "reported to onError");
  });

  it("applies handlerTimeoutMs to info handlers too", async () => {
    const { session, frames, state } = open({ handlerTimeoutMs: 30 });
    session.info("later", null);
    session.event(1, "inc", {});
    await until(() => frames.some((f) => f.t === "x" && f.c === "E_TIMEOUT"));
    await until(() => state().count === 1);
    assert.equal(frames.find((f) => f.t === "x")!.r, undefined, "no event caused it");
  });

  it("makes no timer for a synchronous handler", () => {
    const { session, state } = open({ handlerTimeoutMs: 1 });
    const made = (globalThis as { setTimeout: typeof setTimeout }).setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...a: Parameters<typeof setTimeout>) => (timers++, made(...a))) as typeof setTimeout;
    try {
      for (let r = 1; r <= 100; r++) session.event(r, "inc", {});
    } finally {
      globalThis.setTimeout = made;
    }
    assert.equal(timers, 0);
    assert.equal(state().count, 100);
  });
});

describe("bounded queue", () => {
  it("refuses the events over maxQueued with E_BUSY outside the stream, never applies them, applies the rest", async () => {
    const { session, frames, state } = open({ maxQueued: 2 });
    session.event(1, "wait", {});
    session.event(2, "inc", {});
    session.event(3, "inc", {});
    session.event(4, "inc", {});
    session.event(5, "inc", {});
    const busy = frames.filter((f) => f.c === "E_BUSY");
    assert.deepEqual(busy.map((f) => [f.r, f.q, f.v]), [[4, undefined, 1], [5, undefined, 1]]);
    slow[0]!({ count: 10 });
    await until(() => state().count === 12);
    // A resend of a refused ref (after a reconnect), once the queue has room, is answered, not applied.
    const n = frames.length;
    session.event(4, "inc", {});
    assert.deepEqual(frames.slice(n).map((f) => [f.t, f.r]), [["r", 5]]);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(state().count, 12, "events 2 and 3 only");
    session.event(6, "inc", {});
    assert.equal(state().count, 13, "the queue takes events again");
  });

  it("drops info messages over maxQueued, reporting each to infoDropped", async () => {
    const { session, state, dropped } = open({ maxQueued: 1 });
    session.event(1, "wait", {});
    session.info("tick", null);
    session.info("tick", null);
    session.info("tick", null);
    assert.deepEqual(dropped, ["tick", "tick"]);
    slow[0]!({ count: 0 });
    await until(() => state().count === 100);
  });

  it("does not count a task's reports against the bound", async () => {
    const { session, state } = open({ maxQueued: 1 });
    session.event(1, "start", {});
    await until(() => job !== undefined);
    session.event(2, "wait", {});
    session.event(3, "inc", {});
    job!.finish("done");
    await new Promise((r) => setTimeout(r, 10));
    slow[0]!({ count: 5 });
    await until(() => state().ended?.length === 1);
    assert.equal(state().count, 6);
    assert.equal(state().async?.job?.result, "done");
  });
});
