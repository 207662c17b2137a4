/**
 * app.close(): stops accepting, lets running events finish within a bound,
 * saves snapshots (with Redis), then tells clients to reconnect (4503).
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { Redis } from "ioredis";
import { ERRORS } from "../../src/protocol/errors.ts";
import { HEADERS, PATHS, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp, TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";
import { HttpWire, linkToken, newLinkId, SseWire } from "../support/wires.ts";
import { Counter } from "../support/views.ts";
import { createWeft, defineView, html } from "../../src/index.ts";

/** Lets a test know a handler is running, and decide when it ends. */
class Gate {
  release!: () => void;
  private begin!: () => void;
  readonly started = new Promise<void>((r) => (this.begin = r));
  private readonly done = new Promise<void>((r) => (this.release = r));
  /** Called by the handler: signals it runs, then waits for release(). */
  hold(): Promise<void> {
    this.begin();
    return this.done;
  }
}

/** A view whose `hold` event runs until the gate is released. */
const held = (gate: Gate) => defineView({
  mount: () => ({ n: 0 }),
  events: {
    hold: async (s) => {
      await gate.hold();
      return { n: s.n + 100 };
    },
  },
  render: (s) => html`<p>${s.n}</p>`,
});

describe("graceful shutdown", () => {
  it("finishes a running event and answers it before closing the socket with 4503", async () => {
    const gate = new Gate();
    const { app, base } = await startApp({ views: { "/held": held(gate) } });
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/held")).token);
    const answer = c.event(1, "hold");
    await gate.started; // the handler is running: close() must wait for it
    const closing = app.close();
    gate.release();
    await closing;
    const m = await answer;
    assert.notEqual(m.t, S.error);
    assert.equal(c.views.get(1)!.html(), "<p>100</p>");
    await until(() => c.closeCode !== 0, 5000, "the socket to close");
    assert.equal(c.closeCode, 4503, "the client is told to reconnect");
    await assert.rejects(fetch(`${base}/weft/health`), "no longer accepting");
  });

  for (const transport of ["sse", "http"] as const) {
    it(`sends an ${transport.toUpperCase()} link an E_SHUTDOWN frame before the link ends`, async () => {
      const { app, base } = await startApp();
      const c = await ProtocolClient.connect(base, {}, transport);
      await c.join(1, (await getPage(base, "/counter")).token);
      await c.event(1, "inc");
      const shutdown = c.next((m) => m.t === S.error && m.c === "E_SHUTDOWN" && m.v === undefined);
      await app.close();
      const m = await shutdown;
      assert.equal(m.m, ERRORS.E_SHUTDOWN.message);
      await c.close();
    });
  }

  it("answers SSE and HTTP requests with 503 E_SHUTDOWN once closed, while the host's server still runs", async () => {
    const app = createWeft({ views: { "/counter": Counter }, secret: TEST_SECRET });
    const server = createServer(app.handler);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const sse = await SseWire.open(base);
      const http = await HttpWire.open(base);
      await app.close();
      const refused = [
        await sse.postRaw("[]"),
        await http.postRaw("[]"),
        await fetch(`${base}${PATHS.http}?l=${newLinkId()}&n=0`, { headers: { [HEADERS.token]: linkToken() } }),
        await fetch(`${base}${PATHS.sse}?l=${newLinkId()}`, { method: "POST", headers: { "content-type": "application/json", [HEADERS.token]: linkToken() }, body: "[]" }),
      ];
      for (const res of refused) {
        assert.equal(res.status, 503);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_SHUTDOWN");
      }
      await sse.close();
      await http.close();
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("with Redis: leaves the snapshot for other nodes and lets go of ownership and liveness", { skip: redisSkipReason() }, async () => {
    const redis = new RedisServer();
    await redis.start();
    const raw = new Redis(redis.url);
    try {
      const { app, base } = await startApp({ redis: redis.url });
      const node = app.stats().cluster!.node;
      const c = await ProtocolClient.connect(base);
      const page = await getPage(base, "/counter");
      await c.join(1, page.token);
      for (let i = 0; i < 3; i++) await c.event(1, "inc");
      const sid = JSON.parse(Buffer.from(page.token.split(".")[0]!, "base64url").toString()).sid as string;
      assert.equal(await raw.get(`weft:o:${sid}`), node);
      assert.ok(await raw.exists(`weft:node:${node}`));
      await app.close();
      const snap = JSON.parse((await raw.get(`weft:s:${sid}`))!) as { state: { count: number }; lastRef: number };
      assert.equal(snap.state.count, 3);
      assert.equal(snap.lastRef, 3);
      assert.equal(await raw.get(`weft:o:${sid}`), null);
      assert.equal(await raw.exists(`weft:node:${node}`), 0);
      await c.close();
    } finally {
      raw.disconnect();
      await redis.close();
    }
  });
});
