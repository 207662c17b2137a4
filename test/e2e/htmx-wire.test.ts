/**
 * The htmx wire, as the npm packages behave in Chromium — no Weft code at all:
 * a bare node http + `ws` server serves tiny pages and the htmx files from
 * node_modules (htmx.org 2.0.11 + htmx-ext-ws 2.0.4 + htmx-ext-sse 2.2.4, and
 * htmx 4.0.1 under the alias htmx4 with dist/ext/hx-ws.js and hx-sse.js), and
 * records what each generation sends and how it treats what it receives.
 * docs/htmx.md rests on these facts; an htmx upgrade that changes one makes
 * this file fail, and the docs (and src/server/htmx/) must follow.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { WebSocketServer, type WebSocket } from "ws";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";
import { until } from "../support/until.ts";

const skip = browserSkipReason();
const T = { timeout: 60_000 };
const NM = new URL("../../node_modules/", import.meta.url);

/** The files a page may load, by URL path. */
const FILES: Record<string, string> = {
  "/js/htmx2.js": "htmx.org/dist/htmx.js",
  "/js/ws2.js": "htmx-ext-ws/ws.js",
  "/js/sse2.js": "htmx-ext-sse/sse.js",
  "/js/htmx4.js": "htmx4/dist/htmx.js",
  "/js/ws4.js": "htmx4/dist/ext/hx-ws.js",
  "/js/sse4.js": "htmx4/dist/ext/hx-sse.js",
};

/** What differs between the two generations on a page. */
interface Gen {
  readonly n: 2 | 4;
  readonly scripts: readonly string[];
  /** Attributes of the element that opens a WebSocket to `url`. */
  ws(url: string): string;
  /** The attribute that makes a form send over the socket. */
  readonly send: string;
  /** Attributes of the element that opens an SSE stream from `url`. */
  sse(url: string): string;
  /** Makes reconnects immediate (a config the page sets before htmx processes it). */
  readonly fastReconnect: string;
}

const GENS: readonly Gen[] = [
  {
    n: 2,
    scripts: ["/js/htmx2.js", "/js/ws2.js", "/js/sse2.js"],
    ws: (url) => `hx-ext="ws" ws-connect="${url}"`,
    send: "ws-send",
    sse: (url) => `hx-ext="sse" sse-connect="${url}"`,
    fastReconnect: "htmx.config.wsReconnectDelay = () => 0;",
  },
  {
    n: 4,
    scripts: ["/js/htmx4.js", "/js/ws4.js", "/js/sse4.js"],
    ws: (url) => `hx-ws:connect="${url}"`,
    send: "hx-ws:send",
    sse: (url) => `hx-sse:connect="${url}"`,
    fastReconnect: "htmx.config.ws = { reconnectDelay: 0, reconnectJitter: 0 };",
  },
];

/** Records, on `window.facts`, every htmx event the tests look at. */
const RECORDER = `<script>
  window.facts = { ws2: [], ws4: [], closes: [], named: [], sse4: [], noTarget: 0, finished: 0 };
  document.addEventListener("htmx:finally:request", () => facts.finished++);
  document.addEventListener("htmx:oobErrorNoTarget", () => facts.noTarget++);
  document.addEventListener("htmx:wsAfterMessage", (e) => facts.ws2.push(e.detail.message));
  document.addEventListener("htmx:ws:after:message:incoming", (e) => facts.ws4.push(e.detail.message.data));
  document.addEventListener("htmx:wsClose", (e) => facts.closes.push(e.detail.event.code));
  document.addEventListener("htmx:ws:close", (e) => facts.closes.push(e.detail.code));
  document.addEventListener("tick", (e) => facts.named.push(e.detail));
  document.addEventListener("htmx:sse:after:message", (e) => facts.sse4.push(e.detail.message));
</script>`;

interface Facts {
  ws2: string[];
  ws4: string[];
  closes: Array<number | null>;
  named: Array<{ data: string; id: string }>;
  sse4: Array<{ data: string; event: string; id: string }>;
  noTarget: number;
  /** htmx 4 requests finished (its SSE connect is one). */
  finished: number;
}

/** One WebSocket the browser opened, with the text frames it sent. */
interface Sock {
  key: string;
  ws: WebSocket;
  frames: string[];
}

/** One SSE request the browser made. */
interface Stream {
  key: string;
  headers: IncomingHttpHeaders;
  res: ServerResponse;
}

/** The body of a refused connect (as Weft answers one: JSON with the code). */
const REFUSAL = `{"error":{"code":"E_RATE_LIMIT"}}`;
/** Keys of the connects answered 429 instead of a WebSocket or a stream, one entry per attempt. */
const refused: string[] = [];
const pages = new Map<string, string>();
const socks: Sock[] = [];
const streams: Stream[] = [];
let server: Server;
let base = "";
let browser: Browser;

/** A page with `gen`'s scripts, the event recorder, `head` (more script) and `body`. */
function page(gen: Gen, body: string, head = ""): string {
  const scripts = gen.scripts.map((s) => `<script src="${s}"></script>`).join("");
  return `<!doctype html><html lang="en"><head><title>wire</title>${scripts}${RECORDER}<script>${head}</script></head><body>${body}</body></html>`;
}

/** Serves `html` at a fresh path and opens it in a new page. */
async function open(key: string, html: string): Promise<Page> {
  pages.set(key, html);
  const p = await browser.newPage();
  p.setDefaultTimeout(10_000);
  p.on("pageerror", (e) => assert.fail(`page error on ${key}: ${String(e)}`));
  await p.goto(`${base}/page/${key}`);
  return p;
}

/** The n-th WebSocket (from 1) opened for `key`, once it is there. */
async function sock(key: string, n = 1): Promise<Sock> {
  await until(() => socks.filter((s) => s.key === key).length >= n, 10_000, `WebSocket #${n} for ${key}`);
  return socks.filter((s) => s.key === key)[n - 1]!;
}

/** The n-th SSE request (from 1) made for `key`, once it is there. */
async function stream(key: string, n = 1): Promise<Stream> {
  await until(() => streams.filter((s) => s.key === key).length >= n, 10_000, `SSE request #${n} for ${key}`);
  return streams.filter((s) => s.key === key)[n - 1]!;
}

/** Clicks `#go` on `p` and returns the first frame `key`'s WebSocket got, parsed. */
async function clickAndRead(p: Page, key: string): Promise<Record<string, unknown>> {
  const s = await sock(key);
  await p.click("#go");
  await until(() => s.frames.length > 0, 10_000, "the form's frame");
  return JSON.parse(s.frames[0]!) as Record<string, unknown>;
}

const facts = (p: Page) => p.evaluate(() => (window as unknown as { facts: Facts }).facts);
/** WebSocket messages the page's htmx handed to page script so far (either generation's event). */
const received = async (p: Page) => {
  const f = await facts(p);
  return f.ws2.length + f.ws4.length;
};
const text = (p: Page, sel: string) => p.$eval(sel, (el) => el.textContent ?? "");
const ids = (p: Page, sel: string) => p.$$eval(sel, (els) => els.map((el) => el.id));

before(async () => {
  if (skip) return;
  const wss = new WebSocketServer({ noServer: true });
  server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const file = FILES[path];
    if (file !== undefined) {
      res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(new URL(file, NM)));
    } else if (path.startsWith("/page/") && pages.has(path.slice(6))) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(pages.get(path.slice(6)));
    } else if (path.startsWith("/sse/refuse")) {
      refused.push(path.slice(5));
      res.writeHead(429, { "content-type": "application/json" }).end(REFUSAL);
    } else if (path.startsWith("/sse/")) {
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      res.flushHeaders();
      streams.push({ key: path.slice(5), headers: req.headers, res });
    } else {
      res.writeHead(404).end();
    }
  });
  server.on("upgrade", (req, socket, head) => {
    // A page closed mid-handshake resets the socket: not an error of the facts under test.
    socket.on("error", () => {});
    const key = (req.url ?? "").replace(/^\/ws\//, "");
    if (key.startsWith("refuse")) {
      refused.push(key);
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: ${REFUSAL.length}\r\nConnection: close\r\n\r\n${REFUSAL}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => {});
      const s: Sock = { key, ws, frames: [] };
      ws.on("message", (data) => s.frames.push(String(data)));
      socks.push(s);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  if (skip) return;
  await browser?.close();
  for (const s of socks) s.ws.terminate();
  for (const s of streams) s.res.destroy();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

for (const gen of GENS) {
  describe(`htmx ${gen.n} on the wire`, { skip }, () => {
    it("sends a ws-send form as JSON: fields, hx-vals and the request headers", T, async () => {
      const key = `send${gen.n}`;
      const p = await open(key, page(gen, `
        <main hx-headers='{"X-Weft-CSRF": "tok-1"}'>
          <div id="root" ${gen.ws(`/ws/${key}`)}>
            <form id="f" name="fname" ${gen.send} hx-vals='{"n": 5}' hx-headers='{"X-Form": "1"}'>
              <input type="hidden" name="weft-event" value="add">
              <label>Title <input name="title" value="hello"></label>
              <label><input type="checkbox" name="tag" value="x" checked> x</label>
              <label><input type="checkbox" name="tag" value="y" checked> y</label>
              <button id="go" name="action" value="save">Add</button>
            </form>
          </div>
        </main>`));
      const sent = await clickAndRead(p, key);
      const url = `${base}/page/${key}`;
      // The form's fields and hx-vals, the same on both generations; only the headers differ.
      const fields = { "weft-event": "add", title: "hello", tag: ["x", "y"], action: "save", n: 5 };
      if (gen.n === 2) {
        assert.deepEqual(sent, {
          ...fields,
          HEADERS: {
            "HX-Request": "true",
            "HX-Trigger": "f",
            "HX-Trigger-Name": "fname",
            "HX-Target": "f",
            "HX-Current-URL": url,
            "X-Weft-CSRF": "tok-1",
            "X-Form": "1",
          },
        });
      } else {
        // hx-ws builds its headers without hx-headers (neither the element's own nor inherited ones).
        assert.deepEqual(sent, {
          ...fields,
          headers: {
            "HX-Request": "true",
            "HX-Source": "form#f",
            "HX-Target": "form#f",
            "HX-Current-URL": url,
          },
        });
      }
      await p.close();
    });

    it("takes hx-vals from an ancestor: htmx 2 always, htmx 4 only as hx-vals:inherited", T, async () => {
      const key = `vals${gen.n}`;
      const p = await open(key, page(gen, `
        <div hx-vals='{"plain": "p"}'>
          <div hx-vals:inherited='{"weft-csrf": "tok-2"}'>
            <div id="root" ${gen.ws(`/ws/${key}`)}>
              <form id="f" ${gen.send}><label>Title <input name="title" value="t"></label><button id="go">Go</button></form>
            </div>
          </div>
        </div>`));
      const sent = await clickAndRead(p, key);
      delete sent.HEADERS;
      delete sent.headers;
      // htmx 2 reads hx-vals of every ancestor (":inherited" is just part of an unknown attribute name to it);
      // htmx 4 inherits an attribute only when it is written with ":inherited".
      assert.deepEqual(sent, gen.n === 2 ? { title: "t", plain: "p" } : { title: "t", "weft-csrf": "tok-2" });
      await p.close();
    });

    it("reconnects after exactly the close codes it lists", T, async () => {
      // A close the page does not answer by reconnecting can only be seen as the
      // absence of a second socket: each code gets a bounded window after the page
      // saw the close, with reconnect delays set to 0 so that a reconnect is immediate.
      const reconnecting: Array<number | string> = [];
      for (const code of [1000, 1001, 1008, 1009, 1011, 1012, 1013, 4429, "terminate"] as const) {
        const key = `close${gen.n}-${code}`;
        const p = await open(key, page(gen, `<div id="root" ${gen.ws(`/ws/${key}`)}>socket</div>`, gen.fastReconnect));
        const s = await sock(key);
        if (code === "terminate") s.ws.terminate();
        else s.ws.close(code, "bye");
        await p.waitForFunction(() => (window as unknown as { facts: Facts }).facts.closes.length > 0);
        const again = await until(() => socks.some((x) => x.key === key && x !== s), 1_500, "a reconnect").then(() => true, () => false);
        if (again) reconnecting.push(code);
        assert.deepEqual((await facts(p)).closes.slice(0, 1), [code === "terminate" ? 1006 : code]);
        await p.close();
      }
      assert.deepEqual(reconnecting, gen.n === 2 ? [1011, 1012, 1013, "terminate"] : [1001, 1011, 1012, 1013, "terminate"]);
    });

    it("swaps top-level id'd hx-swap-oob elements: true, beforeend, afterbegin, delete", T, async () => {
      const key = `oob${gen.n}`;
      const p = await open(key, page(gen, `
        <div id="a">A0</div>
        <div id="root" ${gen.ws(`/ws/${key}`)}>
          <p id="sentinel">kept</p>
          <ul id="list"><li id="i1">1</li><li id="i2">2</li></ul>
          <ul id="list2"><li id="j1">1</li></ul>
          <div id="b">B0</div>
          <p id="row:1">gone soon</p><p id="keep">kept</p>
        </div>`));
      const s = await sock(key);
      s.ws.send(`<div id="a" hx-swap-oob="true">A1</div><ul id="list" hx-swap-oob="beforeend"><li id="i3">3</li></ul>` +
        `<ul id="list2" hx-swap-oob="afterbegin"><li id="j0">0</li></ul><li id="i1" hx-swap-oob="delete"></li>` +
        `<div id="nowhere" hx-swap-oob="true">lost</div>` +
        // A deletion that fits every parsing mode: an empty <template> naming its target (a CSS-escaped id).
        `<template hx-swap-oob="delete:#row\\3a 1"></template>`);
      await until(async () => (await received(p)) === 1, 10_000, "the first message handled");
      assert.equal(await text(p, "#a"), "A1");
      assert.deepEqual(await ids(p, "#list li"), ["i2", "i3"]);
      assert.deepEqual(await ids(p, "#list2 li"), ["j0", "j1"]);
      assert.equal(await text(p, "#sentinel"), "kept", "an OOB-only message leaves the socket's element alone");
      assert.equal(await p.$("[hx-swap-oob]"), null, "no hx-swap-oob attribute reaches the page");
      // An OOB element whose id the page lacks is dropped (htmx 2 says so with htmx:oobErrorNoTarget).
      assert.equal(await p.$("#nowhere"), null);
      assert.equal(await p.$("[id='row:1']"), null, "the <template> deletion removed its target");
      assert.equal(await text(p, "#keep"), "kept");
      assert.equal(await p.$("#root template"), null, "the deletion's template is not left in the page");
      assert.equal((await facts(p)).noTarget, gen.n === 2 ? 1 : 0);

      // Without hx-swap-oob: htmx 2's ext-ws swaps every top-level element by id;
      // htmx 4 swaps the message into the socket's element (innerHTML), replacing it.
      s.ws.send(`<div id="b">B1</div>`);
      await until(async () => (await received(p)) === 2, 10_000, "the second message handled");
      if (gen.n === 2) {
        assert.equal(await text(p, "#b"), "B1");
        assert.equal(await text(p, "#sentinel"), "kept");
      } else {
        assert.equal(await p.$eval("#root", (el) => el.innerHTML), `<div id="b">B1</div>`);
      }
      await p.close();
    });

    it("swaps nothing for JSON without content/payload and hands it to the page's event", T, async () => {
      const key = `json${gen.n}`;
      const p = await open(key, page(gen, `<div id="a">A0</div><div id="root" ${gen.ws(`/ws/${key}`)}><p id="sentinel">kept</p></div>`));
      const s = await sock(key);
      const push = JSON.stringify({ weft: "push", event: "saved", data: { n: 1, html: `<div id="a" hx-swap-oob="true">X</div>` } });
      s.ws.send(push);
      await until(async () => (await received(p)) === 1, 10_000, "the push handed over");
      const f = await facts(p);
      assert.deepEqual(gen.n === 2 ? f.ws2 : f.ws4, [push], "the event carries the message text as sent");
      assert.equal(await text(p, "#a"), "A0");
      assert.equal(await text(p, "#sentinel"), "kept");

      // A top-level `content` (or `payload`) is HTML to htmx 4, so Weft's JSON never uses those keys.
      s.ws.send(JSON.stringify({ content: `<div id="a" hx-swap-oob="true">C</div>` }));
      await until(async () => (await received(p)) === 2, 10_000, "the content message handled");
      assert.equal(await text(p, "#a"), gen.n === 2 ? "A0" : "C");
      await p.close();
    });

    it("swaps OOB elements from unnamed SSE events, hands named events over and resumes with Last-Event-ID", T, async () => {
      const key = `sse${gen.n}`;
      // htmx 2: the unnamed event goes to sse-swap="message"; hx-swap="none" keeps that element's content.
      // htmx 4: an unnamed event is swapped into the hx-sse:connect element (here hx-swap="none": OOB
      // elements only); there is no sse-swap.
      const inner = gen.n === 2
        ? `<div id="sink" sse-swap="message" hx-swap="none">sink</div><div id="named" sse-swap="tick">named0</div>`
        : `<p id="sink">sink</p>`;
      const swap = gen.n === 4 ? ` hx-swap="none"` : "";
      const p = await open(key, page(gen, `<div id="a">A0</div><div id="src" ${gen.sse(`/sse/${key}`)}${swap}>${inner}</div>`));
      const first = await stream(key);
      assert.equal(first.headers["last-event-id"], undefined);
      assert.equal(first.headers.accept, gen.n === 2 ? "text/event-stream" : "text/html, text/event-stream");
      if (gen.n === 4) assert.equal(first.headers["hx-request"], "true", "htmx 4's stream is an htmx request (fetch)");
      first.res.write("retry: 100\n\n");
      first.res.write(`id: s1.1\ndata: <div id="a" hx-swap-oob="true">A1</div>\n\n`);
      await p.waitForFunction(() => document.querySelector("#a")?.textContent === "A1");
      assert.equal(await text(p, "#sink"), "sink", "an OOB-only message leaves the swap target alone");

      first.res.write(`event: tick\nid: s1.2\ndata: <b id="t">T1</b>\n\n`);
      if (gen.n === 2) {
        await p.waitForFunction(() => document.querySelector("#named")?.textContent === "T1");
      } else {
        // htmx 4 never swaps a named event: it is dispatched as a DOM event on the hx-sse:connect element.
        await p.waitForFunction(() => (window as unknown as { facts: Facts }).facts.named.length === 1);
        assert.deepEqual((await facts(p)).named, [{ data: `<b id="t">T1</b>`, id: "s1.2" }]);
        assert.equal(await p.$("#t"), null);
      }

      // The server ends the response: each reconnects by itself and sends the last id it saw.
      first.res.end();
      const second = await stream(key, 2);
      assert.equal(second.headers["last-event-id"], "s1.2");
      second.res.write(`data: <div id="a" hx-swap-oob="true">A2</div>\n\n`);
      await p.waitForFunction(() => document.querySelector("#a")?.textContent === "A2");
      await p.close();
    });

    it("retries a WebSocket whose upgrade is refused with an HTTP error (the page sees 1006)", T, async () => {
      const key = `refuse-ws${gen.n}`;
      const p = await open(key, page(gen, `<div id="root" ${gen.ws(`/ws/${key}`)}>socket</div>`, gen.fastReconnect));
      await until(() => refused.filter((k) => k === key).length >= 3, 10_000, "three refused upgrades");
      const f = await facts(p);
      assert.deepEqual([...new Set(f.closes)], [1006], "a refused handshake closes with 1006, which both retry");
      await p.close();
    });

    it("handles an SSE connect refused with an HTTP error: htmx 2 retries, htmx 4 swaps the body and stops", T, async () => {
      const key = `refuse-sse${gen.n}`;
      const inner = gen.n === 2 ? `<div id="sink" sse-swap="message" hx-swap="none">sink</div>` : `<p id="sink">sink</p>`;
      const p = await open(key, page(gen, `<div id="src" ${gen.sse(`/sse/${key}`)}>${inner}</div>`));
      if (gen.n === 2) {
        // EventSource fails (status 429), ext-sse opens a new one after 500 ms, and so on.
        await until(() => refused.filter((k) => k === key).length >= 2, 10_000, "a second SSE request");
        assert.equal(await text(p, "#sink"), "sink");
      } else {
        // Not an event stream: htmx 4 treats it as an ordinary response and swaps error responses too
        // (config.noSwap is [204, 304]) into the hx-sse:connect element, and never reconnects.
        await p.waitForFunction((body) => document.querySelector("#src")?.innerHTML === body, REFUSAL);
        assert.equal((await facts(p)).finished, 1);
        const quiet = await until(() => refused.filter((k) => k === key).length >= 2, 1_500, "a second SSE request").then(() => false, () => true);
        assert.ok(quiet, "htmx 4 does not retry a refused SSE connect");
        // With hx-swap="none" on the element the refusal shows nothing.
        const key2 = `refuse-sse-none${gen.n}`;
        const p2 = await open(key2, page(gen, `<div id="src" ${gen.sse(`/sse/${key2}`)} hx-swap="none">${inner}</div>`));
        await until(() => refused.includes(key2), 10_000, "the SSE request");
        await p2.waitForFunction(() => (window as unknown as { facts: Facts }).facts.finished === 1);
        assert.equal(await text(p2, "#sink"), "sink");
        await p2.close();
      }
      await p.close();
    });

    it("treats an unnamed SSE event's non-OOB part by its swap settings", T, async () => {
      const key = `sseswap${gen.n}`;
      // htmx 2 without hx-swap="none": the sse-swap element's content is replaced by what is left
      // after the OOB elements are taken out (here: nothing, so it is emptied).
      // htmx 4: an OOB-only message does not swap the main target (swapEmpty:false, no allowEmptySwapAfterOOB).
      const inner = gen.n === 2 ? `<div id="sink" sse-swap="message">sink</div>` : `<p id="sink">sink</p>`;
      const p = await open(key, page(gen, `<div id="a">A0</div><div id="src" ${gen.sse(`/sse/${key}`)}>${inner}</div>`));
      const s = await stream(key);
      s.res.write(`data: <div id="a" hx-swap-oob="true">A1</div>\n\n`);
      await p.waitForFunction(() => document.querySelector("#a")?.textContent === "A1");
      if (gen.n === 2) {
        await p.waitForFunction(() => document.querySelector("#sink")?.textContent === "");
      } else {
        assert.equal(await text(p, "#sink"), "sink");
        s.res.write(`data: <p id="other">main</p>\n\n`);
        await p.waitForFunction(() => document.querySelector("#src")?.innerHTML === `<p id="other">main</p>`);
      }
      await p.close();
    });
  });
}
