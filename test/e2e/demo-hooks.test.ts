/**
 * The demo's hooks page in Chromium, on every transport: the Sparkline hook
 * draws the points the server pushes (and keeps its drawing through patches),
 * and its button shows the value the server's ctx.reply answered with — also
 * when the page was reached by a live navigation from the index.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const T = { timeout: 30_000 };

for (const transport of TRANSPORTS) {
  describe(`the demo's hooks page in Chromium over ${transport}`, { skip }, () => {
    let app: WeftApp;
    let base: string;
    let browser: Browser;
    const pageErrors: string[] = [];

    before(async () => {
      app = createDemo({ secret: "demo-hooks-e2e-secret-0123456789abcdef", redis: undefined });
      base = `http://127.0.0.1:${(await app.listen(0)).port}`;
      browser = await launchBrowser();
    });

    after(async () => {
      await browser?.close();
      await app?.close();
      assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    });

    async function open(path: string): Promise<Page> {
      const page = await browser.newPage();
      page.setDefaultTimeout(10_000);
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      await forceTransport(page, transport);
      await page.goto(base + path);
      await page.waitForSelector("[weft-view].weft-connected");
      return page;
    }

    async function check(page: Page): Promise<void> {
      await page.waitForFunction(() => (document.querySelector("#sparkline polyline")?.getAttribute("points") ?? "").split(" ").length >= 3);
      const svg = await page.$("#sparkline svg");
      await page.click("#sparkline button");
      await page.waitForFunction(() => /^You rolled [1-6] \(of 6\)$/.test(document.querySelector("#sparkline output")?.textContent ?? ""));
      await page.waitForFunction(() => document.querySelector("#rolls")?.textContent === "1");
      assert.ok(await svg!.evaluate((el) => el.isConnected), "the hook's drawing survived the patch");
    }

    it("draws pushed points and shows the reply of a roll", T, async () => {
      const page = await open("/hooks");
      await check(page);
      await page.close();
    });

    it("mounts the hook after a live navigation from the index", T, async () => {
      const page = await open("/");
      await page.click('a[href="/hooks"]');
      await page.waitForURL(/\/hooks$/);
      await check(page);
      await page.close();
    });
  });
}
