/**
 * The side-by-side benchmark compares Weft's SSE and HTTP transports with a
 * floor (bare node:http). Weft's clients send what queued while a POST was in
 * flight in the next POST (the browser client's PostQueue); a floor that sent
 * one POST per event would make the "100 in flight" throughput compare
 * batching with no batching. These tests hold the floor's clients and servers
 * to the same batching, with real servers (children) on loopback.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { killAll, ServerChild } from "../../bench/side-by-side/child.ts";
import { floorHttp, floorSse } from "../../bench/side-by-side/clients/floor.ts";
import { withTimeout } from "../../bench/side-by-side/stats.ts";

// The test process must not be pinned to a core when a server child starts (read at start).
process.env.BENCH_PIN = "0";

const EVENTS = 100;

for (const [kind, connect] of [["sse", floorSse], ["http", floorHttp]] as const) {
  describe(`floor ${kind}`, () => {
    let server: ServerChild;
    before(async () => {
      server = await ServerChild.start("floor", ["--kind", kind]);
    });
    after(async () => {
      await server.close();
      killAll();
    });

    it(`answers ${EVENTS} events in flight at once with a few batched POSTs, not one POST each`, async () => {
      const client = await connect(server.base);
      try {
        const before = (await server.call<{ posts: number }>("stats")).posts;
        let answered = 0;
        await withTimeout(new Promise<void>((resolve) => {
          for (let i = 0; i < EVENTS; i++) client.fire(() => ++answered === EVENTS && resolve());
        }), 10_000, `${EVENTS} floor ${kind} events`);
        const posts = (await server.call<{ posts: number }>("stats")).posts - before;
        assert.equal(answered, EVENTS);
        // PostQueue: the first frame goes alone, the 99 queued meanwhile in the next POST.
        assert.ok(posts <= 4, `${posts} POSTs for ${EVENTS} events`);
      } finally {
        client.close();
      }
    });

    it("answers each of several sequential events exactly once", async () => {
      const client = await connect(server.base);
      try {
        for (let i = 0; i < 20; i++) {
          let calls = 0;
          await withTimeout(new Promise<void>((resolve) => client.fire(() => (calls++, resolve()))), 5_000, "one event");
          assert.equal(calls, 1);
        }
      } finally {
        client.close();
      }
    });
  });
}
