/**
 * The demo's /network page (examples/demo/views/network.ts) in Chromium: its
 * page script against the real client and the real simulator (weft.sim, dev
 * mode). On each transport, clicks around a cut end with "clicks made N —
 * counted by the server N" and "✓ exactly once", and the bytes readout shows
 * the payload of the last answer as the `weft:frame` event told it; the
 * transport buttons move the page from transport to transport (and Auto lifts
 * the block); a +1 the visitor did not click shows "✗ mismatch" (the line is
 * not always green); outside dev mode the page says the simulator needs it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";

const skip = browserSkipReason();
const SECRET = "network-page-e2e-secret-0123456789abcdef";
const WAIT = 15_000;
const T = { timeout: 60_000 };
const TRANSPORTS = ["websocket", "sse", "http"] as const;
const NAMES = { websocket: "WebSocket", sse: "SSE", http: "HTTP" } as const;

/** What the page shows. */
async function shown(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const id of ["net-count", "net-clicks", "net-server", "net-verdict", "net-transport", "net-last", "net-median", "net-sim"]) {
      out[id.slice(4)] = document.getElementById(id)?.textContent ?? "";
    }
    return out;
  });
}

/** Waits until the page shows `n` clicks, `n` counted, nothing in flight and a verdict containing `verdict`. */
async function settled(page: Page, n: number, verdict = "✓ exactly once"): Promise<void> {
  // (No named function inside: tsx would wrap it in a helper the page does not have.)
  await page.waitForFunction(([n, verdict]) =>
    document.getElementById("net-clicks")?.textContent === n &&
    document.getElementById("net-count")?.textContent === document.getElementById("net-server")?.textContent &&
    (document.getElementById("net-verdict")?.textContent ?? "").includes(verdict) &&
    document.querySelector(".weft-loading") === null, [String(n), verdict] as const, { timeout: WAIT });
}

/** Records the page's `weft:frame` events: the bytes of every frame in that answers an event, and the rejoins' answers apart. */
async function recordFrames(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { answers: number[]; rejoins: number };
    w.answers = [];
    w.rejoins = 0;
    document.addEventListener("weft:frame", (e) => {
      const d = (e as CustomEvent).detail;
      if (d.dir !== "in" || (d.kind !== "d" && d.kind !== "r") || typeof d.r !== "number") return;
      // A rejoin's answer: a reply with a fresh token (`k`), naming the last ref applied.
      if (d.kind === "r" && (JSON.parse(d.text) as { k?: string }).k !== undefined) w.rejoins++;
      else w.answers.push(d.bytes);
    });
  });
}

async function clicks(page: Page, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await page.click("#net-inc");
}

describe("the demo's /network page in Chromium (dev mode)", { skip }, () => {
  const fx = e2eApp({ make: createDemo, weft: { secret: SECRET, redis: undefined }, wait: WAIT, warmClient: true });

  for (const t of TRANSPORTS) {
    it(`counts every click exactly once around a cut, and shows the bytes of each answer (${t})`, T, async () => {
      const page = await fx.open(t, "/network", { setup: recordFrames });
      await page.waitForFunction((name) => document.getElementById("net-transport")?.textContent === name, NAMES[t]);
      await clicks(page, 5);
      await settled(page, 5);
      await page.selectOption("#net-latency", "100");
      await clicks(page, 3);
      await page.click("#net-cut");
      await clicks(page, 4);
      await settled(page, 12);
      const s = await shown(page);
      assert.equal(s["count"], "12");
      assert.equal(s["transport"], NAMES[t]);
      assert.match(s["sim"]!, /Latency 100 ms · drop 0 % · no transport forced · cuts so far 1/);
      const { answers, rejoins } = await page.evaluate(() => {
        const w = window as unknown as { answers: number[]; rejoins: number };
        return { answers: w.answers, rejoins: w.rejoins };
      });
      assert.equal(answers.length, 12, `an answer per click: ${answers.join(", ")}`);
      assert.ok(rejoins >= 1, "the cut was followed by a rejoin, whose answer the readout leaves out");
      assert.equal(s["last"], `${answers.at(-1)} bytes`);
      assert.match(s["median"]!, new RegExp(`^\\d+(\\.5)? bytes \\(${answers.length} updates\\)$`));
      assert.ok(answers.every((b) => b > 20 && b < 60), `a counter's answer is a few dozen bytes: ${answers.join(", ")}`);
      await page.evaluate(() => (window as unknown as { weft: { sim(o: object): void } }).weft.sim({}));
      await page.close();
    });
  }

  it("moves the page from transport to transport with the buttons, Auto lifts the block, and no click is lost or doubled", T, async () => {
    // Not forced by the page (no WEFT_TRANSPORT): the client falls over as behind a proxy.
    const page = await fx.browser.newPage();
    page.setDefaultTimeout(WAIT);
    page.on("pageerror", (e) => fx.pageErrors.push(String(e)));
    await page.goto(`${fx.base}/network`);
    await page.waitForSelector("[weft-view].weft-connected");
    let n = 0;
    for (const t of ["sse", "http", "websocket"] as const) {
      await page.click(`[data-force="${t}"]`);
      await clicks(page, 3);
      n += 3;
      await page.waitForFunction((name) => document.getElementById("net-transport")?.textContent === name, NAMES[t], { timeout: WAIT });
      await settled(page, n);
      assert.equal(await page.getAttribute(`[data-force="${t}"]`, "aria-pressed"), "true");
      assert.equal(await page.getAttribute('[data-force=""]', "aria-pressed"), "false");
    }
    await page.click('[data-force=""]');
    assert.equal(await page.getAttribute('[data-force=""]', "aria-pressed"), "true");
    assert.equal(await page.evaluate(() => (window as unknown as { weft: { sim(): { forced?: string } } }).weft.sim().forced), undefined);
    await clicks(page, 2);
    await settled(page, n + 2);
    assert.match((await shown(page))["sim"]!, /no transport forced · cuts so far 3/);
    await page.close();
  });

  it("shows a mismatch when the server counted a +1 the visitor did not click", T, async () => {
    const page = await fx.open("websocket", "/network");
    await clicks(page, 2);
    await settled(page, 2);
    // A +1 from elsewhere on the page (a button of its own with the same binding): the server counts it, the page script does not.
    await page.evaluate(() => {
      const b = document.createElement("button");
      b.setAttribute("weft-click", "inc");
      b.id = "stray";
      document.querySelector("[weft-view]")!.append(b);
      b.click();
    });
    await page.waitForFunction(() => document.getElementById("net-server")?.textContent === "3" && document.querySelector(".weft-loading") === null);
    await page.click("#net-inc");
    await settled(page, 3, "✗ mismatch");
    const s = await shown(page);
    assert.equal(s["server"], "4");
    assert.equal(await page.getAttribute("#net-verdict", "class"), "bad");
    await page.close();
  });
});

describe("the demo's /network page in Chromium (dev: false)", { skip }, () => {
  const fx = e2eApp({ make: createDemo, weft: { secret: SECRET, redis: undefined, dev: false }, wait: WAIT, warmClient: true });

  it("says the simulator needs dev mode, disables its controls, and still compares the clicks", T, async () => {
    const page = await fx.open("websocket", "/network");
    await page.waitForSelector("#net-nodev", { state: "visible" });
    assert.equal(await page.locator("[data-sim] button:not([disabled]), [data-sim] select:not([disabled])").count(), 0);
    await clicks(page, 3);
    await settled(page, 3);
    const s = await shown(page);
    assert.equal(s["last"], "needs dev mode");
    assert.equal(s["median"], "needs dev mode");
    assert.equal(s["transport"], "WebSocket");
    await page.close();
  });
});
