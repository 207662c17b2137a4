/**
 * Live navigation on the wire, over every transport: a patch frame runs
 * handleParams in order with the events; a navigate frame mounts another view
 * on the same link only when a page load of its URL would (route, authorize
 * on the link's request, the view's auth), ends the view it replaces with
 * reason "navigate", and a rejoin re-mounts with the page's current URL.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { defineView, deny, html, type WeftApp } from "../../src/index.ts";
import { C, kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { ClientView, getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp, TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const ended: string[] = [];
const mounts: string[] = [];

const List = defineView<{ page: string; url: string }>({
  mount: () => {
    mounts.push("list");
    return { page: "", url: "" };
  },
  handleParams: (p, url, s) => ({ ...s, page: p.page ?? "1", url }),
  events: { inc: (s) => s },
  terminate: (reason) => void ended.push(`list ${reason}`),
  render: (s) => html`<p id="page">${s.page}</p><p id="url">${s.url}</p>`,
});

const Item = defineView<{ id: string }>({
  mount: (p) => {
    mounts.push(`item ${p.id ?? ""}`);
    return { id: p.id ?? "" };
  },
  title: "An item",
  render: (s) => html`<h1>${s.id}</h1>`,
});

/** Only for the user "admin" (authorize reads the x-user header of the real request). */
const Admin = defineView({
  mount: () => {
    mounts.push("admin");
    return {};
  },
  auth: (session) => (session.user === "admin" ? true : deny(403, "admins only")),
  render: () => html`<p>secret</p>`,
});

/** Leaves from handleParams: `?to=` redirects, `?nav=` navigates, `?patch=` patches (at the page's render). */
const Gate = defineView<{ url: string }>({
  mount: () => ({ url: "" }),
  handleParams: (p, url, s, ctx) => {
    if (p.to !== undefined) ctx.redirect(p.to);
    if (p.nav !== undefined) ctx.navigate(p.nav);
    if (p.patch !== undefined) ctx.patch(p.patch);
    return { ...s, url };
  },
  render: (s) => html`<p id="url">${s.url}</p>`,
});

/** The frames view `v` received. */
function framesOf(c: ProtocolClient, v: number): Envelope[] {
  return c.received.filter((m) => m.v === v);
}

describe("live navigation on the wire", () => {
  let app: WeftApp;
  let base: string;
  let errors: unknown[];
  before(async () => {
    ({ app, base, errors } = await startApp({
      views: { "/list": List, "/items/:id": Item, "/admin": Admin, "/gate": Gate },
      authorize: (req) => ({ user: String(req.headers["x-user"] ?? "anon") }),
    }));
  });
  after(async () => {
    await app.close();
    // Only the app's own three hostile targets (the 400s below) are reported: nothing a browser sent.
    assert.deepEqual(errors.map((e) => (e as { code?: string }).code), ["E_NAV_TARGET", "E_NAV_TARGET", "E_NAV_TARGET"], "nothing else reported to onError");
  });

  it("answers a redirect or navigation from handleParams at the page's render with a 302, a hostile one with 400", async () => {
    const get = (q: string) => fetch(`${base}/gate?${q}`, { redirect: "manual" });
    let res = await get(`to=${encodeURIComponent("/list?x=1")}`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/list?x=1");
    res = await get(`nav=${encodeURIComponent("/items/3")}`);
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/items/3");
    for (const bad of ["javascript:alert(1)", "//evil.example/", "data:text/html,x"]) {
      res = await get(`to=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad);
      assert.equal(res.headers.get("location"), null, bad);
      assert.match(await res.text(), /E_NAV_TARGET/);
    }
    // A patch at the page's render sets the URL the view renders with; the page stays.
    res = await get(`patch=${encodeURIComponent("/gate?done=1")}`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<p id="url">\/gate\?done=1<\/p>/);
  });

  for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
      it("runs handleParams for a patch frame, in order with the events, once", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const { token } = await getPage(base, "/list");
          await c.join(1, token);
          assert.match(c.views.get(1)!.html(), /<p id="page">1<\/p><p id="url">\/list<\/p>/);
          c.send({ t: C.patch, v: 1, r: 1, d: { u: "/list?page=2" } });
          c.send({ t: C.event, v: 1, r: 2, e: "inc", d: {} });
          c.send({ t: C.patch, v: 1, r: 1, d: { u: "/list?page=9" } }); // a resend of ref 1: not applied again
          await c.next((m) => m.v === 1 && m.r === 2);
          assert.match(c.views.get(1)!.html(), /<p id="page">2<\/p><p id="url">\/list\?page=2<\/p>/);
          const unknown = await (async () => {
            c.send({ t: C.patch, v: 1, r: 3, d: { u: "/nowhere" } });
            return c.next((m) => m.v === 1 && m.r === 3);
          })();
          assert.equal(unknown.c, "E_UNKNOWN_VIEW");
          c.send({ t: C.patch, v: 1, r: 4, d: { u: "javascript:alert(1)" } });
          assert.equal((await c.next((m) => m.v === 1 && m.r === 4)).c, "E_NAV_TARGET");
          c.send({ t: C.patch, v: 1, r: 5, d: { u: "/items/3" } });
          const nav = await c.next((m) => m.v === 1 && m.r === 5);
          assert.deepEqual(nav.d, { to: "/items/3", kind: "navigate", replace: true }, "another view's URL: a live navigation");
        } finally {
          await c.close();
        }
      });

      it("mounts another view for a navigate frame and ends the one it replaces with reason navigate", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const { token } = await getPage(base, "/list");
          await c.join(1, token);
          ended.length = 0;
          const sessions = app.stats().sessions;
          c.send({ t: C.navigate, v: 2, d: { k: token, u: "/items/42?x=1", f: 1 } });
          const answer = await c.next((m) => m.v === 2 && m.k !== undefined);
          assert.equal(kindOf(answer), S.rendered);
          const title = await c.next((m) => m.v === 2 && m.h !== undefined);
          assert.equal(title.h, "An item");
          await until(() => ended.includes("list navigate"));
          assert.equal(app.stats().sessions, sessions, "one session out, one in");
          // The new view's token joins like a page's: it is a view of its own now.
          c.received.length = 0;
          const again = await c.join(3, answer.k!);
          assert.equal(kindOf(again), S.rendered);
          assert.match(JSON.stringify(again.d), /42/);
          c.send({ t: C.event, v: 1, r: 9, e: "inc", d: {} });
          assert.equal((await c.next((m) => m.v === 1 && m.r === 9)).c, "E_NOT_JOINED", "the old view is gone from the link");
        } finally {
          await c.close();
        }
      });

      it("refuses a navigate frame as a page load would: unknown path, no token, bad target, auth", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const { token } = await getPage(base, "/list");
          await c.join(1, token);
          mounts.length = 0;
          const refused = async (v: number, d: unknown): Promise<string | undefined> => {
            c.send({ t: C.navigate, v, d } as Envelope);
            return (await c.next((m) => m.v === v && (kindOf(m) === S.error || m.k !== undefined))).c;
          };
          assert.equal(await refused(2, { k: token, u: "/nowhere", f: 1 }), "E_UNKNOWN_VIEW");
          assert.equal(await refused(3, { k: token, u: "/items/1/extra", f: 1 }), "E_UNKNOWN_VIEW");
          assert.equal(await refused(4, { k: "forged", u: "/items/1", f: 1 }), "E_BAD_TOKEN");
          assert.equal(await refused(5, { u: "/items/1" }), "E_BAD_TOKEN");
          assert.equal(await refused(6, { k: token, u: "javascript:alert(1)" }), "E_NAV_TARGET");
          assert.equal(await refused(7, { k: token, u: "//evil.example/items/1" }), "E_NAV_TARGET");
          assert.equal(await refused(8, { k: token, u: "/admin", f: 1 }), "E_FORBIDDEN");
          assert.equal(await refused(9, "nonsense"), "E_BAD_TOKEN");
          assert.deepEqual(mounts, [], "no refused view ever mounted");
          assert.equal((await fetch(`${base}/admin`)).status, 403, "the same answer as the page");
          // The old view lives on: no navigation happened.
          c.send({ t: C.event, v: 1, r: 1, e: "inc", d: {} });
          assert.notEqual((await c.next((m) => m.v === 1 && m.r === 1)).t, S.error);
        } finally {
          await c.close();
        }
      });

      it("mounts a view whose auth passes for the link's request", async () => {
        const c = await ProtocolClient.connect(base, { "x-user": "admin" }, transport);
        try {
          const res = await fetch(`${base}/list`, { headers: { "x-user": "admin" } });
          const token = /weft-token="([^"]+)"/.exec(await res.text())![1]!;
          await c.join(1, token);
          c.send({ t: C.navigate, v: 2, d: { k: token, u: "/admin", f: 1 } });
          assert.equal(kindOf(await c.next((m) => m.v === 2 && (m.k !== undefined || kindOf(m) === S.error))), S.rendered);
        } finally {
          await c.close();
        }
      });

      it("re-mounts with the page's current URL when the session is gone", async () => {
        const c = await ProtocolClient.connect(base, {}, transport);
        try {
          const lost = new TokenSigner([TEST_SECRET]).sign({ sid: randomBytes(16).toString("base64url"), view: "/list", params: {}, data: { user: "anon" }, exp: Date.now() + 60_000 });
          c.views.set(1, new ClientView());
          c.send({ t: C.join, v: 1, d: { k: lost, u: `${base}/list?page=7` } });
          const answer = await c.next((m) => m.v === 1 && (m.k !== undefined || kindOf(m) === S.error));
          assert.equal(kindOf(answer), S.rendered);
          assert.match(c.views.get(1)!.html(), /<p id="page">7<\/p><p id="url">\/list\?page=7<\/p>/);
          assert.equal(framesOf(c, 1).filter((m) => kindOf(m) === S.error).length, 0);
        } finally {
          await c.close();
        }
      });
    });
  }
});
