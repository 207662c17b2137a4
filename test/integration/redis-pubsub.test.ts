import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { Chat } from "../../examples/demo/views/chat.ts";
import { createWeft, type WeftApp } from "../../src/index.ts";
import { kindOf, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { TEST_SECRET } from "../support/server.ts";
import { until, within } from "../support/until.ts";

const skip = redisSkipReason();

async function node(url: string, errors: unknown[]): Promise<{ app: WeftApp; base: string }> {
  const app = createWeft({ views: { "/chat": Chat }, secret: TEST_SECRET, redis: url, onError: (e) => errors.push(e) });
  const { port } = await app.listen(0);
  return { app, base: `http://127.0.0.1:${port}` };
}


/** Waits until `nodes` nodes have subscribed to `topic`'s channel on Redis (subscriptions travel there asynchronously). */
async function subscribed(raw: Redis, topic: string, nodes: number): Promise<void> {
  await until(async () => Number(((await raw.pubsub("NUMSUB", `weft:t:${topic}`)) as [string, number])[1]) >= nodes, 5000, `${nodes} node(s) subscribed to ${topic}`);
}

const said = (text: string) => (m: { d?: unknown }) => kindOf(m as never) === S.diff && JSON.stringify(m.d ?? "").includes(text);

describe("pub/sub on Redis, across nodes", { skip }, () => {
  const redis = new RedisServer();
  const errors: unknown[] = [];
  let a: { app: WeftApp; base: string };
  let b: { app: WeftApp; base: string };
  /** Asks Redis who listens; never subscribes itself. */
  let raw: Redis;

  before(async () => {
    await redis.start();
    a = await node(redis.url, errors);
    b = await node(redis.url, errors);
    raw = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    raw?.disconnect();
    await a?.app.close();
    await b?.app.close();
    await redis.close();
  });

  it("delivers ctx.broadcast and app.broadcast to subscribers on every node, and nowhere else", async () => {
    const onA = await ProtocolClient.connect(a.base);
    const onB = await ProtocolClient.connect(b.base, {}, "sse");
    const otherRoom = await ProtocolClient.connect(b.base, {}, "http");
    try {
      await onA.join(1, (await getPage(a.base, "/chat?room=x1")).token);
      await onB.join(1, (await getPage(b.base, "/chat?room=x1")).token);
      await otherRoom.join(1, (await getPage(b.base, "/chat?room=x2")).token);
      await subscribed(raw, "chat:x1", 2);
      await subscribed(raw, "chat:x2", 1);
      onA.send({ t: "e", v: 1, r: 1, e: "say", d: { text: "from node A" } });
      await onB.next(said("from node A"));
      await onA.next(said("from node A"));
      await b.app.broadcast("chat:x1", "said", { from: "ops", text: "from a job", id: 99 });
      await onA.next(said("from a job"));
      await onB.next(said("from a job"));
      // A negative check needs a point by which the unwanted message would have come: node B
      // receives on one subscriber connection in Redis's order, so a message on x2 published
      // after both x1 messages were delivered reaches otherRoom after anything of x1 would have.
      await b.app.broadcast("chat:x2", "said", { from: "ops", text: "marker x2", id: 100 });
      await otherRoom.next(said("marker x2"));
      assert.equal(otherRoom.received.filter((m) => said("from node A")(m) || said("from a job")(m)).length, 0, "another room hears nothing");
    } finally {
      // Closed whatever happens: open links would keep the process alive after a failure.
      await Promise.all([onA.close(), onB.close(), otherRoom.close()]);
    }
  });

  it("drops a malformed message on a topic channel with a clear error, and goes on", async () => {
    const c = await ProtocolClient.connect(a.base);
    await c.join(1, (await getPage(a.base, "/chat?room=m1")).token);
    await subscribed(raw, "chat:m1", 1);
    try {
      const before = errors.length;
      for (const junk of ["not json", "[1,2]", "{\"payload\":1}", "{\"name\":42}", "null"]) await raw.publish("weft:t:chat:m1", junk);
      await until(() => errors.length >= before + 5);
      assert.match(String(errors.at(-1)), /malformed message on topic "chat:m1"/);
      await a.app.broadcast("chat:m1", "said", { from: "ops", text: "still fine", id: 1 });
      await c.next(said("still fine"));
    } finally {
      await c.close();
    }
  });

  it("carries topic names with odd characters verbatim, never as patterns, and refuses invalid ones", async () => {
    await assert.rejects(a.app.broadcast("a\u0000b", "x"), /control characters/);
    await assert.rejects(a.app.broadcast("", "x"), /topic must be a string/);
    const room = "émoji 🎉 *?[a-z] \\ weft:t:";
    const c = await ProtocolClient.connect(b.base);
    await c.join(1, (await getPage(b.base, `/chat?room=${encodeURIComponent(room)}`)).token);
    await subscribed(raw, `chat:${room}`, 1);
    assert.equal(await raw.pubsub("NUMPAT"), 0, "no node subscribes to a pattern");
    // A pattern-looking topic is not a pattern: "chat:*" reaches only its own subscribers.
    // Both are published in this order on one connection, and node B receives on one: had
    // "pattern?" reached the room, it would have come before "verbatim".
    await a.app.broadcast("chat:*", "said", { from: "x", text: "pattern?", id: 5 });
    await a.app.broadcast(`chat:${room}`, "said", { from: "x", text: "verbatim", id: 6 });
    await c.next(said("verbatim"));
    assert.equal(c.received.filter(said("pattern?")).length, 0);
    await c.close();
  });

  it("fails broadcasts loudly while Redis is down, keeps serving sessions, and recovers by itself", async () => {
    const c = await ProtocolClient.connect(a.base);
    const d = await ProtocolClient.connect(b.base);
    await c.join(1, (await getPage(a.base, "/chat?room=o1")).token);
    await d.join(1, (await getPage(b.base, "/chat?room=o1")).token);
    await subscribed(raw, "chat:o1", 2);
    await redis.stop();
    await until(async () => (await fetch(`${a.base}/weft/health`)).status === 503);
    const health = await (await fetch(`${a.base}/weft/health`)).json() as { status: string; backend: { redis: string } };
    assert.equal(health.status, "degraded");
    assert.equal(health.backend.redis, "down");
    await assert.rejects(a.app.broadcast("chat:o1", "said", { from: "x", text: "lost", id: 2 }));
    // The session still answers its own events (its broadcast fails and is reported).
    const before = errors.length;
    const reply = await c.event(1, "say", { text: "during outage" });
    assert.notEqual(reply.t, S.error);
    await until(() => errors.slice(before).some((e) => /broadcast|writeable|Connection/i.test(String(e))));
    await redis.start();
    await until(async () => (await fetch(`${a.base}/weft/health`)).status === 200 && (await fetch(`${b.base}/weft/health`)).status === 200, 10_000);
    // Subscriptions came back with the connection.
    await until(async () => {
      await a.app.broadcast("chat:o1", "said", { from: "x", text: "back again", id: 3 }).catch(() => {});
      return d.received.some(said("back again"));
    }, 10_000);
    await Promise.all([c.close(), d.close()]);
  });

  it("settles every publish when Redis vanishes mid-burst; what was acknowledged before was delivered; no hang, no crash", async () => {
    const c = await ProtocolClient.connect(a.base);
    await c.join(1, (await getPage(a.base, "/chat?room=burst")).token);
    await subscribed(raw, "chat:burst", 1);
    // Acknowledged by Redis while it runs: delivered, in order.
    for (let i = 0; i < 20; i++) await b.app.broadcast("chat:burst", "said", { from: "x", text: `m${i}`, id: 1000 + i });
    await until(() => / m19<\/li>/.test(c.views.get(1)!.html()));
    // Every message the client was sent, from every frame (the view keeps only the last 50).
    const delivered = () => {
      const seen = new Set<number>();
      for (const m of c.received) for (const x of JSON.stringify(m.d ?? "").matchAll(/"m(\d+)"/g)) seen.add(Number(x[1]));
      return seen;
    };
    const first = delivered();
    assert.deepEqual([...Array(20).keys()].filter((i) => !first.has(i)), [], "every acknowledged message before the burst was delivered");
    const sends: Promise<"ok" | "failed">[] = [];
    let stopped: Promise<void> | undefined;
    try {
      for (let i = 20; i < 320; i++) {
        sends.push(b.app.broadcast("chat:burst", "said", { from: "x", text: `m${i}`, id: 1000 + i }).then(() => "ok" as const, () => "failed" as const));
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
        // Killed while publishes are in flight.
        if (i === 150) stopped = redis.stop();
      }
      const outcomes = await Promise.race([Promise.all(sends), new Promise<never>((_, rej) => setTimeout(() => rej(new Error("a publish hung")), 10_000))]);
      assert.ok(stopped !== undefined, "Redis was killed mid-burst");
      await within(stopped, 5000, "the killed redis-server to exit");
      await until(async () => (await fetch(`${b.base}/weft/health`)).status === 503, 5000, "the publishing node to see Redis gone");
      assert.ok(outcomes.includes("failed"), "publishes after the kill reject");
      // Each publish Redis acknowledged reached the subscriber, not just the last one. Waited
      // for (bounded) rather than slept on: the deliveries may still be on their way.
      const acked = outcomes.flatMap((o, k) => (o === "ok" ? [20 + k] : []));
      await until(() => acked.every((i) => delivered().has(i)), 5000, "the acknowledged publishes to arrive").catch(() => {});
      const seen = delivered();
      assert.deepEqual(acked.filter((i) => !seen.has(i)), [], `every acknowledged publish was delivered (${acked.length} acknowledged)`);
      const ids = [...c.views.get(1)!.html().matchAll(/ m(\d+)<\/li>/g)].map((x) => Number(x[1]));
      assert.deepEqual(ids, [...ids].sort((x, y) => x - y), "what arrived arrived in publish order");
    } finally {
      // Never start a second server while the killed one may still hold the port.
      await stopped;
      await redis.start();
      await until(async () => (await fetch(`${a.base}/weft/health`)).status === 200 && (await fetch(`${b.base}/weft/health`)).status === 200, 10_000);
      await c.close();
    }
  });

  it("presence: who is in a room, across nodes, with joins and leaves", async () => {
    const online = (c: ProtocolClient) => /Online \((\d+)\): ([^<]*)</.exec(c.views.get(1)!.html())?.slice(1) ?? [];
    const c = await ProtocolClient.connect(a.base);
    await c.join(1, (await getPage(a.base, "/chat?room=p1")).token);
    await until(() => online(c)[0] === "1");
    const d = await ProtocolClient.connect(b.base, {}, "sse");
    await d.join(1, (await getPage(b.base, "/chat?room=p1")).token);
    await until(() => online(c)[0] === "2" && online(d)[0] === "2");
    await d.event(1, "rename", { name: "zed" });
    await until(() => /zed/.test(online(c)[1] ?? ""));
    d.send({ t: "l", v: 1 });
    await until(() => online(c)[0] === "1");
    assert.doesNotMatch(online(c)[1] ?? "", /zed/);
    await Promise.all([c.close(), d.close()]);
  });
});
