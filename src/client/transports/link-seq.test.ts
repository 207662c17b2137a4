import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LinkSeq } from "./link-seq.ts";

describe("LinkSeq", () => {
  it("drops the hello of a new link (link seq 0)", () => {
    const s = new LinkSeq();
    assert.deepEqual(s.answered(s.sent(), 0, [{ t: "h" }]), []);
    assert.equal(s.seen, 0);
  });

  it("hands on consecutive frames in order and advances seen", () => {
    const s = new LinkSeq();
    assert.deepEqual(s.answered(s.sent(), 3, ["a", "b", "c"]), ["a", "b", "c"]);
    assert.deepEqual(s.answered(s.sent(), 4, ["d"]), ["d"]);
    assert.equal(s.seen, 4);
  });

  it("applies each link seq once when answers overlap", () => {
    const s = new LinkSeq();
    s.answered(s.sent(), 2, ["a", "b"]);
    assert.deepEqual(s.answered(s.sent(), 4, ["b", "c", "d"]), ["c", "d"]);
    assert.deepEqual(s.answered(s.sent(), 4, ["c", "d"]), []);
    assert.equal(s.seen, 4);
  });

  it("holds frames above a hole until the crossing answer that carries it arrives", () => {
    const s = new LinkSeq();
    const poll = s.sent();
    const post = s.sent();
    // The server answered the poll with 1–2, then the POST with 3–4; the POST's answer arrives first.
    assert.deepEqual(s.answered(post, 4, ["c", "d"]), []);
    assert.equal(s.seen, 0);
    assert.deepEqual(s.answered(poll, 2, ["a", "b"]), ["a", "b", "c", "d"]);
    assert.equal(s.seen, 4);
  });

  it("reports the link broken at a hole that no request in flight can fill", () => {
    const s = new LinkSeq();
    assert.deepEqual(s.answered(s.sent(), 2, ["a", "b"]), ["a", "b"]);
    // A resent poll whose first answer was lost: the server handed 3–4 out already.
    assert.deepEqual(s.answered(s.sent(), 6, ["e", "f"]), []);
    assert.equal(s.broken, true);
    assert.equal(s.seen, 2);
  });

  it("reports the hole once the requests in flight at its arrival are answered without it", () => {
    const s = new LinkSeq();
    const poll = s.sent();
    const post = s.sent();
    assert.deepEqual(s.answered(post, 10, ["x"]), []);
    assert.equal(s.broken, false, "the poll may still carry 1–9");
    // A request sent after the hole appeared cannot carry it: it is not waited for.
    s.sent();
    assert.deepEqual(s.answered(poll, 3, ["a", "b", "c"]), ["a", "b", "c"]);
    assert.equal(s.broken, true);
  });

  it("does not skip a hole while a request that may carry it is in flight", () => {
    const s = new LinkSeq();
    const a = s.sent();
    const b = s.sent();
    const c = s.sent();
    assert.deepEqual(s.answered(c, 6, ["f"]), []);
    assert.deepEqual(s.answered(a, 2, ["a", "b"]), ["a", "b"]);
    assert.deepEqual(s.answered(b, 5, ["c", "d", "e"]), ["c", "d", "e", "f"]);
    assert.equal(s.broken, false);
  });

  it("keeps order across several holes", () => {
    const s = new LinkSeq();
    const a = s.sent();
    const b = s.sent();
    const c = s.sent();
    assert.deepEqual(s.answered(c, 5, ["e"]), []);
    assert.deepEqual(s.answered(b, 4, ["c", "d"]), []);
    assert.deepEqual(s.answered(a, 2, ["a", "b"]), ["a", "b", "c", "d", "e"]);
    assert.equal(s.seen, 5);
    assert.equal(s.broken, false);
  });
});
