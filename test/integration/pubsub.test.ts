import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Chat } from "../../examples/demo/views/chat.ts";
import { createWeft, defineView, html, MemoryPubSub } from "../../src/index.ts";
import { kindOf, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";

const Odd = defineView({
  mount: () => ({}),
  events: { bad: (s, _p, ctx) => { ctx.subscribe("\u0000nul"); return s; } },
  render: () => html`<p>odd</p>`,
});

describe("pub/sub", () => {
  it("delivers ctx.broadcast to every subscribed session and app.broadcast from outside", async () => {
    const app = createWeft({ views: { "/chat": Chat, "/odd": Odd }, secret: TEST_SECRET });
    const { port } = await app.listen(0);
    const base = `http://127.0.0.1:${port}`;
    try {
      const a = await ProtocolClient.connect(base);
      const b = await ProtocolClient.connect(base, {}, "sse");
      const other = await ProtocolClient.connect(base, {}, "http");
      await a.join(1, (await getPage(base, "/chat?room=r1")).token);
      await b.join(1, (await getPage(base, "/chat?room=r1")).token);
      await other.join(1, (await getPage(base, "/chat?room=r2")).token);
      a.send({ t: "e", v: 1, r: 1, e: "say", d: { text: "hello <all>" } });
      for (const c of [a, b]) {
        await c.next((m) => kindOf(m) === S.diff && JSON.stringify(m.d).includes("hello"));
        assert.match(c.views.get(1)!.html(), /hello &lt;all&gt;/);
      }
      await app.broadcast("chat:r1", "said", { from: "ops", text: "deploy done", id: 1 });
      await b.next((m) => JSON.stringify(m.d ?? "").includes("deploy done"));
      assert.equal(other.received.filter((m) => kindOf(m) === S.diff && /hello|deploy/.test(JSON.stringify(m.d))).length, 0, "another room hears nothing");
      await Promise.all([a.close(), b.close(), other.close()]);
    } finally {
      await app.close();
    }
  });

  it("stops delivering to a session that left", async () => {
    const pubsub = new MemoryPubSub();
    const app = createWeft({ views: { "/chat": Chat }, secret: TEST_SECRET, pubsub });
    const { port } = await app.listen(0);
    const base = `http://127.0.0.1:${port}`;
    try {
      const c = await ProtocolClient.connect(base);
      await c.join(1, (await getPage(base, "/chat?room=gone")).token);
      assert.equal(pubsub.size, 1);
      c.send({ t: "l", v: 1 });
      await until(() => pubsub.size === 0, 5000, "the subscription to end with the session");
      await c.close();
    } finally {
      await app.close();
    }
  });

  it("refuses odd topic names with a clear error, and the session goes on", async () => {
    const app = createWeft({ views: { "/odd": Odd }, secret: TEST_SECRET, onError: () => {} });
    const { port } = await app.listen(0);
    const base = `http://127.0.0.1:${port}`;
    try {
      await assert.rejects(app.broadcast("", "x"), /topic must be a string of 1 to 256/);
      await assert.rejects(app.broadcast("x".repeat(300), "x"), /topic must be a string of 1 to 256/);
      await assert.rejects(app.broadcast("a\nb", "x"), /control characters/);
      await app.broadcast("émoji 🎉 / weird:*?[]", "x");
      const c = await ProtocolClient.connect(base);
      await c.join(1, (await getPage(base, "/odd")).token);
      assert.equal((await c.event(1, "bad")).c, "E_HANDLER");
      await c.close();
    } finally {
      await app.close();
    }
  });
});
