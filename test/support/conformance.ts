/**
 * The protocol conformance suite, run through any host (test/support/hosts.ts):
 * the same cases over every transport (WebSocket, SSE, HTTP), then what a
 * host adds — pages, the client, requests passed on to the host, Weft's JSON
 * errors and the WebSocket upgrade's origin check. Each host's test file calls
 * `protocolConformance(host)`.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import WebSocket from "ws";
import { HEADERS, kindOf, S } from "../../src/protocol/messages.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { ClientView, getPage, ProtocolClient } from "./protocol-client.ts";
import { appFixture, startApp, TEST_SECRET } from "./server.ts";
import * as views from "./views.ts";
import { until, within } from "./until.ts";
import type { Host } from "./hosts.ts";
import { linkToken, newLinkId, WIRES, wireOptions } from "./wires.ts";

/** Registers the conformance suite for `host`. */
export function protocolConformance(host: Host): void {
  for (const transport of WIRES) {
    describe(`protocol over ${transport} (${host.name})`, () => {
      const fx = appFixture(transport, {}, host);
      const connect = () => fx.connect();

      it("answers frames that are JSON but not Weft messages with E_BAD_FRAME", async () => {
        const c = await connect();
        for (const bad of ["[]", "null", "42", '{"t":"e","v":"1"}', '{"t":"zz","v":1}', '{"t":"e","v":1,"r":-1,"e":"inc"}', '{"t":"e","v":1,"r":1,"e":"inc","d":[]}', '{"t":"e","v":1,"r":1,"e":"inc","d":{},"w":"1","q":0}', '{"t":"e","v":1,"r":1,"e":"inc","d":{},"w":1.5}', '{"t":"e","v":1,"r":1,"e":"inc","d":{},"w":4294967296,"q":0}']) {
          c.sendRaw(bad);
          assert.equal((await c.next((m) => m.t === S.error)).c, "E_BAD_FRAME", bad);
        }
      });

      it("serves the page with the server-rendered view and a token", async () => {
        const page = await getPage(fx.ctx.base, "/counter?start=5");
        assert.equal(page.status, 200);
        assert.match(page.html, /<div weft-view="\/counter" weft-token="[^"]+"><div><p>Count: <b>5<\/b>/);
        assert.match(page.html, /<script src="\/weft\/client\.js\?v=[\w-]+" defer/);
      });

      it("takes over the page's state on join: mount runs once per page view", async () => {
        const before = views.counterMounts;
        const page = await getPage(fx.ctx.base, "/counter?start=7");
        const c = await connect();
        const answer = await c.join(1, page.token);
        assert.equal(answer.t, S.rendered);
        assert.equal(views.counterMounts - before, 1);
        assert.equal(c.views.get(1)!.html(), "<div><p>Count: <b>7</b></p><button weft-click=\"inc\">+</button></div>");
        assert.equal(typeof answer.k, "string");
      });

      it("sends only the changed slot, without statics, after an event", async () => {
        const page = await getPage(fx.ctx.base, "/counter");
        const c = await connect();
        const joined = await c.join(1, page.token);
        assert.ok(joined.s && Object.keys(joined.s).length === 1, "statics travel with the first render");
        const m = await c.event(1, "inc");
        assert.equal(kindOf(m), S.diff);
        assert.deepEqual(m.d, { 0: "1" });
        assert.equal(m.s, undefined);
        assert.ok(JSON.stringify(m).length <= 40, `counter diff is ${JSON.stringify(m).length} bytes`);
        assert.match(c.views.get(1)!.html(), /Count: <b>1<\/b>/);
      });

      it("answers an event that changes nothing with a reply and no diff", async () => {
        const page = await getPage(fx.ctx.base, "/counter");
        const c = await connect();
        await c.join(1, page.token);
        const m = await c.event(1, "same");
        assert.equal(m.t, S.reply);
        assert.equal(m.d, undefined);
      });

      it("applies async handlers in order", async () => {
        const page = await getPage(fx.ctx.base, "/counter");
        const c = await connect();
        await c.join(1, page.token);
        const slow = c.event(1, "slow");
        const inc = c.event(1, "inc");
        const [a, b] = await Promise.all([slow, inc]);
        assert.ok(a.q! < b.q!, "the slow event's answer comes first");
        assert.match(c.views.get(1)!.html(), /Count: <b>101<\/b>/);
      });

      it("sends list diffs with only the new item", async () => {
        const page = await getPage(fx.ctx.base, "/items");
        const c = await connect();
        await c.join(1, page.token);
        const m = await c.event(1, "add", { text: "<c>" });
        assert.deepEqual(m.d, { 0: { n: 3, u: { 2: { s: (c.views.get(1)!.tree as { d: { l: { s: number }[] }[] }).d[0]!.l[0]!.s, d: ["&lt;c&gt;"] } } } });
        assert.equal(c.views.get(1)!.html(), "<ul><li>a</li><li>b</li><li>&lt;c&gt;</li></ul>");
      });

      it("delivers pushEvent to the client", async () => {
        const page = await getPage(fx.ctx.base, "/counter?start=3");
        const c = await connect();
        await c.join(1, page.token);
        c.send({ t: "e", v: 1, r: 1, e: "push", d: {} });
        const p = await c.next((m) => m.t === S.push);
        assert.equal(p.e, "hello");
        assert.deepEqual(p.d, { n: 3 });
      });

      it("delivers effects taken from a destructured context", async () => {
        const page = await getPage(fx.ctx.base, "/counter?start=4");
        const c = await connect();
        await c.join(1, page.token);
        c.send({ t: "e", v: 1, r: 1, e: "pushApart", d: {} });
        const p = await c.next((m) => m.t === S.push);
        assert.equal(p.e, "apart");
        assert.deepEqual(p.d, { n: 4 });
        const nav = await c.next((m) => m.t === S.nav);
        assert.deepEqual(nav.d, { to: "/counter?start=9", kind: "navigate", replace: false });
      });

      it("starts timers asked for at mount once the browser joins", async () => {
        const page = await getPage(fx.ctx.base, "/ticker");
        const c = await connect();
        await c.join(1, page.token);
        await c.next((m) => kindOf(m) === S.diff);
        await c.next((m) => kindOf(m) === S.diff);
        assert.match(c.views.get(1)!.html(), /<span>\d+<\/span>/);
      });

      it("multiplexes several views on one socket", async () => {
        const a = await getPage(fx.ctx.base, "/counter?start=1");
        const b = await getPage(fx.ctx.base, "/counter?start=50");
        const c = await connect();
        await c.join(1, a.token);
        await c.join(2, b.token);
        await c.event(2, "inc");
        assert.match(c.views.get(1)!.html(), /Count: <b>1<\/b>/);
        assert.match(c.views.get(2)!.html(), /Count: <b>51<\/b>/);
      });

      describe("bad input", () => {
        it("answers an unknown event with E_UNKNOWN_EVENT and keeps the session", async () => {
          const page = await getPage(fx.ctx.base, "/counter");
          const c = await connect();
          await c.join(1, page.token);
          for (const name of ["nope", "__proto__", "constructor", "toString", "hasOwnProperty"]) {
            const m = await c.event(1, name);
            assert.equal(m.t, S.error);
            assert.equal(m.c, "E_UNKNOWN_EVENT", name);
          }
          const ok = await c.event(1, "inc");
          assert.deepEqual(ok.d, { 0: "1" });
        });

        it("answers a join for an unknown view with E_UNKNOWN_VIEW", async () => {
          const signer = new TokenSigner([TEST_SECRET]);
          const token = signer.sign({ sid: "x", view: "/nowhere", params: {}, exp: Date.now() + 60_000 });
          const c = await connect();
          assert.equal((await c.join(1, token)).c, "E_UNKNOWN_VIEW");
          const page = await getPage(fx.ctx.base, "/nowhere");
          assert.equal(page.status, 404);
        });

        it("answers a forged token with E_BAD_TOKEN and an expired one with E_TOKEN_EXPIRED", async () => {
          const forged = new TokenSigner(["another-secret-0123456789"]).sign({ sid: "x", view: "/counter", params: {}, exp: Date.now() + 60_000 });
          const expired = new TokenSigner([TEST_SECRET]).sign({ sid: "y", view: "/counter", params: {}, exp: Date.now() - 1 });
          const page = await getPage(fx.ctx.base, "/counter");
          const [body, sig] = page.token.split(".");
          const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body!, "base64url").toString()), view: "/items" })).toString("base64url") + "." + sig;
          const c = await connect();
          assert.equal((await c.join(1, forged)).c, "E_BAD_TOKEN");
          assert.equal((await c.join(2, tampered)).c, "E_BAD_TOKEN");
          assert.equal((await c.join(3, "garbage")).c, "E_BAD_TOKEN");
          assert.equal((await c.join(4, expired)).c, "E_TOKEN_EXPIRED");
          const e = await c.event(1, "inc");
          assert.equal(e.c, "E_NOT_JOINED");
        });

        it("answers a throwing handler with E_HANDLER and keeps the last good state", async () => {
          const page = await getPage(fx.ctx.base, "/counter?start=2");
          const c = await connect();
          await c.join(1, page.token);
          const m = await c.event(1, "boom");
          assert.equal(m.c, "E_HANDLER");
          assert.ok(fx.ctx.errors.some((e) => e instanceof Error && e.message === "handler exploded"));
          assert.deepEqual((await c.event(1, "inc")).d, { 0: "3" });
        });

        it("answers a throwing render with E_RENDER and keeps the last good state", async () => {
          const page = await getPage(fx.ctx.base, "/bad");
          const c = await connect();
          await c.join(1, page.token);
          assert.equal((await c.event(1, "breakIt")).c, "E_RENDER");
          assert.equal(c.views.get(1)!.html(), "<i>0</i>");
        });

        it("keeps other sessions working while one client sends garbage", async () => {
          const page = await getPage(fx.ctx.base, "/counter");
          const good = await connect();
          await good.join(1, page.token);
          const bad = await connect();
          for (let i = 0; i < 50; i++) bad.sendRaw(i % 2 ? "\u0000" : JSON.stringify({ t: "e", v: 1, r: i + 1, e: "boom" }));
          assert.deepEqual((await good.event(1, "inc")).d, { 0: "1" });
        });
      });

      describe("reconnects", () => {
        it("replays missed messages by seq when the session is still alive", async () => {
          const page = await getPage(fx.ctx.base, "/counter");
          const c1 = await connect();
          await c1.join(1, page.token);
          await c1.event(1, "inc");
          // The client as it was at `seen`: its tree, statics and seq, copied.
          const was = c1.views.get(1)!;
          const seen = was.seq;
          const resumed = Object.assign(new ClientView(), { seq: seen, tree: structuredClone(was.tree), token: was.token });
          for (const [id, s] of was.statics) resumed.statics.set(id, s);
          // Two more events whose answers this copy of the client misses.
          await c1.event(1, "inc");
          await c1.event(1, "inc");
          await c1.wire.close();
          const c2 = await connect();
          c2.views.set(1, resumed);
          const answer = await c2.join(1, resumed.token, seen);
          assert.equal(answer.t, S.reply, "a resume answers with a reply, not a full render");
          assert.equal(answer.r, 3, "the reply tells the last applied ref");
          // The replay itself: the two missed diffs, in order, each once, no gap, then the reply.
          const replayed = c2.received.filter((m) => m.v === 1);
          assert.deepEqual(replayed.map((m) => [kindOf(m), m.q, m.r, m.d]), [
            [S.diff, seen + 1, 2, { 0: "2" }],
            [S.diff, seen + 2, 3, { 0: "3" }],
          ]);
          assert.equal(answer.q, seen + 3, "the reply follows the replay with the next seq");
          assert.equal(resumed.html(), "<div><p>Count: <b>3</b></p><button weft-click=\"inc\">+</button></div>", "the replay brings the old tree to the present");
        });

        it("does not apply an event twice when the client resends it", async () => {
          const page = await getPage(fx.ctx.base, "/counter");
          const c = await connect();
          await c.join(1, page.token);
          await c.event(1, "inc", {}, 1);
          const dup = await c.event(1, "inc", {}, 1);
          assert.equal(dup.t, S.reply);
          assert.deepEqual((await c.event(1, "inc", {}, 2)).d, { 0: "2" });
        });

        it("sends a full render when the client's seq is beyond what the outbox covers", async () => {
          const page = await getPage(fx.ctx.base, "/counter");
          const c1 = await connect();
          await c1.join(1, page.token);
          await c1.event(1, "inc");
          await c1.wire.close();
          const c2 = await connect();
          const answer = await c2.join(1, page.token, 999);
          assert.equal(answer.t, S.rendered);
          assert.match(c2.views.get(1)!.html(), /Count: <b>1<\/b>/);
        });

        it("mounts afresh when the session is gone", async () => {
          const small = await startApp({ sessionGraceMs: 20, joinTimeoutMs: 20, ...wireOptions(transport) }, host);
          try {
            const before = views.counterMounts;
            const page = await getPage(small.base, "/counter?start=9");
            await until(() => small.app.stats().pendingMounts === 0, 5000, "the unjoined page's mount to expire");
            const c = await ProtocolClient.connect(small.base, {}, transport);
            const answer = await c.join(1, page.token, 4);
            assert.equal(answer.t, S.rendered);
            assert.equal(views.counterMounts - before, 2, "the join mounts afresh: the page's mount was gone");
            assert.match(c.views.get(1)!.html(), /Count: <b>9<\/b>/, "params survive in the token");
            await c.close();
          } finally {
            await small.app.close();
          }
        });
      });
    });
  }
  hostConformance(host);
}

/** Tries a WebSocket handshake on `path`; resolves with the status it was refused with, or 101. */
function handshake(base: string, path: string, headers: Record<string, string>): Promise<number> {
  return within(new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}${path}`, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once("error", () => resolve(-1));
  }), 5000, `an answer to the handshake on ${path}`);
}

/** The error code of a Weft JSON error answer (`{ error: { code, message } }`), or what came instead. */
async function weftCode(res: Response): Promise<string> {
  const text = await res.text();
  try {
    return (JSON.parse(text) as { error: { code: string } }).error.code ?? text;
  } catch {
    return `not Weft's JSON error: ${text.slice(0, 200)}`;
  }
}

/** What the host adds around the protocol: pages, the client, passing on, errors, the upgrade. */
function hostConformance(host: Host): void {
  describe(`served through ${host.name}`, () => {
    const fx = appFixture("websocket", {}, host);
    const base = () => fx.ctx.base;
    // A request that an adapter leaves unanswered fails the test instead of hanging it.
    const bounded = (url: string, init: RequestInit = {}) => fetch(url, { ...init, signal: AbortSignal.timeout(5000) });

    it("serves the view page and the client bundle", async () => {
      const page = await getPage(base(), "/counter");
      assert.equal(page.status, 200);
      assert.match(page.html, /Count: <b>0<\/b>/);
      const js = await bounded(`${base()}/weft/client.js`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get("content-type") ?? "", /javascript/);
      assert.ok((await js.text()).length > 1000);
    });

    it("answers malformed /weft/ requests with Weft's JSON errors", async () => {
      const origin = base();
      const frame = await bounded(`${base()}/weft/sse?l=${newLinkId()}`, { method: "POST", headers: { "content-type": "application/json", origin, [HEADERS.token]: linkToken() }, body: "{nope" });
      assert.deepEqual([frame.status, await weftCode(frame)], [400, "E_BAD_FRAME"]);
      const link = await bounded(`${base()}/weft/http?l=bad&n=0`, { method: "POST", headers: { "content-type": "application/json", origin }, body: "[]" });
      assert.deepEqual([link.status, await weftCode(link)], [400, "E_BAD_LINK"]);
      const seq = await bounded(`${base()}/weft/http?l=${newLinkId()}&n=abc`);
      assert.deepEqual([seq.status, await weftCode(seq)], [400, "E_BAD_FRAME"]);
    });

    it("refuses a WebSocket upgrade from another origin and accepts the page's own", async () => {
      assert.equal(await handshake(base(), "/weft/ws", { origin: "http://evil.example" }), 403);
      assert.equal(await handshake(base(), "/weft/ws", { origin: base() }), 101);
    });

    it("refuses an upgrade on a path that nothing serves instead of leaving the socket open", async () => {
      assert.equal(await handshake(base(), "/not-a-socket", { origin: base() }), 404);
    });

    if (host.routes) {
      it(`passes requests it does not own on to ${host.name}'s routes and 404`, async () => {
        assert.equal(await (await bounded(`${base()}/hello`)).text(), `hello from ${host.name}`);
        for (const path of ["/nothing-here", "/weft/nothing-here", "/counter/deeper"]) {
          const res = await bounded(`${base()}${path}`);
          assert.deepEqual([res.status, await res.text()], [404, `${host.name} 404`], path);
        }
        const echo = await bounded(`${base()}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"n":1}' });
        assert.deepEqual(await echo.json(), { n: 1 }, "the host still parses the bodies of its own routes");
      });
    }
  });
}
