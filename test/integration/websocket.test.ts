import assert from "node:assert/strict";
import { describe, it } from "node:test";
import WebSocket from "ws";
import { defineView, html } from "../../src/index.ts";
import { kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
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
    it("answers a frame over the size limit with E_TOO_LARGE naming its view and ref", async () => {
      const c = await connect();
      c.sendRaw(JSON.stringify({ t: "e", v: 1, r: 7, e: "inc", d: { x: "a".repeat(70 * 1024) } }));
      const m = await c.next((x) => x.t === S.error);
      assert.equal(m.c, "E_TOO_LARGE");
      assert.equal(m.v, 1);
      assert.equal(m.r, 7);
      assert.equal(c.closed, false);
    });
    it("names the view and ref of a frame that is not JSON when its head shows them", async () => {
      const c = await connect();
      c.sendRaw('{"t":"e","v":2,"r":5,"e":"inc","d":{');
      const m = await c.next((x) => x.t === S.error);
      assert.deepEqual([m.c, m.v, m.r], ["E_BAD_FRAME", 2, 5]);
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

describe("a reader that does not keep up", () => {
  it("is closed with 4009 E_SLOW_READER past its backlog, gets what was queued first, and resumes by seq", async () => {
    // A view that pushes 64 frames of 256 KB (16 MB), one every millisecond.
    let pushedSoFar = 0;
    const Flood = defineView({
      mount: () => ({ n: 0 }),
      events: {
        flood: (s: { n: number }, _p, ctx) => {
          ctx.schedule("more", 1, 1);
          return s;
        },
      },
      info: {
        more: (s: { n: number }, i, ctx) => {
          ctx.pushEvent("big", { i: i as number, x: "x".repeat(256 * 1024) });
          pushedSoFar = i as number;
          if ((i as number) < 64) ctx.schedule("more", (i as number) + 1, 1);
          return (i as number) === 64 ? { n: s.n + 1 } : s;
        },
      },
      render: (s) => html`<b>${s.n}</b>`,
    });
    const own = await startApp({ views: { "/flood": Flood } });
    const open = async (q?: number) => {
      const ws = new WebSocket(`${own.base.replace("http", "ws")}/weft/ws`, { headers: { origin: own.base } });
      const got: Envelope[] = [];
      const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
      ws.on("message", (d) => got.push(JSON.parse(String(d)) as Envelope));
      await new Promise((r, j) => ws.once("open", r).once("error", j));
      ws.send(JSON.stringify({ t: "j", v: 1, d: q === undefined ? { k: page.token } : { k: page.token, q } }));
      return { ws, got, closed };
    };
    const page = await getPage(own.base, "/flood");
    try {
      const a = await open();
      await until(() => a.got.some((m) => m.t === S.rendered));
      const socket = (a.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      socket.pause(); // the reader stops reading
      a.ws.send(JSON.stringify({ t: "e", v: 1, r: 1, e: "flood", d: {} }));
      await until(() => pushedSoFar === 64); // the server made every frame while the reader was not reading
      socket.resume();
      assert.equal(await Promise.race([a.closed, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]), 4009);
      const seqs = a.got.map((m) => m.q!);
      assert.deepEqual(seqs, seqs.map((_, i) => i + 1), "what arrived before the close is a prefix, in order");
      const pushed = (xs: Envelope[]) => xs.filter((m) => m.t === S.push).length;
      assert.ok(pushed(a.got) < 64, "closed before the last push");
      // Rejoin with the last seq seen: the rest is replayed, nothing twice.
      const b = await open(seqs.at(-1));
      await until(() => b.got.some((m) => kindOf(m) === S.diff));
      const more = b.got.filter((m) => m.t === S.push || kindOf(m) === S.diff).map((m) => m.q!);
      assert.deepEqual(more, more.map((_, i) => seqs.at(-1)! + 1 + i));
      assert.equal(pushed(a.got) + pushed(b.got), 64);
      b.ws.close();
      assert.deepEqual(own.errors, []);
    } finally {
      await own.app.close();
    }
  });
});

async function until(pred: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("joins", () => {
  it("keeps the session attached when a view joins twice in a row", async () => {
    const ctx = await startApp();
    try {
      const page = await (await fetch(`${ctx.base}/counter`)).text();
      const token = /weft-token="([^"]+)"/.exec(page)![1]!;
      const c = await ProtocolClient.connect(ctx.base);
      c.send({ t: "j", v: 1, d: { k: token } });
      const first = await c.join(1, token);
      const second = await c.next((m) => m.v === 1 && (m.k !== undefined || m.t === S.error));
      assert.deepEqual([first.t, second.t], [S.rendered, S.rendered], "each join (no seq) is answered with a full render");
      const m = await c.event(1, "inc");
      assert.deepEqual(m.d, { 0: "1" });
      await c.close();
    } finally {
      await ctx.app.close();
    }
  });
});
