import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, dropLinks, forceTransport, launchBrowser } from "../support/browser.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();

// The whole suite runs once per transport (forced with window.WEFT_TRANSPORT).
for (const transport of TRANSPORTS) {
describe(`demo in Chromium over ${transport}`, { skip }, () => {
  let app: WeftApp;
  let proxy: TcpProxy;
  let base: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    app = createDemo({ secret: "e2e-secret-0123456789abcdef", heartbeatMs: 2000 });
    const addr = await app.listen(0);
    proxy = new TcpProxy(addr.port);
    base = await proxy.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
  });

  /** Waits until every event the page sent is answered (no element is loading any more). */
  async function answered(page: Page): Promise<void> {
    await page.waitForFunction(() => document.querySelector(".weft-loading") === null, undefined, { timeout: 10_000 });
  }

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await forceTransport(page, transport);
    await page.goto(base + path);
    await page.waitForSelector("[weft-view].weft-connected");
    return page;
  }

  it("updates the counter when the button is clicked", async () => {
    const page = await open("/counter");
    assert.equal(await page.textContent("#count"), "0");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1");
    await page.click("#inc");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3");
    assert.equal(await page.evaluate(() => (window as unknown as { weft: { transport: string } }).weft.transport), transport);
    assert.equal(await page.textContent("#transport"), transport);
    await page.close();
  });

  it("gets a fresh state on reload", async () => {
    const page = await open("/counter");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1");
    await page.reload();
    await page.waitForSelector("[weft-view].weft-connected");
    assert.equal(await page.textContent("#count"), "0");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1");
    await page.close();
  });

  it("shows the validation error while typing without losing the caret", async () => {
    const page = await open("/signup");
    const name = page.locator("input[name=name]");
    await name.click();
    await page.keyboard.type("A");
    await page.waitForFunction(() => document.querySelector("#name-error")?.textContent?.includes("at least 2"));
    // Put the caret in the middle and type: the server's re-render must not move it.
    await page.keyboard.type("da");
    await page.waitForFunction(() => document.querySelector("#name-error")?.textContent === "");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.type("xy");
    await answered(page);
    assert.equal(await name.inputValue(), "Axyda");
    const caret = await name.evaluate((el: HTMLInputElement) => [el.selectionStart, el.selectionEnd, document.activeElement === el]);
    assert.deepEqual(caret, [3, 3, true]);
    // Typing in the password field leaves the other fields as the user typed them.
    await page.locator("input[name=password]").click();
    await page.keyboard.type("short");
    await page.waitForFunction(() => document.querySelector("#password-error")?.textContent?.includes("at least 8"));
    await page.locator("input[name=email]").click();
    await page.keyboard.type("ada@example.com");
    await answered(page);
    assert.equal(await page.locator("input[name=password]").inputValue(), "short");
    await page.close();
  });

  it("adds, toggles and deletes todos", async () => {
    const page = await open("/todos");
    await page.fill("input[name=title]", "Write <tests>");
    await page.press("input[name=title]", "Enter");
    await page.waitForFunction(() => document.querySelectorAll(".todos li").length === 2);
    assert.equal((await page.textContent(".todos li:last-child label"))?.trim(), "Write <tests>");
    await page.click(".todos li:last-child input[type=checkbox]");
    await page.waitForSelector(".todos li.done");
    await page.click(".todos li:first-child button");
    await page.waitForFunction(() => document.querySelectorAll(".todos li").length === 1);
    assert.equal((await page.textContent(".todos li label"))?.trim(), "Write <tests>");
    await page.close();
  });

  it("shows the clock ticking, pushed by the server", async () => {
    const page = await open("/clock");
    const first = await page.textContent("#clock");
    await page.waitForFunction((t) => document.querySelector("#clock")?.textContent !== t, first, { timeout: 5000 });
    await page.close();
  });

  it("reconnects after the connection drops and keeps its state", async () => {
    const page = await open("/counter");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1");
    // New connections are refused until the page shows it noticed the drop.
    await dropLinks(proxy, page);
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "2");
    await page.close();
  });

  it("delivers a click made while the connection is down once it is back", async () => {
    const page = await open("/counter");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1");
    proxy.reject = /./;
    try {
      proxy.cutAll();
      await page.waitForSelector("[weft-view].weft-disconnected", { timeout: 10_000 });
      await page.click("#inc");
      await page.click("#inc");
      assert.equal(await page.textContent("#count"), "1", "nothing is applied while the connection is down");
    } finally {
      proxy.reject = undefined;
    }
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "3", undefined, { timeout: 15_000 });
    // One more click, answered on the same session after any resend: a click applied twice shows 5.
    await page.click("#inc");
    await answered(page);
    assert.equal(await page.textContent("#count"), "4", "each click applied exactly once");
    await page.close();
  });
});
}
