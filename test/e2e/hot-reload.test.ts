/**
 * Development hot reload in Chromium, on every transport, with a small app
 * in a temporary folder: count to 3, edit the module the view's label comes
 * from → the page shows the new label with count 3, and the page was not
 * reloaded (a window marker survives); edit the stylesheet → its computed
 * style changes, still no reload; a syntax error in the module → the old
 * page keeps working and the error is logged (server onError, browser console).
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { after, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { hotAppFiles, hotLayout, makeHotApp, withStylesheet, writeFiles } from "../support/hot-app.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 40_000 };

for (const transport of TRANSPORTS) {
  // Each transport edits its own copy of the app.
  const { dir, Counter } = await makeHotApp();
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe(`hot reload in Chromium over ${transport}`, { skip }, () => {
    const reported: unknown[] = [];
    const fx = e2eApp({
      weft: { views: { "/": Counter }, secret: "hot-reload-e2e-secret-0123456789abcdef", layout: hotLayout, dev: { watch: [dir], debounceMs: 20 }, onError: (err) => reported.push(err) },
      make: (o) => withStylesheet(dir, o),
      wait: WAIT,
    });
    let page: Page;
    const consoleErrors: string[] = [];
    const out = (): Promise<string> => page.textContent("#out").then((t) => t ?? "");
    const marker = (): Promise<unknown> => page.evaluate(() => (window as unknown as { hotMarker?: number }).hotMarker);

    it("shows an edited module's label with the count kept, without reloading the page", T, async () => {
      page = await fx.open(transport, "/");
      page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
      await page.evaluate(() => ((window as unknown as { hotMarker: number }).hotMarker = 42));
      for (let i = 1; i <= 3; i++) {
        await page.click("button[weft-click=inc]");
        await page.waitForFunction((n) => document.querySelector("#out")?.textContent === `Count: ${n}`, i);
      }
      await page.click("button[weft-click=hit]");
      await page.waitForFunction(() => document.querySelector("#hits")?.textContent === "1");
      writeFiles(dir, { "views/label.ts": hotAppFiles("Total")["views/label.ts"]! });
      await page.waitForFunction(() => document.querySelector("#out")?.textContent === "Total: 3");
      assert.equal(await page.textContent("#hits"), "1", "the component kept its state");
      assert.equal(await marker(), 42, "the page was not reloaded");
      await page.click("button[weft-click=inc]");
      await page.waitForFunction(() => document.querySelector("#out")?.textContent === "Total: 4");
    });

    it("applies an edited stylesheet without reloading the page", T, async () => {
      const color = (): Promise<string> => page.$eval("#out", (el) => getComputedStyle(el).color);
      assert.equal(await color(), "rgb(200, 0, 0)");
      writeFiles(dir, { "style.css": hotAppFiles("", "rgb(0, 0, 200)")["style.css"]! });
      await page.waitForFunction(() => getComputedStyle(document.querySelector("#out")!).color === "rgb(0, 0, 200)");
      assert.equal(await marker(), 42, "the page was not reloaded");
      assert.equal(await page.locator('link[rel="stylesheet"]').count(), 1, "the old link is gone once the new one loaded");
    });

    it("keeps the old page working when the module has a syntax error, and logs the error", T, async () => {
      writeFiles(dir, { "views/label.ts": "export const LABEL: string = ;\n" });
      await until(() => consoleErrors.some((e) => e.includes("E_HOT_RELOAD")), WAIT, "the error in the console");
      assert.ok(consoleErrors.some((e) => e.includes("E_HOT_RELOAD") && e.includes("label.ts")), `the console shows the error: ${JSON.stringify(consoleErrors)}`);
      assert.equal(reported.length, 1, "the server reported it once");
      assert.match(String(reported[0]), /Error/);
      await page.click("button[weft-click=inc]");
      await page.waitForFunction(() => document.querySelector("#out")?.textContent === "Total: 5");
      assert.equal(await marker(), 42, "the page was not reloaded");
      assert.equal(await out(), "Total: 5");
    });
  });
}
