/**
 * MessagePack in Chromium: a page of an app with `msgpack` loads the codec,
 * its socket offers `weft.msgpack`, the server chooses it and every frame
 * both ways is binary — and a counter, a stream and a live navigation work on
 * it; over SSE and HTTP the same app works on JSON. A page of an app without
 * the option gets JSON, and so does a page that loaded the codec when the
 * server does not choose MessagePack (a node without the option: it chooses
 * `weft.json`, as a browser fails a handshake that gets no subprotocol back).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { defineView, html, stream, type Uploads } from "../../src/index.ts";
import { MSGPACK_PROTOCOL } from "../../src/protocol/messages.ts";
import { browserSkipReason, e2eApp, type E2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 8_000;
const T = { timeout: 40_000 };
const SECRET = "msgpack-e2e-secret-0123456789abcdef";

interface Row { id: number; title: string }
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, title: `row ${from + i} ✓` }));

const Counter = defineView({
  mount: () => ({ n: 0, loaded: 2 }),
  streams: (s, ctx) => ctx.stream("rows", rows(1, s.loaded)),
  events: {
    inc: (s, p: { by?: unknown }) => ({ ...s, n: s.n + (Number(p.by) || 1) }),
    more: (s, _p, ctx) => {
      ctx.stream("rows", rows(s.loaded + 1, 2));
      return { ...s, loaded: s.loaded + 2 };
    },
  },
  render: (s) => html`<p id="n">${s.n}</p><button id="inc" weft-click="inc" weft-value-by="2">+2</button>
    <button id="more" weft-click="more">more</button><ul id="rows" ${stream<Row>("rows", (r) => html`<li>${r.title}</li>`)}></ul>
    <a id="go" weft-navigate="/other">other</a>`,
});

const Other = defineView({
  mount: () => ({}),
  render: () => html`<h1 id="other">other view «ü»</h1>`,
});

/** What the upload view's save got: the sha-256 of each consumed file, by name. */
const saved = new Map<string, string>();

const Upload = defineView({
  uploads: { doc: { accept: [".bin"], maxBytes: 1_000_000, chunkBytes: 1_024, autoUpload: true } },
  mount: () => ({ uploads: {} as Uploads, n: 0 }),
  events: {
    save: async (s, _p, ctx) => {
      await ctx.consumeUploads("doc", async ({ path, name }) => saved.set(name, createHash("sha256").update(await readFile(path)).digest("hex")));
      return { ...s, n: s.n + 1 };
    },
  },
  render: (s) => html`<form weft-submit="save"><label>File <input type="file" id="file" weft-upload="doc"></label>
    <ul>${(s.uploads.doc?.entries ?? []).map((e) => html`<li class="entry" data-progress=${e.progress} data-done=${String(e.done)} data-errors=${e.errors.join(",")}>${e.name}</li>`)}</ul>
    <button id="save">Save</button><p id="saves">${s.n}</p></form>`,
});

const views = { "/counter": Counter, "/other": Other, "/upload": Upload };

/**
 * Records, in the page, every WebSocket it opens and the kinds of frames it
 * sees (a script's text: the test's compiled functions carry helpers the page lacks).
 */
const WATCH = `(() => {
  const seen = (window.sockets = []);
  const Native = WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const rec = { protocol: () => this.protocol, binaryIn: 0, textIn: 0, binaryOut: 0, textOut: 0 };
      seen.push(rec);
      this.addEventListener("message", (e) => (typeof e.data === "string" ? rec.textIn++ : rec.binaryIn++));
      const send = this.send.bind(this);
      this.send = (d) => (typeof d === "string" ? rec.textOut++ : rec.binaryOut++, send(d));
    }
  };
})();`;

async function watchSockets(page: Page): Promise<void> {
  await page.addInitScript({ content: WATCH });
}

/** The page's sockets: protocol and frame counts. */
function sockets(page: Page): Promise<{ protocol: string; binaryIn: number; textIn: number; binaryOut: number; textOut: number }[]> {
  return page.evaluate(() =>
    (window as unknown as { sockets: { protocol: () => string; binaryIn: number; textIn: number; binaryOut: number; textOut: number }[] }).sockets.map((s) => ({ ...s, protocol: s.protocol() })),
  );
}

/** A counter click, a stream page and a live navigation, each seen on the page. */
async function works(page: Page): Promise<void> {
  await page.click("#inc");
  await page.waitForFunction(() => document.querySelector("#n")?.textContent === "2");
  await page.click("#more");
  await page.waitForFunction(() => document.querySelectorAll("#rows > li").length === 4);
  assert.equal(await page.textContent("#rows > li:last-child"), "row 4 ✓");
  await page.click("#go");
  await page.waitForSelector("#other");
  assert.equal(await page.textContent("#other"), "other view «ü»");
  assert.equal(new URL(page.url()).pathname, "/other");
}

for (const transport of TRANSPORTS) {
  describe(`an app with msgpack in Chromium over ${transport}`, { skip }, () => {
    const fx: E2eApp = e2eApp({ weft: { views, secret: SECRET, msgpack: true }, wait: WAIT });

    it(transport === "websocket" ? "speaks MessagePack on its socket: every frame binary, and the page works" : "works on JSON: the codec is loaded but no socket carries the page", T, async () => {
      const page = await fx.open(transport, "/counter", { setup: watchSockets });
      assert.equal(await page.evaluate(() => typeof (window as unknown as { weftMsgpack?: unknown }).weftMsgpack), "object", "the page loaded the codec");
      await works(page);
      const used = await sockets(page);
      if (transport === "websocket") {
        assert.ok(used.length > 0);
        for (const s of used) {
          assert.equal(s.protocol, MSGPACK_PROTOCOL);
          assert.equal(s.textIn + s.textOut, 0, "no text frame either way");
          assert.ok(s.binaryIn > 0 && s.binaryOut > 0);
        }
      } else {
        assert.equal(used.filter((s) => s.textIn + s.binaryIn > 0).length, 0, "no WebSocket carried frames");
        assert.equal(await page.evaluate(() => (window as unknown as { weft: { transport: string } }).weft.transport), transport);
      }
      await page.close();
    });

    it("uploads a file in chunks, and the server's copy is the original byte for byte", T, async () => {
      const page = await fx.open(transport, "/upload", { setup: watchSockets });
      const bytes = randomBytes(5_000 + 300); // 6 chunks of 1 KiB, the last one short
      await page.setInputFiles("#file", { name: `up-${transport}.bin`, mimeType: "application/octet-stream", buffer: bytes });
      await page.waitForSelector(".entry[data-done=true]");
      assert.equal(await page.getAttribute(".entry", "data-errors"), "");
      await page.click("#save");
      await page.waitForFunction(() => document.querySelector("#saves")?.textContent === "1");
      assert.equal(saved.get(`up-${transport}.bin`), createHash("sha256").update(bytes).digest("hex"));
      if (transport === "websocket") {
        for (const s of await sockets(page)) assert.equal(s.textIn + s.textOut, 0, "chunks and acks are MessagePack too");
      }
      await page.close();
    });
  });
}

describe("an app without msgpack in Chromium over websocket", { skip }, () => {
  const fx: E2eApp = e2eApp({ weft: { views, secret: SECRET }, wait: WAIT });

  it("serves pages without the codec, and their socket speaks JSON", T, async () => {
    const page = await fx.open("websocket", "/counter", { setup: watchSockets });
    assert.equal(await page.evaluate(() => typeof (window as unknown as { weftMsgpack?: unknown }).weftMsgpack), "undefined");
    assert.equal(await page.$$eval("script[src*='msgpack']", (s) => s.length), 0);
    await works(page);
    for (const s of await sockets(page)) {
      assert.equal(s.protocol, "");
      assert.equal(s.binaryIn + s.binaryOut, 0, "text frames only");
    }
    await page.close();
  });

  it("stays on JSON when the page has the codec and the server does not choose it", T, async () => {
    const codec = await (await fetch(`${fx.base}/weft/client-msgpack.js`)).text();
    const page = await fx.open("websocket", "/counter", { setup: async (p) => (await watchSockets(p), p.addInitScript({ content: codec })) });
    assert.equal(await page.evaluate(() => typeof (window as unknown as { weftMsgpack?: unknown }).weftMsgpack), "object", "the codec offered MessagePack");
    await works(page);
    const used = await sockets(page);
    assert.ok(used.length > 0);
    for (const s of used) {
      assert.equal(s.protocol, "weft.json", "the server chose JSON by name");
      assert.equal(s.binaryIn + s.binaryOut, 0, "text frames only");
    }
    await page.close();
  });
});
