// Hook pushEvent promises settled by the frames that answer their refs, in Node (no DOM needed).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S, type Envelope } from "../protocol/messages.ts";
import { drop, replied, type Waiters } from "./replies.ts";

/** Waiters for `refs`, and what each one settled with ("ok:<json>" or "no:<code>"), in order. */
function waiting(...refs: number[]): { w: Waiters; got: Map<number, string[]> } {
  const w: Waiters = new Map();
  const got = new Map<number, string[]>();
  for (const r of refs) {
    got.set(r, []);
    w.set(r, [(v) => got.get(r)!.push(`ok:${JSON.stringify(v)}`), (e) => got.get(r)!.push(`no:${(e as Error & { code: string }).code}`)]);
  }
  return { w, got };
}

const frame = (m: Envelope) => m;

describe("replied: hook pushEvent promises", () => {
  it("resolves the answered ref with its reply and earlier refs with undefined, once", () => {
    const { w, got } = waiting(1, 2, 3);
    replied(w, frame({ q: 5, r: 2, y: { n: 4 }, d: {} }));
    replied(w, frame({ t: S.reply, q: 6, r: 2, y: "again" })); // a second answer of ref 2 settles nothing
    assert.deepEqual([...got], [[1, ["ok:undefined"]], [2, ['ok:{"n":4}']], [3, []]]);
    assert.deepEqual([...w.keys()], [3]);
  });

  it("rejects the ref of an error in the stream with its code", () => {
    const { w, got } = waiting(4);
    replied(w, frame({ t: S.error, q: 9, r: 4, c: "E_HANDLER", m: "the event handler failed" }));
    assert.deepEqual(got.get(4), ["no:E_HANDLER"]);
  });

  it("rejects only that ref for an error outside the stream (refused unparsed): earlier refs wait on", () => {
    const { w, got } = waiting(1, 2);
    replied(w, frame({ t: S.error, r: 2, c: "E_TOO_LARGE", m: "too large" }));
    assert.deepEqual([...got], [[1, []], [2, ["no:E_TOO_LARGE"]]]);
  });

  it("leaves every ref waiting on E_NOT_JOINED (the event is resent after the rejoin)", () => {
    const { w } = waiting(1);
    replied(w, frame({ t: S.error, r: 1, c: "E_NOT_JOINED", m: "rejoin" }));
    assert.equal(w.size, 1);
  });

  it("keeps a join answer's own ref waiting (it may still run), unless the answer is a full render", () => {
    const { w, got } = waiting(1, 2);
    replied(w, frame({ t: S.reply, q: 3, r: 2, k: "token" }));
    assert.deepEqual([...got], [[1, ["ok:undefined"]], [2, []]]);
    replied(w, frame({ q: 4, r: 2, y: 7, d: {} })); // its own answer
    assert.deepEqual(got.get(2), ["ok:7"]);
    const b = waiting(5);
    replied(b.w, frame({ t: S.rendered, q: 1, r: 5, k: "token", d: "" }));
    assert.deepEqual(b.got.get(5), ["ok:undefined"], "a full render: its answer fell out of the outbox");
  });

  it("ignores frames without a ref", () => {
    const { w } = waiting(1);
    replied(w, frame({ t: S.push, q: 2, e: "x", d: 1 }));
    assert.equal(w.size, 1);
  });

  it("rejects everything waiting when the view dies", () => {
    const { w, got } = waiting(1, 2);
    drop(w, "E_BAD_TOKEN");
    assert.deepEqual([...got], [[1, ["no:E_BAD_TOKEN"]], [2, ["no:E_BAD_TOKEN"]]]);
    assert.equal(w.size, 0);
  });
});
