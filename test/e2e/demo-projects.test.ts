/**
 * The demo's Projects section in Chromium, on every transport: a like
 * changes its card alone, a filter is a live patch (URL and list), a project
 * opens by live navigation (no page load, its title) with its chat as a child
 * view, Back returns to the filtered list at its scroll position, and "Load
 * more" appends each activity row once.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 60_000 };

type Win = Window & { marker?: string; outside?: string[] };

describe("the demo's Projects section in Chromium", { skip, timeout: 600_000 }, () => {
  let app: WeftApp;
  let base: string;
  let browser: Browser;
  const pageErrors: string[] = [];
  const serverErrors: unknown[] = [];

  before(async () => {
    app = createDemo({ secret: "e2e-projects-secret-0123456789abcdef", onError: (err) => serverErrors.push(err) });
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    await (await fetch(`${base}/weft/client.js`)).arrayBuffer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
    assert.deepEqual(serverErrors, [], "nothing reported to onError");
  });

  async function open(transport: string, path: string): Promise<Page> {
    // A short window, so that the filtered list still scrolls.
    const page = await (await browser.newContext({ viewport: { width: 800, height: 400 } })).newPage();
    page.setDefaultTimeout(WAIT);
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await forceTransport(page, transport);
    await page.goto(base + path);
    await page.waitForSelector("[weft-view].weft-connected");
    // Survives live navigation, gone after a page load.
    await page.evaluate(() => ((window as Win).marker = "alive"));
    return page;
  }

  const alive = async (page: Page) => (await page.evaluate(() => (window as Win).marker)) === "alive";
  const where = (page: Page) => page.evaluate(() => location.pathname + location.search);
  const likes = async (page: Page, slug: string) => Number(await page.textContent(`#project-${slug} .likes`));
  const rows = (page: Page) => page.$$eval("#activity > li", (lis) => lis.map((li) => li.id));

  for (const transport of TRANSPORTS) {
    it(`goes list → like → filter → detail → chat → Back → load more over ${transport}`, T, async () => {
      const page = await open(transport, "/projects");
      assert.equal(await page.title(), "Projects · Weft demo");
      assert.equal(await page.locator("#projects > li").count(), 8);
      await page.waitForFunction(() => document.querySelectorAll("#activity > li").length === 10);

      // A like: only that card changes (the page's other nodes see no mutation).
      const before = { loom: await likes(page, "loom"), warp: await likes(page, "warp") };
      await page.evaluate(() => {
        const w = window as Win;
        w.outside = [];
        const card = document.querySelector("#project-loom article")!;
        new MutationObserver((ms) => {
          for (const m of ms) if (!card.contains(m.target)) w.outside!.push(`${m.type} ${(m.target as Element).outerHTML ?? m.target.textContent}`.slice(0, 120));
        }).observe(document.querySelector("[weft-view]")!, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      await page.click("#project-loom button");
      await page.waitForFunction((n) => document.querySelector("#project-loom .likes")?.textContent === String(n), before.loom + 1);
      await page.waitForFunction(() => document.querySelector(".weft-loading") === null);
      assert.equal(await likes(page, "warp"), before.warp);
      assert.deepEqual(await page.evaluate(() => (window as Win).outside), [], "nothing outside the liked card changed");

      // The filter: a live patch — the URL changes, the list is filtered, no page load.
      await page.click("#filters a[href='/projects?tag=server']");
      await page.waitForFunction(() => document.querySelectorAll("#projects > li").length === 3);
      assert.equal(await where(page), "/projects?tag=server");
      assert.deepEqual(await page.$$eval("#projects strong", (s) => s.map((e) => e.textContent)), ["Loom", "Shuttle", "Warp"]);

      // Scroll a little, then open Loom (a click from script: Playwright's would scroll the link into view).
      const scrolled = await page.evaluate(() => Math.min(150, document.documentElement.scrollHeight - innerHeight));
      assert.ok(scrolled > 50, `the filtered list scrolls (by ${scrolled} px)`);
      await page.evaluate((y) => scrollTo(0, y), scrolled);
      await page.waitForFunction((y) => scrollY === y, scrolled);
      await new Promise((r) => setTimeout(r, 250)); // the scroll position is noted after 100 ms of quiet
      await page.evaluate(() => (document.querySelector("#project-loom a") as HTMLElement).click());
      await page.waitForFunction(() => document.querySelector("#project")?.textContent === "Loom");
      assert.equal(await where(page), "/projects/loom?tag=server");
      await page.waitForFunction(() => document.title.startsWith("Loom"));
      assert.ok(await alive(page), "no page load on the way to the detail page");

      // The project's chat, a child view with its own session.
      await page.waitForSelector("#chat-loom.weft-connected");
      const said = `hello from ${transport}`;
      await page.fill("#chat-loom input[name=text]", said);
      await page.press("#chat-loom input[name=text]", "Enter");
      await page.waitForFunction((t) => [...document.querySelectorAll("#chat-loom #messages li")].some((li) => li.textContent?.endsWith(t)), said);

      // Back: the filtered list again, at its scroll position, with Loom's like.
      await page.goBack();
      await page.waitForFunction(() => document.querySelectorAll("#projects > li").length === 3);
      assert.equal(await where(page), "/projects?tag=server");
      await page.waitForFunction((y) => scrollY === y, scrolled);
      assert.equal(await likes(page, "loom"), before.loom + 1);
      await page.waitForFunction(() => document.title.startsWith("Projects"));
      assert.ok(await alive(page), "no page load on the way back");

      // Load more: ten rows appended, each once.
      await page.waitForFunction(() => document.querySelectorAll("#activity > li").length === 10);
      await page.click("#more");
      await page.waitForSelector("#activity-19"); // the rows of one frame: the 20th with it, unless a row came twice
      await page.waitForFunction(() => document.querySelector(".weft-loading") === null);
      assert.deepEqual(await rows(page), Array.from({ length: 20 }, (_, i) => `activity-${i + 1}`));
      await page.context().close();
    });

    it(`goes back to the filtered list by the detail page's link over ${transport}`, T, async () => {
      const page = await open(transport, "/projects/warp?tag=server&sort=newest");
      await page.waitForFunction(() => document.title.startsWith("Warp"));
      await page.click("#back");
      await page.waitForFunction(() => document.querySelectorAll("#projects > li").length === 3);
      assert.equal(await where(page), "/projects?tag=server&sort=newest");
      assert.deepEqual(await page.$$eval("#projects strong", (s) => s.map((e) => e.textContent)), ["Shuttle", "Warp", "Loom"]);
      assert.ok(await alive(page), "no page load");
      await page.context().close();
    });
  }
});
