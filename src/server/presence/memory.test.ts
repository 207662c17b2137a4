import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryPresence } from "./memory.ts";
import type { PresenceDiff } from "./types.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

function record(p: MemoryPresence, topic: string) {
  const diffs: PresenceDiff[] = [];
  const l = p.listen(topic, (d) => diffs.push(d));
  return { diffs, ...l };
}

describe("MemoryPresence", () => {
  it("lists tracked entries at once and delivers the join a microtask later", async () => {
    const p = new MemoryPresence();
    const rec = record(p, "room:1");
    assert.equal(await rec.ready, true);
    const tracking = p.track("room:1", "s1", { user: "ada" });
    assert.equal(rec.diffs.length, 0, "not delivered synchronously");
    await tracking;
    assert.deepEqual(p.list("room:1"), [{ id: "s1", meta: { user: "ada" } }]);
    await tick();
    assert.deepEqual(rec.diffs, [{ topic: "room:1", joins: [{ id: "s1", meta: { user: "ada" } }], leaves: [] }]);
  });

  it("reports a meta change as the old entry leaving and the new one joining, and a same-meta track as nothing", async () => {
    const p = new MemoryPresence();
    await p.track("room:1", "s1", { typing: false });
    const rec = record(p, "room:1");
    await p.track("room:1", "s1", { typing: true });
    await p.track("room:1", "s1", { typing: true });
    await tick();
    assert.deepEqual(rec.diffs, [{ topic: "room:1", joins: [{ id: "s1", meta: { typing: true } }], leaves: [{ id: "s1", meta: { typing: false } }] }]);
    assert.deepEqual(p.list("room:1"), [{ id: "s1", meta: { typing: true } }]);
  });

  it("delivers a leave with the entry's last meta on untrack, and nothing for an unknown id", async () => {
    const p = new MemoryPresence();
    const rec = record(p, "room:1");
    await p.track("room:1", "s1", 1);
    await p.track("room:1", "s2", 2);
    await p.untrack("room:1", "s1");
    await p.untrack("room:1", "nobody");
    await p.untrack("elsewhere", "s2");
    await tick();
    assert.deepEqual(rec.diffs.map((d) => [d.joins.map((e) => e.id), d.leaves.map((e) => e.id)]), [[["s1"], []], [["s2"], []], [[], ["s1"]]]);
    assert.deepEqual(rec.diffs[2]?.leaves, [{ id: "s1", meta: 1 }]);
    assert.deepEqual(p.list("room:1"), [{ id: "s2", meta: 2 }]);
  });

  it("keeps topics apart", async () => {
    const p = new MemoryPresence();
    const a = record(p, "a");
    await p.track("b", "s1", null);
    await tick();
    assert.equal(a.diffs.length, 0);
    assert.deepEqual(p.list("a"), []);
    assert.deepEqual(p.list("b"), [{ id: "s1", meta: null }]);
  });

  it("counts each listen separately, even of the same function, and forgets an empty topic with its last listener", async () => {
    const p = new MemoryPresence();
    const seen: string[] = [];
    const h = (d: PresenceDiff) => seen.push(d.joins[0]?.id ?? "-");
    const one = p.listen("room:1", h);
    const two = p.listen("room:1", h);
    await p.track("room:1", "s1", null);
    await tick();
    assert.deepEqual(seen, ["s1", "s1"]);
    one.off();
    one.off();
    await p.track("room:1", "s2", null);
    await tick();
    assert.deepEqual(seen, ["s1", "s1", "s2"]);
    two.off();
    await p.untrack("room:1", "s1");
    await p.untrack("room:1", "s2");
    assert.equal(p.size, 0);
  });

  it("does not deliver to a listener that stopped before the microtask ran", async () => {
    const p = new MemoryPresence();
    const rec = record(p, "room:1");
    const tracking = p.track("room:1", "s1", null);
    rec.off();
    await tracking;
    await tick();
    assert.deepEqual(p.list("room:1"), [{ id: "s1", meta: null }]);
    assert.equal(rec.diffs.length, 0);
  });

  it("rejects invalid topics, ids and meta, and changes nothing then", async () => {
    const p = new MemoryPresence();
    await assert.rejects(p.track("a\u0000b", "s1", null), /control characters/);
    await assert.rejects(p.track("", "s1", null), /topic must be a string/);
    await assert.rejects(p.track("room", "", null), /presence id must be a string/);
    await assert.rejects(p.track("room", "x".repeat(257), null), /presence id/);
    await assert.rejects(p.track("room", "s1", { n: 1n } as never), /BigInt/);
    assert.throws(() => p.listen("", () => {}), /topic must be a string/);
    assert.deepEqual(p.list("room"), []);
    assert.equal(p.size, 0);
  });

  it("keeps a frozen copy of the meta as JSON has it", async () => {
    const p = new MemoryPresence();
    const meta = { user: "ada", tags: ["x"], gone: undefined } as unknown as { user: string; tags: string[] };
    await p.track("room", "s1", meta);
    meta.tags.push("changed later");
    const [entry] = p.list("room");
    assert.deepEqual(entry, { id: "s1", meta: { user: "ada", tags: ["x"] } });
    assert.ok(Object.isFrozen(entry) && Object.isFrozen(entry?.meta));
  });

  it("reports a listener that throws and still delivers to the others", async () => {
    const errors: unknown[] = [];
    const p = new MemoryPresence((err) => errors.push(err));
    p.listen("room", () => {
      throw new Error("bad listener");
    });
    const rec = record(p, "room");
    await p.track("room", "s1", null);
    await tick();
    assert.equal(rec.diffs.length, 1);
    assert.match(String(errors[0]), /bad listener/);
  });

  it("forgets everything on close", async () => {
    const p = new MemoryPresence();
    record(p, "room");
    await p.track("room", "s1", null);
    await p.close();
    assert.deepEqual(p.list("room"), []);
    assert.equal(p.size, 0);
  });
});
