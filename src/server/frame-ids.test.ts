import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { peekIds, PEEK_CHARS } from "./frame-ids.ts";

describe("peekIds", () => {
  it("reads v and r from the head of an oversized event frame", () => {
    const frame = JSON.stringify({ t: "e", v: 3, r: 41, e: "save", d: { body: "x".repeat(100_000) } });
    assert.deepEqual(peekIds(frame), { v: 3, r: 41 });
  });

  it("reads the first frame of a POSTed array", () => {
    assert.deepEqual(peekIds(' [ {"t":"e","v":2,"r":9,"d":{}}, {"t":"e","v":2,"r":10}]'), { v: 2, r: 9 });
  });

  it("never takes a key from inside the payload for the ref", () => {
    assert.deepEqual(peekIds('{"t":"e","d":{"r":5,"v":6},"v":1,"r":2}'), { v: undefined, r: undefined });
    assert.deepEqual(peekIds('{"t":"e","e":"x\\"r\\":5","v":1}'), { v: undefined, r: undefined });
  });

  it("reads nothing beyond its window", () => {
    const pad = "a".repeat(PEEK_CHARS);
    assert.deepEqual(peekIds(`{"t":"e","x":"${pad.slice(0, 60)}","y":"${pad.slice(0, 60)}","z":"${pad.slice(0, 60)}","w":"${pad.slice(0, 60)}","v":1,"r":2}`), { v: undefined, r: undefined });
  });

  it("ignores ids that are not positive integers below 2^31", () => {
    assert.deepEqual(peekIds('{"v":0,"r":2147483648}'), { v: undefined, r: undefined });
    assert.deepEqual(peekIds('{"v":1.5,"r":-3}'), { v: undefined, r: undefined });
    assert.deepEqual(peekIds('{"v":"1","r":true}'), { v: undefined, r: undefined });
  });

  it("reads what it can from text that is not JSON", () => {
    assert.deepEqual(peekIds('{"t":"e","v":4,"r":8,"d":{'), { v: 4, r: 8 });
    assert.deepEqual(peekIds("not json"), { v: undefined, r: undefined });
    assert.deepEqual(peekIds(""), { v: undefined, r: undefined });
  });
});
