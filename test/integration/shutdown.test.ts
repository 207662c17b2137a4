/**
 * app.close(): stops accepting, lets running events finish within a bound,
 * saves snapshots (with Redis), then tells clients to reconnect (4503).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Redis } from "ioredis";
import { S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp } from "../support/server.ts";

describe("graceful shutdown", () => {
  it("finishes a running event and answers it before closing the socket with 4503", async () => {
    const { app, base } = await startApp();
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/counter")).token);
    const answer = c.event(1, "slow");
    await new Promise((r) => setTimeout(r, 5));
    await app.close();
    const m = await answer;
    assert.notEqual(m.t, S.error);
    assert.match(c.views.get(1)!.html(), />100</);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.closeCode, 4503, "the client is told to reconnect");
    await assert.rejects(fetch(`${base}/weft/health`), "no longer accepting");
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
