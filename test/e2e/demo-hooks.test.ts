/**
 * The demo's hooks page in Chromium, on every transport: the Sparkline hook
 * draws the points the server pushes (and keeps its drawing through patches),
 * and its button shows the value the server's ctx.reply answered with — also
 * when the page was reached by a live navigation from the index. Its other
 * callbacks: a threshold the server changes (data-threshold) is shown with
 * its old value and redrawn (beforeUpdate/updated), the chart greys and says
 * "offline" while the link is down (disconnected/reconnected), and leaving
 * the page stops the hook's clock (destroyed).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const T = { timeout: 30_000 };

for (const transport of TRANSPORTS) {
  describe(`the demo's hooks page in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { secret: "demo-hooks-e2e-secret-0123456789abcdef", redis: undefined }, make: createDemo, wait: 10_000, serverErrors: false, proxy: true });
    // Notes the page's one-second intervals (the hook's clock) and those cleared.
    const open = (path: string): Promise<Page> => fx.open(transport, path, { setup: (page) => page.addInitScript(() => {
      const w = window as unknown as { ticks: number[]; cleared: number[] };
      w.ticks = [];
      w.cleared = [];
      const set = window.setInterval.bind(window);
      const clear = window.clearInterval.bind(window);
      window.setInterval = ((f: () => void, ms?: number) => {
        const id = set(f, ms);
        if (ms === 1000) w.ticks.push(id);
        return id;
      }) as typeof window.setInterval;
      window.clearInterval = ((id?: number) => {
        if (id !== undefined) w.cleared.push(id);
        clear(id);
      }) as typeof window.clearInterval;
    }) });

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

    it("shows a threshold the server changed with its old value and redraws it (beforeUpdate, updated)", T, async () => {
      const page = await open("/hooks");
      await page.waitForFunction(() => (document.querySelector("#sparkline polyline")?.getAttribute("points") ?? "").length > 0);
      assert.equal(await page.$eval("#sparkline line", (el) => el.getAttribute("y1")), "30.0");
      await page.click("text=Raise the threshold");
      await page.waitForFunction(() => document.querySelector("#sparkline .threshold")?.textContent === "threshold 60 (was 50)");
      assert.equal(await page.$eval("#sparkline line", (el) => el.getAttribute("y1")), "24.4");
      await page.click("text=Lower the threshold");
      await page.waitForFunction(() => document.querySelector("#sparkline .threshold")?.textContent === "threshold 50 (was 60)");
      await page.close();
    });

    it("greys the chart and says offline while the link is down, and restores it after the rejoin (disconnected, reconnected)", T, async () => {
      const page = await open("/hooks");
      assert.equal(await page.isHidden("#sparkline .offline"), true);
      fx.proxy.reject = /./;
      try {
        assert.ok(fx.proxy.cutAll() > 0, "the page had a link to cut");
        await page.waitForSelector("#sparkline .offline", { state: "visible" });
        assert.match(await page.$eval("#sparkline svg", (el) => (el as SVGElement).style.filter), /grayscale/);
      } finally {
        fx.proxy.reject = undefined;
      }
      await page.waitForSelector("#sparkline .offline", { state: "hidden" });
      assert.equal(await page.$eval("#sparkline svg", (el) => (el as SVGElement).style.filter), "");
      await page.close();
    });

    it("stops the hook's clock when the page is left (destroyed)", T, async () => {
      const page = await open("/hooks");
      await page.waitForFunction(() => /^last point \d+ s ago$/.test(document.querySelector("#sparkline .age")?.textContent ?? ""));
      const timers = () => page.evaluate(() => {
        const w = window as unknown as { ticks: number[]; cleared: number[] };
        return { ticks: w.ticks.slice(), cleared: w.cleared.slice() };
      });
      assert.equal((await timers()).ticks.length, 1, "the hook's clock runs");
      await page.click('header a[href="/counter"]');
      await page.waitForURL(/\/counter$/);
      await page.waitForSelector("[weft-view].weft-connected");
      const t = await timers();
      assert.ok(t.ticks.every((id) => t.cleared.includes(id)), `every clock cleared: ${JSON.stringify(t)}`);
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
