/**
 * No silent failures, in real Chromium: a refused event gives its form back
 * (on every transport), a dev page logs its errors to the console and a
 * production page does not, and a page whose server has WebSocket turned off
 * never tries it.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createWeft, defineView, html, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const T = { timeout: 20_000 };
const WAIT = 8_000;

/** More than the server's default maxMessageBytes (64 KiB), less than the WebSocket hard cap (1 MiB). */
const OVERSIZED = 100_000;

type Win = Window & { errors?: { code: string; ref: number | undefined }[] };

const Form = defineView<{ saved: number; len: number }>({
  mount: () => ({ saved: 0, len: 0 }),
  events: { save: (s, p) => ({ saved: s.saved + 1, len: String(p.text ?? "").length }) },
  render: (s) => html`<form id="f" weft-submit="save"><textarea name="text"></textarea><button id="go" weft-disable-with="Saving…">Save</button></form>
    <p>saved <b id="saved">${s.saved}</b> length <b id="len">${s.len}</b></p>`,
});

const Typo = defineView<{ n: number }>({
  mount: () => ({ n: 0 }),
  events: { inc: (s) => ({ n: s.n + 1 }) },
  render: (s) => html`<button id="typo" weft-click="incr">+</button><button id="inc" weft-click="inc">inc</button><b id="n">${s.n}</b>`,
});

/** An app on its own node:http server, counting the WebSocket upgrades it is asked for. */
async function start(opts: Partial<WeftOptions> = {}): Promise<{ app: WeftApp; server: Server; base: string; upgrades: () => number }> {
  const app = createWeft({ views: { "/form": Form, "/typo": Typo }, secret: "errors-visible-e2e-secret-0123456789", ...opts });
  let upgrades = 0;
  const server = createServer(app.handler).on("upgrade", (req, socket, head) => {
    upgrades++;
    app.upgrade(req, socket, head);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Build the client bundle once, before any page waits for it.
  await (await fetch(`${base}/weft/client.js`)).arrayBuffer();
  return { app, server, base, upgrades: () => upgrades };
}

async function stop(s: { app: WeftApp; server: Server } | undefined): Promise<void> {
  if (s === undefined) return;
  await s.app.close();
  s.server.closeAllConnections();
  await new Promise((r) => s.server.close(r));
}

/** Opens `path` (over `transport` when given), records every weft:error in window.errors. */
async function open(browser: Browser, url: string, transport?: string): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(WAIT);
  if (transport !== undefined) await forceTransport(page, transport);
  await page.addInitScript(() => {
    const w = window as Win;
    w.errors = [];
    document.addEventListener("weft:error", (e) => {
      const { code, ref } = (e as CustomEvent<{ code: string; ref: number | undefined }>).detail;
      w.errors!.push({ code, ref });
    });
  });
  await page.goto(url);
  await page.waitForSelector("[weft-view].weft-connected");
  return page;
}

/**
 * A page that announces a larger limit than the server enforces (as behind a
 * proxy with a lower body limit, or a page from before a config change): the
 * client sends what the server refuses.
 */
const staleLimit: WeftOptions["layout"] = (p) =>
  `<!doctype html><html><head><title>${p.title}</title>${p.script.replace(/data-max-bytes="\d+"/, 'data-max-bytes="10000000"')}</head><body>${p.body}</body></html>`;

describe("errors are visible and refused events give their form back", { skip }, () => {
  let browser: Browser;
  let dev: Awaited<ReturnType<typeof start>> | undefined;
  let prod: Awaited<ReturnType<typeof start>> | undefined;
  let stale: Awaited<ReturnType<typeof start>> | undefined;

  before(async () => {
    browser = await launchBrowser();
    // Development mode without hot reload (dev: true would also watch this folder and re-import this file on a change).
    dev = await start({ dev: { watch: false } });
    prod = await start({ dev: false });
    stale = await start({ dev: false, layout: staleLimit });
  });
  after(async () => {
    await browser?.close();
    await stop(dev);
    await stop(prod);
    await stop(stale);
  });

  /** Submits an oversized field: the error names its ref, the form is given back and stays usable. */
  async function oversizedSubmit(page: Page): Promise<void> {
    await page.fill("textarea", "x".repeat(OVERSIZED));
    await page.click("#go");
    await page.waitForFunction(() => (window as Win).errors!.some((e) => e.code === "E_TOO_LARGE"));
    const error = (await page.evaluate(() => (window as Win).errors!)).find((e) => e.code === "E_TOO_LARGE")!;
    assert.equal(typeof error.ref, "number", "the error names the refused event's ref");
    // The form and its button are given back: no weft-loading, the label restored, enabled.
    await page.waitForFunction(() => !document.querySelector("#f")!.classList.contains("weft-loading"));
    assert.equal(await page.textContent("#go"), "Save");
    assert.equal(await page.isDisabled("#go"), false);
    assert.equal(await page.textContent("#saved"), "0", "the refused submit was not applied");
    // And the form stays usable.
    await page.fill("textarea", "hello");
    await page.click("#go");
    await page.waitForFunction(() => document.querySelector("#saved")?.textContent === "1");
    assert.equal(await page.textContent("#len"), "5");
    assert.equal(await page.evaluate(() => document.querySelector("#f")!.classList.contains("weft-loading")), false);
  }

  for (const transport of TRANSPORTS) {
    it(`gives the form back when the server refuses its oversized submit, over ${transport}`, T, async () => {
      const page = await open(browser, `${stale!.base}/form`, transport);
      await oversizedSubmit(page);
      await page.close();
    });

    it(`refuses an oversized submit without sending it when the page knows the limit, over ${transport}`, T, async () => {
      const page = await open(browser, `${prod!.base}/form`, transport);
      // What leaves the page: POST bodies, and WebSocket frames (seen by a spy on send).
      const sent: number[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST") sent.push(r.postData()?.length ?? 0);
      });
      await page.evaluate(() => {
        const send = WebSocket.prototype.send;
        const w = window as unknown as { wsSent: number[] };
        w.wsSent = [];
        WebSocket.prototype.send = function (this: WebSocket, data: string) {
          w.wsSent.push(String(data).length);
          return send.call(this, data);
        } as typeof send;
      });
      await oversizedSubmit(page);
      sent.push(...(await page.evaluate(() => (window as unknown as { wsSent: number[] }).wsSent)));
      assert.ok(sent.length > 0, "the usable form's submit went out");
      assert.ok(sent.every((n) => n < OVERSIZED), `a request or frame carried the oversized field: ${JSON.stringify(sent)}`);
      await page.close();
    });
  }

  it("logs each weft:error to the console with its code and a hint on a dev page", T, async () => {
    const page = await browser.newPage();
    const lines: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" && m.text().startsWith("weft ")) lines.push(m.text());
    });
    await page.goto(`${dev!.base}/typo`);
    await page.waitForSelector("[weft-view].weft-connected");
    await page.click("#typo");
    const deadline = Date.now() + WAIT;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(lines.length, 1, `one line: ${JSON.stringify(lines)}`);
    assert.match(lines[0]!, /^weft E_UNKNOWN_EVENT: the view has no handler "incr" — did you mean "inc"\? \(its events: inc\) \(view 1, ref 1\) — hint: /);
    await page.close();
  });

  it("logs nothing to the console on a production page", T, async () => {
    const messages: string[] = [];
    const page = await open(browser, `${prod!.base}/typo`);
    page.on("console", (m) => messages.push(`${m.type()}: ${m.text()}`));
    await page.click("#typo");
    await page.waitForFunction(() => (window as Win).errors!.length > 0);
    // The error was dispatched (and reached the page's listener); later work proves the console had its chance.
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
    assert.deepEqual(await page.evaluate(() => (window as Win).errors!.map((e) => e.code)), ["E_UNKNOWN_EVENT"]);
    assert.deepEqual(messages, []);
    await page.close();
  });

  it("never tries a WebSocket when the server has it turned off", T, async () => {
    const off = await start({ useWebSocket: false, dev: false });
    try {
      const page = await open(browser, `${off.base}/form`);
      // Settled on the best transport offered, with no probe outstanding.
      await page.waitForFunction(() => {
        const weft = (window as unknown as { weft?: { transport?: string; probing?: string } }).weft;
        return weft?.transport === "sse" && weft.probing === undefined;
      });
      await page.fill("textarea", "hi");
      await page.click("#go");
      await page.waitForFunction(() => document.querySelector("#saved")?.textContent === "1");
      assert.equal(off.upgrades(), 0, "WebSocket upgrades asked for");
      await page.close();
    } finally {
      await stop(off);
    }
  });
});
