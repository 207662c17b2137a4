/**
 * A view's terminate(reason, state, ctx): once per session end, on every
 * transport — the browser left, its link dropped past the grace period, or the
 * server shut down — with failures reported, never crashing, and app.close()
 * awaiting it within a bound.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { C, HEADERS, PATHS, S } from "../../src/protocol/messages.ts";
import { createWeft, defineView, html, type TerminateReason } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp, TEST_SECRET } from "../support/server.ts";
import { until, within } from "../support/until.ts";
import { Jar, linkToken, newLinkId, TRANSPORTS } from "../support/wires.ts";

/** A view that records each terminate call as [reason, count, connected], and broadcasts its leaving. */
function recorded(calls: [TerminateReason, number, boolean][], hold?: Promise<void>) {
  return defineView({
    mount: () => ({ count: 0 }),
    events: { inc: (s) => ({ count: s.count + 1 }) },
    render: (s) => html`<p>${s.count}</p>`,
    terminate: async (reason, s, ctx) => {
      calls.push([reason, s.count, ctx.connected]);
      ctx.broadcast("left", "gone", s.count);
      await hold;
    },
  });
}

/** Grace and link expiry short enough for a test; the defaults are a minute each. */
const SHORT = { sessionGraceMs: 100, linkTimeoutMs: 100 };

describe("terminate", () => {
  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      it("runs once with \"closed\" when the link drops and the grace period expires", async () => {
        const calls: [TerminateReason, number, boolean][] = [];
        const { app, base, errors } = await startApp({ views: { "/t": recorded(calls) }, ...SHORT });
        try {
          const c = await ProtocolClient.connect(base, {}, transport);
          await c.join(1, (await getPage(base, "/t")).token);
          await c.event(1, "inc");
          await c.close();
          await until(() => calls.length > 0, 5000, "terminate");
          assert.deepEqual(calls, [["closed", 1, false]]);
          assert.equal(app.stats().sessions, 0);
        } finally {
          await app.close();
        }
        assert.equal(calls.length, 1, "not again at close");
        assert.deepEqual(errors, []);
      });

      it("runs once with \"closed\" when the view leaves, and not again at app.close()", async () => {
        const calls: [TerminateReason, number, boolean][] = [];
        const { app, base } = await startApp({ views: { "/t": recorded(calls) } });
        const c = await ProtocolClient.connect(base, {}, transport);
        await c.join(1, (await getPage(base, "/t")).token);
        await c.event(1, "inc");
        c.send({ t: C.leave, v: 1 });
        await until(() => calls.length > 0, 5000, "terminate");
        await app.close();
        assert.deepEqual(calls, [["closed", 1, false]]);
        await c.close();
      });

      it("runs once with \"shutdown\" at app.close(), which awaits it", async () => {
        const calls: [TerminateReason, number, boolean][] = [];
        let finished = false;
        const slow = new Promise<void>((r) => setTimeout(r, 50)).then(() => { finished = true; });
        const { app, base } = await startApp({ views: { "/t": recorded(calls, slow) } });
        const c = await ProtocolClient.connect(base, {}, transport);
        await c.join(1, (await getPage(base, "/t")).token);
        await c.event(1, "inc");
        await c.event(1, "inc");
        await app.close();
        assert.deepEqual(calls, [["shutdown", 2, false]]);
        assert.equal(finished, true, "close() waited for the async terminate");
        await c.close();
      });
    });
  }

  it("reports a throwing and a rejecting terminate to onError with the view's path; the others still run", async () => {
    const calls: [TerminateReason, number, boolean][] = [];
    const Throws = defineView({ mount: () => ({}), render: () => html`<p>x</p>`, terminate: () => { throw new Error("sync cleanup failed"); } });
    const Rejects = defineView({ mount: () => ({}), render: () => html`<p>y</p>`, terminate: () => Promise.reject(new Error("async cleanup failed")) });
    const where: string[] = [];
    const { app, base } = await startApp({ views: { "/throws": Throws, "/rejects": Rejects, "/t": recorded(calls) }, onError: (_e, w) => where.push(w) });
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/throws")).token);
    await c.join(2, (await getPage(base, "/rejects")).token);
    await c.join(3, (await getPage(base, "/t")).token);
    await app.close();
    assert.deepEqual(where.filter((w) => w.startsWith("terminate")).sort(), ["terminate of /rejects (shutdown)", "terminate of /throws (shutdown)"]);
    assert.deepEqual(calls, [["shutdown", 0, false]]);
    await c.close();
  });

  it("does not hang app.close() on a terminate that never ends (bound: shutdownMs)", async () => {
    const calls: [TerminateReason, number, boolean][] = [];
    const { app, base } = await startApp({ views: { "/t": recorded(calls, new Promise<void>(() => {})) }, shutdownMs: 200 });
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/t")).token);
    await within(app.close(), 5000, "app.close() with a hanging terminate");
    assert.deepEqual(calls, [["shutdown", 0, false]]);
    await c.close();
  });

  it("lets terminate broadcast to the sessions that stay", async () => {
    const calls: [TerminateReason, number, boolean][] = [];
    const Listener = defineView({
      mount: (_p, ctx) => { ctx.subscribe("left"); return { heard: [] as number[] }; },
      info: { gone: (s, n) => ({ heard: [...s.heard, Number(n)] }) },
      render: (s) => html`<p>${s.heard.join(",")}</p>`,
    });
    const { app, base } = await startApp({ views: { "/t": recorded(calls), "/listen": Listener } });
    try {
      const c = await ProtocolClient.connect(base);
      await c.join(1, (await getPage(base, "/listen")).token);
      await c.join(2, (await getPage(base, "/t")).token);
      await c.event(2, "inc");
      c.send({ t: C.leave, v: 2 });
      await c.next((m) => m.v === 1 && m.t !== S.error && c.views.get(1)!.html() === "<p>1</p>");
      await c.close();
    } finally {
      await app.close();
    }
  });

  it("holds an HTTP link with no waiting poll open while terminate runs: its next poll gets E_SHUTDOWN, a POST 503", async () => {
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const hold = new Promise<void>((r) => (release = r));
    const Held = defineView({ mount: () => ({}), render: () => html`<p>h</p>`, terminate: () => { started(); return hold; } });
    // The app on a server of the host's: app.close() does not stop that one accepting.
    const app = createWeft({ views: { "/held": Held }, secret: TEST_SECRET });
    const server = createServer(app.handler).on("upgrade", app.upgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/held")).token);
    const jar = new Jar();
    const url = `${base}${PATHS.http}?l=${newLinkId()}`;
    const hello = (await (await jar.fetch(`${url}&n=0`, { headers: { [HEADERS.token]: linkToken() } })).json()) as { n: number };
    const closing = app.close();
    try {
      await within(running, 5000, "terminate to start");
      const poll = await jar.fetch(`${url}&n=${hello.n}`);
      assert.equal(poll.status, 200);
      const answer = (await poll.json()) as { n: number; f: { t: string; c: string; v?: number }[] };
      assert.deepEqual(answer.f.map((f) => [f.t, f.c, f.v]), [[S.error, "E_SHUTDOWN", undefined]]);
      const post = await jar.fetch(`${url}&n=${answer.n}`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" });
      assert.equal(post.status, 503);
      assert.equal(((await post.json()) as { error: { code: string } }).error.code, "E_SHUTDOWN");
    } finally {
      release();
      await closing;
      await c.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe("terminate across nodes", { skip: redisSkipReason(), timeout: 60_000 }, () => {
  it("runs with \"handover\" on the node that lets a session go, and once more only where it ends", async () => {
    const redis = new RedisServer();
    await redis.start();
    const onA: [TerminateReason, number, boolean][] = [];
    const onB: [TerminateReason, number, boolean][] = [];
    // One path, one view per node, so each node's calls are told apart.
    const a = await startApp({ redis: redis.url, views: { "/t": recorded(onA) } });
    const b = await startApp({ redis: redis.url, views: { "/t": recorded(onB) } });
    try {
      const page = await getPage(a.base, "/t");
      const old = await ProtocolClient.connect(a.base);
      await old.join(1, page.token);
      await old.event(1, "inc");
      const fresh = await ProtocolClient.connect(b.base);
      const rejoined = await fresh.join(1, page.token, 2);
      assert.equal(rejoined.t, S.rendered);
      // A lets go when it answers B's handoff request.
      await until(() => onA.length > 0, 10_000, "terminate on A");
      assert.deepEqual(onA, [["handover", 1, false]]);
      assert.deepEqual(onB, []);
      await fresh.event(1, "inc", {}, 2); // ref 1 was applied on A
      fresh.send({ t: C.leave, v: 1 });
      await until(() => onB.length > 0, 5000, "terminate on B");
      await old.close();
      await fresh.close();
    } finally {
      await a.app.close();
      await b.app.close();
      await redis.close();
    }
    assert.deepEqual(onA, [["handover", 1, false]], "A ran it once");
    assert.deepEqual(onB, [["closed", 2, false]], "B ran it once");
  });
});
