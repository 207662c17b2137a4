/**
 * The client cache for pure events in Chromium, on every transport: a tab
 * clicked again in the same run shows its result in the same task as the
 * click and sends NOTHING then; the hit is owed to the server and goes at the
 * next heartbeat or right before any other frame of the view, and nothing is
 * owed when the page is the server's again (tabs a → b → a). The server
 * confirms an owed hit with a reply; a cached tree the server contradicts,
 * a refused hit, or a server push while hits are owed end in a full render.
 *
 * Frames are counted in the page: with `window.weftDebug` the client logs
 * every message it sends and receives (console.debug "weft in" / "weft out",
 * live-socket.ts), whatever the transport; an init script keeps copies. That
 * counts what the browser really sent and received, the same way on
 * WebSocket, SSE and HTTP, which a server-side count per transport would not.
 *
 * The clicks whose frames are counted run in one page task (one evaluate):
 * no heartbeat can run between them, so the count does not depend on timing.
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

const Search = defineView({
  mount: (_p, ctx) => {
    ctx.subscribe("cache-e2e");
    return { tab: "", hits: [] as string[], ver: 0, note: "", asked: "" };
  },
  events: {
    tab: {
      handler: (s, p: { tab: string }) => ({ ...s, tab: p.tab, ver: version, hits: ITEMS.filter((i) => i.startsWith(p.tab)) }),
      cache: { ttlMs: 60_000, key: ["tab"] },
    },
    // Not cached: shows which tab the server has.
    ask: (s) => ({ ...s, asked: s.tab }),
  },
  info: { note: (s, p) => ({ ...s, note: String(p) }) },
  render: (s) => html`<div role="tablist">${TABS.map((t) => html`<button id=${`tab-${t}`} role="tab" aria-selected=${String(s.tab === t)} weft-click="tab" weft-value-tab=${t}>${t.toUpperCase()}</button>`)}</div>
    <button id="ask" weft-click="ask">Ask</button>
    <ul id="hits">${s.hits.map((h) => html`<li>${h}</li>`)}</ul><p id="ver">${s.ver}</p><p id="note">${s.note}</p><p id="asked">${s.asked}</p>`,
});

/** The same tab handler, allowed two events and then refused (E_RATE_LIMIT) for a long while. */
const Limited = defineView({
  mount: Search.mount,
  events: { ...Search.events, tab: { ...(Search.events!.tab as object), rateLimit: { perSecond: 0.001, burst: 2 } } as NonNullable<typeof Search.events>["tab"] },
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
/** The event frames the page sent. */
const events = async (page: Page): Promise<Envelope[]> => (await log(page)).out.filter((m) => m.t === "e");
const fullRenders = async (page: Page): Promise<number> => (await log(page)).in.filter((m) => m.t === "f").length;

/**
 * Clicks each of `ids` in one page task and reads the list after each click,
 * before the page can hear from the server or run a heartbeat: a cached tree
 * is on the page already, a miss is not.
 */
function clickNow(page: Page, ...ids: string[]): Promise<{ hits: string; ver: string; loading: boolean }[]> {
  return page.evaluate((ids) => {
    return ids.map((id) => {
      const button = document.querySelector<HTMLButtonElement>(`#${id}`)!;
      button.click();
      const hits = Array.from(document.querySelectorAll("#hits li"), (li) => li.textContent).join(",");
      return { hits, ver: document.querySelector("#ver")!.textContent!, loading: button.classList.contains("weft-loading") };
    });
  }, ids);
}

const listIs = (page: Page, tab: string) => page.waitForFunction((want) => Array.from(document.querySelectorAll("#hits li"), (li) => li.textContent).join(",") === want, hitsText(tab));
const textIs = (page: Page, sel: string, want: string) => page.waitForFunction(([sel, want]) => document.querySelector(sel!)?.textContent === want, [sel, want]);

/** Clicks tab `t` and waits for its list and for nothing to be loading. */
async function clickAndWait(page: Page, t: string): Promise<void> {
  await clickNow(page, `tab-${t}`);
  await listIs(page, t);
  await page.waitForFunction(() => !document.querySelector(".weft-loading"));
}

/** Waits until the page sent `n` events. */
const sentEvents = (page: Page, n: number) => page.waitForFunction((n) => window.log.out.filter((m) => m.t === "e").length >= n, n);

/** Waits until the server answered ref `r`; its answer. */
async function answer(page: Page, r: number): Promise<Envelope> {
  await page.waitForFunction((r) => window.log.in.some((m) => m.r === r), r);
  return (await log(page)).in.find((m) => m.r === r)!;
}

for (const transport of TRANSPORTS) {
  describe(`client event cache in Chromium over ${transport}: hits owed until the heartbeat`, { skip }, () => {
    // A short heartbeat: the owed hit goes at the next tick, which the test waits for.
    const fx = e2eApp({ weft: { views: { "/search": Search }, secret: "event-cache-e2e-secret-0123456789abcdef", heartbeatMs: 500 }, wait: WAIT });

    it("alternating tabs a, b ten times and more: 2 events for the first a and b, then only the final owed one, at the heartbeat", T, async () => {
      version = 1;
      const page = await fx.open(transport, "/search", { setup: recordFrames });
      await clickAndWait(page, "a");
      await clickAndWait(page, "b");
      assert.equal((await events(page)).length, 2, "the first a and b go to the server (misses)");
      const order = ["a", "b", "a", "b", "a", "b", "a", "b", "a"];
      const shown = await clickNow(page, ...order.map((t) => `tab-${t}`));
      shown.forEach((s, i) => {
        assert.equal(s.hits, hitsText(order[i]!), `click ${i + 3} (tab ${order[i]}) is on the page in the click's own task`);
        assert.equal(s.loading, false, "nothing to wait for: not loading");
      });
      assert.equal((await events(page)).length, 2, "the 9 hits sent nothing at once");
      await sentEvents(page, 3);
      const sent = await events(page);
      const owed = sent[2]!;
      assert.deepEqual({ e: owed.e, d: owed.d, w: typeof owed.w }, { e: "tab", d: { tab: "a" }, w: "number" }, "the final hit (tab a), owed, with its claim");
      assert.ok(owed.r! > sent[1]!.r!, "refs in the order the server applies them");
      const reply = await answer(page, owed.r!);
      assert.deepEqual({ t: reply.t, d: reply.d }, { t: "r", d: undefined }, "the server confirmed with a plain reply");
      // The server knows tab a: a non-cached event's answer shows it, diffed against the right tree.
      await clickNow(page, "ask");
      await textIs(page, "#asked", "a");
      await listIs(page, "a");
      assert.equal((await events(page)).length, 4, "ten clicks and more, and the ask: 4 events in all");
      assert.equal(await fullRenders(page), 1, "no full render was needed");
      await page.close();
    });

    it("ending on the server's own tab owes nothing: no event goes", T, async () => {
      const page = await fx.open(transport, "/search", { setup: recordFrames });
      await clickAndWait(page, "a");
      await clickAndWait(page, "b");
      await clickNow(page, "tab-a", "tab-b", "tab-a", "tab-b");
      // Two heartbeats later, still nothing: wait for two pings to go out after the clicks.
      const pings = (await log(page)).out.length;
      await page.waitForFunction((n) => window.log.out.filter((m) => m.t === "h").length >= n, (await log(page)).out.filter((m) => m.t === "h").length + 2);
      assert.ok((await log(page)).out.length > pings);
      assert.equal((await events(page)).length, 2, "back on b, the server's page: nothing was owed");
      await clickNow(page, "ask");
      await textIs(page, "#asked", "b");
      await page.close();
    });
  });

  describe(`client event cache in Chromium over ${transport}`, { skip }, () => {
    // The default heartbeat (30 s): an owed hit stays owed for the whole test unless another frame sends it.
    const fx = e2eApp({ weft: { views: { "/search": Search, "/limited": Limited }, secret: "event-cache-e2e-secret-0123456789abcdef" }, wait: WAIT });

    async function open(path = "/search"): Promise<Page> {
      version = 1;
      const page = await fx.open(transport, path, { setup: recordFrames });
      await clickAndWait(page, "a");
      await clickAndWait(page, "b");
      return page;
    }

    it("sends the owed hit right before a non-cached event, and the server answers that event right", T, async () => {
      const page = await open();
      const [a] = await clickNow(page, "tab-a", "ask");
      assert.equal(a!.hits, hitsText("a"), "the hit shows at once");
      const sent = await events(page);
      assert.deepEqual(sent.slice(2).map((m) => [m.e, typeof m.w]), [["tab", "number"], ["ask", "undefined"]], "the owed hit first, then the event");
      assert.ok(sent[2]!.r! < sent[3]!.r!, "in ref order");
      await textIs(page, "#asked", "a");
      assert.deepEqual((await answer(page, sent[2]!.r!)).t, "r", "the hit confirmed");
      await listIs(page, "a");
      assert.equal(await fullRenders(page), 1, "no full render");
      await page.close();
    });

    it("asks for a full render when a server push comes while a hit is owed, and sends the hit first", T, async () => {
      const page = await open();
      await clickNow(page, "tab-a");
      assert.equal((await events(page)).length, 2, "owed, not sent");
      await fx.app.broadcast("cache-e2e", "note", "pushed");
      await textIs(page, "#note", "pushed");
      await page.waitForFunction(() => window.log.in.filter((m) => m.t === "f").length === 2);
      await listIs(page, "a");
      await clickNow(page, "ask");
      await textIs(page, "#asked", "a");
      const tabs = (await events(page)).filter((m) => m.e === "tab");
      assert.deepEqual(tabs[2]!.d, { tab: "a" }, "the owed hit went");
      await page.close();
    });

    it("does not use a kept tree once a server push ended the run", T, async () => {
      const page = await open();
      await fx.app.broadcast("cache-e2e", "note", "pushed");
      await textIs(page, "#note", "pushed");
      const [now] = await clickNow(page, "tab-a");
      assert.equal(now!.hits, hitsText("b"), "a miss: the page waits for the server");
      assert.equal(now!.loading, true);
      assert.equal((await events(page)).at(-1)!.w, undefined, "sent as a plain event, at once");
      await listIs(page, "a");
      assert.equal(await fullRenders(page), 1, "no full render");
      await page.close();
    });

    it("replaces a kept tree the server contradicts with a full render", T, async () => {
      const page = await open();
      version = 2; // the handler's answer for "a" now differs from the kept one
      const [now] = await clickNow(page, "tab-a", "ask");
      assert.deepEqual({ hits: now!.hits, ver: now!.ver }, { hits: hitsText("a"), ver: "1" }, "the kept guess shows first");
      await textIs(page, "#ver", "2");
      await page.waitForFunction(() => window.log.in.filter((m) => m.t === "f").length === 2);
      await listIs(page, "a");
      await textIs(page, "#asked", "a");
      // Live and right afterwards: another tab goes through as usual.
      await clickAndWait(page, "c");
      assert.equal(await page.textContent("#ver"), "2");
      await page.close();
    });

    it("reports an owed hit the server refuses, and shows the server's page again", T, async () => {
      const page = await open("/limited");
      await page.evaluate(() => {
        (window as unknown as { errors: string[] }).errors = [];
        document.addEventListener("weft:error", (e) => (window as unknown as { errors: string[] }).errors.push((e as CustomEvent<{ code: string }>).detail.code));
      });
      const [now] = await clickNow(page, "tab-a", "ask"); // the third tab event: shown from the cache, refused by the server
      assert.equal(now!.hits, hitsText("a"));
      await page.waitForFunction(() => (window as unknown as { errors: string[] }).errors.includes("E_RATE_LIMIT"));
      await listIs(page, "b");
      await textIs(page, "#asked", "b");
      await page.waitForFunction(() => window.log.in.filter((m) => m.t === "f").length === 2);
      const refused = (await events(page))[2]!;
      assert.equal((await events(page)).filter((m) => m.r === refused.r).length, 1, "refused once, not resent after the full render");
      await page.close();
    });
  });
}
