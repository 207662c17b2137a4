/**
 * A stream moving to another node: the session is taken over from its
 * snapshot (the server kept no rows), so the join answers with a full render
 * whose stream ops empty the container and refill it from the view's
 * `streams(state, ctx)` — the rows the state says, each once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html, stream } from "../../src/index.ts";
import { S, type StreamOp } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";

const skip = redisSkipReason();

interface Row { id: number }
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));

const Feed = defineView({
  mount: () => ({ loaded: 2 }),
  streams: (s, ctx) => ctx.stream("rows", rows(1, s.loaded)),
  events: { more: (s, _p, ctx) => { ctx.stream("rows", rows(s.loaded + 1, 2)); return { loaded: s.loaded + 2 }; } },
  render: (s) => html`<p>${s.loaded}</p><ul id="rows" ${stream<Row>("rows", (r) => html`<li>${r.id}</li>`)}></ul>`,
});

describe("a stream taken over by another node", { skip, timeout: 60_000 }, () => {
  const { nodes } = clusterFixture({ views: { "/feed": Feed } });

  it("empties the stream and refills it from streams() at the join on the new node", async () => {
    const [a, b] = nodes;
    const page = await getPage(a!.base, "/feed");
    const old = await ProtocolClient.connect(a!.base);
    const first = await old.join(1, page.token);
    assert.deepEqual((first.o as StreamOp[]).map((op) => op[1]), [undefined, "rows-1", "rows-2"]);
    const more = await old.event(1, "more", {}, 1);
    assert.deepEqual((more.o as StreamOp[]).map((op) => op[1]), ["rows-3", "rows-4"]);
    const lastSeq = Math.max(0, ...old.received.map((m) => m.q ?? 0));
    const fresh = await ProtocolClient.connect(b!.base);
    const rejoined = await fresh.join(1, page.token, lastSeq);
    assert.equal(rejoined.t, S.rendered);
    assert.deepEqual(rejoined.o, [["rows"], ...[1, 2, 3, 4].map((n) => ["rows", `rows-${n}`, -1, `<li id="rows-${n}">${n}</li>`])]);
    await Promise.all([old.close(), fresh.close()]);
  });
});
