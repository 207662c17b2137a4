import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { C } from "../../protocol/messages.ts";
import { refusalFrames } from "./refused.ts";

const event = (v: number, r: number, d: unknown = {}): string => JSON.stringify({ t: C.event, v, r, e: "save", d });

describe("refusalFrames", () => {
  it("answers every event of a refused POST with an error naming its view and ref", () => {
    const frames = [event(1, 4), '{"t":"h"}', event(2, 9, { text: "x".repeat(70_000) }), '{"t":"a","v":1,"q":3}'];
    assert.deepEqual(refusalFrames(frames, "E_TOO_LARGE", "too big").map((f) => JSON.parse(f)), [
      { t: "x", v: 1, r: 4, c: "E_TOO_LARGE", m: "too big" },
      { t: "x", v: 2, r: 9, c: "E_TOO_LARGE", m: "too big" },
    ]);
  });

  it("answers nothing for a POST without events (joins, acks, heartbeats)", () => {
    assert.deepEqual(refusalFrames(['{"t":"j","v":1,"d":{}}', '{"t":"h"}'], "E_BAD_FRAME"), []);
  });

  it("reads the ids from the envelope, never from the payload", () => {
    assert.deepEqual(refusalFrames(['{"t":"j","v":1,"d":{"t":"e","v":5,"r":6,"e":"save","d":{}}}'], "E_TOO_LARGE"), []);
  });
});
