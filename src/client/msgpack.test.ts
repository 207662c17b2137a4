import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { JSON_PROTOCOL, MSGPACK_PROTOCOL } from "../protocol/messages.ts";
import { packFrame, unpackFrame } from "../server/transports/msgpack.ts";
import { buildClient } from "../server/http/client-bundle.ts";
import type { MsgpackCodec } from "./transports/websocket.ts";

// The codec registers itself on window, as in a page.
const g = globalThis as unknown as { window: { weftMsgpack?: MsgpackCodec } };
g.window = {};
await import("./msgpack.ts");
const codec = g.window.weftMsgpack!;

describe("the browser's MessagePack codec", () => {
  it("registers itself with the subprotocols it offers: MessagePack, then JSON", () => {
    assert.deepEqual(codec.n, [MSGPACK_PROTOCOL, JSON_PROTOCOL]);
  });

  it("packs a JSON frame as the server reads it", () => {
    const env = { t: "e", v: 1, r: 4, e: "save", d: { name: "ä ✓", n: [1, 2.5, null, true] } };
    const out = unpackFrame(codec.p(JSON.stringify(env)), 65_536, 32);
    assert.ok("msg" in out);
    assert.deepEqual(out.msg, env);
  });

  it("reads the server's frames back as JSON text; bytes that do not decode become an empty frame", () => {
    const env = { t: "d", v: 2, q: 9, r: 3, d: { 0: "<b>1</b>" } };
    const bytes = packFrame(env);
    assert.deepEqual(JSON.parse(codec.u(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer)), env);
    assert.equal(codec.u(new Uint8Array([0xc1, 0xff]).buffer), "");
    assert.equal(codec.u(new ArrayBuffer(0)), "");
  });

  it("heads an upload chunk so that head + bytes is the chunk envelope, for every bin size", () => {
    for (const n of [0, 1, 255, 256, 65_535, 65_536, 300_000]) {
      const bytes = new Uint8Array(n).map((_, i) => i & 255);
      const frame = Buffer.concat([codec.c(7, "q5mF0Jm3tUeZ2c8xAAAA", 1234, n), bytes]);
      const out = unpackFrame(frame, 1024, 32);
      assert.ok("msg" in out, `${n} bytes: ${"code" in out ? out.message : ""}`);
      const [ref, o, b] = out.msg.d as [string, number, Uint8Array];
      assert.deepEqual([out.msg.t, out.msg.v, ref, o], ["k", 7, "q5mF0Jm3tUeZ2c8xAAAA", 1234]);
      assert.ok(Buffer.from(b).equals(Buffer.from(bytes)), `${n} bytes arrive intact`);
    }
  });

  it("is a bundle of its own: the client carries none of msgpackr, the codec no `new Function`", async () => {
    const [main, codecJs] = await Promise.all([buildClient(), buildClient("msgpack")]);
    assert.doesNotMatch(main, /MessagePack|msgpackr/i, "the client every page loads has no codec");
    assert.doesNotMatch(codecJs, /new Function|\beval\(/, "no code is evaluated (a strict CSP holds)");
    assert.match(codecJs, /weftMsgpack/);
    assert.ok(gzipSync(codecJs, { level: 9 }).length < 12_000, "the codec stays near msgpackr's size");
  });
});
