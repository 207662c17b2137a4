/**
 * Accessibility helpers in Chromium, on every transport: ctx.announce fills
 * the page's polite or assertive live region (as text; the same text read
 * again), weft-focus-after focuses an element when a patch, a stream insert
 * or a live navigation makes it appear (and only then), focus stays on the
 * focused control across patches and keyed moves, and with
 * weft-announce-connection a dropped link is announced and its return too
 * (nothing without the attribute).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html, keyed, stream, type Layout } from "../../src/index.ts";
import { browserSkipReason, dropLinks, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 8_000;
const T = { timeout: 40_000 };
const SECRET = "announce-e2e-secret-0123456789abcdef";

interface Row { id: number }

const Talk = defineView({
  mount: (_p, ctx) => {
    ctx.subscribe("talk");
    return { error: false, invalid: false, order: ["a", "b", "c"], tick: 0, rows: 2 };
  },
  streams: (s, ctx) => ctx.stream("rows", Array.from({ length: s.rows }, (_, i) => ({ id: i + 1 }))),
  events: {
    say: (s, p, ctx) => {
      ctx.announce(String(p.text), p.loud === "1" ? { politeness: "assertive" } : undefined);
      return s;
    },
    err: (s) => ({ ...s, error: true }),
    invalid: (s) => ({ ...s, invalid: true }),
    add: (s, _p, ctx) => {
      ctx.streamInsert("rows", { id: s.rows + 1 });
      return { ...s, rows: s.rows + 1 };
    },
  },
  info: {
    tick: (s) => ({ ...s, tick: s.tick + 1 }),
    reverse: (s) => ({ ...s, order: [...s.order].reverse(), tick: s.tick + 1 }),
  },
  render: (s) => html`<h1>Talk</h1>
    <button id="say" weft-click="say" weft-value-text="Saved.">say</button>
    <button id="loud" weft-click="say" weft-value-text="Could not save." weft-value-loud="1">loud</button>
    <button id="markup" weft-click="say" weft-value-text="<b>bold</b> &amp; <img src=x onerror=alert(1)>">markup</button>
    <button id="err" weft-click="err">err</button>
    <button id="add" weft-click="add">add</button>
    <p id="tick">${s.tick}</p>
    ${s.error ? html`<p id="msg" tabindex="-1" weft-focus-after>Name is required</p>` : ""}
    <label>Name <input id="name"></label>
    <button id="invalid" weft-click="invalid">invalid</button>
    <label>Title <input id="title" aria-invalid=${s.invalid ? "true" : "false"} weft-focus-after=${s.invalid}></label>
    <ul id="keyed">${keyed(s.order, (k) => k, (k) => html`<li id=${`k-${k}`}><label>${k} <input class="k"></label></li>`)}</ul>
    <ul id="rows" ${stream<Row>("rows", (r) => html`<li><label>row ${r.id} <input weft-focus-after></label></li>`)}></ul>
    <a id="go" href="/second" weft-navigate>second</a>`,
});

const Second = defineView({
  mount: () => ({}),
  render: () => html`<h1 id="second" tabindex="-1" weft-focus-after>Second</h1><a id="back" href="/talk" weft-navigate>back</a>`,
});

/** A page whose <body> carries `attrs`. */
const layoutWith = (attrs: string): Layout => (p) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${p.title}</title>${p.script}</head><body ${attrs}><main>${p.body}</main></body></html>`;

/**
 * Records what changes in the live regions, as [politeness, text] (window.said),
 * from before the client loads: the text each change adds, or "" for a change
 * that only empties a region.
 */
async function recordAnnouncements(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const said: [string, string][] = [];
    (window as unknown as { said: typeof said }).said = said;
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as Element;
        const live = el.getAttribute?.("aria-live") ?? (el.getAttribute?.("role") === "status" ? "polite" : null);
        if (live === null) continue;
        if (r.addedNodes.length > 0) said.push([live, [...r.addedNodes].map((n) => n.textContent).join("").trim()]);
        else if (r.removedNodes.length > 0) said.push([live, ""]);
      }
    }).observe(document, { childList: true, subtree: true });
  });
}

const said = (page: Page) => page.evaluate(() => (window as unknown as { said: [string, string][] }).said);

async function saidBecomes(page: Page, want: [string, string][]): Promise<void> {
  await page.waitForFunction((w) => JSON.stringify((window as unknown as { said: unknown }).said) === JSON.stringify(w), want).catch(() => {});
  assert.deepEqual(await said(page), want);
}

/** The id (or class) of the focused element, marked with `mark` when it has one. */
const focused = (page: Page) => page.evaluate(() => {
  const el = document.activeElement as (Element & { mark?: string }) | null;
  return el === null || el === document.body ? "body" : el.mark ?? (el.id || el.tagName.toLowerCase());
});

for (const transport of TRANSPORTS) {
  describe(`announcements and focus in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/talk": Talk, "/second": Second }, secret: SECRET, layout: layoutWith("") }, wait: WAIT });

    async function open(): Promise<Page> {
      return fx.open(transport, "/talk", { setup: recordAnnouncements });
    }

    it("reads a server announcement in the polite region, an assertive one in the assertive region, outside the view", T, async () => {
      const page = await open();
      assert.equal(await page.$("[aria-live]"), null, "no announcer before the first announcement");
      await page.click("#say");
      await saidBecomes(page, [["polite", "Saved."]]);
      await page.click("#loud");
      await saidBecomes(page, [["polite", "Saved."], ["assertive", "Could not save."]]);
      const where = await page.evaluate(() => {
        const a = document.querySelector("[aria-live=assertive]")!;
        const p = a.previousElementSibling!;
        return { polite: p.getAttribute("role"), inView: a.closest("[weft-view]") !== null, parent: a.parentElement!.parentElement === document.body, text: p.textContent!.trim() };
      });
      assert.deepEqual(where, { polite: "status", inView: false, parent: true, text: "Saved." });
      await page.close();
    });

    it("reads the same text again: the region is emptied and filled anew", T, async () => {
      const page = await open();
      await page.click("#say");
      await saidBecomes(page, [["polite", "Saved."]]);
      await page.click("#say");
      await saidBecomes(page, [["polite", "Saved."], ["polite", ""], ["polite", "Saved."]]);
      await page.close();
    });

    it("shows markup in an announcement as text", T, async () => {
      const page = await open();
      await page.click("#markup");
      await saidBecomes(page, [["polite", "<b>bold</b> & <img src=x onerror=alert(1)>"]]);
      assert.equal(await page.$("[role=status] *"), null, "no element was made from the text");
      await page.close();
    });

    it("focuses a weft-focus-after element that a patch adds, only when it appears", T, async () => {
      const page = await open();
      assert.equal(await focused(page), "body", "nothing focused at load");
      await page.click("#err");
      await page.waitForFunction(() => document.activeElement?.id === "msg");
      // The message stays on the page: later patches leave the focus where the user put it.
      await page.focus("#name");
      await page.keyboard.type("Ada");
      await fx.app.broadcast("talk", "tick");
      await page.waitForFunction(() => document.querySelector("#tick")?.textContent === "1");
      assert.equal(await focused(page), "name");
      assert.equal(await page.inputValue("#name"), "Ada");
      await page.close();
    });

    it("focuses an element when a patch gives it weft-focus-after", T, async () => {
      const page = await open();
      await page.click("#invalid");
      await page.waitForFunction(() => document.activeElement?.id === "title");
      assert.equal(await page.getAttribute("#title", "aria-invalid"), "true");
      await page.close();
    });

    it("focuses the weft-focus-after input of a row a stream inserts", T, async () => {
      const page = await open();
      await page.click("#add");
      await page.waitForFunction(() => document.activeElement?.closest("li")?.id === "rows-3");
      await page.close();
    });

    it("focuses a weft-focus-after element of the view a live navigation brings", T, async () => {
      const page = await open();
      await page.click("#go");
      await page.waitForFunction(() => document.activeElement?.id === "second");
      await page.close();
    });

    it("keeps focus and caret on a control across a patch that moves its keyed row", T, async () => {
      const page = await open();
      await page.$$eval("#keyed input", (els) => els.forEach((el, i) => ((el as unknown as { mark: string }).mark = `k${i}`)));
      await page.focus("#k-b input");
      await page.keyboard.type("hello");
      await page.keyboard.press("ArrowLeft");
      await page.keyboard.press("ArrowLeft");
      await fx.app.broadcast("talk", "reverse");
      await page.waitForFunction(() => [...document.querySelectorAll("#keyed li")].map((e) => e.id).join() === "k-c,k-b,k-a");
      await page.waitForFunction(() => document.querySelector("#tick")?.textContent === "1");
      assert.equal(await focused(page), "k1", "the same input keeps focus");
      assert.deepEqual(await page.$eval("#k-b input", (el) => [(el as HTMLInputElement).value, (el as HTMLInputElement).selectionStart]), ["hello", 3]);
      // And once more, moving the focused row to the end.
      await fx.app.broadcast("talk", "reverse");
      await page.waitForFunction(() => document.querySelector("#tick")?.textContent === "2");
      await page.waitForFunction(() => [...document.querySelectorAll("#keyed li")].map((e) => e.id).join() === "k-a,k-b,k-c");
      await page.focus("#k-a input");
      await fx.app.broadcast("talk", "reverse");
      await page.waitForFunction(() => document.querySelector("#tick")?.textContent === "3");
      assert.equal(await page.$eval("#keyed li:last-child", (e) => e.id), "k-a");
      assert.equal(await focused(page), "k0", "the moved row's input keeps focus");
      await page.close();
    });
  });

  for (const [attrs, lost, back] of [
    ["weft-announce-connection", "Connection lost. Reconnecting…", "Reconnected."],
    [`weft-announce-connection="Verbindung verloren.|Wieder verbunden."`, "Verbindung verloren.", "Wieder verbunden."],
  ] as const) {
    describe(`connection announcements (${attrs}) in Chromium over ${transport}`, { skip }, () => {
      const fx = e2eApp({ weft: { views: { "/talk": Talk }, secret: SECRET, layout: layoutWith(attrs), heartbeatMs: 2_000 }, wait: WAIT, proxy: true });

      it("announces a dropped link and its return, once each, and not the first connect", T, async () => {
        const page = await fx.open(transport, "/talk", { setup: recordAnnouncements });
        assert.equal(await page.$("[aria-live]"), null, "the first connect is not announced");
        await dropLinks(fx.proxy, page);
        // A reconnection within the announcer's 100 ms finds the region still empty: no "" between.
        await page.waitForFunction((b) => JSON.stringify((window as unknown as { said: unknown[] }).said.at(-1)) === JSON.stringify(["polite", b]), back).catch(() => {});
        assert.deepEqual((await said(page)).filter(([, t]) => t !== ""), [["polite", lost], ["polite", back]]);
        await page.close();
      });
    });
  }

  describe(`no connection announcements without weft-announce-connection in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/talk": Talk }, secret: SECRET, layout: layoutWith(""), heartbeatMs: 2_000 }, wait: WAIT, proxy: true });

    it("says nothing when the link drops and comes back", T, async () => {
      const page = await fx.open(transport, "/talk", { setup: recordAnnouncements });
      await dropLinks(fx.proxy, page);
      // An announcement makes its region at once (the text follows): none was made.
      assert.equal(await page.$("[aria-live]"), null);
      assert.deepEqual(await said(page), []);
      await page.close();
    });
  });
}

describe("no connection announcement for a transport switch in Chromium", { skip }, () => {
  const fx = e2eApp({ weft: { views: { "/talk": Talk }, secret: SECRET, layout: layoutWith("weft-announce-connection") }, wait: WAIT });

  it("says nothing when the page moves up from HTTP to WebSocket", T, async () => {
    // Not forced ("auto" is no transport): the page starts on HTTP and switches once its probe proves WebSocket.
    const page = await fx.open("auto", "/talk", { setup: recordAnnouncements });
    await page.waitForFunction(() => (window as unknown as { weft: { transport?: string } }).weft.transport === "websocket", undefined, { timeout: 15_000 });
    await page.click("#say");
    await saidBecomes(page, [["polite", "Saved."]]);
    await page.close();
  });
});
