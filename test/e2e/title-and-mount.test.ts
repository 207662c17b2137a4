/**
 * In Chromium, on every transport: `document.title` follows a view whose
 * `title` is a function of its state — after a click, and after a rejoin
 * that needed a full render — and a `ctx.pushEvent` in `mount` reaches the
 * page as a `weft:NAME` event once the view is live.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 15_000;

/** A counter titled by its count; `info.bump` (a broadcast to `bump:ID`) counts too. */
const Titled = defineView({
  mount: (params, ctx) => {
    ctx.subscribe(`bump:${params.id ?? ""}`);
    return { n: 0 };
  },
  events: { inc: (s) => ({ n: s.n + 1 }) },
  info: { bump: (s) => ({ n: s.n + 1 }) },
  render: (s) => html`<button id="inc" weft-click="inc">+</button> <b id="n">${s.n}</b>`,
  title: (s) => `Count ${s.n}`,
});

/** Pushes `hello` while mounting: the page's hook gets its first data. */
const Hello = defineView({
  mount: (_p, ctx) => {
    ctx.pushEvent("hello", { greeting: "hi", at: ctx.connected ? "join" : "page" });
    return {};
  },
  render: () => html`<p id="hello">hello</p>`,
});

/** `window` with the test's own markers. */
type Win = Window & {
  hello?: unknown[];
  helloLive?: boolean[];
  fulls?: number;
  weftDebug?: boolean;
};

describe("page title and mount pushes in Chromium", { skip, timeout: 180_000 }, () => {
  // An outbox of 2: three changes while a page is away cannot be replayed,
  // so its rejoin takes a full render — which must carry the title.
  const fx = e2eApp({ weft: { views: { "/titled": Titled, "/hello": Hello }, secret: "title-secret-0123456789abcdef", outboxSize: 2 }, wait: WAIT, proxy: true });

  function open(transport: string, path: string): Promise<Page> {
    const setup = (page: Page) => page.addInitScript(() => {
      const w = window as unknown as Win;
      w.hello = [];
      w.helloLive = [];
      w.fulls = 0;
      // weftDebug hands every incoming message to console.debug: full renders are counted there.
      w.weftDebug = true;
      console.debug = (label: unknown, _v: unknown, msg?: { t?: string }) => {
        if (label === "weft in" && msg?.t === "f") w.fulls! += 1;
      };
      document.addEventListener("weft:hello", (e) => {
        w.hello!.push((e as CustomEvent).detail);
        w.helloLive!.push(document.querySelector("[weft-view]")?.classList.contains("weft-connected") === true);
      });
    });
    return fx.open(transport, path, { context: {}, setup });
  }

  const title = (page: Page, want: string) => page.waitForFunction((t) => document.title === t, want, { timeout: WAIT });

  for (const transport of TRANSPORTS) {
    it(`sets document.title from the state on each change over ${transport}`, async () => {
      const page = await open(transport, `/titled?id=${transport}-click`);
      assert.equal(await page.title(), "Count 0", "the server-rendered title");
      await page.click("#inc");
      await title(page, "Count 1");
      await page.click("#inc");
      await title(page, "Count 2");
      assert.equal(await page.textContent("#n"), "2");
      await page.context().close();
    });

    it(`has the right title after a rejoin that needed a full render over ${transport}`, async () => {
      const page = await open(transport, `/titled?id=${transport}-rejoin`);
      await page.click("#inc");
      await title(page, "Count 1");
      const fullsBefore = await page.evaluate(() => (window as unknown as Win).fulls!);
      // The link goes down and stays down while the state changes three times.
      fx.proxy.reject = /./;
      fx.proxy.cutAll();
      try {
        await page.waitForSelector("[weft-view].weft-disconnected");
        for (let i = 0; i < 3; i++) await fx.app.broadcast(`bump:${transport}-rejoin`, "bump");
      } finally {
        fx.proxy.reject = undefined;
      }
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "4", undefined, { timeout: WAIT });
      await title(page, "Count 4");
      assert.ok(await page.evaluate((n) => (window as unknown as Win).fulls! > n, fullsBefore), "the rejoin was answered with a full render");
      await page.click("#inc");
      await title(page, "Count 5");
      await page.context().close();
    });

    it(`dispatches a push made in mount as a weft:hello event once the view is live over ${transport}`, async () => {
      const page = await open(transport, "/hello");
      await page.waitForFunction(() => ((window as unknown as Win).hello ?? []).length > 0, undefined, { timeout: WAIT });
      await new Promise((r) => setTimeout(r, 200)); // room for a wrong second delivery
      const w = await page.evaluate(() => ({ hello: (window as unknown as Win).hello, live: (window as unknown as Win).helloLive }));
      assert.deepEqual(w.hello, [{ greeting: "hi", at: "page" }], "delivered once, with the page mount's payload");
      assert.deepEqual(w.live, [true], "after the join's render");
      await page.context().close();
    });
  }
});
