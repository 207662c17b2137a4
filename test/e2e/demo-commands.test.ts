/**
 * The demo's JS commands page in Chromium, on every transport: Escape closes
 * the dialog and gives focus back to its button, Tab and Shift+Tab stay
 * inside the open dialog, the event `JS.dispatch` fires reaches the page's
 * own script (which shows its detail and runs a list with `Weft.js`), and
 * what the commands changed (tips, mark) stays through the server's redraws —
 * also when the page was reached by a live navigation from the index.
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
  describe(`the demo's JS commands page in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { secret: "demo-commands-e2e-secret-0123456789abcdef", redis: undefined }, make: createDemo, wait: 10_000, serverErrors: false });
    const open = (path: string): Promise<Page> => fx.open(transport, path);

    const focused = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");
    /** Waits for the server's next redraw of the clock. */
    async function redraw(page: Page): Promise<void> {
      const t = await page.textContent("#clock");
      await page.waitForFunction((was) => document.querySelector("#clock")?.textContent !== was, t);
    }

    it("closes the dialog on Escape, focus back on its button, and keeps Tab inside it while open", T, async () => {
      const page = await open("/commands");
      await page.click("#open-dialog");
      await page.waitForSelector("#dialog", { state: "visible" });
      await page.waitForFunction(() => document.activeElement?.id === "name");
      // From the name: Send, Cancel, then round to the name; Shift+Tab from the name goes to Cancel.
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press("Tab");
        await page.waitForFunction(() => !/^trap-/.test(document.activeElement?.id ?? "trap-"));
        seen.push(await focused(page));
      }
      assert.deepEqual(seen, ["dialog-send", "dialog-cancel", "name"]);
      assert.equal(await page.evaluate(() => document.activeElement?.closest("#dialog") != null), true);
      await page.keyboard.press("Shift+Tab");
      await page.waitForFunction(() => document.activeElement?.id === "dialog-cancel");
      await page.keyboard.press("Escape");
      await page.waitForSelector("#dialog", { state: "hidden" });
      assert.equal(await focused(page), "open-dialog");
      await redraw(page);
      assert.equal(await page.isHidden("#dialog"), true, "closed through a redraw");
      await page.close();
    });

    it("shows the detail of the dispatched event from the page's script, and keeps marks through redraws", T, async () => {
      const page = await open("/commands");
      await page.evaluate(() => {
        const w = window as unknown as { pulsed: boolean };
        w.pulsed = false;
        const out = document.querySelector("#page-note")!;
        new MutationObserver(() => (w.pulsed ||= out.classList.contains("pulse"))).observe(out, { attributes: true });
      });
      await page.click("#tell-page");
      const text = (await page.textContent("#page-note")) ?? "";
      assert.match(text, /^The page heard demo:note with detail \{"likes":0,"at":"\d\d:\d\d:\d\d"\}$/);
      assert.equal(await page.evaluate(() => (window as unknown as { pulsed: boolean }).pulsed), true, "Weft.js ran the transition");
      await page.click("#toggle-tips");
      await page.click("#mark");
      await redraw(page);
      assert.equal(await page.textContent("#page-note"), text, "weft-ignore keeps the page's text");
      assert.equal(await page.isVisible("#tips"), true);
      assert.equal(await page.getAttribute("#note", "title"), "Marked: in this browser");
      assert.equal(await page.$eval("#note", (el) => el.classList.contains("marked")), true);
      await page.click("#unmark");
      await page.click("#toggle-tips");
      await redraw(page);
      assert.equal(await page.getAttribute("#note", "title"), null);
      assert.equal(await page.$eval("#note", (el) => el.classList.contains("marked")), false);
      assert.equal(await page.isHidden("#tips"), true);
      await page.close();
    });

    it("runs the page's script after a live navigation from the index", T, async () => {
      const page = await open("/");
      await page.click('a[href="/commands"]');
      await page.waitForURL(/\/commands$/);
      await page.waitForSelector("#tell-page");
      await page.click("#tell-page");
      await page.waitForFunction(() => document.querySelector("#page-note")?.textContent?.startsWith("The page heard demo:note"));
      await page.close();
    });
  });
}
