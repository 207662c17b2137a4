import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import { ProtocolClient } from "../support/protocol-client.ts";
import { appFixture, startApp } from "../support/server.ts";

describe("WebSocket transport", () => {
  const fx = appFixture();
  const connect = () => fx.connect();

  describe("bad input", () => {
    it("answers a frame that is not JSON with E_BAD_FRAME", async () => {
      const c = await connect();
      c.sendRaw("{not json");
      assert.equal((await c.next((m) => m.t === S.error)).c, "E_BAD_FRAME");
      c.sendRaw(Buffer.from([0xff, 0x00, 0x13]));
      assert.equal((await c.next((m) => m.t === S.error)).c, "E_BAD_FRAME");
      for (const bad of ["[]", "null", "42", '{"t":"e","v":"1"}', '{"t":"zz","v":1}', '{"t":"e","v":1,"r":-1,"e":"inc"}', '{"t":"e","v":1,"r":1,"e":"inc","d":[]}']) {
        c.sendRaw(bad);
        assert.equal((await c.next((m) => m.t === S.error)).c, "E_BAD_FRAME", bad);
      }
      assert.equal(c.closed, false);
    });
    it("answers a frame over the size limit with E_TOO_LARGE", async () => {
      const c = await connect();
      c.sendRaw(JSON.stringify({ t: "e", v: 1, r: 1, e: "inc", d: { x: "a".repeat(70 * 1024) } }));
      const m = await c.next((x) => x.t === S.error);
      assert.equal(m.c, "E_TOO_LARGE");
      assert.equal(c.closed, false);
    });
    it("closes the socket (1009) on a frame far over the limit", async () => {
      const c = await connect();
      c.sendRaw("a".repeat(2 * 1024 * 1024));
      await new Promise((r) => c.ws.once("close", r));
      assert.equal(c.closeCode, 1009);
    });
  });

  describe("heartbeat", () => {
    it("answers heartbeat frames", async () => {
      const c = await connect();
      c.sendRaw('{"t":"h"}');
      assert.equal((await c.next((m) => m.t === S.heartbeat)).t, "h");
    });

    it("terminates a peer that stops answering pings within two intervals", async () => {
      const fast = await startApp({ heartbeatMs: 50 });
      try {
        const c = await ProtocolClient.connect(fast.base);
        // Freeze the peer: it stops reading, so it answers no ping.
        (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
        const deadline = Date.now() + 5000;
        while (fast.app.stats().sockets > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.equal(fast.app.stats().sockets, 0);
        c.ws.terminate();
      } finally {
        await fast.app.close();
      }
    });
  });
});

describe("joins", () => {
  it("keeps the session attached when a view joins twice in a row", async () => {
    const ctx = await startApp();
    try {
      const page = await (await fetch(`${ctx.base}/counter`)).text();
      const token = /weft-token="([^"]+)"/.exec(page)![1]!;
      const c = await ProtocolClient.connect(ctx.base);
      c.send({ t: "j", v: 1, d: { k: token } });
      await c.join(1, token);
      await new Promise((r) => setTimeout(r, 50));
      const m = await c.event(1, "inc");
      assert.deepEqual(m.d, { 0: "1" });
      await c.close();
    } finally {
      await ctx.app.close();
    }
  });
});
