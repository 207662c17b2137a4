/**
 * Automatic transport negotiation in Chromium behind a real nginx: every page
 * starts on HTTP and switches up to the best transport its background probes
 * prove — WebSocket through a proxy that forwards `Upgrade`, SSE through one
 * that does not, and none (it stays on HTTP) through one that buffers every
 * response and blocks or buffers the SSE path. test/e2e/proxy-modes.test.ts
 * covers what happens while the probes are outstanding.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";
import { Nginx, nginxSkipReason, type NginxMode } from "../support/nginx.ts";

const skip = browserSkipReason() ?? nginxSkipReason();

type Win = Window & { weft: { transport: string }; transportEvents: string[] };

describe("transport fallback behind nginx", { skip }, () => {
  let app: WeftApp;
  let appPort: number;
  let browser: Browser;
  const proxies: Nginx[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    app = createDemo({ secret: "fallback-secret-0123456789ab" });
    appPort = (await app.listen(0)).port;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    for (const p of proxies) await p.stop();
    await app?.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
  });

  async function behind(mode: NginxMode): Promise<string> {
    const n = new Nginx(appPort, mode);
    proxies.push(n);
    return n.start();
  }

  async function open(base: string, path: string): Promise<{ page: Page; sockets: string[] }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sockets: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("websocket", (ws) => sockets.push(ws.url()));
    await page.addInitScript(() => {
      const w = window as unknown as Win;
      w.transportEvents = [];
      document.addEventListener("weft:transport", (e) => w.transportEvents.push((e as CustomEvent<{ transport: string }>).detail.transport));
    });
    await page.goto(base + path);
    await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
    return { page, sockets };
  }

  /** Waits until the page's probes are done (none outstanding, none scheduled before the 10 s backoff). */
  const settled = (page: Page) =>
    page.waitForFunction(() => (window as unknown as Win & { weft: { probing?: string } }).weft.probing === undefined && (window as unknown as Win).transportEvents.length > 0, undefined, { timeout: 15_000 });
  const settledOn = async (page: Page, transport: string) => {
    await page.waitForFunction((t) => (window as unknown as Win).weft.transport === t, transport, { timeout: 15_000 });
    await settled(page);
  };

  async function clickCounter(page: Page): Promise<void> {
    const before = Number(await page.textContent("#count"));
    await page.click("#inc");
    await page.waitForFunction((n) => document.querySelector("#count")?.textContent === String(n), before + 1, { timeout: 5000 });
  }

  it("uses WebSocket through a proxy that forwards Upgrade", async () => {
    const base = await behind({ upgrade: true });
    const { page } = await open(base, "/counter");
    await settledOn(page, "websocket");
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).transportEvents), ["http", "websocket"]);
    await clickCounter(page);
    await page.context().close();
  });

  it("moves up to SSE when the proxy does not forward Upgrade, and remembers it", async () => {
    const base = await behind({});
    const { page, sockets } = await open(base, "/counter");
    await settledOn(page, "sse");
    assert.ok(sockets.length >= 1, "WebSocket was probed first");
    await clickCounter(page);
    await clickCounter(page);
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).transportEvents), ["http", "sse"]);
    const fallbacks = async () => {
      const text = await (await fetch(`http://127.0.0.1:${appPort}/weft/metrics`)).text();
      return Number(/^weft_fallbacks_total\{to="sse"\} (\d+)$/m.exec(text)?.[1]);
    };
    const counted = await fallbacks();
    assert.ok(counted >= 1, "the server counted the fallback");
    // The next page of this tab probes SSE first (sessionStorage), not WebSocket.
    sockets.length = 0;
    await page.reload();
    await page.waitForSelector("[weft-view].weft-connected");
    await settledOn(page, "sse");
    assert.deepEqual(sockets, [], "no WebSocket probe before the remembered transport proved itself");
    assert.equal(await fallbacks(), counted, "a remembered transport is not a fallback");
    await clickCounter(page);
    await page.context().close();
  });

  it("ends up on HTTP when the proxy buffers responses and blocks SSE; counter and clock work", async () => {
    const base = await behind({ buffer: true, blockSse: true });
    const { page } = await open(base, "/counter");
    await settledOn(page, "http");
    await clickCounter(page);
    await clickCounter(page);
    await page.goto(`${base}/clock`);
    await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
    await settledOn(page, "http");
    const first = await page.textContent("#clock");
    await page.waitForFunction((t) => document.querySelector("#clock")?.textContent !== t, first, { timeout: 5000 });
    await page.context().close();
  });

  it("ends up on HTTP when the proxy buffers the SSE stream", async () => {
    const base = await behind({ buffer: true });
    const { page } = await open(base, "/counter");
    await settledOn(page, "http");
    await clickCounter(page);
    await page.context().close();
  });
});
