/**
 * Child views in Chromium, on every transport: a parent counter embeds a chat
 * child; a click in the child updates only the child; the parent's re-render
 * keeps the child's DOM and state (an input's typed text); a child whose
 * handler throws shows its error on its own root while the parent works; a
 * child whose mount throws is marked down alone; removing the child ends its
 * session, and showing it again joins a new one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { childApp, type ChildApp } from "../support/child-views.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 30_000 };

for (const transport of TRANSPORTS) {
  describe(`child views in Chromium over ${transport}`, { skip }, () => {
    let kit: ChildApp;
    const fx = e2eApp({
      weft: () => {
        kit = childApp();
        return { views: kit.views, secret: "child-views-e2e-secret-0123456789abcdef", onError: () => {} };
      },
      wait: WAIT,
      serverErrors: false,
    });

    /** Opens `path`; every weft:error lands in window.errors as [root id, code]. */
    function open(path: string, ready: string, state: "attached" | "visible" = "visible"): Promise<Page> {
      const setup = (page: Page) => page.addInitScript(() => {
        const w = window as unknown as { errors: [string, string][] };
        w.errors = [];
        document.addEventListener("weft:error", (e) => {
          const root = (e.target as Element).closest?.("[weft-view]");
          w.errors.push([root?.id ?? "", (e as CustomEvent<{ code: string }>).detail.code]);
        });
      });
      return fx.open(transport, path, { setup, ready, state });
    }

    const errors = (page: Page) => page.evaluate(() => (window as unknown as { errors: [string, string][] }).errors);
    const text = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent);

    it("updates only the child on a click in it, and keeps the child's DOM, state and typed text through the parent's re-render", T, async () => {
      const page = await open("/parent", "#chat.weft-connected");
      await page.waitForSelector("main ~ *, [weft-view='/parent'].weft-connected");
      await page.$eval("#chat", (el) => ((el as unknown as { mark: boolean }).mark = true));
      await page.click("#chat .bump");
      await page.waitForFunction(() => document.querySelector("#chat .bump")?.textContent === "n 1");
      assert.equal(await text(page, ".inc"), "parent 0");
      await page.fill("#chat-text", "typed here");
      await page.click(".inc");
      await page.waitForFunction(() => document.querySelector(".inc")?.textContent === "parent 1");
      await page.click(".inc");
      await page.waitForFunction(() => document.querySelector(".inc")?.textContent === "parent 2");
      assert.equal(await page.$eval("#chat-text", (el) => (el as HTMLInputElement).value), "typed here");
      assert.equal(await text(page, "#chat .bump"), "n 1", "the child's state");
      assert.equal(await page.$eval("#chat", (el) => (el as unknown as { mark?: boolean }).mark === true && el.classList.contains("weft-connected")), true, "the same child root, still connected");
      // The child's form goes to the child.
      await page.press("#chat-text", "Enter");
      await page.waitForFunction(() => document.querySelector("#chat li")?.textContent === "typed here");
      assert.equal(await text(page, ".inc"), "parent 2");
      assert.deepEqual(await errors(page), []);
      await page.close();
    });

    it("shows a child's failing handler on the child's root while the parent keeps working", T, async () => {
      const page = await open("/parent", "#chat.weft-connected");
      await page.click("#chat .boom");
      await page.waitForFunction(() => (window as unknown as { errors: unknown[] }).errors.length > 0);
      assert.deepEqual(await errors(page), [["chat", "E_HANDLER"]]);
      await page.click(".inc");
      await page.waitForFunction(() => document.querySelector(".inc")?.textContent === "parent 1");
      await page.click("#chat .bump");
      await page.waitForFunction(() => document.querySelector("#chat .bump")?.textContent === "n 1");
      await page.close();
    });

    it("marks only the child down when its mount fails; the parent works", T, async () => {
      const page = await open("/faulty-page", "#faulty[weft-error]", "attached");
      assert.equal(await page.$eval("#faulty", (el) => el.getAttribute("weft-error-code")), "E_MOUNT");
      await page.waitForSelector("#chat.weft-connected");
      await page.click(".inc");
      await page.waitForFunction(() => document.querySelector(".inc")?.textContent === "parent 1");
      assert.equal(await page.$eval("#faulty", (el) => el.getAttribute("weft-error-code")), "E_MOUNT", "the parent's patch keeps the child's down mark");
      assert.ok((await errors(page)).every(([root, code]) => root === "faulty" && code === "E_MOUNT"), JSON.stringify(await errors(page)));
      await page.close();
    });

    it("ends the child's session when the parent's render drops it, and joins a new child when it is back", T, async () => {
      const page = await open("/parent", "#chat.weft-connected");
      const ended = kit.ended.length;
      await page.click("#chat .bump");
      await page.waitForFunction(() => document.querySelector("#chat .bump")?.textContent === "n 1");
      await page.click(".toggle");
      await page.waitForFunction(() => document.querySelector("#chat") === null);
      await until(() => kit.ended.length > ended, WAIT, "the child's terminate");
      assert.deepEqual(kit.ended.at(-1), ["lobby", "closed"]);
      await page.click(".toggle");
      await page.waitForSelector("#chat.weft-connected");
      await page.waitForFunction(() => document.querySelector("#chat .bump")?.textContent === "n 0");
      await page.click("#chat .bump");
      await page.waitForFunction(() => document.querySelector("#chat .bump")?.textContent === "n 1");
      assert.deepEqual(await errors(page), []);
      await page.close();
    });
  });
}
