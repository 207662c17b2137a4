import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { RedisPresence } from "../../src/server/presence/redis.ts";
import type { PresenceDiff, PresenceListener } from "../../src/server/presence/types.ts";
import { RedisConnection } from "../../src/server/redis/connection.ts";
import { NodeHeartbeat } from "../../src/server/redis/node.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";

const skip = redisSkipReason();
/** Short, so a dead node is noticed within about a second (sweeps every TTL / 2). */
const TTL = 600;

interface TestNode {
  readonly redis: RedisConnection;
  readonly heartbeat: NodeHeartbeat;
  readonly presence: RedisPresence;
  readonly errors: unknown[];
}

async function startNode(url: string, ttlMs = TTL): Promise<TestNode> {
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  const redis = new RedisConnection(url, onError);
  await redis.waitReady();
  const heartbeat = new NodeHeartbeat(redis, ttlMs, onError);
  heartbeat.start();
  return { redis, heartbeat, presence: new RedisPresence(redis, heartbeat, onError), errors };
}

async function stopNode(n: TestNode | undefined): Promise<void> {
  if (n === undefined) return;
  await n.presence.close();
  await n.heartbeat.stop();
  await n.redis.close();
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function record(n: TestNode, topic: string): PresenceListener & { diffs: PresenceDiff[] } {
  const diffs: PresenceDiff[] = [];
  return { diffs, ...n.presence.listen(topic, (d) => diffs.push(d)) };
}

const ids = (n: TestNode, topic: string) => n.presence.list(topic).map((e) => e.id).sort();
const joined = (diffs: readonly PresenceDiff[], id: string) => diffs.flatMap((d) => d.joins).filter((e) => e.id === id);
const left = (diffs: readonly PresenceDiff[], id: string) => diffs.flatMap((d) => d.leaves).filter((e) => e.id === id);

describe("presence on Redis, across nodes", { skip }, () => {
  const server = new RedisServer();
  let a: TestNode;
  let b: TestNode;
  let raw: Redis;

  before(async () => {
    await server.start();
    a = await startNode(server.url);
    b = await startNode(server.url);
    raw = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    raw?.disconnect();
    await stopNode(a);
    await stopNode(b);
    await server.close();
  });

  it("shows a track on one node in every node's list, with a join diff, and an untrack as a leave", async () => {
    const onA = record(a, "room:1");
    const onB = record(b, "room:1");
    assert.equal(await onA.ready, true);
    assert.equal(await onB.ready, true);
    await a.presence.track("room:1", "s1", { user: "ada" });
    await until(() => ids(b, "room:1").includes("s1"), 5000, "B to list s1");
    assert.deepEqual(b.presence.list("room:1"), [{ id: "s1", meta: { user: "ada" } }]);
    await until(() => onB.diffs.length === 1 && onA.diffs.length === 1);
    assert.deepEqual(onB.diffs[0], { topic: "room:1", joins: [{ id: "s1", meta: { user: "ada" } }], leaves: [] });
    assert.deepEqual(ids(a, "room:1"), ["s1"]);

    await a.presence.track("room:1", "s1", { user: "ada", typing: true });
    await until(() => onB.diffs.length === 2);
    assert.deepEqual(onB.diffs[1], { topic: "room:1", joins: [{ id: "s1", meta: { user: "ada", typing: true } }], leaves: [{ id: "s1", meta: { user: "ada" } }] });

    await a.presence.untrack("room:1", "s1");
    await until(() => onB.diffs.length === 3 && onA.diffs.length === 3);
    assert.deepEqual(onB.diffs[2], { topic: "room:1", joins: [], leaves: [{ id: "s1", meta: { user: "ada", typing: true } }] });
    assert.deepEqual(ids(a, "room:1"), []);
    assert.deepEqual(ids(b, "room:1"), []);
    assert.equal(await raw.exists("weft:p:room:1"), 0, "the empty hash is gone");
    onA.off();
    onB.off();
  });

  it("loads the current list for a late listener before ready resolves", async () => {
    await a.presence.track("room:2", "s1", 1);
    await b.presence.track("room:2", "s2", 2);
    const late = record(b, "room:2");
    assert.equal(await late.ready, true);
    assert.deepEqual(b.presence.list("room:2").sort((x, y) => x.id.localeCompare(y.id)), [{ id: "s1", meta: 1 }, { id: "s2", meta: 2 }]);
    assert.equal(late.diffs.length, 0, "the starting list is not a diff");
    const second = record(b, "room:2");
    assert.equal(await second.ready, true);
    await a.presence.untrack("room:2", "s1");
    await b.presence.untrack("room:2", "s2");
    await until(() => late.diffs.length === 2 && second.diffs.length === 2);
    late.off();
    second.off();
    assert.equal(b.presence.size, 0, "the replica goes with its last listener");
    assert.deepEqual(b.presence.list("room:2"), []);
  });

  it("loses no change made while a replica's first snapshot is on its way", async () => {
    const w = await startNode(server.url);
    const r = await startNode(server.url);
    try {
      await w.presence.track("room:race", "early", null);
      // Diffs that reached R's subscriber connection (its own handler sees them too).
      let heard = 0;
      r.redis.sub.on("message", (channel: string) => channel === "weft:pd:room:race" && heard++);
      // Hold the snapshot reply until changes made after the read have reached R.
      const hgetall = r.redis.cmd.hgetall.bind(r.redis.cmd);
      Object.assign(r.redis.cmd, {
        hgetall: async (key: string) => {
          const snapshot = await hgetall(key);
          await w.presence.track("room:race", "late", null);
          await w.presence.untrack("room:race", "early");
          await until(() => heard === 2, 5000, "both diffs to reach R before its snapshot");
          return snapshot;
        },
      });
      const rec = record(r, "room:race");
      assert.equal(await rec.ready, true);
      assert.deepEqual(ids(r, "room:race"), ["late"]);
      assert.deepEqual(rec.diffs.map((d) => [d.joins.map((e) => e.id), d.leaves.map((e) => e.id)]), [[["late"], []], [[], ["early"]]]);
      rec.off();
    } finally {
      await stopNode(r);
      await stopNode(w);
    }
  });

  it("drops a node that dies without closing from every list, with one leave per listener", async () => {
    const c = await startNode(server.url);
    try {
      const onA = record(a, "room:3");
      const onA2 = record(a, "room:3");
      const onB = record(b, "room:3");
      await Promise.all([onA.ready, onA2.ready, onB.ready]);
      await a.presence.track("room:3", "alive", null);
      await c.presence.track("room:3", "doomed", { on: "c" });
      await until(() => ids(a, "room:3").length === 2 && ids(b, "room:3").length === 2, 5000, "both entries listed");
      // A crash: the connections drop, nothing is cleaned up, the heartbeat key expires.
      c.redis.cmd.disconnect();
      c.redis.sub.disconnect();
      const t0 = Date.now();
      await until(() => !ids(a, "room:3").includes("doomed") && !ids(b, "room:3").includes("doomed"), 5000, "the dead node's entry to go");
      assert.ok(Date.now() - t0 < 5000);
      // Counting leaves is a negative check (no second leave). A diff published after the
      // removal's leave reaches each node after it (one subscriber connection per node, in
      // Redis's order): once both list the marker, every leave on the way has been applied.
      await a.presence.track("room:3", "marker", null);
      await until(() => ids(a, "room:3").includes("marker") && ids(b, "room:3").includes("marker"), 5000, "the marker listed on both nodes");
      // The sweepers act on their own timers (every TTL / 2): a quiet period of two turns each.
      await sleep(TTL);
      await a.presence.untrack("room:3", "marker");
      await until(() => !ids(a, "room:3").includes("marker") && !ids(b, "room:3").includes("marker"), 5000, "the marker gone");
      for (const rec of [onA, onA2, onB]) {
        assert.equal(left(rec.diffs, "doomed").length, 1, "one leave per listener");
        assert.deepEqual(left(rec.diffs, "doomed")[0]?.meta, { on: "c" });
      }
      assert.deepEqual(ids(a, "room:3"), ["alive"]);
      assert.deepEqual(ids(b, "room:3"), ["alive"]);
      assert.deepEqual(Object.keys(await raw.hgetall("weft:p:room:3")), [`${a.heartbeat.id}|alive`], "removed from Redis too");
      await a.presence.untrack("room:3", "alive");
      onA.off();
      onA2.off();
      onB.off();
    } finally {
      await stopNode(c);
    }
  });

  it("drops a malformed diff with a clear error, counts it, and goes on", async () => {
    const onA = record(a, "room:m");
    await onA.ready;
    const before = a.errors.length;
    const junk = ["not json", "[1,2]", "null", "{\"joins\":[]}", "{\"joins\":[{\"node\":\"n\",\"id\":\"x\"}],\"leaves\":[]}", "{\"joins\":[{\"node\":\"a|b\",\"id\":\"x\",\"meta\":1}],\"leaves\":[]}", "{\"joins\":[{\"node\":\"n\",\"id\":\"\",\"meta\":1}],\"leaves\":[]}"];
    for (const j of junk) await raw.publish("weft:pd:room:m", j);
    await until(() => a.errors.length >= before + junk.length, 5000, "the malformed diffs to be reported");
    assert.equal(a.presence.malformed, junk.length);
    assert.match(String(a.errors.at(-1)), /malformed presence diff on topic "room:m" dropped/);
    assert.deepEqual(ids(a, "room:m"), []);
    assert.equal(onA.diffs.length, 0);
    await b.presence.track("room:m", "fine", true);
    await until(() => ids(a, "room:m").includes("fine"));
    await b.presence.untrack("room:m", "fine");
    onA.off();
  });

  it("uses odd topic names verbatim, never as patterns, and refuses invalid ones", async () => {
    await assert.rejects(a.presence.track("a\u0000b", "s", null), /control characters/);
    await assert.rejects(a.presence.track("", "s", null), /topic must be a string/);
    await assert.rejects(a.presence.track("room", "", null), /presence id/);
    assert.throws(() => a.presence.listen("x".repeat(300), () => {}), /topic must be a string/);
    const odd = "émoji 🎉 *?[a-z] \\ weft:pd: | x";
    const onOdd = record(b, odd);
    const onStar = record(b, "*");
    const onPattern = record(b, "émoji*");
    await Promise.all([onOdd.ready, onStar.ready, onPattern.ready]);
    await a.presence.track(odd, "id with | bar", { odd: true });
    await until(() => ids(b, odd).length === 1, 5000, "the odd topic's entry");
    assert.deepEqual(b.presence.list(odd), [{ id: "id with | bar", meta: { odd: true } }]);
    assert.deepEqual(await raw.hgetall(`weft:p:${odd}`), { [`${a.heartbeat.id}|id with | bar`]: "{\"odd\":true}" });
    assert.equal(await raw.pubsub("NUMPAT"), 0, "no node subscribes to a pattern");
    // Markers on "*" and "émoji*", published after the odd topic's diff: B receives on one
    // connection in Redis's order, so had that diff matched them, it would have come first.
    await a.presence.track("*", "star", null);
    await a.presence.track("émoji*", "pat", null);
    await until(() => ids(b, "*").length > 0 && ids(b, "émoji*").length > 0, 5000, "the markers listed on B");
    assert.deepEqual(ids(b, "*"), ["star"]);
    assert.deepEqual(ids(b, "émoji*"), ["pat"]);
    assert.deepEqual(onStar.diffs.map((d) => d.joins.map((e) => e.id)), [["star"]], "\"*\" heard only its own join");
    assert.deepEqual(onPattern.diffs.map((d) => d.joins.map((e) => e.id)), [["pat"]], "\"émoji*\" heard only its own join");
    await a.presence.untrack("*", "star");
    await a.presence.untrack("émoji*", "pat");
    await a.presence.untrack(odd, "id with | bar");
    await until(() => ids(b, odd).length === 0);
    for (const l of [onOdd, onStar, onPattern]) l.off();
  });

  it("removes a closed node's entries everywhere", async () => {
    const d = await startNode(server.url);
    const onA = record(a, "room:c");
    await onA.ready;
    await d.presence.track("room:c", "d1", null);
    await d.presence.track("room:c", "d2", null);
    await until(() => ids(a, "room:c").length === 2);
    await stopNode(d);
    await until(() => ids(a, "room:c").length === 0, 5000, "the closed node's entries to go");
    assert.equal(await raw.exists("weft:p:room:c"), 0);
    await assert.rejects(d.presence.track("room:c", "d3", null), /closed/);
    onA.off();
  });

  it("writes back an entry of its own that another node removed while this node still tracks it", async () => {
    const onA = record(a, "room:r");
    const onB = record(b, "room:r");
    await Promise.all([onA.ready, onB.ready]);
    await a.presence.track("room:r", "mine", { v: 1 });
    await until(() => ids(b, "room:r").includes("mine"));
    // What a sweeper does when it wrongly takes node A for dead (A's key expired during a stall).
    const field = `${a.heartbeat.id}|mine`;
    await raw.hdel("weft:p:room:r", field);
    await raw.publish("weft:pd:room:r", JSON.stringify({ joins: [], leaves: [{ node: a.heartbeat.id, id: "mine", meta: { v: 1 } }] }));
    await until(async () => (await raw.hget("weft:p:room:r", field)) === "{\"v\":1}", 5000, "A to write its entry back");
    await until(() => joined(onB.diffs, "mine").length === 2, 5000, "B to hear it join again");
    assert.deepEqual(ids(b, "room:r"), ["mine"]);
    await a.presence.untrack("room:r", "mine");
    // A write-back would be sent by A when it applies the untrack's leave: wait for that leave,
    // then for a command sent after it on the same connection (replies come in order).
    await until(() => left(onA.diffs, "mine").length === 2, 5000, "A to hear its untrack's leave");
    await a.redis.cmd.ping();
    assert.equal(await raw.exists("weft:p:room:r"), 0, "an untracked entry is not written back");
    onA.off();
    onB.off();
  });

  describe("through a network partition", () => {
    let proxy: TcpProxy;
    before(async () => {
      proxy = new TcpProxy(server.port);
      await proxy.start();
    });
    after(async () => {
      await proxy?.close();
    });
    const partition = async (n: TestNode) => {
      proxy.reject = /./;
      proxy.cutAll();
      await until(() => !n.redis.ready, 5000, "the node to see the partition");
    };

    it("carries out, once back, the tracks and untracks that failed while Redis was unreachable", async () => {
      // A long TTL: nobody takes the node for dead while it is away.
      const p = await startNode(`redis://127.0.0.1:${proxy.port}`, 60_000);
      try {
        const onA = record(a, "room:p1");
        await onA.ready;
        await p.presence.track("room:p1", "stays", 1);
        await p.presence.track("room:p1", "goes", 2);
        await until(() => ids(a, "room:p1").length === 2);
        await partition(p);
        await assert.rejects(p.presence.untrack("room:p1", "goes"));
        await assert.rejects(p.presence.track("room:p1", "comes", 3));
        assert.deepEqual(Object.keys(await raw.hgetall("weft:p:room:p1")).sort(), [`${p.heartbeat.id}|goes`, `${p.heartbeat.id}|stays`], "Redis still holds what it had");
        // A's list: a marker's diff, published now, reaches A after any diff of the failed changes would have.
        await a.presence.track("room:p1", "marker", null);
        await until(() => ids(a, "room:p1").includes("marker"), 5000, "A to list the marker");
        assert.deepEqual(ids(a, "room:p1"), ["goes", "marker", "stays"], "A heard no change from the unreachable node");
        await a.presence.untrack("room:p1", "marker");
        await until(() => !ids(a, "room:p1").includes("marker"), 5000, "the marker gone");
        proxy.reject = undefined;
        await until(() => JSON.stringify(ids(a, "room:p1")) === JSON.stringify(["comes", "stays"]), 10_000, "the failed changes to be carried out");
        assert.deepEqual(Object.keys(await raw.hgetall("weft:p:room:p1")).sort(), [`${p.heartbeat.id}|comes`, `${p.heartbeat.id}|stays`]);
        assert.equal(left(onA.diffs, "goes").length, 1);
        assert.equal(joined(onA.diffs, "comes").length, 1);
        onA.off();
      } finally {
        proxy.reject = undefined;
        await stopNode(p);
      }
    });

    it("writes its entries again when it comes back after being taken for dead", async () => {
      const p = await startNode(`redis://127.0.0.1:${proxy.port}`);
      try {
        const onA = record(a, "room:p2");
        await onA.ready;
        await p.presence.track("room:p2", "back", null);
        await until(() => ids(a, "room:p2").length === 1);
        await partition(p);
        await until(() => ids(a, "room:p2").length === 0, 5000, "A to sweep the unreachable node");
        assert.equal(await raw.exists("weft:p:room:p2"), 0);
        proxy.reject = undefined;
        await until(() => ids(a, "room:p2").length === 1, 10_000, "the node's entry to come back");
        assert.deepEqual(onA.diffs.map((d) => [d.joins.length, d.leaves.length]), [[1, 0], [0, 1], [1, 0]]);
        onA.off();
      } finally {
        proxy.reject = undefined;
        await stopNode(p);
      }
    });
  });

  it("keeps the last known lists through an outage, and rewrites and reloads everything when Redis is back empty", async () => {
    const onA = record(a, "room:o");
    const onB = record(b, "room:o");
    await Promise.all([onA.ready, onB.ready]);
    await a.presence.track("room:o", "a1", { n: 1 });
    await b.presence.track("room:o", "b1", { n: 2 });
    await until(() => ids(a, "room:o").length === 2 && ids(b, "room:o").length === 2, 5000, "both entries listed");

    await server.stop();
    await until(() => !a.redis.ready && !b.redis.ready, 5000, "both nodes to see the outage");
    await assert.rejects(a.presence.track("room:o", "a2", { n: 3 }), "track rejects while Redis is down");
    await assert.rejects(b.presence.untrack("room:o", "b1"), "untrack rejects while Redis is down");
    // No message can come in an outage: what might clear a list is a node's own timer (the
    // sweep, every TTL / 2, which first reads \`ready\`). Wait until each node's sweep has
    // looked twice, then keep a quiet period of one more turn.
    const looks = (n: TestNode) => {
      let count = 0;
      const proto = Object.getPrototypeOf(n.redis) as object;
      const get = Object.getOwnPropertyDescriptor(proto, "ready")!.get!;
      Object.defineProperty(n.redis, "ready", { configurable: true, get() { count++; return get.call(this) as boolean; } });
      return { count: () => count, restore: () => delete (n.redis as { ready?: boolean }).ready };
    };
    const [lookA, lookB] = [looks(a), looks(b)];
    try {
      await until(() => lookA.count() >= 2 && lookB.count() >= 2, 5000, "both sweepers to take two turns in the outage");
    } finally {
      lookA.restore();
      lookB.restore();
    }
    await sleep(TTL / 2);
    assert.deepEqual(ids(a, "room:o"), ["a1", "b1"], "A keeps its last known list");
    assert.deepEqual(ids(b, "room:o"), ["a1", "b1"], "B keeps its last known list");
    // A listener during the outage gets the last known list and is told it is not loaded.
    const during = record(b, "room:o");
    assert.equal(await during.ready, true, "the replica was loaded before the outage");
    const fresh = record(b, "room:fresh");
    assert.equal(await fresh.ready, false, "a new replica cannot load while Redis is down");

    // Without persistence: Redis comes back empty, and the nodes put back what they track.
    await server.start();
    // What each node meant stands: a1 and a2 tracked (a2 asked for during the outage), b1 untracked.
    const want = ["a1", "a2"];
    await until(() => JSON.stringify(ids(a, "room:o")) === JSON.stringify(want) && JSON.stringify(ids(b, "room:o")) === JSON.stringify(want), 10_000, "lists to recover");
    const hash = await raw.hgetall("weft:p:room:o");
    assert.deepEqual(hash, { [`${a.heartbeat.id}|a1`]: "{\"n\":1}", [`${a.heartbeat.id}|a2`]: "{\"n\":3}" });
    assert.equal(joined(onB.diffs, "a2").length, 1, "B heard a2 join");
    assert.ok(left(onA.diffs, "b1").length >= 1, "A heard b1 leave");
    // Still live after the outage.
    await b.presence.track("room:o", "b2", null);
    await until(() => ids(a, "room:o").includes("b2"));
    await b.presence.track("room:fresh", "f", null);
    await until(() => ids(b, "room:fresh").includes("f"), 5000, "the replica that could not load to work");
    for (const l of [onA, onB, during, fresh]) l.off();
  });
});
