/**
 * A session moving between nodes keeps the URL a live patch gave it: the
 * snapshot carries the current URL and params, and the node that takes the
 * session over goes on from them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { C, S } from "../../src/protocol/messages.ts";
import { defineView, html, type WeftApp } from "../../src/index.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp, TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";

const List = defineView<{ page: string; seen: string }>({
  mount: () => ({ page: "", seen: "" }),
  handleParams: (p, _url, s) => ({ ...s, page: p.page ?? "1" }),
  events: { where: (s, _p, ctx) => ({ ...s, seen: ctx.params.page ?? "none" }) },
  render: (s) => html`<p>${s.page}</p><i>${s.seen}</i>`,
});

describe("live navigation across nodes", { skip: redisSkipReason() }, () => {
  const redis = new RedisServer();
  const nodes: { app: WeftApp; base: string; errors: unknown[] }[] = [];

  before(async () => {
    await redis.start();
    for (let i = 0; i < 2; i++) nodes.push(await startApp({ views: { "/list": List }, redis: redis.url, sessionGraceMs: 30_000 }));
  });
  after(async () => {
    for (const n of nodes) await n.app.close();
    await redis.close();
  });

  it("takes a patched session over on another node with its current URL and params", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/list");
    const sid = (new TokenSigner([TEST_SECRET]).verify(page.token) as { sid: string }).sid;
    const first = await ProtocolClient.connect(a!.base);
    await first.join(1, page.token);
    first.send({ t: C.patch, v: 1, r: 1, d: { u: "/list?page=3" } });
    await first.next((m) => m.v === 1 && m.r === 1);
    assert.match(first.views.get(1)!.html(), /<p>3<\/p>/);
    const store = new Redis(redis.url);
    try {
      await until(async () => JSON.parse((await store.get(`weft:s:${sid}`)) ?? "{}").url === "/list?page=3", 5000, "the snapshot carries the patched URL");
    } finally {
      store.disconnect();
    }
    const second = await ProtocolClient.connect(b!.base);
    try {
      const rejoined = await second.join(1, page.token, Math.max(...first.received.map((m) => m.q ?? 0)));
      assert.equal(rejoined.t, S.rendered);
      assert.match(second.views.get(1)!.html(), /<p>3<\/p>/);
      await second.event(1, "where", {}, 2);
      assert.match(second.views.get(1)!.html(), /<i>3<\/i>/, "ctx.params are the patched URL's on the new node");
    } finally {
      await first.close();
      await second.close();
    }
  });
});
