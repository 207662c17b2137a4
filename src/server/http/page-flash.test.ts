import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createWeft, defineView, html, type WeftApp } from "../../index.ts";

const Gate = defineView({
  mount: (_p, ctx) => {
    ctx.flash("info", `Signed out <script>alert(1)</script>`);
    ctx.redirect("/home");
    return {};
  },
  render: () => html`<p>never</p>`,
});
const Home = defineView({
  mount: (p: Record<string, string>, ctx) => {
    if (p.hi !== undefined) ctx.flash("error", p.hi);
    return {};
  },
  render: () => html`<p>home</p>`,
});

describe("flashes in server-rendered pages", () => {
  let app: WeftApp;
  let plain: WeftApp;
  let base = "";
  let plainBase = "";
  before(async () => {
    app = createWeft({ views: { "/gate": Gate, "/home": Home }, secret: "page-flash-secret-0123456789abcdef", onError: () => {} });
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    // A custom layout that places no slot.
    plain = createWeft({ views: { "/home": Home }, secret: "page-flash-secret-0123456789abcdef", layout: (p) => `<!doctype html><html><head>${p.script}</head><body class="x">${p.body}</body></html>`, onError: () => {} });
    plainBase = `http://127.0.0.1:${(await plain.listen(0)).port}`;
  });
  after(async () => {
    await app.close();
    await plain.close();
  });

  it("answers a mount's redirect with a 302 and the weft_flash cookie, which the next page shows escaped and clears", async () => {
    const res = await fetch(`${base}/gate`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/home");
    const set = res.headers.get("set-cookie") ?? "";
    assert.match(set, /^weft_flash=[^;]+; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/);
    const next = await fetch(`${base}/home`, { headers: { cookie: set.slice(0, set.indexOf(";")) } });
    const page = await next.text();
    assert.match(page, /<body><div weft-flash><div class="weft-flash-info" role="status">Signed out &lt;script&gt;alert\(1\)&lt;\/script&gt;<button type="button" aria-label="Dismiss">×<\/button><\/div><\/div>/);
    assert.equal(next.headers.get("set-cookie"), "weft_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  });

  it("shows nothing from a forged cookie, and clears it", async () => {
    const res = await fetch(`${base}/home`, { headers: { cookie: `weft_flash=${Buffer.from(JSON.stringify([Date.now() + 60_000, [["error", "Call +1 555"]]])).toString("base64url")}.${"A".repeat(43)}` } });
    const page = await res.text();
    assert.ok(page.includes("<div weft-flash></div>"), "an empty slot");
    assert.ok(!page.includes("Call +1 555"));
    assert.match(res.headers.get("set-cookie") ?? "", /Max-Age=0/);
  });

  it("renders a mount's flash in the default layout, and sets no cookie without one", async () => {
    const res = await fetch(`${base}/home?hi=${encodeURIComponent(`"x" & <y>`)}`);
    assert.match(await res.text(), /<div class="weft-flash-error" role="alert">&quot;x&quot; &amp; &lt;y&gt;<button/);
    assert.equal(res.headers.get("set-cookie"), null);
  });

  it("places a slot after <body> when a custom layout has none", async () => {
    const page = await (await fetch(`${plainBase}/home?hi=Hey`)).text();
    assert.match(page, /<body class="x"><div weft-flash><div class="weft-flash-error" role="alert">Hey<button/);
    const empty = await (await fetch(`${plainBase}/home`)).text();
    assert.match(empty, /<body class="x"><div weft-flash><\/div><div weft-view/);
  });
});
