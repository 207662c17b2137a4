/**
 * Chaos: a proxy between Chromium and the server cuts every connection at
 * random moments while the page sends 1,000 events and the server pushes 1,000
 * messages. The server must apply each event exactly once; the page must show
 * each message exactly once, in order — on every transport, and across a
 * forced switch from one transport to another in the middle of the run.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { TRANSPORTS } from "../support/wires.ts";
import { EVENTS, PUSHES, startChaosApp } from "./chaos-views.ts";

const skip = browserSkipReason();

type Win = Window & { got: number[]; transports: string[]; weft: { transport: string } };

/** Cuts bounded in number and time: at most 8, 150–500 ms apart. */
async function cutAtRandom(proxy: TcpProxy, running: () => boolean): Promise<number> {
  let cuts = 0;
  while (running() && cuts < 8) {
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 350));
    if (running()) cuts += proxy.cutAll() > 0 ? 1 : 0;
  }
  return cuts;
}

describe("chaos in Chromium", { skip, timeout: 300_000 }, () => {
  let app: WeftApp;
  let browser: Browser;
  let proxy: TcpProxy;
  let base: string;

  before(async () => {
    const started = await startChaosApp();
    app = started.app;
    proxy = new TcpProxy(started.port);
    base = await proxy.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await proxy?.close();
    await app?.close();
  });

  async function open(transport: string | undefined): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.addInitScript((t) => {
      const w = window as unknown as Win & { WEFT_TRANSPORT?: string };
      if (t !== undefined) w.WEFT_TRANSPORT = t;
      w.got = [];
      w.transports = [];
      document.addEventListener("weft:m", (e) => w.got.push((e as CustomEvent<{ i: number }>).detail.i));
      document.addEventListener("weft:transport", (e) => w.transports.push((e as CustomEvent<{ transport: string }>).detail.transport));
    }, transport);
    await page.goto(`${base}/chaos`);
    await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
    return page;
  }

  /** Starts the pushes and sends EVENTS clicks, 5 every `gap` ms (25 ms: about 5 s in all). */
  async function drive(page: Page, gap = 25): Promise<void> {
    await page.click("#start");
    await page.evaluate(async ([n, ms]) => {
      const btn = document.getElementById("hit")!;
      for (let i = 1; i <= n; i++) {
        const b = document.getElementById("hit") ?? btn;
        b.setAttribute("weft-value-i", String(i));
        b.click();
        if (i % 5 === 0) await new Promise((r) => setTimeout(r, ms));
      }
    }, [EVENTS, gap] as const);
  }

  async function settle(page: Page): Promise<void> {
    await page.waitForFunction(
      ([e, p]) => document.getElementById("applied")?.textContent === String(e) && (window as unknown as Win).got.length >= p,
      [EVENTS, PUSHES] as const,
      { timeout: 90_000, polling: 200 },
    );
    await page.waitForTimeout(300);
    assert.equal(await page.textContent("#applied"), String(EVENTS), "every event applied");
    assert.equal(await page.textContent("#dups"), "0", "no event applied twice");
    const got = await page.evaluate(() => (window as unknown as Win).got);
    assert.equal(got.length, PUSHES, "each message shown once");
    assert.deepEqual(got, Array.from({ length: PUSHES }, (_, i) => i + 1), "messages in order");
  }

  for (const transport of TRANSPORTS) {
    it(`applies each event once and shows each message once, in order, over ${transport}`, async () => {
      proxy.reject = undefined;
      const page = await open(transport);
      let running = true;
      const cutter = cutAtRandom(proxy, () => running);
      try {
        await drive(page);
        await settle(page);
      } finally {
        running = false;
      }
      assert.ok((await cutter) >= 1, "the proxy cut the connections at least once");
      assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), transport);
      await page.context().close();
    });
  }

  it("applies each event once and shows each message once across a forced switch from SSE to HTTP", async () => {
    // WebSocket upgrades are refused from the start: the page settles on SSE.
    proxy.reject = /upgrade: websocket/i;
    const page = await open(undefined);
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "sse");
    let running = true;
    const cutter = cutAtRandom(proxy, () => running);
    const driving = drive(page);
    // Mid-stream the proxy starts refusing the SSE path: the page must move to HTTP.
    await page.waitForFunction(() => Number(document.getElementById("applied")?.textContent) >= 200, undefined, { timeout: 60_000 });
    proxy.reject = /upgrade: websocket|^(GET|POST) \/weft\/sse/im;
    proxy.cutAll();
    try {
      await driving;
      await settle(page);
    } finally {
      running = false;
    }
    await cutter;
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "http");
    const seen = await page.evaluate(() => (window as unknown as Win).transports);
    assert.deepEqual([...new Set(seen)], ["sse", "http"]);
    proxy.reject = undefined;
    await page.context().close();
  });

  it("applies each event once and shows each message once across a switch up from SSE to WebSocket", async () => {
    proxy.reject = /upgrade: websocket/i;
    const page = await open(undefined);
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "sse");
    // Slow clicks (about 20 s in all), so that the background probe finds WebSocket mid-stream.
    const driving = drive(page, 100);
    await page.waitForFunction(() => Number(document.getElementById("applied")?.textContent) >= 100, undefined, { timeout: 60_000 });
    proxy.reject = undefined;
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "websocket", undefined, { timeout: 60_000 });
    assert.ok(Number(await page.textContent("#applied")) < EVENTS, "the switch happened while events were still being sent");
    await driving;
    await settle(page);
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).transports), ["sse", "websocket"]);
    await page.context().close();
  });
});
