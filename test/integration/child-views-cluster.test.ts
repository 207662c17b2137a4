/**
 * Child views on several nodes (Redis): a parent and its child move to
 * another node like any view — their state, and the parent's child table
 * (the same child session and token), so that the parent's renders there
 * keep the child, and dropping it there ends it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import { childApp, childToken } from "../support/child-views.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";
import { until } from "../support/until.ts";

const skip = redisSkipReason();

describe("child views on several nodes", { skip }, () => {
  const kit = childApp();
  const { nodes } = clusterFixture({ views: kit.views, sessionGraceMs: 30_000 }, { untilUp: true });

  it("a page rendered on one node joins its child on the other without mounting it again", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/parent");
    const mounts = kit.mounts;
    const c = await ProtocolClient.connect(b!.base);
    const parent = await c.join(1, page.token);
    assert.equal(parent.t, S.rendered, JSON.stringify(parent) + String(b!.errors.map((e) => (e as Error).stack)));
    const joined = await c.join(2, childToken(page.html, "chat"));
    assert.equal(joined.t, S.rendered, JSON.stringify(joined));
    assert.match(c.views.get(2)!.html(), /room lobby/);
    assert.equal(kit.mounts, mounts, "the child's mount ran once, for the page");
    assert.ok(c.views.get(1)!.html().includes(childToken(page.html, "chat")), "the parent's render on the other node keeps the child's root");
    await c.close();
  });

  it("a parent and its child taken over by another node keep their state and the child; dropping it there ends it", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/parent");
    const token = childToken(page.html, "chat");
    const first = await ProtocolClient.connect(a!.base);
    await first.join(1, page.token);
    await first.join(2, token);
    await first.event(2, "bump", {}, 1);
    await first.event(2, "bump", {}, 2);
    await first.event(1, "inc", {}, 1);
    const second = await ProtocolClient.connect(b!.base);
    assert.equal((await second.join(1, page.token, first.views.get(1)!.seq)).t, S.rendered);
    assert.equal((await second.join(2, token, first.views.get(2)!.seq)).t, S.rendered);
    assert.match(second.views.get(1)!.html(), /parent 1/);
    assert.match(second.views.get(2)!.html(), /n 2/);
    // The parent's render on B keeps the same child (same token): the child's events go on.
    // (Refs go on from each view's last applied one.)
    assert.match(JSON.stringify(await second.event(1, "inc", {}, 2)), /"d"/);
    assert.ok(second.views.get(1)!.html().includes(token));
    await second.event(2, "bump", {}, 3);
    assert.match(second.views.get(2)!.html(), /n 3/);
    const ended = kit.ended.length;
    await second.event(1, "toggle", {}, 3);
    await until(() => kit.ended.length > ended, 5000, "the child's terminate on the new node");
    assert.deepEqual(kit.ended.at(-1), ["lobby", "closed"]);
    assert.equal((await second.event(2, "bump", {}, 4)).c, "E_NOT_JOINED");
    await Promise.all([first.close(), second.close()]);
  });
});
