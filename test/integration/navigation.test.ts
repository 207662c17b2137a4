import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { defineView, html } from "../../src/index.ts";
import { kindOf, S, type NavPayload } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { TRANSPORTS } from "../support/wires.ts";

const Go = defineView({
  mount: (params, ctx) => {
    if (typeof params.next === "string") ctx.navigate(params.next, { kind: "redirect", external: params.ext === "1" });
    return { n: 0 };
  },
  events: {
    go: (s, p, ctx) => {
      ctx.navigate(String(p.to), { kind: p.kind === "redirect" ? "redirect" : "patch", external: p.external === true });
      return { n: s.n + 1 };
    },
  },
  render: (s) => html`<p>${s.n}</p>`,
});

const HOSTILE = ["javascript:alert(document.cookie)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/"];

describe("navigation targets from the server", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    ctx = await startApp({ views: { "/go": Go } });
  });
  after(() => ctx.app.close());

  it("answers a page mount that redirects to a same-origin path with 302 and that path", async () => {
    const res = await fetch(`${ctx.base}/go?next=${encodeURIComponent("/done?x=1")}`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/done?x=1");
  });

  it("refuses a page mount that redirects off the origin or to a script (no open redirect)", async () => {
    for (const to of HOSTILE) {
      const res = await fetch(`${ctx.base}/go?next=${encodeURIComponent(to)}`, { redirect: "manual" });
      assert.equal(res.status, 400, to);
      assert.equal(res.headers.get("location"), null, to);
      assert.match(await res.text(), /E_NAV_TARGET/, to);
    }
    const ext = await fetch(`${ctx.base}/go?ext=1&next=${encodeURIComponent("https://example.com/")}`, { redirect: "manual" });
    assert.equal(ext.headers.get("location"), "https://example.com/");
    const extJs = await fetch(`${ctx.base}/go?ext=1&next=${encodeURIComponent("javascript:alert(1)")}`, { redirect: "manual" });
    assert.equal(extJs.status, 400);
  });

  for (const transport of TRANSPORTS) {
    it(`sends only safe nav messages and answers a hostile target with E_NAV_TARGET over ${transport}`, async () => {
      const c = await ProtocolClient.connect(ctx.base, {}, transport);
      try {
        const { token } = await getPage(ctx.base, "/go");
        await c.join(1, token);
        await c.event(1, "go", { to: "/go?page=2" });
        const nav = await c.next((m) => kindOf(m) === S.nav);
        assert.deepEqual(nav.d as NavPayload, { to: "/go?page=2", kind: "patch", replace: false });
        for (const [i, to] of HOSTILE.entries()) {
          const answer = await c.event(1, "go", { to, kind: i % 2 === 0 ? "redirect" : "patch" });
          assert.equal(kindOf(answer), S.error, to);
          assert.equal(answer.c, "E_NAV_TARGET", to);
        }
        // An external patch cannot leave the page; an external redirect can.
        assert.equal((await c.event(1, "go", { to: "https://example.com/", kind: "patch", external: true })).c, "E_NAV_TARGET");
        await c.event(1, "go", { to: "https://example.com/", kind: "redirect", external: true });
        assert.deepEqual((await c.next((m) => kindOf(m) === S.nav)).d, { to: "https://example.com/", kind: "redirect", replace: false, external: true });
        assert.equal(c.received.filter((m) => kindOf(m) === S.nav).length, 0, "no nav message for a refused target");
        // The failed handlers left the state alone: 2 good navigations counted.
        assert.match(c.views.get(1)?.html() ?? "", /<p>2<\/p>/);
      } finally {
        await c.close();
      }
    });
  }
});
