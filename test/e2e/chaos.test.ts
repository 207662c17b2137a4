/**
 * Chaos: a proxy between Chromium and the server cuts every connection at
 * random moments while the page sends 1,000 events and the server pushes 1,000
 * messages. The server must apply each event exactly once on every transport,
 * and across a forced switch from one transport to another mid-run.
 *
 * It runs twice. With an outbox large enough for any cut (4096), the page must
 * also show each message exactly once, in order. With the default outbox (256)
 * a long outage makes the client miss more than the outbox holds; then, as
 * docs/transports.md says, the view gets a full render: the state converges and
 * no event is lost or doubled, while pushes (transient) in the gap may be lost —
 * never doubled, never out of order, and never missing without a full render.
 *
 * The cut times come from a seeded PRNG. The seed is printed on every run;
 * `WEFT_CHAOS_SEED=N` replays it (the cuts, not the machine's timing).
 */
import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Browser, Page } from "playwright-core";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { TRANSPORTS } from "../support/wires.ts";
import { EVENTS, PUSHES, startChaosApp } from "./chaos-views.ts";

const skip = browserSkipReason();

const SEED = process.env.WEFT_CHAOS_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.WEFT_CHAOS_SEED);
if (!Number.isSafeInteger(SEED)) throw new Error(`WEFT_CHAOS_SEED must be an integer, got ${process.env.WEFT_CHAOS_SEED}`);
console.log(`chaos seed ${SEED} (replay with WEFT_CHAOS_SEED=${SEED})`);

/** mulberry32, seeded with the run's seed and the test's name (so one test replays alone). */
function prng(name: string): () => number {
  let a = SEED >>> 0;
  for (let i = 0; i < name.length; i++) a = Math.imul(a ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed and the way to replay, in the test's own output. */
function seeded(t: TestContext, suite: string): () => number {
  t.diagnostic(`chaos seed ${SEED}: WEFT_CHAOS_SEED=${SEED} node --import tsx --test --test-name-pattern=${JSON.stringify(t.name)} test/e2e/chaos.test.ts`);
  return prng(`${suite} ${t.name}`);
}

type Win = Window & {
  got: number[];
  transports: string[];
  /** `got.length` at each full render that came after the pushes started. */
  fulls: number[];
  started: boolean;
  weft: { transport: string };
};

/** Cuts bounded in number and time: at most 8, 150–500 ms apart. */
async function cutAtRandom(proxy: TcpProxy, running: () => boolean, random: () => number): Promise<number> {
  let cuts = 0;
  while (running() && cuts < 8) {
    await new Promise((r) => setTimeout(r, 150 + random() * 350));
    if (running()) cuts += proxy.cutAll() > 0 ? 1 : 0;
  }
  return cuts;
}

for (const outboxSize of [4096, undefined]) {
describe(`chaos in Chromium, outbox ${outboxSize ?? "256 (default)"}`, { skip, timeout: 300_000 }, () => {
  let app: WeftApp;
  let browser: Browser;
  let proxy: TcpProxy;
  let base: string;

  before(async () => {
    const started = await startChaosApp(outboxSize);
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
      const w = window as unknown as Win & { WEFT_TRANSPORT?: string; weftDebug?: boolean };
      if (t !== undefined) w.WEFT_TRANSPORT = t;
      w.got = [];
      w.transports = [];
      w.fulls = [];
      w.started = false;
      // weftDebug hands every incoming message to console.debug: full renders are counted from there.
      w.weftDebug = true;
      console.debug = (label: unknown, _v: unknown, msg?: { t?: string }) => {
        if (label === "weft in" && msg?.t === "f" && w.started) w.fulls.push(w.got.length);
      };
      document.addEventListener("weft:m", (e) => w.got.push((e as CustomEvent<{ i: number }>).detail.i));
      document.addEventListener("weft:transport", (e) => w.transports.push((e as CustomEvent<{ transport: string }>).detail.transport));
    }, transport);
    await page.goto(`${base}/chaos`);
    await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
    return page;
  }

  /** Starts the server's pushes. */
  async function start(page: Page): Promise<void> {
    await page.evaluate(() => ((window as unknown as Win).started = true));
    await page.click("#start");
  }

  /** Sends EVENTS clicks, 5 every `gap` ms (25 ms: about 5 s in all). */
  async function clicks(page: Page, gap = 25): Promise<void> {
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

  async function drive(page: Page, gap = 25): Promise<void> {
    await start(page);
    await clicks(page, gap);
  }

  /**
   * Waits until the server applied every event and pushed every message, and
   * every click is answered (nothing is left to resend); then checks the run.
   */
  async function settle(page: Page): Promise<{ lost: number; fulls: number }> {
    try {
      await page.waitForFunction(
        ([e, p]) => document.getElementById("applied")?.textContent === String(e) && document.getElementById("pushed")?.textContent === String(p)
          && document.querySelector(".weft-loading") === null,
        [EVENTS, PUSHES] as const,
        { timeout: 90_000, polling: 200 },
      );
    } catch (err) {
      // Say where the page stood, so that a run that never settles can be told apart:
      // events unanswered, pushes missing, or the view not connected at all.
      const where = await page.evaluate(() => ({
        applied: document.getElementById("applied")?.textContent,
        pushed: document.getElementById("pushed")?.textContent,
        loading: document.querySelectorAll(".weft-loading").length,
        view: document.querySelector("[weft-view]")?.className,
      })).catch((e: unknown) => String(e));
      throw new Error(`the page did not settle: ${JSON.stringify(where)}`, { cause: err });
    }
    assert.equal(await page.textContent("#applied"), String(EVENTS), "every event applied");
    assert.equal(await page.textContent("#dups"), "0", "no event applied twice");
    const { got, fulls } = await page.evaluate(() => ({ got: (window as unknown as Win).got, fulls: (window as unknown as Win).fulls }));
    if (outboxSize !== undefined) {
      assert.deepEqual(got, Array.from({ length: PUSHES }, (_, i) => i + 1), "each message shown once, in order");
      return { lost: 0, fulls: fulls.length };
    }
    // The render that shows `pushed` follows the last push: nothing more can come.
    for (const [i, n] of got.entries()) assert.ok(n > (got[i - 1] ?? 0) && n <= PUSHES, `message ${n} at ${i} is out of order or doubled: ${got.slice(Math.max(0, i - 3), i + 2)}`);
    for (let i = 0; i <= got.length; i++) {
      const from = got[i - 1] ?? 0;
      const to = got[i] ?? PUSHES + 1;
      if (to - from > 1) assert.ok(fulls.includes(i), `messages ${from + 1}–${to - 1} are missing without a full render (full renders at ${fulls})`);
    }
    return { lost: PUSHES - got.length, fulls: fulls.length };
  }

  /** Refuses every connection for `ms` after cutting the open ones: the client misses what is sent meanwhile. */
  async function outage(page: Page, ms: number): Promise<void> {
    proxy.reject = /./;
    try {
      proxy.cutAll();
      await page.waitForSelector("[weft-view].weft-disconnected", { timeout: 15_000 });
      await new Promise((r) => setTimeout(r, ms));
    } finally {
      proxy.reject = undefined;
    }
    await page.waitForSelector("[weft-view].weft-connected", { timeout: 30_000 });
  }

  for (const transport of TRANSPORTS) {
    it(`applies each event once and shows each message ${outboxSize === undefined ? "at most once" : "once"}, in order, over ${transport}`, async (t) => {
      const random = seeded(t, String(outboxSize));
      proxy.reject = undefined;
      const page = await open(transport);
      if (outboxSize === undefined) {
        // 1 s of pushes (a push and a diff each ~5 ms), and the reconnect's backoff
        // after it, is more than 256 messages missed; pushes go on after the rejoin.
        await start(page);
        await outage(page, 1000);
        const fulls = await page.evaluate(() => (window as unknown as Win).fulls);
        assert.ok(fulls.length >= 1, "the client missed more than the outbox holds and got a full render");
      }
      let running = true;
      const cutter = cutAtRandom(proxy, () => running, random);
      try {
        if (outboxSize === undefined) await clicks(page);
        else await drive(page);
        const { lost, fulls } = await settle(page);
        t.diagnostic(`${fulls} full render(s) after the start, ${lost} push(es) lost in their gaps`);
      } finally {
        running = false;
      }
      assert.ok((await cutter) >= 1, "the proxy cut the connections at least once");
      assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), transport);
      await page.context().close();
    });
  }

  if (outboxSize === undefined) return;

  it("applies each event once and shows each message once across a forced switch from SSE to HTTP", async (t) => {
    const random = seeded(t, String(outboxSize));
    // WebSocket upgrades are refused from the start: the page settles on SSE.
    proxy.reject = /upgrade: websocket/i;
    const page = await open(undefined);
    // The page starts on HTTP and moves up to SSE once its probe proves it.
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "sse", undefined, { timeout: 15_000 });
    let running = true;
    const cutter = cutAtRandom(proxy, () => running, random);
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
    assert.ok((await cutter) >= 1, "the proxy cut the connections at least once");
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "http");
    const seen = await page.evaluate(() => (window as unknown as Win).transports);
    assert.deepEqual([...new Set(seen)], ["http", "sse"]);
    assert.equal(seen.at(-1), "http");
    proxy.reject = undefined;
    await page.context().close();
  });

  it("applies each event once and shows each message once across a switch up from SSE to WebSocket", async () => {
    proxy.reject = /upgrade: websocket/i;
    const page = await open(undefined);
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "sse", undefined, { timeout: 15_000 });
    // Slow clicks (about 20 s in all), so that the background probe finds WebSocket mid-stream.
    const driving = drive(page, 100);
    await page.waitForFunction(() => Number(document.getElementById("applied")?.textContent) >= 100, undefined, { timeout: 60_000 });
    proxy.reject = undefined;
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "websocket", undefined, { timeout: 60_000 });
    assert.ok(Number(await page.textContent("#applied")) < EVENTS, "the switch happened while events were still being sent");
    await driving;
    await settle(page);
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).transports), ["http", "sse", "websocket"]);
    await page.context().close();
  });
});
}
