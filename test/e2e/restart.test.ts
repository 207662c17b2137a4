/**
 * The server restarts (it forgets every link and session): pages on every
 * transport get their link refused (404/410 or a closed socket), open a new
 * one, rejoin by themselves, and keep working.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const SECRET = "restart-secret-0123456789abcdef";

describe("server restart in Chromium", { skip }, () => {
  let app: WeftApp;
  let port: number;
  let browser: Browser;

  before(async () => {
    app = createDemo({ secret: SECRET });
    port = (await app.listen(0)).port;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const count = (page: Page, n: number) =>
    page.waitForFunction((want) => document.querySelector("#count")?.textContent === String(want), n, { timeout: 15_000 });

  it("rejoins by itself on every transport after the server forgot its link", async () => {
    const pages: Page[] = [];
    for (const transport of TRANSPORTS) {
      const page = await (await browser.newContext()).newPage();
      await forceTransport(page, transport);
      await page.goto(`http://127.0.0.1:${port}/counter`);
      await page.waitForSelector("[weft-view].weft-connected");
      await page.click("#inc");
      await count(page, 1);
      pages.push(page);
    }
    await app.close();
    app = createDemo({ secret: SECRET });
    await app.listen(port);
    for (const [i, page] of pages.entries()) {
      // The session is gone with the old process: the view mounts afresh (0), then counts on.
      await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
      await page.click("#inc");
      await count(page, 1);
      assert.equal(await page.evaluate(() => (window as unknown as { weft: { transport: string } }).weft.transport), TRANSPORTS[i]);
      await page.context().close();
    }
  });
});
