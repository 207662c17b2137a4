/**
 * Components on several nodes: their state is in the session snapshot, so the
 * node that takes a session over (its client's rejoin landed there) renders
 * each component as it was — without mounting it again — and routes the
 * component's next event to it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import { component, defineComponent, defineView, html } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";

let mounts = 0;

const Card = defineComponent({
  mount: (p: { id: string }) => {
    mounts++;
    return { id: p.id, n: 0 };
  },
  events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
  render: (s) => html`<p class="card">${s.id}=${s.n}</p>`,
});

const Board = defineView({
  mount: () => ({}),
  render: () => html`<div>${component(Card, { id: "a" })}${component(Card, { id: "b" })}</div>`,
});

describe("components across nodes", { skip: redisSkipReason() }, () => {
  const cluster = clusterFixture({ views: { "/board": Board }, sessionGraceMs: 30_000 });

  it("takes a session over on another node with its components' state, and routes their events there", async () => {
    const [a, b] = cluster.nodes;
    const page = await getPage(a!.base, "/board");
    const first = await ProtocolClient.connect(a!.base);
    await first.join(1, page.token);
    const answer = await first.event(1, "inc", {}, 1, "b");
    assert.equal(answer.d, undefined, "a component's event sends no view diff");
    await first.event(1, "inc", {}, 2, "b");
    assert.equal(first.views.get(1)!.html(), '<div><p weft-component="a" class="card">a=0</p><p weft-component="b" class="card">b=2</p></div>');
    await cluster.untilStored(page.token, (snap) => (snap.components?.b?.s as { n?: number } | undefined)?.n === 2, "the snapshot carries the component's state");
    const mounted = mounts;
    const second = await ProtocolClient.connect(b!.base);
    try {
      const rejoined = await second.join(1, page.token, Math.max(...first.received.map((m) => m.q ?? 0)));
      assert.equal(rejoined.t, S.rendered);
      assert.match(second.views.get(1)!.html(), /b=2/);
      assert.equal(mounts, mounted, "no component mounted again on the new node");
      await second.event(1, "inc", {}, 3, "b");
      assert.match(second.views.get(1)!.html(), /a=0.*b=3/);
      const refused = await second.event(1, "inc", {}, 4, "c");
      assert.equal(refused.c, "E_UNKNOWN_TARGET");
    } finally {
      await first.close();
      await second.close();
    }
  });
});
