/**
 * axe-core on the demo's htmx pages in Chromium (they are not Weft view
 * routes, so test/e2e/a11y.test.ts, which walks createDemo().routes, does
 * not see them): the /htmx index and every page for htmx 2 and htmx 4 once
 * all its sockets and streams have had their first message, then the
 * states the pages reach once used — an error next to the field and Weft's
 * error fragment shown, a chat message in the list, a finished progress bar,
 * a timeline step, a status set.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo, type DemoApp } from "../../examples/demo/app.ts";
import { HTMX_PAGE_PATHS } from "../../examples/demo/htmx/index.ts";
import { expectNoAxeViolations as axe } from "../support/axe.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";

const skip = browserSkipReason();
const T = { timeout: 60_000 };

describe("the demo's htmx pages under axe-core in Chromium", { skip }, () => {
  let app: DemoApp;
  let base = "";
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    app = createDemo({ secret: "htmx-a11y-e2e-secret-0123456789abcdef", redis: undefined });
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
  });

  /** Opens `path` and waits until every socket and stream on it has had its first message. */
  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (e) => pageErrors.push(`${path}: ${String(e)}`));
    await page.goto(base + path);
    await page.waitForFunction(() => [...document.querySelectorAll("[id$='-conn']")].every((el) => el.getAttribute("data-state") === "live"));
    return page;
  }


  it("has no violations on /htmx, the index", T, async () => {
    const page = await open("/htmx");
    assert.equal(await page.$$eval("a[href^='/htmx/']", (as) => as.length), HTMX_PAGE_PATHS.length, "the index links every page");
    await axe(page, "/htmx");
    await page.close();
  });

  for (const path of HTMX_PAGE_PATHS) {
    it(`has no violations on ${path}`, T, async () => {
      const page = await open(path);
      await axe(page, path);
      await page.close();
    });
  }

  for (const gen of [2, 4]) {
    it(`has no violations on the htmx ${gen} pages once used (errors shown, a message, a finished bar, a step, a status)`, T, async () => {
      const form = await open(`/htmx/${gen}/subscribe`);
      await form.fill("#email", "nope");
      await form.click("#subscribe-form button[type=submit]");
      await form.waitForFunction(() => (document.querySelector("#email-error")?.textContent ?? "") !== "");
      await form.fill("#email", `${"a".repeat(260)}@example.com`);
      await form.click("#subscribe-form button[type=submit]");
      await form.waitForSelector("#weft-error[data-code=E_INVALID]");
      await axe(form, `/htmx/${gen}/subscribe with errors`);
      await form.close();

      const chat = await open(`/htmx/${gen}/chat?room=a11y-${gen}`);
      await chat.fill("#text", "hello");
      await chat.press("#text", "Enter");
      await chat.waitForSelector("#messages li");
      await axe(chat, `/htmx/${gen}/chat with a message`);
      await chat.close();

      const progress = await open(`/htmx/${gen}/progress?step=20`);
      await progress.click("#start");
      await progress.waitForFunction(() => document.querySelector("#job-badge")?.textContent === "done");
      await axe(progress, `/htmx/${gen}/progress done`);
      await progress.close();

      const timeline = await open(`/htmx/${gen}/timeline`);
      await timeline.click("#step");
      await timeline.waitForSelector("#steps li");
      await axe(timeline, `/htmx/${gen}/timeline with a step`);
      await timeline.close();

      const status = await open(`/htmx/${gen}/status`);
      await app.broadcast("status", "update", { text: "Degraded: slow builds", level: "degraded" });
      await status.waitForFunction(() => document.querySelector("#status-text")?.textContent === "Degraded: slow builds");
      await axe(status, `/htmx/${gen}/status set`);
      await status.close();
    });
  }
});
