/**
 * Background tasks across nodes: a task runs on the node that owns its
 * session. When another node takes the session over, the task stays behind:
 * the new node shows it "cancelled" (progress kept), the old node's task is
 * aborted, and nothing it does after reaches the session.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defineView, html, type AsyncReports, type AsyncTask, type WeftApp } from "../../src/index.ts";
import { S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp } from "../support/server.ts";
import { until } from "../support/until.ts";

const skip = redisSkipReason();

/** The running task (on whichever node started it) and its finish. */
let job: { task: AsyncTask; finish: (v: unknown) => void } | undefined;

type State = { count: number; async?: AsyncReports };

const Jobs = defineView<State>({
  mount: () => ({ count: 0 }),
  events: {
    // The task ignores its signal: it ends only when the test says.
    start: (_s, _p, ctx) => ctx.startAsync("job", (task) => new Promise((finish) => (job = { task, finish }))),
    inc: (s) => ({ ...s, count: s.count + 1 }),
  },
  render: (s) => html`<p>${s.async?.job?.status ?? "idle"} ${JSON.stringify(s.async?.job?.progress ?? null)} ${JSON.stringify(s.async?.job?.result ?? null)}</p><b>${s.count}</b>`,
});

describe("background tasks across nodes", { skip, timeout: 60_000 }, () => {
  const redis = new RedisServer();
  const nodes: { app: WeftApp; base: string; errors: unknown[] }[] = [];

  before(async () => {
    await redis.start();
    for (let i = 0; i < 2; i++) nodes.push(await startApp({ redis: redis.url, views: { "/jobs": Jobs } }));
  });
  after(async () => {
    for (const n of nodes) await n.app.close();
    await redis.close();
  });

  it("cancels a running task when its session moves to another node, and drops what the task does after", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/jobs");
    const old = await ProtocolClient.connect(a!.base);
    await old.join(1, page.token);
    job = undefined;
    await old.event(1, "start");
    await until(() => job !== undefined, 5_000, "the task to start on A");
    const { task, finish } = job!;
    task.progress(30);
    await until(() => /running 30 null/.test(old.views.get(1)!.html()), 5_000, "A to show the progress");
    // The progress frame is saved before it goes out (save gate): B's snapshot has it.
    const lastSeq = Math.max(0, ...old.received.map((m) => m.q ?? 0), old.views.get(1)!.seq);
    const fresh = await ProtocolClient.connect(b!.base);
    const rejoined = await fresh.join(1, page.token, lastSeq);
    assert.equal(rejoined.t, S.rendered, "B took the session over from its snapshot");
    assert.match(fresh.views.get(1)!.html(), /cancelled 30 null/);
    assert.equal(task.signal.aborted, true, "A aborted the task with the session it let go");
    // The task ignores that and finishes anyway: nothing reaches the session on B.
    task.progress(90);
    finish({ rows: 1 });
    const answer = await fresh.event(1, "inc", {}, 2); // ref 1 was the start, on A
    assert.notEqual(answer.t, S.error, JSON.stringify(answer));
    assert.match(fresh.views.get(1)!.html(), /cancelled 30 null<\/p><b>1<\/b>/);
    assert.deepEqual([...a!.errors, ...b!.errors], []);
    await Promise.all([old.close(), fresh.close()]);
  });
});
