/**
 * Several nodes on one Redis, behind a real nginx balancing round-robin (no
 * stickiness): link requests are forwarded to the link's node, sessions are
 * handed over between nodes, and bad input on the node channel is dropped.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { kindOf, S } from "../../src/protocol/messages.ts";
import { Nginx, nginxSkipReason } from "../support/nginx.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";
import * as views from "../support/views.ts";
import { SseWire, type TransportKind } from "../support/wires.ts";
import { until } from "../support/until.ts";

const skip = redisSkipReason() ?? nginxSkipReason();


const count = (c: ProtocolClient, v = 1) => Number(/<b>(\d+)<\/b>|>(\d+)</.exec(c.views.get(v)!.html())?.slice(1).find(Boolean) ?? NaN);

describe("several nodes behind round-robin nginx", { skip }, () => {
  const { redis, nodes } = clusterFixture({ sessionGraceMs: 30_000 });
  let nginx: Nginx;
  let lb = "";

  before(async () => {
    nginx = new Nginx(nodes.map((n) => Number(new URL(n.base).port)), { upgrade: true });
    lb = await nginx.start();
  });
  after(async () => {
    await nginx?.stop();
  });

  const forwarded = () => nodes.reduce((sum, n) => sum + (n.app.stats().cluster?.forwarded ?? 0), 0);

  for (const transport of ["sse", "http"] as TransportKind[]) {
    it(`${transport}: the link's requests land on both nodes; every event is applied once, in order`, async () => {
      const before = forwarded();
      const live = () => nodes.reduce((sum, n) => sum + n.app.stats().sessions, 0);
      const sessionsBefore = live();
      const c = await ProtocolClient.connect(lb, {}, transport);
      const page = await getPage(lb, "/counter");
      const joined = await c.join(1, page.token);
      assert.equal(joined.t, S.rendered, JSON.stringify(joined));
      for (let i = 1; i <= 30; i++) {
        const m = await c.event(1, "inc");
        assert.notEqual(m.t, S.error, JSON.stringify(m));
      }
      assert.match(c.views.get(1)!.html(), />30</);
      assert.ok(forwarded() - before >= 10, `requests were forwarded between nodes (${forwarded() - before})`);
      assert.equal(live() - sessionsBefore, 1, "one live session in the cluster");
      await c.close();
    });
  }

  it("websocket: a rejoin on another node takes the session over with its state and refs", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/counter");
    const first = await ProtocolClient.connect(a!.base);
    await first.join(1, page.token);
    for (let i = 1; i <= 5; i++) await first.event(1, "inc", {}, i);
    const lastSeq = Math.max(...first.received.map((m) => m.q ?? 0), 0);
    const aSessions = a!.app.stats().sessions;
    const second = await ProtocolClient.connect(b!.base);
    const rejoined = await second.join(1, page.token, lastSeq);
    assert.equal(rejoined.t, S.rendered, "another node's statics: a full render");
    assert.equal(rejoined.r, 5, "the last applied ref travels with the session");
    assert.match(second.views.get(1)!.html(), />5</);
    assert.equal(a!.app.stats().sessions, aSessions - 1, "the old owner let go");
    // A resent event is not applied twice; new ones go on.
    const dup = await second.event(1, "inc", {}, 5);
    assert.equal(dup.r, 5);
    for (let i = 6; i <= 8; i++) await second.event(1, "inc", {}, i);
    assert.match(second.views.get(1)!.html(), />8</);
    // The old link is no longer attached: its frames are refused, not applied.
    const stale = await first.event(1, "inc", {}, 9);
    assert.equal(stale.c, "E_NOT_JOINED");
    await Promise.all([first.close(), second.close()]);
  });

  it("websocket: a page rendered on one node joins on the other without mounting again", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/counter?start=41");
    const mounts = views.counterMounts;
    const c = await ProtocolClient.connect(b!.base);
    const joined = await c.join(1, page.token);
    assert.equal(joined.t, S.rendered);
    assert.match(c.views.get(1)!.html(), />41</);
    assert.equal(views.counterMounts, mounts, "mount ran once, for the page");
    await c.close();
  });

  it("timers move with the session", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/ticker");
    const first = await ProtocolClient.connect(a!.base);
    await first.join(1, page.token);
    await first.next((m) => kindOf(m) === S.diff);
    await first.close();
    const second = await ProtocolClient.connect(b!.base);
    await second.join(1, page.token);
    const ticks = () => Number(/<span>(\d+)<\/span>/.exec(second.views.get(1)!.html())?.[1]);
    const at = ticks();
    assert.ok(at >= 1, second.views.get(1)!.html());
    await until(() => ticks() >= at + 3);
    await second.close();
  });

  it("drops malformed node-channel messages and answers for sessions that no longer exist", async () => {
    const [a] = nodes;
    const node = a!.app.stats().cluster!.node;
    const raw = new Redis(redis.url);
    try {
      const before = a!.errors.length;
      for (const junk of ["nope", "{}", "[]", "{\"k\":\"q\",\"i\":\"1\"}", "{\"k\":\"zz\",\"i\":\"1\"}", "{\"k\":\"t\",\"i\":5}"]) await raw.publish(`weft:n:${node}`, junk);
      await until(() => a!.errors.length >= before + 6);
      assert.match(String(a!.errors.at(-1)), /malformed message on the node channel/);
      // A handover request for a session that does not exist is answered at once.
      const reply = new Redis(redis.url);
      await reply.subscribe("weft:n:tester");
      const answered = new Promise<string>((r) => reply.on("message", (_ch, m: string) => r(m)));
      await raw.publish(`weft:n:${node}`, JSON.stringify({ k: "t", i: "abc", f: "tester", s: "no-such-session" }));
      assert.deepEqual(JSON.parse(await answered), { k: "T", i: "abc" });
      reply.disconnect();
    } finally {
      raw.disconnect();
    }
    // An event forwarded for a view that left is refused with a code.
    const c = await ProtocolClient.connect(lb, {}, "http");
    await c.join(1, (await getPage(lb, "/counter")).token);
    const live = () => nodes.reduce((sum, n) => sum + n.app.stats().sessions, 0);
    const joinedLive = live();
    c.send({ t: "l", v: 1 });
    // The leave is not answered: its effect is, the session ends on its node.
    await until(() => live() === joinedLive - 1, 5_000, "the view's session to end after its leave");
    for (let i = 1; i <= 4; i++) {
      const m = await c.event(1, "inc", {}, i);
      assert.equal(m.c, "E_NOT_JOINED");
    }
    await c.close();
  });

  it("keeps serving its own sessions while Redis is down; when Redis is back empty it re-asserts ownership and saves again, and hands over", async () => {
    const [a, b] = nodes;
    const raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    const page = await getPage(a!.base, "/counter");
    const sid = JSON.parse(Buffer.from(page.token.split(".")[0]!, "base64url").toString()).sid as string;
    const c = await ProtocolClient.connect(a!.base);
    await c.join(1, page.token);
    await c.event(1, "inc", {}, 1);
    await redis.stop();
    await until(async () => (await fetch(`${a!.base}/weft/health`)).status === 503);
    for (let i = 2; i <= 6; i++) assert.notEqual((await c.event(1, "inc", {}, i)).t, S.error);
    assert.match(c.views.get(1)!.html(), />6</);
    // Redis restarts empty (no persistence): no owner key, no snapshot.
    await redis.start();
    await until(async () => (await fetch(`${a!.base}/weft/health`)).status === 200, 10_000);
    // Nothing more happens in the session: its node writes what it holds again by itself.
    await raw.connect();
    const nodeA = a!.app.stats().cluster!.node;
    await until(async () => (await raw.get(`weft:o:${sid}`)) === nodeA, 10_000, "the owner key re-asserted");
    await until(async () => (JSON.parse((await raw.get(`weft:s:${sid}`)) ?? "{}") as { state?: { count: number } }).state?.count === 6, 10_000, "the snapshot saved again");
    // Another node takes the session over from its owner, with its state.
    const lastSeq = Math.max(...c.received.map((m) => m.q ?? 0));
    const aSessions = a!.app.stats().sessions;
    const d = await ProtocolClient.connect(b!.base);
    await d.join(1, c.views.get(1)!.token, lastSeq);
    assert.match(d.views.get(1)!.html(), />6</);
    assert.equal(a!.app.stats().sessions, aSessions - 1, "the old owner let go: one node holds the session");
    // An event on the old link is answered (never silence): the view is not joined there any more.
    assert.equal((await c.event(1, "inc", {}, 7)).c, "E_NOT_JOINED");
    assert.equal((await d.event(1, "inc", {}, 7)).t, undefined, "applied on the new owner");
    assert.match(d.views.get(1)!.html(), />7</);
    raw.disconnect();
    await Promise.all([c.close(), d.close()]);
  });

  it("a session adopted elsewhere while its owner key was gone: the old copy answers its event with E_NOT_JOINED and lets go", async () => {
    const [a, b] = nodes;
    const raw = new Redis(redis.url);
    try {
      const { page, sid, c } = await countedOnce(a!.base);
      // The owner key is evicted: a join on B finds no owner and adopts the snapshot.
      await raw.del(`weft:o:${sid}`);
      const d = await ProtocolClient.connect(b!.base);
      await d.join(1, page.token);
      assert.match(d.views.get(1)!.html(), />1</);
      assert.equal(await raw.get(`weft:o:${sid}`), b!.app.stats().cluster!.node);
      const aSessions = a!.app.stats().sessions;
      // The old link's event is applied on A's stale copy, whose save is refused: it is answered, not dropped.
      const answer = await c.event(1, "inc", {}, 2);
      assert.equal(answer.c, "E_NOT_JOINED", JSON.stringify(answer));
      assert.equal(answer.q, undefined, "outside the stream: the client keeps the event and rejoins");
      await until(() => a!.app.stats().sessions === aSessions - 1, 5_000, "A to let its copy go");
      // Resent after the rejoin (here: on B), the event is applied once.
      await d.event(1, "inc", {}, 2);
      assert.match(d.views.get(1)!.html(), />2</);
      await Promise.all([c.close(), d.close()]);
    } finally {
      raw.disconnect();
    }
  });

  it("forwards a POST for another node's link only with that browser's cookie, within the size limit", async () => {
    const [a, b] = nodes;
    const wire = await SseWire.open(a!.base);
    try {
      const onB = wire.url.replace(a!.base, b!.base);
      const join = JSON.stringify([{ t: "j", v: 1, d: { k: (await getPage(a!.base, "/counter")).token } }]);
      const post = (body: string, cookie = true) =>
        (cookie ? wire.jar.fetch : fetch)(onB, { method: "POST", headers: { "content-type": "application/json" }, body });
      const before = b!.app.stats().cluster!.forwarded;
      assert.equal((await post(join)).status, 204, "forwarded to the stream's node and accepted");
      assert.equal(b!.app.stats().cluster!.forwarded, before + 1);
      // Without the link cookie the owner does not know the link: 404, nothing joined.
      const stranger = await post(join, false);
      assert.equal(stranger.status, 404);
      assert.equal(((await stranger.json()) as { error: { code: string } }).error.code, "E_UNKNOWN_LINK");
      const huge = await post(JSON.stringify([{ t: "e", v: 1, r: 1, e: "inc", d: { x: "y".repeat(70_000) } }]));
      assert.equal(huge.status, 413);
      const junk = await post("{not json");
      assert.equal(junk.status, 400);
    } finally {
      await wire.close();
    }
  });

  it("a node that lost a session to another cannot overwrite its snapshot, and lets its stale copy go", async () => {
    const [a, b] = nodes;
    const raw = new Redis(redis.url);
    try {
      const { page, sid, c } = await countedOnce(a!.base);
      // Another live node has taken the session (as after a handover A did not answer in time).
      await raw.set(`weft:o:${sid}`, b!.app.stats().cluster!.node);
      await raw.set(`weft:s:${sid}`, "{\"marker\":1}");
      // Its event is answered (never silence), and the stale copy is gone: the old link is no longer joined to it.
      assert.equal((await c.event(1, "inc", {}, 2)).c, "E_NOT_JOINED");
      assert.equal((await c.event(1, "inc", {}, 3)).c, "E_NOT_JOINED");
      assert.equal(await raw.get(`weft:s:${sid}`), "{\"marker\":1}", "the new owner's snapshot stands");
      // A stale key naming a dead node is taken back instead.
      const d = await ProtocolClient.connect(a!.base);
      const page2 = await getPage(a!.base, "/counter");
      const sid2 = JSON.parse(Buffer.from(page2.token.split(".")[0]!, "base64url").toString()).sid as string;
      await d.join(1, page2.token);
      await raw.set(`weft:o:${sid2}`, "a-dead-node");
      await d.event(1, "inc", {}, 1);
      await d.event(1, "inc", {}, 2);
      await until(async () => (await raw.get(`weft:o:${sid2}`)) === a!.app.stats().cluster!.node);
      await d.event(1, "inc", {}, 3);
      await until(async () => (JSON.parse((await raw.get(`weft:s:${sid2}`)) ?? "{}") as { state?: { count: number } }).state?.count === 3);
      await Promise.all([c.close(), d.close()]);
    } finally {
      raw.disconnect();
    }
  });
});

/** A /counter page on `base`, joined over a WebSocket and clicked once; its session id read from the token. */
async function countedOnce(base: string): Promise<{ page: Awaited<ReturnType<typeof getPage>>; sid: string; c: ProtocolClient }> {
  const page = await getPage(base, "/counter");
  const sid = JSON.parse(Buffer.from(page.token.split(".")[0]!, "base64url").toString()).sid as string;
  const c = await ProtocolClient.connect(base);
  await c.join(1, page.token);
  await c.event(1, "inc", {}, 1);
  return { page, sid, c };
}
