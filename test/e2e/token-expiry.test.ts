/**
 * A page whose view token expired while its link was cut, in Chromium on every
 * transport: when the link comes back, the server refuses the token — over
 * WebSocket the join (E_TOKEN_EXPIRED), over SSE and HTTP the new link's first
 * request (403 E_TOKEN_EXPIRED, before any join) — and the page reloads once and
 * is live again with a fresh token, instead of retrying for ever. A link refused
 * for a bad token (E_BAD_TOKEN) ends the view: weft-error marks, a weft:error,
 * no reload.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html } from "../../src/index.ts";
import { HEADERS } from "../../src/protocol/messages.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 40_000 };
/** A view token's lifetime here: short, so that a cut link outlives it. */
const TOKEN_AGE_MS = 1_500;

const Counter = defineView<{ n: number }>({
  mount: () => ({ n: 0 }),
  events: { inc: (s) => ({ n: s.n + 1 }) },
  render: (s) => html`<button id="inc" weft-click="inc">+</button> <b id="n">${s.n}</b>`,
});

type Win = Window & { marker?: string; errors?: string[] };

async function waitText(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => document.querySelector("#n")?.textContent === t, text, { timeout: WAIT });
}

/**
 * Cuts the page's links at the proxy and keeps new ones out until the view is
 * marked disconnected and its token (renewed by its last join answer, before
 * the cut) is past `TOKEN_AGE_MS`; then lets the page reconnect.
 */
async function outliveToken(fx: ReturnType<typeof e2eApp>, page: Page): Promise<void> {
  fx.proxy.reject = /./;
  try {
    const cut = Date.now();
    assert.ok(fx.proxy.cutAll() > 0, "the proxy had open connections to cut");
    await page.waitForSelector("[weft-view].weft-disconnected", { timeout: WAIT });
    await until(() => Date.now() - cut > TOKEN_AGE_MS + 300, 2 * TOKEN_AGE_MS, "the view token to expire");
  } finally {
    fx.proxy.reject = undefined;
  }
}

for (const transport of TRANSPORTS) {
  describe(`a view token that expired while the link was cut, in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({
      weft: { views: { "/count": Counter }, secret: "token-expiry-e2e-secret-0123456789abcdef", tokenMaxAgeMs: TOKEN_AGE_MS },
      wait: WAIT,
      proxy: true,
      warmClient: true,
    });

    it("reloads the page once when the link comes back; the reloaded page is live", T, async () => {
      const page = await fx.open(transport, "/count");
      let loads = 0;
      page.on("load", () => loads++);
      await page.evaluate(() => ((window as Win).marker = "old page"));
      await page.click("#inc");
      await waitText(page, "1");

      await outliveToken(fx, page);

      await until(() => loads > 0, WAIT, "the page to reload");
      await page.waitForSelector("[weft-view].weft-connected", { timeout: WAIT });
      assert.equal(await page.evaluate(() => (window as Win).marker), undefined, "the page was reloaded");
      // A fresh render with a fresh token: a new session, live.
      await waitText(page, "0");
      await page.click("#inc");
      await waitText(page, "1");
      assert.equal(await page.getAttribute("[weft-view]", "weft-error"), null);
      assert.equal(loads, 1, "reloaded once");
      await page.close();
    });

    if (transport !== "websocket") {
      it("ends the view when the new link is refused for a bad token: marks, a weft:error, no reload", T, async () => {
        const page = await fx.open(transport, "/count", {
          setup: (p) =>
            p.addInitScript(() => {
              const w = window as Win;
              w.errors = [];
              document.addEventListener("weft:error", (e) => w.errors!.push((e as CustomEvent<{ code: string }>).detail.code));
            }),
        });
        await page.evaluate(() => ((window as Win).marker = "same page"));
        // From now on a link's first request carries a token whose signature is wrong.
        await page.route(`**/weft/${transport}?*`, (route) => {
          const headers = route.request().headers();
          if (headers[HEADERS.token] === undefined) return route.continue();
          return route.continue({ headers: { ...headers, [HEADERS.token]: "not.a-token" } });
        });
        let refused = 0;
        page.on("response", (res) => void (res.status() === 403 && res.url().includes(`/weft/${transport}?`) && refused++));

        await outliveToken(fx, page);

        await page.waitForSelector('[weft-view][weft-error][weft-error-code="E_BAD_TOKEN"]', { timeout: WAIT });
        assert.ok((await page.evaluate(() => (window as Win).errors))!.includes("E_BAD_TOKEN"));
        assert.equal(await page.evaluate(() => (window as Win).marker), "same page", "not reloaded");
        assert.equal(await page.getAttribute("[weft-view]", "class").then((c) => c?.includes("weft-disconnected")), true);
        assert.equal(refused, 1, "one link was refused, and no other was tried for the dead view");
        await page.close();
      });
    }
  });
}
