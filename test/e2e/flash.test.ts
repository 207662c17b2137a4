/**
 * Flash messages in Chromium, on every transport: a handler's flash shows in
 * the page's weft-flash slot as text (markup stays text), with role="status"
 * or role="alert"; Dismiss removes it; a live patch keeps it, a live
 * navigation clears it; a flash set by the handler that navigates shows on
 * the next view; one set beside a redirect shows on the next page, both from
 * a live handler (sessionStorage) and from a mount that redirects (the
 * weft_flash cookie, shown once); a mount's flash is in the first HTML.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 20_000 };
const MARKUP = `Saved <b id="bold">bold</b> & <img src=x onerror="window.pwned=1">`;

const Inbox = defineView({
  mount: () => ({ page: "1" }),
  handleParams: (p, _url, s) => ({ ...s, page: p.page ?? "1" }),
  events: {
    save: (s, _p, ctx) => ctx.flash("info", MARKUP),
    oops: (s, _p, ctx) => ctx.flash("error", "Could not save"),
    go: (s, _p, ctx) => {
      ctx.flash("info", "Moved along");
      ctx.navigate("/other");
    },
    later: (s, _p, ctx) => void ctx.schedule("ping", null, 1),
    away: (s, _p, ctx) => {
      ctx.flash("info", "Redirected here");
      ctx.redirect("/other");
    },
  },
  // A flash with no frame after it (an info handler that changes nothing).
  info: { ping: (s, _p, ctx) => ctx.flash("info", "Ping") },
  render: (s) => html`<h1>Inbox</h1><p id="page">page ${s.page}</p>
    <button id="save" weft-click="save">save</button><button id="oops" weft-click="oops">oops</button>
    <button id="go" weft-click="go">go</button><button id="away" weft-click="away">away</button><button id="later" weft-click="later">later</button>
    <a id="patch" href="/inbox?page=2" weft-patch>page 2</a><a id="nav" href="/other" weft-navigate>other</a>`,
});

const Other = defineView({
  mount: () => ({}),
  render: () => html`<h1 id="other">Other</h1>`,
});

/** Flashes in mount: one that stays (the page's first HTML), one beside a redirect (a cookie). */
const Hello = defineView({
  mount: (_p, ctx) => {
    ctx.flash("info", "Hello <i>there</i>");
    return {};
  },
  render: () => html`<h1 id="hello">Hello</h1>`,
});
const Gate = defineView({
  mount: (_p, ctx) => {
    ctx.flash("error", "From the gate");
    ctx.redirect("/other");
    return {};
  },
  render: () => html`<h1>never</h1>`,
});

for (const transport of TRANSPORTS) {
  describe(`flash messages in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/inbox": Inbox, "/other": Other, "/hello": Hello, "/gate": Gate }, secret: "flash-e2e-secret-0123456789abcdef" }, wait: WAIT });

    /** The slot's items: role and text (without the button's ×). */
    const items = (page: Page) => page.$$eval("[weft-flash] > *", (els) => els.map((el) => `${el.getAttribute("role")}: ${el.firstChild?.textContent}`));
    const count = (page: Page, n: number) => page.waitForFunction((k) => document.querySelectorAll("[weft-flash] > *").length === k, n);

    it("shows a handler's flash as text, with its role, and Dismiss removes it", T, async () => {
      const page = await fx.open(transport, "/inbox");
      await page.click("#save");
      await count(page, 1);
      assert.deepEqual(await items(page), [`status: ${MARKUP}`]);
      assert.equal(await page.$("[weft-flash] b, [weft-flash] img"), null, "markup in the text is shown as text");
      assert.equal(await page.evaluate(() => (window as { pwned?: number }).pwned), undefined);
      await page.click("#oops");
      await count(page, 2);
      assert.deepEqual((await items(page))[1], "alert: Could not save");
      await page.getByRole("button", { name: "Dismiss" }).first().click();
      await count(page, 1);
      assert.deepEqual(await items(page), ["alert: Could not save"]);
      await page.close();
    });

    it("keeps flashes across a live patch and clears them on a live navigation", T, async () => {
      const page = await fx.open(transport, "/inbox");
      await page.click("#save");
      await count(page, 1);
      await page.click("#patch");
      await page.waitForFunction(() => document.querySelector("#page")?.textContent === "page 2");
      assert.equal((await items(page)).length, 1, "a live patch keeps the flash");
      await page.click("#nav");
      await page.waitForSelector("#other");
      await count(page, 0);
      await page.close();
    });

    it("clears on a live navigation a flash that no other frame followed", T, async () => {
      const page = await fx.open(transport, "/inbox");
      await page.click("#later");
      await count(page, 1);
      await page.click("#nav");
      await page.waitForSelector("#other");
      await page.waitForSelector("[weft-view].weft-connected");
      await count(page, 0);
      await page.close();
    });

    it("shows the flash of the handler that navigates on the next view", T, async () => {
      const page = await fx.open(transport, "/inbox");
      await page.click("#save");
      await count(page, 1);
      await page.click("#go");
      await page.waitForSelector("#other");
      await page.waitForSelector("[weft-view].weft-connected");
      await count(page, 1);
      assert.deepEqual(await items(page), ["status: Moved along"], "the earlier flash went, the navigating handler's stayed");
      await page.close();
    });

    it("keeps a live handler's flash across its redirect (one page load)", T, async () => {
      const page = await fx.open(transport, "/inbox");
      await page.click("#away");
      await page.waitForURL(/\/other$/);
      await page.waitForSelector("[weft-view].weft-connected #other, [weft-view].weft-connected:has(#other)");
      await count(page, 1);
      assert.deepEqual(await items(page), ["status: Redirected here"]);
      await page.reload();
      await page.waitForSelector("[weft-view].weft-connected");
      assert.deepEqual(await items(page), [], "shown once");
      await page.close();
    });

    it("carries a mount's flash across its 302 in a cookie, shown once", T, async () => {
      const page = await fx.open(transport, "/gate", { context: {} });
      assert.match(page.url(), /\/other$/);
      assert.deepEqual(await items(page), ["alert: From the gate"]);
      const cookies = await page.context().cookies();
      assert.equal(cookies.find((c) => c.name === "weft_flash"), undefined, "the page cleared the cookie");
      await page.reload();
      await page.waitForSelector("[weft-view].weft-connected");
      assert.deepEqual(await items(page), [], "shown once");
      await page.context().close();
    });

    it("renders a mount's flash in the page's first HTML, as text", T, async () => {
      const page = await fx.open(transport, "/hello");
      assert.deepEqual(await items(page), ["status: Hello <i>there</i>"]);
      assert.equal(await page.$("[weft-flash] i"), null);
      await page.getByRole("button", { name: "Dismiss" }).click();
      await count(page, 0);
      await page.close();
    });
  });
}
