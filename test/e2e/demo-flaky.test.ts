/**
 * The demo's /flaky view through a server restart, in Chromium on every
 * transport: while the server is gone the root is marked down
 * (E_CLIENT_TRANSPORT, after the link grace) and the demo's style says so;
 * the restarted server refuses the rejoin once (its first live mount fails:
 * E_MOUNT); the view retries, recovers, loses the marks, and the click made
 * while it was down counts once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { createFlaky } from "../../examples/demo/views/flaky.ts";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const SECRET = "demo-flaky-secret-0123456789abcdef";
const WAIT = { timeout: 20_000 };

type Win = Window & { codes: (string | null)[] };

/** Where the server reported failures (onError). */
const failures: string[] = [];

/** A demo app whose flaky views (one per transport) are fresh: each one's first live mount fails. */
function demo(): WeftApp {
  const views = Object.fromEntries(TRANSPORTS.map((t) => [`/flaky-${t}`, createFlaky()]));
  return createDemo({ secret: SECRET, views, onError: (_err, where) => failures.push(where) });
}

const clicks = (page: Page, n: number) => page.waitForFunction((want) => document.querySelector("#clicks")?.textContent === String(want), n, WAIT);
const before_ = (page: Page) => page.evaluate(() => getComputedStyle(document.querySelector("[weft-view]")!, "::before").content);

describe("the demo's flaky view through a server restart", { skip }, () => {
  let app: WeftApp;
  let port: number;
  let browser: Browser;

  before(async () => {
    app = demo();
    port = (await app.listen(0)).port;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it("is marked down while the server is gone and while its rejoin is refused, then recovers and applies the click once", { timeout: 60_000 }, async () => {
    const pages: Page[] = [];
    for (const transport of TRANSPORTS) {
      const page = await (await browser.newContext()).newPage();
      await forceTransport(page, transport);
      await page.goto(`http://127.0.0.1:${port}/flaky-${transport}`);
      await page.waitForSelector("[weft-view].weft-connected");
      assert.equal(await before_(page), "none", "a live view is styled as down");
      // Every value weft-error-code takes, in order (null: removed).
      await page.evaluate(() => {
        const root = document.querySelector("[weft-view]")!;
        const w = window as unknown as Win;
        w.codes = [];
        new MutationObserver(() => w.codes.push(root.getAttribute("weft-error-code"))).observe(root, { attributes: true, attributeFilter: ["weft-error-code"] });
      });
      pages.push(page);
    }
    await app.close();
    for (const page of pages) {
      await page.waitForSelector('[weft-view][weft-error][weft-error-code="E_CLIENT_TRANSPORT"]', WAIT);
      assert.equal(await before_(page), '"Not live (E_CLIENT_TRANSPORT)"');
      await page.click("#click"); // waits in the page for the view to be back
    }
    app = demo();
    await app.listen(port);
    for (const [i, page] of pages.entries()) {
      await page.waitForSelector("[weft-view].weft-connected:not([weft-error])", WAIT);
      // The session went with the old server: the view mounted afresh (0) and applied the waiting click once.
      await clicks(page, 1);
      await page.click("#click");
      await clicks(page, 2);
      const codes = await page.evaluate(() => (window as unknown as Win).codes);
      assert.deepEqual(codes, ["E_CLIENT_TRANSPORT", "E_MOUNT", null], `${TRANSPORTS[i]}: down while gone, refused once, then back`);
      assert.equal(await before_(page), "none");
    }
    assert.deepEqual(failures.sort(), TRANSPORTS.map((t) => `mount of /flaky-${t}`).sort(), "the restarted server failed each view's first live mount, and nothing else");
    for (const page of pages) await page.context().close();
  });
});
