/**
 * Forms on the wire, over real WebSocket, SSE and HTTP links: a model update
 * (`b: 1`) sets a listed field once by ref and refuses any other; a join that
 * asks to resume a session no node kept is answered with a fresh full render
 * marked `n: 1` (weft-recover), while a resume of a live session, a first
 * join, and a takeover from a snapshot by another node carry no `n`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defineView, html } from "../../src/index.ts";
import { C, kindOf, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture, startApp } from "../support/server.ts";
import { TRANSPORTS } from "../support/wires.ts";

const Note = defineView({
  mount: () => ({ title: "", isAdmin: false }),
  model: ["title"],
  render: (s) => html`<input weft-model="title" value=${s.title}><p>${s.title}|${String(s.isAdmin)}</p>`,
});
const views = { "/note": Note };

for (const transport of TRANSPORTS) {
  describe(`forms on the wire over ${transport}`, () => {
    const apps: Awaited<ReturnType<typeof startApp>>[] = [];
    const clients: ProtocolClient[] = [];
    before(async () => {
      apps.push(await startApp({ views }), await startApp({ views }));
    });
    after(async () => {
      for (const c of clients) await c.close();
      for (const a of apps) await a.app.close();
      for (const a of apps) assert.deepEqual(a.errors, []);
    });
    const connect = async (base: string, token: string) => {
      const c = await ProtocolClient.connect(base, { "x-weft-token": token }, transport);
      clients.push(c);
      return c;
    };

    it("sets a listed field with b: 1, once per ref; refuses other fields and a bad b", async () => {
      const [a] = apps;
      const page = await getPage(a!.base, "/note");
      const c = await connect(a!.base, page.token);
      const joined = await c.join(1, page.token);
      assert.equal(joined.n, undefined, "a first join is not a fresh mount of a resumed session");
      c.send({ t: C.event, v: 1, r: 1, e: "title", d: { value: "Milk" }, b: 1 });
      const set = await c.next((m) => m.v === 1 && m.r === 1);
      assert.equal(kindOf(set), S.diff);
      assert.match(c.views.get(1)!.html(), /<p>Milk\|false<\/p>/);
      c.send({ t: C.event, v: 1, r: 1, e: "title", d: { value: "again" }, b: 1 });
      assert.equal(kindOf(await c.next((m) => m.v === 1 && m.r === 1)), S.reply, "a resent ref is answered, not applied");
      c.send({ t: C.event, v: 1, r: 2, e: "isAdmin", d: { value: true }, b: 1 });
      const refused = await c.next((m) => m.v === 1 && m.r === 2);
      assert.deepEqual([refused.t, refused.c], [S.error, "E_UNKNOWN_FIELD"]);
      c.send({ t: C.event, v: 1, r: 3, e: "title", d: { value: "x" }, b: 2 as unknown as 1 });
      const bad = await c.next((m) => m.v === 1 && m.r === 3);
      assert.deepEqual([bad.t, bad.c, bad.q], [S.error, "E_BAD_FRAME", undefined]);
      c.send({ t: C.event, v: 1, r: 4, e: "title", d: { value: "Milk" } });
      assert.equal((await c.next((m) => m.v === 1 && m.r === 4)).c, "E_UNKNOWN_EVENT", "without b it is an event, and the view has none");
      assert.match(c.views.get(1)!.html(), /<p>Milk\|false<\/p>/);
    });

    it("marks a resumed join's full render n: 1 only when the session was mounted afresh", async () => {
      const [a, b] = apps;
      const page = await getPage(a!.base, "/note");
      const c = await connect(a!.base, page.token);
      await c.join(1, page.token);
      c.send({ t: C.event, v: 1, r: 1, e: "title", d: { value: "typed" }, b: 1 });
      await c.next((m) => m.v === 1 && m.r === 1);
      // The session is live: a resume is answered from the outbox, no n.
      const resumed = await c.join(1, page.token, c.views.get(1)!.seq);
      assert.deepEqual([resumed.t, resumed.n], [S.reply, undefined]);
      // Another server (same secret, no store) never had the session: it mounts afresh.
      const d = await connect(b!.base, page.token);
      const fresh = await d.join(1, page.token, 5);
      assert.deepEqual([fresh.t, fresh.n], [S.rendered, 1]);
      assert.match(d.views.get(1)!.html(), /<p>\|false<\/p>/, "the fresh mount's state");
    });
  });
}

describe("forms on the wire: a takeover from a snapshot is a resume", { skip: redisSkipReason() }, () => {
  const cluster = clusterFixture({ views }, { untilUp: true });
  const clients: ProtocolClient[] = [];
  after(async () => {
    for (const c of clients) await c.close();
  });

  it("answers a join on another node with the session's state and no n", async () => {
    const [a, b] = cluster.nodes;
    const page = await getPage(a!.base, "/note");
    const c = await ProtocolClient.connect(a!.base);
    clients.push(c);
    await c.join(1, page.token);
    c.send({ t: C.event, v: 1, r: 1, e: "title", d: { value: "kept" }, b: 1 });
    await c.next((m) => m.v === 1 && m.r === 1);
    await cluster.untilStored(page.token, (s) => (s.state as { title?: string } | undefined)?.title === "kept", "the snapshot with the title");
    const d = await ProtocolClient.connect(b!.base);
    clients.push(d);
    const taken = await d.join(1, page.token, c.views.get(1)!.seq);
    assert.equal(taken.t, S.rendered);
    assert.equal(taken.n, undefined);
    assert.match(d.views.get(1)!.html(), /<p>kept\|false<\/p>/);
  });
});
