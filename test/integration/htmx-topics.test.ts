/**
 * htmx topics end to end: app.broadcast and ctx.broadcast (from a view's
 * event) reach a WebSocket topic client (the `ws` package) and an SSE topic
 * client (a raw event-stream reader) as HTML and as JSON; on two nodes over a
 * real Redis a broadcast carries the same log id everywhere and an SSE client
 * reconnecting to the other node is replayed from the Redis stream; a topic
 * no pattern allows is refused.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { defineView, html, type WeftOptions } from "../../src/index.ts";
import { RedisPubSub } from "../../src/server/pubsub/redis.ts";
import { RedisConnection } from "../../src/server/redis/connection.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { appsFixture, clusterFixture } from "../support/server.ts";
import { SseReader } from "../support/sse-reader.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";

/** A view whose `run` event reports a job's progress to the job's topic (as a background task's group would). */
const Job = defineView({
  mount: (p, ctx) => {
    // A native session on the same topic: it gets the broadcasts too (the log's id means nothing to it).
    ctx.subscribe(`jobs:${String(p.id)}`);
    return { id: String(p.id ?? "1"), pct: -1 };
  },
  info: { progress: (s, p) => ({ ...s, pct: Number((p as { pct: number }).pct) }) },
  events: {
    run: (s, payload, ctx) => {
      ctx.broadcast(`jobs:${s.id}`, "progress", { pct: Number((payload as { pct?: unknown } | null)?.pct ?? 0) });
      ctx.broadcast("status", "job", { id: s.id });
      return s;
    },
  },
  render: (s) => html`<p id="job">job ${s.id} at ${s.pct}%</p>`,
});

function options(over: Partial<WeftOptions> = {}): Partial<WeftOptions> {
  return {
    views: { "/job/:id": Job },
    outboxSize: 8,
    htmx: {
      topics: {
        "jobs:*": {
          render: ({ name, payload }) => html`<div id="job-bar" hx-swap-oob="true" data-event="${name}">${String((payload as { pct: number }).pct)}%</div>`,
          current: (topic) => html`<div id="job-bar" hx-swap-oob="true">${topic}: waiting</div>`,
        },
        status: { json: true, current: () => ({ ok: true }) },
      },
    },
    ...over,
  };
}

/** A WebSocket topic client: every text message it got, and how it closed. */
class TopicSocket {
  readonly got: string[] = [];
  closeCode = 0;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data, isBinary) => {
      if (!isBinary) this.got.push(String(data));
    });
    ws.on("close", (code) => (this.closeCode = code));
  }

  static open(base: string, topic: string): Promise<TopicSocket> {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/weft/htmx/topic/${encodeURIComponent(topic)}`, { origin: base });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new TopicSocket(ws)));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** An SSE topic client; closed by the suite. */
async function sseOpen(base: string, topic: string, headers: Record<string, string> = {}): Promise<SseReader> {
  return SseReader.open(`${base}/weft/htmx/topic/${encodeURIComponent(topic)}`, headers);
}

/** Both top-level JSON shapes a topic sends: never a `content` or `payload` key (htmx 4 would swap those). */
function json(text: string): Record<string, unknown> {
  const v = JSON.parse(text) as Record<string, unknown>;
  assert.ok(!("content" in v) && !("payload" in v), text);
  return v;
}

describe("htmx topics on one node", () => {
  const start = appsFixture();
  let app: Awaited<ReturnType<typeof start>>["app"];
  let base = "";
  const open: { close(): unknown }[] = [];
  before(async () => ({ app, base } = await start(options())));
  after(() => {
    for (const c of open) c.close();
  });
  const track = <T extends { close(): unknown }>(c: T): T => (open.push(c), c);

  it("delivers app.broadcast as HTML to a WebSocket and an SSE client, after `current`", async () => {
    const ws = track(await TopicSocket.open(base, "jobs:a"));
    const sse = track(await sseOpen(base, "jobs:a"));
    await until(() => ws.got.length >= 1 && sse.events().length >= 1, 5000, "current on both");
    assert.equal(ws.got[0], '<div id="job-bar" hx-swap-oob="true">jobs:a: waiting</div>');
    const cur = sse.events()[0]!;
    assert.equal(cur.data, ws.got[0]);
    assert.deepEqual([cur.event, cur.id], [undefined, undefined], "current: no event name, no id");
    await app.broadcast("jobs:a", "progress", { pct: 40 });
    await until(() => ws.got.length >= 2 && sse.events().length >= 2, 5000, "the broadcast on both");
    const bar = '<div id="job-bar" hx-swap-oob="true" data-event="progress">40%</div>';
    assert.equal(ws.got[1], bar);
    const e = sse.events()[1]!;
    assert.equal(e.event, "progress");
    assert.equal(e.data, bar);
    assert.match(e.id ?? "", /^\d+-\d+$/);
  });

  it("delivers ctx.broadcast from a view's event as HTML and as JSON", async () => {
    const wsBar = track(await TopicSocket.open(base, "jobs:7"));
    const wsStatus = track(await TopicSocket.open(base, "status"));
    const sseStatus = track(await sseOpen(base, "status"));
    await until(() => wsBar.got.length >= 1 && wsStatus.got.length >= 1 && sseStatus.events().length >= 1, 5000, "current on each");
    assert.deepEqual(json(wsStatus.got[0]!), { weft: "current", topic: "status", data: { ok: true } });
    assert.deepEqual(json(sseStatus.events()[0]!.data!), { weft: "current", topic: "status", data: { ok: true } });
    const native = track(await ProtocolClient.connect(base));
    await native.join(1, (await getPage(base, "/job/7")).token);
    native.send({ t: "e", v: 1, r: 1, e: "run", d: { pct: 70 } });
    await until(() => wsBar.got.length >= 2 && wsStatus.got.length >= 2 && sseStatus.events().length >= 2, 5000, "the event's broadcasts");
    assert.equal(wsBar.got[1], '<div id="job-bar" hx-swap-oob="true" data-event="progress">70%</div>');
    const broadcast = { weft: "broadcast", topic: "status", event: "job", data: { id: "7" } };
    assert.deepEqual(json(wsStatus.got[1]!), broadcast);
    const e = sseStatus.events()[1]!;
    assert.equal(e.event, "job");
    assert.deepEqual(json(e.data!), broadcast);
  });

  it("refuses a topic no pattern allows: 404 E_HTMX_TOPIC on upgrade and on GET", async () => {
    await assert.rejects(TopicSocket.open(base, "secret:1"), /upgrade refused: 404/);
    await assert.rejects(TopicSocket.open(base, "jobs"), /upgrade refused: 404/, "the prefix pattern needs its prefix");
    const res = await fetch(`${base}/weft/htmx/topic/${encodeURIComponent("secret:1")}`, { headers: { accept: "text/event-stream" } });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /E_HTMX_TOPIC/);
  });

  it("closes WebSocket topic clients with 1012 at app.close()", async () => {
    const other = await start(options());
    const ws = await TopicSocket.open(other.base, "jobs:z");
    await until(() => ws.got.length >= 1, 5000, "current");
    await other.app.close();
    await until(() => ws.closeCode !== 0, 5000, "the close");
    assert.equal(ws.closeCode, 1012);
  });
});

const skip = redisSkipReason();

describe("htmx topics across two nodes on Redis", { skip }, () => {
  const cluster = clusterFixture(options(), { untilUp: true });
  let raw: Redis;
  const open: { close(): unknown }[] = [];
  const track = <T extends { close(): unknown }>(c: T): T => (open.push(c), c);
  before(() => {
    raw = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1 });
  });
  after(() => {
    for (const c of open) c.close();
    raw?.disconnect();
  });

  /** Waits until `n` nodes listen to the topic's channel (subscriptions reach Redis asynchronously). */
  async function listening(topic: string, n: number): Promise<void> {
    await until(async () => Number(((await raw.pubsub("NUMSUB", `weft:t:${topic}`)) as [string, number])[1]) >= n, 5000, `${n} node(s) on ${topic}`);
  }

  it("carries a broadcast from node A to subscribers on both nodes, with the same id", async () => {
    const [a, b] = cluster.nodes;
    const onA = track(await sseOpen(a!.base, "jobs:r1"));
    const onB = track(await sseOpen(b!.base, "jobs:r1"));
    const wsB = track(await TopicSocket.open(b!.base, "jobs:r1"));
    const native = track(await ProtocolClient.connect(b!.base));
    await native.join(1, (await getPage(b!.base, "/job/r1")).token);
    await until(() => onA.events().length >= 1 && onB.events().length >= 1 && wsB.got.length >= 1, 5000, "current on each");
    await listening("jobs:r1", 2);
    await a!.app.broadcast("jobs:r1", "progress", { pct: 10 });
    await a!.app.broadcast("jobs:r1", "progress", { pct: 20 });
    await until(() => onA.events().length >= 3 && onB.events().length >= 3 && wsB.got.length >= 3, 5000, "both broadcasts everywhere");
    const ids = (r: SseReader) => r.events().slice(1).map((e) => e.id);
    assert.deepEqual(ids(onB), ids(onA));
    assert.match(ids(onA)[0] ?? "", /^\d+-\d+$/, "a Redis stream id");
    assert.deepEqual(wsB.got.slice(1).map((h) => h.match(/>(\d+)%</)?.[1]), ["10", "20"]);
    await until(() => native.views.get(1)?.html().includes("job r1 at 20%") === true, 5000, "the native session on node B");
    const stream = (await raw.xrange("weft:hx:jobs:r1", "-", "+")).map(([id]) => id);
    assert.deepEqual(stream, ids(onA), "the stream holds the ids sent");
    assert.ok((await raw.pttl("weft:hx:jobs:r1")) > 0, "the stream expires");
  });

  it("replays from the Redis stream to an SSE client that reconnects to the other node", async () => {
    const [a, b] = cluster.nodes;
    const first = track(await sseOpen(a!.base, "jobs:r2"));
    await until(() => first.events().length >= 1, 5000, "current");
    await listening("jobs:r2", 1);
    await a!.app.broadcast("jobs:r2", "progress", { pct: 1 });
    await until(() => first.events().length >= 2, 5000, "the first broadcast");
    const last = first.lastId()!;
    first.close();
    await a!.app.broadcast("jobs:r2", "progress", { pct: 2 });
    await a!.app.broadcast("jobs:r2", "done", { pct: 100 });
    const again = track(await sseOpen(b!.base, "jobs:r2", { "last-event-id": last }));
    await until(() => again.events().length >= 2, 5000, "the replay on node B");
    assert.deepEqual(again.events().map((e) => [e.event, e.data]), [
      ["progress", '<div id="job-bar" hx-swap-oob="true" data-event="progress">2%</div>'],
      ["done", '<div id="job-bar" hx-swap-oob="true" data-event="done">100%</div>'],
    ], "the missed messages, no `current`");
    await listening("jobs:r2", 1);
    await a!.app.broadcast("jobs:r2", "progress", { pct: 3 });
    await until(() => again.events().length >= 3, 5000, "live after the replay");
    assert.equal(new Set(again.events().map((e) => e.id)).size, 3, "nothing twice");
  });

  it("skips a stream entry that is no broadcast in a replay, and counts it under weft_malformed_messages_total{source=\"pubsub\"}", async () => {
    const [a, b] = cluster.nodes;
    const metric = async () => {
      const text = await (await fetch(`${b!.base}/weft/metrics`)).text();
      return Number(/^weft_malformed_messages_total\{source="pubsub"\} (\d+)$/m.exec(text)?.[1]);
    };
    const before = await metric();
    await a!.app.broadcast("jobs:m1", "progress", { pct: 1 });
    const [[first]] = (await raw.xrange("weft:hx:jobs:m1", "-", "+")) as [[string, string[]]];
    await raw.xadd("weft:hx:jobs:m1", "*", "m", "not a broadcast");
    await a!.app.broadcast("jobs:m1", "progress", { pct: 2 });
    const r = track(await sseOpen(b!.base, "jobs:m1", { "last-event-id": first }));
    await until(() => r.events().length >= 1, 5000, "the replay");
    assert.deepEqual(r.events().map((e) => e.data), ['<div id="job-bar" hx-swap-oob="true" data-event="progress">2%</div>']);
    assert.equal(await metric(), before + 1);
  });

  it("a Redis PubSub's subscribed() resolves once Redis counts the subscription, however slow the way there", async () => {
    // Everything this connection sends reaches Redis 150 ms late: a subscribed() that did not wait
    // for Redis's answer would resolve while Redis still counts nobody.
    const slow = new TcpProxy(cluster.redis.port);
    slow.delayMs = 150;
    await slow.start();
    const conn = new RedisConnection(`redis://127.0.0.1:${slow.port}`, () => {});
    try {
      await conn.waitReady();
      const ps = new RedisPubSub(conn, () => {});
      for (const topic of ["jobs:sub1", "jobs:sub2"]) {
        ps.subscribe(topic, () => {});
        await ps.subscribed(topic);
        assert.equal(Number(((await raw.pubsub("NUMSUB", `weft:t:${topic}`)) as [string, number])[1]), 1, topic);
      }
    } finally {
      await conn.close();
      await slow.close();
    }
  });

  it("gets a broadcast published right after `current` on the other node", async () => {
    const [a, b] = cluster.nodes;
    for (let i = 0; i < 10; i++) {
      const r = track(await sseOpen(b!.base, `jobs:q${i}`));
      await until(() => r.events().length >= 1, 5000, "current");
      await a!.app.broadcast(`jobs:q${i}`, "progress", { pct: i });
      await until(() => r.events().length >= 2, 5000, `the broadcast on jobs:q${i}`);
      r.close();
    }
  });

  it("sends `current` for a Last-Event-ID the stream does not hold, hostile or trimmed", async () => {
    const [a, b] = cluster.nodes;
    const first = track(await sseOpen(a!.base, "jobs:r3"));
    await until(() => first.events().length >= 1, 5000, "current");
    await listening("jobs:r3", 1);
    await a!.app.broadcast("jobs:r3", "progress", { pct: 0 });
    await until(() => first.events().length >= 2, 5000, "the first broadcast");
    const trimmed = first.lastId()!;
    // Far more than the stream keeps (MAXLEN ~ 8: Redis trims whole nodes of up to 100 entries).
    for (let i = 1; i <= 250; i++) await a!.app.broadcast("jobs:r3", "progress", { pct: i });
    assert.ok((await raw.xlen("weft:hx:jobs:r3")) <= 8 + 100, "the stream stays bounded");
    const errors = b!.errors.length;
    for (const last of [trimmed, "nonsense", "0-0", "99999999999999-1", `${"9".repeat(30)}-1`, "18446744073709551616-1", "1-1 ; FLUSHALL"]) {
      const r = track(await sseOpen(b!.base, "jobs:r3", { "last-event-id": last }));
      await until(() => r.events().length >= 1, 5000, `current for ${last}`);
      assert.equal(r.events()[0]!.data, '<div id="job-bar" hx-swap-oob="true">jobs:r3: waiting</div>', last);
      r.close();
    }
    assert.deepEqual(b!.errors.slice(errors).map(String), [], "no replay failed: each id was read as no id or not held");
    assert.equal(await raw.exists("weft:hx:jobs:r3"), 1);
  });
});
