/**
 * Interactive at once behind any proxy: Chromium behind a real nginx in each
 * of the modes of test/support/proxy-modes.ts. In every mode the page starts
 * on HTTP and answers clicks while its probe of a better transport is still
 * outstanding — the probe is held (the SSE path is held by the test until it
 * lets go; a black-holed upgrade holds itself) so that "outstanding" does not
 * depend on timing — then settles on the best transport that works, with the
 * server's pushes flowing throughout, every click applied once and no error
 * shown. Behind the proxy that passes WebSocket, a page whose only view is
 * down (its live mount fails, its join is refused and retried) still moves
 * from HTTP to the proven WebSocket: a down view has nothing in flight.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { defineView, html, type WeftApp } from "../../src/index.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";
import { nginxSkipReason } from "../support/nginx.ts";
import { proxyModes, startProxy, type ProxyMode, type ProxyModeName, type RunningProxy } from "../support/proxy-modes.ts";
import { startTicksApp } from "./proxy-modes-views.ts";

const skip = browserSkipReason() ?? nginxSkipReason();

/** The "cut" mode's read timeout here (the bench uses 30 s): above the 1 s re-poll rule, below the 25 s long-poll and 15 s SSE heartbeat. */
const CUT_S = 3;
const CLICKS = 6;
/** The down-view test's page mount waits this for its join: the client loads later, so its join mounts live (and fails). */
const DOWN_JOIN_TIMEOUT_MS = 200;

/** A view whose live mount always fails: every join of it is refused E_MOUNT, and it keeps retrying. */
const Down = defineView({
  mount: (_params, ctx) => {
    if (ctx.connected) throw new Error("the backend is down");
    return {};
  },
  render: () => html`<p id="down">down</p>`,
});

interface Steps {
  whileHeld?: (page: Page) => Promise<void>;
  settled?: (page: Page) => Promise<void>;
}

type Win = Window & {
  weft: { transport: string | undefined; probing: string | undefined };
  errors: string[];
  transports: string[];
  /** `transport/probing` each time the counter changed. */
  states: string[];
};

describe("interactive at once behind any proxy", { skip }, () => {
  let app: WeftApp;
  let appPort: number;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    ({ app, port: appPort } = await startTicksApp());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
  });

  /** A fresh context whose SSE requests wait until `release()`: the SSE probe stays outstanding. */
  async function holdingSse(): Promise<{ context: BrowserContext; page: Page; release: () => void }> {
    const context = await browser.newContext();
    let release = (): void => {};
    const gate = new Promise<void>((r) => (release = r));
    await context.route(/\/weft\/sse/, async (route) => {
      await gate;
      await route.continue().catch(() => {}); // the probe may have been given up meanwhile
    });
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.addInitScript(() => {
      const w = window as unknown as Win;
      w.errors = [];
      w.transports = [];
      w.states = [];
      (w as unknown as { clicks: number }).clicks = 0;
      document.addEventListener("click", (e) => (e.target as Element).id === "inc" && (w as unknown as { clicks: number }).clicks++, true);
      document.addEventListener("weft:error", (e) => w.errors.push((e as CustomEvent<{ code: string }>).detail.code));
      document.addEventListener("weft:transport", (e) => w.transports.push((e as CustomEvent<{ transport: string }>).detail.transport));
      // The whole document is watched (a patch may replace the counter's element).
      let count: string | null | undefined;
      new MutationObserver(() => {
        const now = document.getElementById("count")?.textContent;
        if (count !== undefined && now !== count) w.states.push(`${w.weft.transport}/${w.weft.probing}`);
        count = now;
      }).observe(document, { childList: true, characterData: true, subtree: true });
    });
    return { context, page, release };
  }

  const read = (page: Page, id: string) => page.evaluate((i) => Number(document.getElementById(i)?.textContent), id);
  const state = (page: Page) => page.evaluate(() => ({ transport: (window as unknown as Win).weft.transport, probing: (window as unknown as Win).weft.probing }));

  async function clickTo(page: Page, n: number): Promise<void> {
    await page.click("#inc");
    await page.waitForFunction((k) => document.getElementById("count")?.textContent === String(k), n, { timeout: 10_000 });
  }

  /** The server's ticks keep arriving: the shown tick count grows by two. */
  async function ticksFlow(page: Page): Promise<void> {
    const from = await read(page, "ticks");
    await page.waitForFunction((k) => Number(document.getElementById("ticks")?.textContent) >= k, from + 2, { timeout: 10_000 });
  }

  /**
   * Steps every mode shares: the first click is answered over HTTP while a
   * probe is outstanding; pushes flow; then the probe is let go, clicks are
   * sent while the page switches, and it settles on `mode.settlesOn`.
   * `whileHeld` runs before the probe is let go, `settled` once the page settled.
   */
  async function run(mode: ProxyMode, { whileHeld, settled }: Steps = {}): Promise<void> {
    let proxy: RunningProxy | undefined;
    const { context, page, release } = await holdingSse();
    try {
      proxy = await startProxy(mode, appPort);
      await page.goto(`${proxy.base}/ticks`);
      await clickTo(page, 1);
      const first = (await page.evaluate(() => (window as unknown as Win).states))[0] ?? "";
      const [transport, probing] = first.split("/");
      assert.equal(transport, "http", "the first click is answered over HTTP");
      assert.ok(probing === "websocket" || probing === "sse", `a probe was outstanding when it was answered (${first})`);
      await ticksFlow(page);
      await whileHeld?.(page);
      let clicked = await read(page, "count");
      release();
      // Clicks while the probe finishes and the page switches: each applied once.
      for (; clicked < CLICKS - 1; clicked++) await page.click("#inc");
      await page.waitForFunction((t) => (window as unknown as Win).weft.transport === t && (window as unknown as Win).weft.probing === undefined, mode.settlesOn, { timeout: 20_000 });
      await clickTo(page, CLICKS);
      await ticksFlow(page);
      await settled?.(page);
      assert.equal(await read(page, "count"), await page.evaluate(() => (window as unknown as { clicks: number }).clicks), "every click applied once");
      const w = await page.evaluate(() => ({ errors: (window as unknown as Win).errors, transports: (window as unknown as Win).transports }));
      assert.deepEqual(w.errors, [], "no error shown");
      assert.deepEqual(w.transports, mode.settlesOn === "http" ? ["http"] : ["http", mode.settlesOn]);
    } finally {
      await context.close();
      await proxy?.stop();
    }
  }

  const mode = (name: ProxyModeName): ProxyMode => proxyModes(CUT_S).find((m) => m.name === name)!;

  it("answers at once and moves to SSE behind a proxy that drops the WebSocket upgrade", async () => {
    await run(mode("upgrade-dropped"));
  });

  it("answers at once and stays on HTTP behind a proxy that drops the upgrade, buffers streams and gzips them", async () => {
    await run(mode("buffered-gzip"));
  });

  it("answers at once while a black-holed WebSocket upgrade is still outstanding, then moves to SSE", async () => {
    await run(mode("upgrade-blackholed"), {
      whileHeld: async (page) => assert.equal((await state(page)).probing, "websocket", "the upgrade is still unanswered"),
    });
  });

  it("switches up only once the event in flight has been answered over HTTP", async () => {
    let proxy: RunningProxy | undefined;
    const { context, page, release } = await holdingSse();
    let answer = (): void => {};
    const held = new Promise<void>((r) => (answer = r));
    let holding = false;
    await context.route(/\/weft\/http/, async (route) => {
      if (holding && route.request().method() === "POST" && route.request().postData()?.includes('"inc"')) await held;
      await route.continue().catch(() => {}); // the page may have given the request up
    });
    try {
      proxy = await startProxy(mode("upgrade-dropped"), appPort);
      const sent: string[] = []; // the path of each request that carried a click
      page.on("request", (r) => r.method() === "POST" && r.postData()?.includes('"inc"') && sent.push(new URL(r.url()).pathname));
      await page.goto(`${proxy.base}/ticks`);
      await page.waitForSelector("[weft-view].weft-connected");
      holding = true;
      await page.click("#inc"); // its POST is held
      release();
      await page.waitForFunction(() => (window as unknown as Win).weft.probing === undefined, undefined, { timeout: 15_000 });
      assert.equal((await state(page)).transport, "http", "the SSE probe proved itself, but the event in flight keeps the page on HTTP");
      answer();
      await page.waitForFunction(() => (window as unknown as Win).weft.transport === "sse", undefined, { timeout: 15_000 });
      assert.equal(await read(page, "count"), 1);
      assert.deepEqual(sent, ["/weft/http"], "the event was answered over HTTP, not abandoned and resent over SSE");
      await clickTo(page, 2);
      assert.deepEqual(sent, ["/weft/http", "/weft/sse"]);
      assert.deepEqual(await page.evaluate(() => (window as unknown as Win).errors), []);
    } finally {
      await context.close();
      await proxy?.stop();
    }
  });

  it("moves to WebSocket while the page's only view is down (its join refused E_MOUNT, retrying)", async () => {
    const { app: downApp, port } = await startTicksApp({ views: { "/down": Down }, joinTimeoutMs: DOWN_JOIN_TIMEOUT_MS });
    let proxy: RunningProxy | undefined;
    const context = await browser.newContext();
    try {
      proxy = await startProxy(mode("websocket"), port);
      const page = await context.newPage();
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      await page.addInitScript(() => {
        const w = window as unknown as Win;
        w.errors = [];
        w.transports = [];
        document.addEventListener("weft:error", (e) => w.errors.push((e as CustomEvent<{ code: string }>).detail.code));
        document.addEventListener("weft:transport", (e) => w.transports.push((e as CustomEvent<{ transport: string }>).detail.transport));
      });
      // The client starts after the page's mount has expired, so its join mounts live.
      await page.route("**/weft/client.js*", async (route) => {
        await sleep(3 * DOWN_JOIN_TIMEOUT_MS);
        await route.continue();
      });
      await page.goto(`${proxy.base}/down`);
      await page.waitForSelector('[weft-view][weft-error-code="E_MOUNT"]', { timeout: 10_000 });
      await page.waitForFunction(() => (window as unknown as Win).weft.transport === "websocket", undefined, { timeout: 15_000 });
      const w = await page.evaluate(() => ({ errors: (window as unknown as Win).errors, transports: (window as unknown as Win).transports }));
      assert.deepEqual(w.transports, ["http", "websocket"], "started on HTTP, switched to the proven WebSocket");
      assert.deepEqual(w.errors, ["E_MOUNT"], "the down view is reported once, however often it retries");
      assert.equal(await page.getAttribute("[weft-view]", "weft-error-code"), "E_MOUNT", "the view is still down");
    } finally {
      await context.close();
      await proxy?.stop();
      await downApp.close();
    }
  });

  it("re-polls and reconnects without loss or error when the proxy cuts long requests", async () => {
    const cuts: string[] = [];
    let streams = 0;
    /** The ticks pause, so the link idles until the proxy cuts its long request; `cut` says when it did. */
    const idleUntil = async (page: Page, cut: () => boolean) => {
      await page.click("#stop");
      while (!cut()) await page.waitForEvent("request", { timeout: 15_000 });
      await clickTo(page, (await read(page, "count")) + 1);
      await page.click("#go");
    };
    await run(mode("cut"), {
      whileHeld: async (page) => {
        page.on("response", (r) => r.status() === 504 && cuts.push(new URL(r.url()).pathname));
        page.on("request", (r) => r.method() === "GET" && new URL(r.url()).pathname === "/weft/sse" && streams++);
        await idleUntil(page, () => cuts.includes("/weft/http"));
        assert.equal((await state(page)).transport, "http", "still on HTTP after its long-poll was cut");
      },
      // The stream idles until the proxy ends it; EventSource opens it again, resuming by Last-Event-ID.
      settled: async (page) => {
        const before = streams;
        await idleUntil(page, () => streams > before);
        assert.equal((await state(page)).transport, "sse", "still on SSE after its stream was cut");
      },
    });
    assert.ok(cuts.includes("/weft/http"), "the proxy cut a long-poll");
  });
});
