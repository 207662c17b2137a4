/**
 * Handing a session over while its handler is still running: within
 * `handoverWaitMs` the handler finishes on the old node and the new node
 * starts from its result; past it the handler is fenced (its result and its
 * effects are discarded) and its event runs once on the new node.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import { defineView, html, type WeftApp } from "../../src/index.ts";
import { S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp } from "../support/server.ts";
import { until } from "../support/until.ts";

const skip = redisSkipReason();

/** Handler calls started and finished, across both nodes (one process). */
const calls = { started: 0, finished: 0 };

const Slow = defineView({
  mount: () => ({ count: 0 }),
  events: {
    slowInc: async (s, p, ctx) => {
      calls.started++;
      await new Promise((r) => setTimeout(r, Number(p.ms)));
      calls.finished++;
      ctx.broadcast("audit", "applied", { count: s.count + 1 });
      return { count: s.count + 1 };
    },
  },
  render: (s) => html`<b>${s.count}</b>`,
});

const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { sid: string }).sid;

describe("handover with an event in flight", { skip, timeout: 60_000 }, () => {
  const redis = new RedisServer();
  const nodes: { app: WeftApp; base: string; errors: unknown[] }[] = [];
  let audit: Redis;
  const audited: string[] = [];

  before(async () => {
    await redis.start();
    for (let i = 0; i < 2; i++) nodes.push(await startApp({ redis: redis.url, views: { "/slow": Slow } }));
    audit = new Redis(redis.url);
    await audit.subscribe("weft:t:audit");
    audit.on("message", (_ch: string, m: string) => audited.push(m));
  });
  after(async () => {
    audit?.disconnect();
    for (const n of nodes) await n.app.close();
    await redis.close();
  });

  /** The audited effects, without the markers. */
  const effects = (from: number) => audited.slice(from).map((m) => JSON.parse(m) as { name: string; payload: unknown }).filter((m) => m.name !== "marker");
  let markers = 0;

  /**
   * Publishes a marker from every node and waits for the audit subscriber to hear them
   * all: a broadcast a node made before its marker has arrived by then (each node
   * publishes on one connection, Redis keeps their order, and one connection hears them).
   * What makes a negative check about effects mean something.
   */
  async function settled(): Promise<void> {
    const id = ++markers;
    for (const n of nodes) await n.app.broadcast("audit", "marker", { id });
    const heard = () => audited.filter((m) => m === JSON.stringify({ name: "marker", payload: { id } })).length;
    await until(() => heard() === nodes.length, 5_000, "every node's marker");
  }

  /** A session on A with `slowInc` running (`ms` long), then a join on B that takes it over. */
  async function handOverMidEvent(ms: number) {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/slow");
    const old = await ProtocolClient.connect(a!.base);
    await old.join(1, page.token);
    const started = calls.started;
    old.send({ t: "e", v: 1, r: 1, e: "slowInc", d: { ms } });
    await until(() => calls.started === started + 1, 5_000, "the handler to start on A");
    const lastSeq = Math.max(0, ...old.received.map((m) => m.q ?? 0));
    const fresh = await ProtocolClient.connect(b!.base);
    const rejoined = await fresh.join(1, page.token, lastSeq);
    assert.equal(rejoined.t, S.rendered);
    return { old, fresh, rejoined, started, sid: sidOf(page.token) };
  }

  it("waits for a handler that finishes within handoverWaitMs: it runs once, on the old node, and the new node starts from its result", async () => {
    const before = audited.length;
    const { old, fresh, rejoined, started } = await handOverMidEvent(300);
    assert.equal(rejoined.r, 1, "the snapshot covers the event");
    assert.match(fresh.views.get(1)!.html(), /<b>1<\/b>/);
    // The client resends what it has no answer for: not applied again.
    const dup = await fresh.event(1, "slowInc", { ms: 300 }, 1);
    assert.equal(dup.t, S.reply);
    assert.equal(calls.started, started + 1, "the handler ran exactly once");
    await settled();
    assert.deepEqual(effects(before), [{ name: "applied", payload: { count: 1 } }], "its effect happened once");
    await Promise.all([old.close(), fresh.close()]);
  });

  it("fences a handler still running after handoverWaitMs: its result and broadcast are discarded, its event runs once on the new node", async () => {
    const before = audited.length;
    const [a] = nodes;
    const aSessions = a!.app.stats().sessions;
    const { old, fresh, rejoined, started } = await handOverMidEvent(1_600);
    assert.equal(rejoined.r, 0, "the snapshot does not cover the running event");
    assert.match(fresh.views.get(1)!.html(), /<b>0<\/b>/);
    assert.equal(a!.app.stats().sessions, aSessions, "A let go (the session it had is gone, counted as before it joined)");
    // The old link, still open, gets an answer for its unfinished event: not silence.
    const answer = await old.next((m) => m.r === 1);
    assert.equal(answer.c, "E_NOT_JOINED", JSON.stringify(answer));
    assert.equal(answer.q, undefined, "outside the stream: the client keeps the event and rejoins");
    // The client resends the unanswered event on the new node: applied there, once.
    const applied = await fresh.event(1, "slowInc", { ms: 10 }, 1);
    assert.notEqual(applied.t, S.error, JSON.stringify(applied));
    assert.match(fresh.views.get(1)!.html(), /<b>1<\/b>/);
    // The fenced handler ends on A: nothing it does counts.
    await until(() => calls.finished === started + 2, 5_000, "the fenced handler to end");
    // Its broadcast, had it gone out, left A (at once, on A's connection) before A's marker.
    await settled();
    assert.deepEqual(effects(before), [{ name: "applied", payload: { count: 1 } }], "one effect: the new node's");
    assert.match(fresh.views.get(1)!.html(), /<b>1<\/b>/);
    await Promise.all([old.close(), fresh.close()]);
  });
});
