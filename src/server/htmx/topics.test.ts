import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import type { Core } from "../core.ts";
import { MemoryPubSub } from "../pubsub/memory.ts";
import type { BroadcastMessage, PubSub } from "../pubsub/types.ts";
import { html } from "../template/html.ts";
import type { Json } from "../view.ts";
import { resolveHtmx, type HtmxTopic } from "./options.ts";
import { compareIds, isLogId, MemoryTopicLog, topicLogOf, topicRule, TopicLogPubSub, unwrapPubSub, withTopicLog, type LoggedMessage, type TopicLog } from "./topic-log.ts";
import { HtmxTopics } from "./topics.ts";
import { FakeSender } from "../../../test/support/htmx-sender.ts";

const req = {} as IncomingMessage;
const tick = () => new Promise((r) => setImmediate(r));

/** HtmxTopics over a memory pubsub with the topic log in front, as Core builds it. */
function setup(topics: Record<string, HtmxTopic>, o: { outboxSize?: number; log?: (inner: MemoryPubSub) => TopicLog } = {}) {
  const htmx = resolveHtmx({ topics }, [])!;
  const inner = new MemoryPubSub();
  const outboxSize = o.outboxSize ?? 8;
  const pubsub: PubSub = o.log !== undefined ? new TopicLogPubSub(inner, o.log(inner), htmx.topics) : withTopicLog(inner, { htmx, outboxSize, sessionGraceMs: 1000 }, undefined);
  const errors: { err: unknown; where: string }[] = [];
  const core = { pubsub, options: { outboxSize, onError: (err: unknown, where: string) => errors.push({ err, where }) } } as unknown as Core;
  return { topics: new HtmxTopics(core, htmx), pubsub, inner, errors, htmx };
}

const bar: HtmxTopic = { render: ({ name, payload }) => html`<div id="bar" hx-swap-oob="true" data-name="${name}">${String(payload)}</div>` };

describe("topicRule", () => {
  const rules = resolveHtmx({ topics: { "jobs:*": bar, "jobs:vip:*": bar, "jobs:7": bar, status: { json: true } } }, [])!.topics;

  it("prefers an exact name, then the longest prefix", () => {
    assert.equal(topicRule(rules, "jobs:7")?.pattern, "jobs:7");
    assert.equal(topicRule(rules, "jobs:vip:1")?.pattern, "jobs:vip:*");
    assert.equal(topicRule(rules, "jobs:8")?.pattern, "jobs:*");
    assert.equal(topicRule(rules, "status")?.pattern, "status");
  });

  it("matches nothing else, and no invalid topic name", () => {
    assert.equal(topicRule(rules, "status:x"), undefined);
    assert.equal(topicRule(rules, "job"), undefined);
    assert.equal(topicRule(rules, "jobs:\u0000"), undefined);
    assert.equal(topicRule(rules, `jobs:${"x".repeat(300)}`), undefined);
    assert.equal(topicRule(rules, ""), undefined);
  });
});

describe("log ids", () => {
  it("compare as numbers, ms first", () => {
    assert.ok(compareIds("5-10", "5-9") > 0);
    assert.ok(compareIds("10-0", "9-99") > 0);
    assert.ok(compareIds("1733368800000-1", "1733368800001-0") < 0);
    assert.equal(compareIds("7-3", "7-3"), 0);
  });

  it("accept only <ms>-<n>", () => {
    assert.ok(isLogId("1733368800000-3"));
    for (const bad of ["", "12", "1-2-3", "a-1", "1-", "<b>-1", `${"9".repeat(21)}-1`, undefined, 5]) assert.equal(isLogId(bad), false, String(bad));
    // Past 2^64 - 1 Redis refuses the id (XRANGE errors): no id, not a failed replay.
    assert.ok(isLogId("18446744073709551615-18446744073709551615"));
    assert.ok(isLogId("00000000000000000001-0"));
    for (const bad of ["18446744073709551616-0", "0-18446744073709551616", `${"9".repeat(20)}-1`]) assert.equal(isLogId(bad), false, bad);
  });
});

describe("MemoryTopicLog", () => {
  it("keeps the newest `size` messages of a topic and replays from the one just dropped", async () => {
    const log = new MemoryTopicLog(new MemoryPubSub(), { size: 4 });
    for (let i = 0; i < 10; i++) await log.publish("t", { name: "n", payload: i });
    assert.equal(log.held("t"), 4);
    assert.equal(await log.after("t", "0-0"), undefined, "an id the log never gave is no replay");
    // The ids of this log: <epoch>-1 … <epoch>-10; 1..6 are gone, 6 was dropped last.
    const ids = idsOf(log);
    assert.deepEqual((await log.after("t", ids.dropped))?.map((m) => m.payload), [6, 7, 8, 9]);
    assert.deepEqual((await log.after("t", ids.held[1]!))?.map((m) => m.payload), [8, 9]);
    assert.equal(await log.after("t", ids.older), undefined, "older than the ring: not covered");
  });

  it("keeps a bounded number of topics, dropping the least recently published", async () => {
    const log = new MemoryTopicLog(new MemoryPubSub(), { size: 2, maxTopics: 3 });
    for (const t of ["a", "b", "c", "a", "d"]) await log.publish(t, { name: "n", payload: null });
    assert.equal(log.topics, 3);
    assert.equal(log.held("b"), 0, "b was the least recently published");
    assert.equal(log.held("a"), 2);
  });

  it("keeps a bounded number of bytes, dropping the oldest messages of the least recently published topics first", async () => {
    const log = new MemoryTopicLog(new MemoryPubSub(), { size: 100, maxBytes: 10_000 });
    const big = "x".repeat(1000);
    for (let i = 0; i < 6; i++) await log.publish("a", { name: "n", payload: big });
    for (let i = 0; i < 6; i++) await log.publish("b", { name: "n", payload: big });
    assert.ok(log.heldBytes <= 10_000, `held ${log.heldBytes} bytes`);
    assert.equal(log.held("b"), 6, "the topic just published keeps its messages");
    assert.ok(log.held("a") < 6, "the older topic gave up its oldest");
    for (let i = 0; i < 20; i++) await log.publish("c", { name: "n", payload: big });
    assert.ok(log.heldBytes <= 10_000);
    assert.equal(log.held("a"), 0, "a topic left empty goes");
    assert.equal(log.topics, 1);
    // The ring still replays from the message it dropped last.
    const ring = (log as unknown as { rings: Map<string, { entries: LoggedMessage[]; dropped: string }> }).rings.get("c")!;
    assert.equal((await log.after("c", ring.dropped))?.length, log.held("c"));
    // One message bigger than the whole budget is still kept (the newest always is), alone.
    await log.publish("c", { name: "n", payload: "y".repeat(20_000) });
    assert.equal(log.held("c"), 1);
    // A payload JSON cannot carry is counted, not thrown on.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await log.publish("d", { name: "n", payload: cyclic as never });
    assert.equal(log.held("d"), 1);
  });

  it("publishes every message with its id, ids growing", async () => {
    const ps = new MemoryPubSub();
    const log = new MemoryTopicLog(ps, { size: 4 });
    const got: BroadcastMessage[] = [];
    ps.subscribe("t", (m) => got.push(m));
    await log.publish("t", { name: "a", payload: 1 });
    await log.publish("t", { name: "b", payload: 2 });
    await tick();
    assert.equal(got.length, 2);
    assert.ok(isLogId(got[0]!.id) && isLogId(got[1]!.id));
    assert.ok(compareIds(got[1]!.id!, got[0]!.id!) > 0);
  });
});

/** The ids a log holds for topic "t", the one it dropped last, and one dropped before that. */
function idsOf(log: MemoryTopicLog): { held: string[]; dropped: string; older: string } {
  const probe = (log as unknown as { rings: Map<string, { entries: LoggedMessage[]; dropped: string }> }).rings.get("t")!;
  const epoch = probe.entries[0]!.id.split("-")[0]!;
  return { held: probe.entries.map((e) => e.id), dropped: probe.dropped, older: `${epoch}-2` };
}

describe("withTopicLog", () => {
  it("leaves a pubsub alone without htmx topics, and logs only matching topics with them", async () => {
    const inner = new MemoryPubSub();
    assert.equal(withTopicLog(inner, { outboxSize: 4, sessionGraceMs: 1 }, undefined), inner);
    const htmx = resolveHtmx({ topics: { "jobs:*": bar } }, [])!;
    const ps = withTopicLog(inner, { htmx, outboxSize: 4, sessionGraceMs: 1 }, undefined);
    assert.equal(unwrapPubSub(ps), inner);
    const got: BroadcastMessage[] = [];
    ps.subscribe("jobs:1", (m) => got.push(m));
    ps.subscribe("chat", (m) => got.push(m));
    await ps.publish("jobs:1", { name: "p", payload: 1 });
    await ps.publish("chat", { name: "said", payload: "hi" });
    await tick();
    assert.ok(isLogId(got[0]?.id), "a matching topic's message carries its id");
    assert.equal(got[1]?.id, undefined, "any other topic is untouched");
  });
});

describe("HtmxTopics", () => {
  it("refuses a topic no pattern allows", async () => {
    const { topics } = setup({ "jobs:*": bar });
    assert.equal(topics.allows("jobs:1"), true);
    assert.equal(topics.allows("chat:1"), false);
    const s = new FakeSender();
    await topics.open(req, "chat:1", s, undefined);
    assert.deepEqual(s.closed, { code: 1008, reason: "E_HTMX_TOPIC" });
    assert.equal(topics.size, 0);
  });

  it("sends current first (no id), then every broadcast as HTML with its name and id", async () => {
    const { topics, pubsub } = setup({ "jobs:*": { ...bar, current: (t) => html`<div id="bar" hx-swap-oob="true">now ${t}</div>` } });
    const s = new FakeSender();
    await topics.open(req, "jobs:1", s, undefined);
    await pubsub.publish("jobs:1", { name: "progress", payload: 40 });
    await tick();
    assert.equal(s.out.length, 2);
    assert.deepEqual(s.out[0], { data: '<div id="bar" hx-swap-oob="true">now jobs:1</div>' });
    assert.equal(s.out[1]!.data, '<div id="bar" hx-swap-oob="true" data-name="progress">40</div>');
    assert.equal(s.out[1]!.event, "progress");
    assert.ok(isLogId(s.out[1]!.id));
  });

  it("replays what followed Last-Event-ID instead of current, and goes on live", async () => {
    const { topics, pubsub } = setup({ "jobs:*": { ...bar, current: () => html`<p id="cur">current</p>` } });
    const first = new FakeSender();
    await topics.open(req, "jobs:1", first, undefined);
    for (let i = 1; i <= 4; i++) await pubsub.publish("jobs:1", { name: "progress", payload: i });
    await tick();
    const seen = first.out[2]!.id!; // current, 1, 2 ← the client saw up to 2
    first.close(0, "gone");
    const again = new FakeSender();
    await topics.open(req, "jobs:1", again, seen);
    await pubsub.publish("jobs:1", { name: "progress", payload: 5 });
    await tick();
    assert.deepEqual(again.out.map((m) => m.data.match(/>(\w+)</)?.[1]), ["3", "4", "5"]);
    assert.ok(again.out.every((m) => m.id !== undefined));
  });

  it("sends current when the Last-Event-ID is no longer in the log, or not an id at all", async () => {
    const { topics, pubsub } = setup({ "jobs:*": { ...bar, current: () => html`<p id="cur">current</p>` } }, { outboxSize: 2 });
    const first = new FakeSender();
    await topics.open(req, "jobs:1", first, undefined);
    await pubsub.publish("jobs:1", { name: "progress", payload: 1 });
    await tick();
    const old = first.out[1]!.id!;
    for (let i = 2; i <= 5; i++) await pubsub.publish("jobs:1", { name: "progress", payload: i });
    for (const id of [old, "<script>", "99999999999999-1"]) {
      const s = new FakeSender();
      await topics.open(req, "jobs:1", s, id);
      assert.deepEqual(s.out, [{ data: '<p id="cur">current</p>' }], id);
    }
  });

  it("sends a message that arrives during the replay once, after the replay", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let log!: MemoryTopicLog;
    const { topics, pubsub } = setup({ "jobs:*": bar }, {
      log: (inner) => {
        log = new MemoryTopicLog(inner, { size: 16 });
        // The log is read only once the gate opens: messages published meanwhile are both held and in the log.
        return { publish: (t, m) => log.publish(t, m), after: async (t, id) => (await gate, log.after(t, id)) };
      },
    });
    const first = new FakeSender();
    await topics.open(req, "jobs:1", first, undefined);
    await pubsub.publish("jobs:1", { name: "progress", payload: 1 });
    await tick();
    const s = new FakeSender();
    const opening = topics.open(req, "jobs:1", s, first.out[0]!.id);
    await pubsub.publish("jobs:1", { name: "progress", payload: 2 });
    await pubsub.publish("jobs:1", { name: "progress", payload: 3 });
    await tick();
    assert.equal(s.out.length, 0, "held while the replay is read");
    release();
    await opening;
    await pubsub.publish("jobs:1", { name: "progress", payload: 4 });
    await tick();
    assert.deepEqual(s.out.map((m) => m.data.match(/>(\w+)</)?.[1]), ["2", "3", "4"]);
    assert.equal(new Set(s.out.map((m) => m.id)).size, 3);
  });

  it("reads `current` only once the backend confirmed the subscription", async () => {
    let confirm!: () => void;
    const confirmed = new Promise<void>((r) => (confirm = r));
    let asked = 0;
    const { topics, pubsub } = setup({ "jobs:*": { ...bar, current: () => (asked++, html`<p id="c">c</p>`) } });
    (pubsub as { subscribed?: (t: string) => Promise<void> }).subscribed = () => confirmed;
    const s = new FakeSender();
    const opening = topics.open(req, "jobs:1", s, undefined);
    await tick();
    assert.equal(asked, 0, "not before the subscription is in place");
    confirm();
    await opening;
    assert.equal(asked, 1);
    assert.deepEqual(s.out.map((m) => m.data), ['<p id="c">c</p>']);
  });

  it("closes a stream (1013) that receives more than an outbox while it connects", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { topics, pubsub, inner } = setup({ "jobs:*": { ...bar, current: async () => (await gate, html`<p id="c">c</p>`) } }, { outboxSize: 3 });
    const s = new FakeSender();
    const opening = topics.open(req, "jobs:1", s, undefined);
    for (let i = 0; i < 5; i++) await pubsub.publish("jobs:1", { name: "progress", payload: i });
    await tick();
    assert.deepEqual(s.closed, { code: 1013, reason: "too many messages while connecting" });
    release();
    await opening;
    assert.equal(s.out.length, 0);
    assert.equal(inner.size, 0, "unsubscribed");
    assert.equal(topics.size, 0);
  });

  it("skips a message whose render throws, reports it, and goes on", async () => {
    const { topics, pubsub, errors } = setup({
      "jobs:*": { render: ({ payload }) => {
        if (payload === "bad") throw new Error("render broke");
        return html`<b id="b">${String(payload)}</b>`;
      } },
    });
    const s = new FakeSender();
    await topics.open(req, "jobs:1", s, undefined);
    for (const p of ["a", "bad", "c"]) await pubsub.publish("jobs:1", { name: "n", payload: p });
    await tick();
    assert.deepEqual(s.out.map((m) => m.data), ['<b id="b">a</b>', '<b id="b">c</b>']);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]!.where), /render of "n"/);
    assert.equal(s.closed, undefined);
  });

  it("renders a broadcast once for all the topic's streams", async () => {
    let renders = 0;
    const { topics, pubsub, errors } = setup({
      "jobs:*": { render: ({ payload }) => {
        renders++;
        if (payload === "bad") throw new Error("render broke");
        return html`<b id="b">${String(payload)}</b>`;
      } },
      "st:*": { json: true },
    });
    const streams = [new FakeSender(), new FakeSender(), new FakeSender()];
    for (const s of streams) await topics.open(req, "jobs:1", s, undefined);
    const other = new FakeSender();
    await topics.open(req, "jobs:2", other, undefined);
    const js = [new FakeSender(), new FakeSender()];
    for (const s of js) await topics.open(req, "st:1", s, undefined);
    for (const p of ["a", "bad"]) await pubsub.publish("jobs:1", { name: "n", payload: p });
    await pubsub.publish("jobs:2", { name: "n", payload: "z" });
    await pubsub.publish("st:1", { name: "n", payload: 1 });
    await tick();
    for (const s of streams) assert.deepEqual(s.out.map((m) => m.data), ['<b id="b">a</b>']);
    assert.deepEqual(other.out.map((m) => m.data), ['<b id="b">z</b>']);
    for (const s of js) assert.deepEqual(s.out.map((m) => m.data), ['{"weft":"broadcast","topic":"st:1","event":"n","data":1}']);
    assert.equal(renders, 3, "a, bad and z, each once");
    assert.equal(errors.length, 1, "the throwing render is reported once");
  });

  it("sends nothing for a render that returns undefined", async () => {
    const { topics, pubsub } = setup({ "jobs:*": { render: ({ name }) => (name === "skip" ? undefined : html`<i id="i">${name}</i>`) } });
    const s = new FakeSender();
    await topics.open(req, "jobs:1", s, undefined);
    await pubsub.publish("jobs:1", { name: "skip", payload: null });
    await pubsub.publish("jobs:1", { name: "show", payload: null });
    await tick();
    assert.deepEqual(s.out.map((m) => m.data), ['<i id="i">show</i>']);
  });

  it("sends JSON whose top-level keys are never content or payload", async () => {
    const { topics, pubsub } = setup({ status: { json: true, current: () => ({ content: "<b>x</b>", payload: 1 }) } });
    const s = new FakeSender();
    await topics.open(req, "status", s, undefined);
    const payloads: Json[] = [null, 1, "s", { content: "<i>x</i>" }, { payload: [1, 2] }, [{ content: 1 }]];
    for (const [i, p] of payloads.entries()) await pubsub.publish("status", { name: i % 2 === 0 ? "content" : "payload", payload: p });
    await tick();
    assert.equal(s.out.length, payloads.length + 1);
    assert.deepEqual(JSON.parse(s.out[0]!.data), { weft: "current", topic: "status", data: { content: "<b>x</b>", payload: 1 } });
    for (const [i, m] of s.out.slice(1).entries()) {
      const v = JSON.parse(m.data) as Record<string, unknown>;
      assert.deepEqual(Object.keys(v).sort(), ["data", "event", "topic", "weft"]);
      assert.deepEqual(v, { weft: "broadcast", topic: "status", event: i % 2 === 0 ? "content" : "payload", data: payloads[i] });
      assert.equal(m.event, v.event);
    }
  });

  it("reports a current() that throws and goes on live", async () => {
    const { topics, pubsub, errors } = setup({ "jobs:*": { ...bar, current: () => { throw new Error("db down"); } } });
    const s = new FakeSender();
    await topics.open(req, "jobs:1", s, undefined);
    await pubsub.publish("jobs:1", { name: "progress", payload: 1 });
    await tick();
    assert.equal(s.out.length, 1);
    assert.equal(errors.length, 1);
  });

  it("unsubscribes when the sender closes, and close() ends every stream with 1012", async () => {
    const { topics, inner, pubsub } = setup({ "jobs:*": bar });
    const a = new FakeSender();
    const b = new FakeSender();
    await topics.open(req, "jobs:1", a, undefined);
    await topics.open(req, "jobs:2", b, undefined);
    assert.equal(inner.size, 2);
    a.close(0, "gone");
    assert.equal(inner.size, 1);
    topics.close();
    assert.equal(inner.size, 0);
    assert.deepEqual(b.closed, { code: 1012, reason: "service restart" });
    const late = new FakeSender();
    await topics.open(req, "jobs:3", late, undefined);
    assert.equal(late.closed?.code, 1012);
    assert.ok(topicLogOf(pubsub));
  });
});
