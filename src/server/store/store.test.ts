import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryStore } from "./memory.ts";
import { parseSnapshot } from "./redis.ts";
import type { SessionSnapshot } from "./types.ts";

const snap: SessionSnapshot = {
  sid: "s1", path: "/counter", params: { start: "1" }, session: {}, state: { count: 3 }, seq: 7, lastRef: 3,
  topics: ["t"], timers: [{ name: "tick", payload: null, due: 1 }], tracked: { room: { name: "a" } },
};

describe("snapshots", () => {
  it("parses a snapshot and refuses anything that is not one", () => {
    assert.deepEqual(parseSnapshot(JSON.stringify(snap)), snap);
    for (const bad of [
      "nope", "null", "[]", "{}", JSON.stringify({ ...snap, sid: 1 }), JSON.stringify({ ...snap, seq: 1.5 }),
      JSON.stringify({ ...snap, topics: [1] }), JSON.stringify({ ...snap, timers: [{ name: "x" }] }),
      JSON.stringify({ ...snap, tracked: "abc" }), JSON.stringify({ ...snap, params: null }),
      JSON.stringify((({ state: _s, ...rest }) => rest)(snap)),
    ]) assert.equal(parseSnapshot(bad), undefined, bad);
  });

  it("parses a page mount's pushes and navigations and refuses malformed ones", () => {
    const effects = [{ t: "p", e: "hello", d: { n: 1 } }, { t: "n", d: { to: "/x", kind: "redirect", replace: false } }];
    assert.deepEqual(parseSnapshot(JSON.stringify({ ...snap, effects })), { ...snap, effects });
    for (const bad of [{}, [{ t: "p" }], [{ t: "n", d: { to: "/x", kind: "jump" } }], [{ t: "x", c: "E_HANDLER" }], [null]]) {
      assert.equal(parseSnapshot(JSON.stringify({ ...snap, effects: bad })), undefined, JSON.stringify(bad));
    }
  });

  it("keeps snapshots in memory as JSON, for their time to live", async () => {
    const store = new MemoryStore();
    const state = { count: 1 };
    await store.save({ ...snap, state }, 50);
    state.count = 99;
    assert.deepEqual((await store.load("s1"))?.state, { count: 1 }, "a copy, not a reference");
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(await store.load("s1"), undefined, "expired");
    await store.save(snap, 1000);
    await store.delete("s1");
    assert.equal(store.size, 0);
  });
});
