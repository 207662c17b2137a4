/**
 * The client cache for pure events in Chromium, on every transport: a tab
 * clicked again on the same page shows its result in the same task as the
 * click (no round trip), the event still reaches the server (its handler
 * runs), and the server answers it with a reply instead of the diff; a server
 * push that changed the page between makes it a miss; a cached answer the
 * server's own answer contradicts is replaced by a full render.
 *
 * Frames are counted in the page: with `window.weftDebug` the client logs
 * every message it sends and receives (console.debug "weft in" / "weft out",
 * live-socket.ts), whatever the transport; an init script keeps copies. That
 * counts what the browser really received, the same way on WebSocket, SSE
 * and HTTP (where the answer rides on the POST's response), which a
 * server-side count per transport would not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html } from "../../src/index.ts";
import type { Envelope } from "../../src/protocol/messages.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 30_000 };

const ITEMS = ["apple", "avocado", "banana", "blueberry", "cherry"];
const TABS = ["a", "b", "c"];
/** Read by the handler: a test changes it to make the handler's answer differ from a cached one (an impure handler). */
let version = 1;
/** Handler runs on the server. */
let runs = 0;

const Search = defineView({
  mount: (_p, ctx) => {
    ctx.subscribe("cache-e2e");
    return { tab: "", hits: [] as string[], ver: 0, note: "" };
  },
  events: {
    tab: {
      handler: (s, p: { tab: string }) => {
        runs++;
        return { ...s, tab: p.tab, ver: version, hits: ITEMS.filter((i) => i.startsWith(p.tab)) };
      },
      cache: { ttlMs: 60_000, key: ["tab"] },
    },
  },
  info: { note: (s, p) => ({ ...s, note: String(p) }) },
  render: (s) => html`<div role="tablist">${TABS.map((t) => html`<button id=${`tab-${t}`} role="tab" aria-selected=${String(s.tab === t)} weft-click="tab" weft-value-tab=${t}>${t.toUpperCase()}</button>`)}</div>
    <ul id="hits">${s.hits.map((h) => html`<li>${h}</li>`)}</ul><p id="ver">${s.ver}</p><p id="note">${s.note}</p>`,
});

/** The same tab handler, allowed four events and then refused (E_RATE_LIMIT) for a long while. */
const Limited = defineView({
  mount: Search.mount,
  events: { tab: { ...(Search.events!.tab as object), rateLimit: { perSecond: 0.001, burst: 4 } } as NonNullable<typeof Search.events>["tab"] },
  render: Search.render,
});

type Log = { in: Envelope[]; out: Envelope[] };
declare const window: { weftDebug: boolean; log: Log };

/** Keeps a copy of every message the client sends and receives. */
async function recordFrames(page: Page): Promise<void> {
  await page.addInitScript(() => {
    window.weftDebug = true;
    window.log = { in: [], out: [] };
    console.debug = (tag: string, _v: unknown, msg: unknown) => {
      const copy = JSON.parse(JSON.stringify(msg)) as Envelope;
      if (tag === "weft in") window.log.in.push(copy);
      else if (tag === "weft out") window.log.out.push(copy);
    };
  });
}

const log = (page: Page): Promise<Log> => page.evaluate(() => window.log);
const hitsText = (tab: string): string => ITEMS.filter((i) => i.startsWith(tab)).join(",");
/** Diff frames received (a frame without `t` and with `d`). */
const diffs = (l: Log): Envelope[] => l.in.filter((m) => m.t === undefined && m.d !== undefined);

/**
 * Clicks tab `t` and reads the list in the same task, before the page can
 * hear from the server: a cached answer is on the page already, a miss is not.
 */
function clickNow(page: Page, t: string): Promise<{ hits: string; ver: string | undefined; loading: boolean }> {
  return page.evaluate((t) => {
    const button = document.querySelector<HTMLButtonElement>(`#tab-${t}`)!;
    button.click();
    const hits = Array.from(document.querySelectorAll("#hits li"), (li) => li.textContent).join(",");
    return { hits, ver: document.querySelector("#ver")?.textContent ?? undefined, loading: button.classList.contains("weft-loading") };
  }, t);
}

async function clickAndWait(page: Page, t: string): Promise<void> {
  await clickNow(page, t);
  await page.waitForFunction((want) => Array.from(document.querySelectorAll("#hits li"), (li) => li.textContent).join(",") === want, hitsText(t));
  await page.waitForFunction(() => !document.querySelector(".weft-loading"));
}

/** Waits until the server answered the event that carried ref `r`. */
async function answered(page: Page, r: number): Promise<Envelope> {
  await page.waitForFunction((r) => window.log.in.some((m) => m.r === r), r);
  return (await log(page)).in.find((m) => m.r === r)!;
}

/** The last event the page sent. */
const lastEvent = async (page: Page): Promise<Envelope> => (await log(page)).out.filter((m) => m.t === "e").at(-1)!;

for (const transport of TRANSPORTS) {
  describe(`client event cache in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/search": Search, "/limited": Limited }, secret: "event-cache-e2e-secret-0123456789abcdef" }, wait: WAIT });

    async function open(path = "/search"): Promise<Page> {
      version = 1;
      return fx.open(transport, path, { setup: recordFrames });
    }

    /** Tabs a, b, a: the last answer is kept for "a" on b's page, and b's for a's page. */
    async function learn(page: Page): Promise<void> {
      for (const t of ["a", "b", "a"]) await clickAndWait(page, t);
    }

    it("shows a repeated tab at once from the cache; the server runs it and replies instead of sending the diff", T, async () => {
      const page = await open();
      await learn(page);
      const diffsBefore = diffs(await log(page)).length;
      const runsBefore = runs;
      const shown: string[] = [];
      const refs: number[] = [];
      for (const t of ["b", "a", "b"]) {
        const now = await clickNow(page, t);
        assert.equal(now.hits, hitsText(t), `tab ${t} is on the page in the click's own task`);
        assert.equal(now.loading, false, "nothing to wait for: not loading");
        shown.push(now.hits);
        const sent = await lastEvent(page);
        assert.equal(typeof sent.w, "number", "the event went out marked as answered from the cache");
        refs.push(sent.r!);
        const answer = await answered(page, sent.r!);
        assert.deepEqual({ t: answer.t, d: answer.d }, { t: "r", d: undefined }, "the server confirmed with a plain reply");
      }
      assert.equal(runs, runsBefore + 3, "each event still ran once on the server");
      const l = await log(page);
      assert.equal(diffs(l).length, diffsBefore, "no diff frame came for the cached answers");
      assert.equal(l.in.filter((m) => m.t === "f").length, 1, "no full render was needed");
      // The server's state followed: a miss now (tab c) is diffed against the right tree.
      await clickAndWait(page, "c");
      assert.equal(await page.textContent("#hits"), "cherry");
      await page.close();
    });

    it("does not use the cache when a server push changed the page since", T, async () => {
      const page = await open();
      await learn(page);
      await clickAndWait(page, "b"); // a hit, confirmed
      await fx.app.broadcast("cache-e2e", "note", "pushed");
      await page.waitForFunction(() => document.querySelector("#note")?.textContent === "pushed");
      const now = await clickNow(page, "a");
      assert.equal(now.hits, hitsText("b"), "a miss: the page waits for the server");
      assert.equal(now.loading, true);
      assert.equal((await lastEvent(page)).w, undefined, "sent as a plain event");
      await page.waitForFunction((want) => document.querySelector("#hits")?.textContent === want, hitsText("a").replace(/,/g, ""));
      assert.equal((await log(page)).in.filter((m) => m.t === "f").length, 1, "no full render");
      await page.close();
    });

    it("replaces a cached answer the server contradicts with a full render", T, async () => {
      const page = await open();
      await learn(page);
      await clickAndWait(page, "b");
      version = 2; // the handler's answer for "a" now differs from the cached one
      const now = await clickNow(page, "a");
      assert.deepEqual({ hits: now.hits, ver: now.ver }, { hits: hitsText("a"), ver: "1" }, "the cached guess shows first");
      await page.waitForFunction(() => document.querySelector("#ver")?.textContent === "2");
      await page.waitForFunction(() => window.log.in.filter((m) => m.t === "f").length === 2);
      assert.equal(await page.textContent("#hits"), hitsText("a").replace(/,/g, ""));
      // Live and right afterwards: another tab goes through as usual.
      await clickAndWait(page, "c");
      assert.equal(await page.textContent("#ver"), "2");
      await page.close();
    });

    it("reports a cached event the server refuses, and shows the server's page again", T, async () => {
      const page = await open("/limited");
      await page.evaluate(() => {
        (window as unknown as { errors: string[] }).errors = [];
        document.addEventListener("weft:error", (e) => (window as unknown as { errors: string[] }).errors.push((e as CustomEvent<{ code: string }>).detail.code));
      });
      await learn(page);
      await clickAndWait(page, "b"); // the fourth event: a hit, confirmed
      const now = await clickNow(page, "a"); // the fifth: shown from the cache, refused by the server
      assert.equal(now.hits, hitsText("a"));
      await page.waitForFunction(() => (window as unknown as { errors: string[] }).errors.includes("E_RATE_LIMIT"));
      await page.waitForFunction((want) => document.querySelector("#hits")?.textContent === want, hitsText("b").replace(/,/g, ""));
      await page.waitForFunction(() => window.log.in.filter((m) => m.t === "f").length === 2);
      assert.equal((await log(page)).out.filter((m) => m.t === "e" && m.r === 5).length, 1, "refused once, not resent after the full render");
      await page.close();
    });
  });
}
