/**
 * A session moving between nodes keeps the URL a live patch gave it: the
 * snapshot carries the current URL and params, and the node that takes the
 * session over goes on from them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { C, S } from "../../src/protocol/messages.ts";
import { defineView, html } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";

const List = defineView<{ page: string; seen: string }>({
  mount: () => ({ page: "", seen: "" }),
  handleParams: (p, _url, s) => ({ ...s, page: p.page ?? "1" }),
  events: { where: (s, _p, ctx) => ({ ...s, seen: ctx.params.page ?? "none" }) },
  render: (s) => html`<p>${s.page}</p><i>${s.seen}</i>`,
});

describe("live navigation across nodes", { skip: redisSkipReason() }, () => {
  const cluster = clusterFixture({ views: { "/list": List }, sessionGraceMs: 30_000 });

  it("takes a patched session over on another node with its current URL and params", async () => {
    const [a, b] = cluster.nodes;
    const page = await getPage(a!.base, "/list");
    const first = await ProtocolClient.connect(a!.base);
    await first.join(1, page.token);
    first.send({ t: C.patch, v: 1, r: 1, d: { u: "/list?page=3" } });
    await first.next((m) => m.v === 1 && m.r === 1);
    assert.match(first.views.get(1)!.html(), /<p>3<\/p>/);
    await cluster.untilStored(page.token, (snap) => snap.url === "/list?page=3", "the snapshot carries the patched URL");
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
