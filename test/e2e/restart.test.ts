/**
 * The server restarts (it forgets every link and session): pages on every
 * transport are told it shuts down (4503, or an E_SHUTDOWN frame on SSE and
 * HTTP), get their link refused (404/410 or a closed socket), open a new one,
 * rejoin by themselves, and keep working.
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
      // Marks this document: a page that reloads itself instead of rejoining loses the mark.
      await page.evaluate(() => ((window as unknown as { beforeRestart: boolean }).beforeRestart = true));
      // The codes of the page's weft:error events: a shutdown is an outage, not an error of the page.
      await page.evaluate(() => {
        const codes: string[] = ((window as unknown as { errorCodes: string[] }).errorCodes = []);
        document.addEventListener("weft:error", (e) => codes.push((e as CustomEvent<{ code: string }>).detail.code));
      });
      pages.push(page);
    }
    await app.close();
    // The pages notice the loss before the new server is up.
    for (const page of pages) await page.waitForSelector("[weft-view]:not(.weft-connected)", { timeout: 15_000 });
    app = createDemo({ secret: SECRET });
    await app.listen(port);
    for (const [i, page] of pages.entries()) {
      // The session is gone with the old process: the view mounts afresh (0), then
      // counts the clicks made after the restart — a page that never rejoined stays at 1.
      await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
      for (let n = 1; n <= 3; n++) {
        await page.click("#inc");
        await count(page, n);
      }
      assert.equal(await page.evaluate(() => (window as unknown as { weft: { transport: string } }).weft.transport), TRANSPORTS[i]);
      assert.equal(await page.evaluate(() => (window as unknown as { beforeRestart?: boolean }).beforeRestart), true, "the same document rejoined: no reload");
      const codes = await page.evaluate(() => (window as unknown as { errorCodes: string[] }).errorCodes);
      assert.ok(!codes.includes("E_SHUTDOWN"), `${TRANSPORTS[i]}: E_SHUTDOWN reconnects without reporting an error (${codes.join(", ")})`);
    }
    // The new server holds one live session per page, and one link per transport.
    const stats = app.stats();
    assert.equal(stats.sessions, TRANSPORTS.length, "every page joined the new server");
    assert.deepEqual([stats.sockets, stats.sseLinks, stats.httpLinks], [1, 1, 1]);
    for (const page of pages) await page.context().close();
  });
});
