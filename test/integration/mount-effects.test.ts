/**
 * `ctx.pushEvent` and `ctx.navigate` called in `mount` reach the browser:
 * after the join's full render, in order, once — on every transport, for the
 * server-rendered page's mount, for a live re-mount (the join found no
 * session), and for a page mounted on one node and joined on another.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { defineView, html, type WeftApp } from "../../src/index.ts";
import { kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { startApp, TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

/** Pushes twice at mount; navigates at mount when `?go=` says where (`&kind=redirect` for a redirect). */
const Hello = defineView({
  mount: (params, ctx) => {
    ctx.pushEvent("hello", { n: 1, connected: ctx.connected });
    ctx.pushEvent("again");
    if (typeof params.go === "string") ctx.navigate(params.go, { kind: params.kind === "redirect" ? "redirect" : "navigate" });
    return { n: 0 };
  },
  events: { inc: (s) => ({ n: s.n + 1 }) },
  render: (s) => html`<p>${s.n}</p>`,
});

const views = { "/hello": Hello };

/** A token for a session no node knows (as after a restart): its join mounts the view live. */
function unknownSession(params: Record<string, string> = {}): string {
  return new TokenSigner([TEST_SECRET]).sign({ sid: randomBytes(16).toString("base64url"), view: "/hello", params, exp: Date.now() + 60_000 });
}

/** Kind, and event name or nav target, of view 1's stream after the join, in seq order. */
function stream(c: ProtocolClient, answer: Envelope): string[] {
  const after = c.received.filter((m) => m.v === 1 && m.q !== undefined && m.q > answer.q!).sort((a, b) => a.q! - b.q!);
  const seqs = [answer.q!, ...after.map((m) => m.q!)];
  assert.deepEqual(seqs, seqs.map((_, i) => answer.q! + i), "one seq after another, no hole");
  return [answer, ...after].map((m) => {
    const kind = kindOf(m);
    if (kind === S.push) return `push ${m.e} ${JSON.stringify(m.d)}`;
    if (kind === S.nav) return `nav ${JSON.stringify(m.d)}`;
    return kind;
  });
}

/** Waits until `n` messages of view 1 came after the join answer, then a quiet moment (nothing more). */
async function settled(c: ProtocolClient, answer: Envelope, n: number): Promise<void> {
  for (let i = 0; i < 100 && c.received.filter((m) => m.v === 1 && m.q !== undefined && m.q > answer.q!).length < n; i++) await new Promise((r) => setTimeout(r, 20));
  await c.quiet(100);
}

describe("effects of a mount", () => {
  let app: WeftApp;
  let base: string;
  let errors: unknown[];
  before(async () => {
    ({ app, base, errors } = await startApp({ views }));
  });
  after(() => app.close());

  it("answers a page whose mount navigates with a 302, pushes or not", async () => {
    const res = await fetch(`${base}/hello?go=/elsewhere`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/elsewhere");
  });

  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      it("sends the page mount's pushes after the join's render, in order", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const { token } = await getPage(base, "/hello");
          const answer = await c.join(1, token);
          await settled(c, answer, 2);
          assert.deepEqual(stream(c, answer), [S.rendered, `push hello {"n":1,"connected":false}`, "push again null"]);
        } finally {
          await c.close();
        }
      });

      it("sends a live re-mount's pushes and navigation after the join's render, in order", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const answer = await c.join(1, unknownSession({ go: "/login?next=%2Fhello", kind: "redirect" }));
          await settled(c, answer, 3);
          assert.deepEqual(stream(c, answer), [
            S.rendered,
            `push hello {"n":1,"connected":true}`,
            "push again null",
            `nav {"to":"/login?next=%2Fhello","kind":"redirect","replace":false}`,
          ]);
        } finally {
          await c.close();
        }
      });

      it("sends the mount's pushes once: a rejoin of the session does not repeat them", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const { token } = await getPage(base, "/hello");
          const first = await c.join(1, token);
          await settled(c, first, 2);
          await c.event(1, "inc");
          c.received.length = 0;
          // A full render (no seq given), then a replaying rejoin: neither brings the pushes back.
          const full = await c.join(1, token);
          assert.equal(kindOf(full), S.rendered);
          const resumed = await c.join(1, token, full.q);
          assert.equal(kindOf(resumed), S.reply);
          assert.deepEqual((await c.quiet(150)).concat(c.received).filter((m) => kindOf(m) === S.push), []);
        } finally {
          await c.close();
        }
      });
    });
  }

  it("reports nothing to onError", () => {
    assert.deepEqual(errors, []);
  });
});

describe("effects of a page mounted on one node and joined on another", { skip: redisSkipReason() }, () => {
  const redis = new RedisServer();
  const nodes: { app: WeftApp; base: string }[] = [];
  before(async () => {
    await redis.start();
    for (let i = 0; i < 2; i++) nodes.push(await startApp({ views, redis: redis.url }));
    // A page mounted before its node reached Redis keeps its mount to itself.
    for (const n of nodes) await until(async () => (await fetch(`${n.base}/weft/health`)).status === 200, 10_000, "the node to reach Redis");
  });
  after(async () => {
    for (const n of nodes) await n.app.close();
    await redis.close();
  });

  it("carries the pushes in the stored mount to the joining node", async () => {
    const { token } = await getPage(nodes[0]!.base, "/hello");
    const c = await ProtocolClient.connect(nodes[1]!.base);
    try {
      const answer = await c.join(1, token);
      await settled(c, answer, 2);
      assert.deepEqual(stream(c, answer), [S.rendered, `push hello {"n":1,"connected":false}`, "push again null"]);
    } finally {
      await c.close();
    }
  });
});
