import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pack, Packr } from "msgpackr";
import { packFrame, peekPackedIds, unpackFrame } from "./msgpack.ts";

const MAX = 1024;
const refused = (out: ReturnType<typeof unpackFrame>): string => ("code" in out ? out.code : "accepted");

describe("MessagePack frames", () => {
  it("packs an envelope without its undefined keys, as JSON.stringify would", () => {
    const bytes = packFrame({ t: "d", v: 1, q: 2, r: undefined, d: { 0: "1" } });
    const out = unpackFrame(bytes, MAX, 32);
    assert.ok("msg" in out);
    assert.deepEqual(out.msg, { t: "d", v: 1, q: 2, d: { 0: "1" } });
    assert.ok(bytes.length < JSON.stringify({ t: "d", v: 1, q: 2, d: { 0: "1" } }).length);
  });

  it("reads JSON data back as JSON.parse would", () => {
    const env = { t: "e", v: 3, r: 9, e: "save", d: { a: [1, -2.5, "x", true, null, { b: {} }], big: 2 ** 40 } };
    const out = unpackFrame(pack(env), MAX, 32);
    assert.ok("msg" in out);
    assert.deepEqual(out.msg, env);
  });

  it("refuses bytes that are not MessagePack with E_BAD_FRAME", () => {
    for (const bad of [[], [0xc1], [0x91], [0x81, 0xa1, 0x74], [0xdd, 0xff, 0xff, 0xff, 0xff, 1], [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61], [0x80, 0x01]]) {
      assert.equal(refused(unpackFrame(Uint8Array.from(bad), MAX, 32)), "E_BAD_FRAME", String(bad));
    }
  });

  it("refuses a frame that is not an object with E_BAD_FRAME", () => {
    for (const v of [[], 1, "x", null, true]) assert.equal(refused(unpackFrame(pack(v), MAX, 32)), "E_BAD_FRAME", String(v));
  });

  it("refuses values JSON cannot carry (extensions, non-finite numbers) with E_BAD_FRAME", () => {
    const structured = new Packr({ structuredClone: true });
    for (const d of [new Date(), new Set([1]), /x/, new Error("e"), new Uint8Array(2), new Float64Array(2), NaN, Infinity, -Infinity, 2n ** 70n]) {
      let bytes: Uint8Array;
      try {
        bytes = structured.pack({ t: "e", v: 1, r: 1, e: "x", d: { x: d } });
      } catch {
        continue; // a value msgpackr cannot write at all
      }
      const out = unpackFrame(bytes, MAX, 32);
      assert.equal(refused(out), "E_BAD_FRAME", String(d));
    }
    // A structured-clone reference (a cycle) is refused outright.
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.equal(refused(unpackFrame(structured.pack({ t: "e", v: 1, d: cyclic }), MAX, 32)), "E_BAD_FRAME");
  });

  it("renames a __proto__ key: no prototype is reached", () => {
    const bytes = Uint8Array.from([0x82, 0xa1, 0x74, 0xa1, 0x65, 0xa9, ...Buffer.from("__proto__"), 0x81, 0xa1, 0x78, 0x01]);
    const out = unpackFrame(bytes, MAX, 32);
    assert.ok("msg" in out);
    assert.equal(Object.getPrototypeOf(out.msg), Object.prototype);
    assert.equal(({} as { x?: unknown }).x, undefined);
    assert.deepEqual(Object.keys(out.msg), ["t", "__proto_"]);
  });

  it("refuses deep nesting with E_BAD_FRAME, without blowing the stack", () => {
    let d: unknown = 1;
    for (let i = 0; i < 40; i++) d = { d };
    assert.equal(refused(unpackFrame(pack({ t: "e", v: 1, r: 1, e: "x", d }), MAX * 1024, 32)), "E_BAD_FRAME");
    const deep = Uint8Array.from([...new Array(100_000).fill(0x91), 1]);
    assert.equal(refused(unpackFrame(deep, 1 << 20, 32)), "E_BAD_FRAME");
  });

  it("refuses a frame over the limit unread with E_TOO_LARGE, naming its view and ref", () => {
    const big = pack({ t: "e", v: 4, r: 300, e: "x", d: { s: "y".repeat(MAX) } });
    const out = unpackFrame(big, MAX, 32);
    assert.ok("code" in out);
    assert.equal(out.code, "E_TOO_LARGE");
    assert.deepEqual(out.ids, { v: 4, r: 300 });
  });

  it("takes an upload chunk over the limit (its bytes last), and nothing else shaped like one", () => {
    const chunk = pack({ t: "k", v: 1, d: ["q5mF0Jm3tUeZ2c8xAAAA", 0, new Uint8Array(5 * MAX)] });
    const out = unpackFrame(chunk, MAX, 32);
    assert.ok("msg" in out, refused(out));
    assert.ok((out.msg.d as unknown[])[2] instanceof Uint8Array);
    // Bytes elsewhere than d[2] of a chunk are not JSON.
    assert.equal(refused(unpackFrame(pack({ t: "e", v: 1, r: 1, e: "x", d: { b: new Uint8Array(2) } }), MAX, 32)), "E_BAD_FRAME");
    // An event ending with a bin, over the limit: decoded (cheaply) and refused for its size.
    assert.equal(refused(unpackFrame(pack({ t: "e", v: 1, r: 1, e: "x", d: { b: new Uint8Array(5 * MAX) } }), MAX, 32)), "E_TOO_LARGE");
  });

  it("peeks the view id and ref from a frame's head only", () => {
    assert.deepEqual(peekPackedIds(pack({ t: "e", v: 1, r: 7, e: "save", d: { r: 9 } })), { v: 1, r: 7 });
    assert.deepEqual(peekPackedIds(pack({ t: "e", v: 70_000, r: 300 })), { v: 70_000, r: 300 });
    assert.deepEqual(peekPackedIds(pack({ t: "e", d: { v: 2, r: 3 }, v: 5 })), { v: undefined, r: undefined });
    assert.deepEqual(peekPackedIds(Uint8Array.from([0x8f])), { v: undefined, r: undefined });
    assert.deepEqual(peekPackedIds(Uint8Array.from([])), { v: undefined, r: undefined });
  });
});
