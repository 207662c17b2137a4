/**
 * A stream in Chromium, on every transport: an infinite list that appends
 * pages, inserts at the top, deletes and resets; and after the server
 * restarts (the link drops, the session is gone, the view mounts afresh) the
 * page shows the right rows exactly once; and after the link is cut (the
 * session lives on), the rejoin resumes and a click made meanwhile lands once.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html, stream } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 8_000;
const T = { timeout: 40_000 };

interface Row { id: number; title: string }
const page = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, title: `row ${from + i}` }));

const Feed = defineView({
  mount: () => ({ loaded: 3 }),
  streams: (s, ctx) => ctx.stream("rows", page(1, s.loaded)),
  events: {
    more: (s, _p, ctx) => { ctx.stream("rows", page(s.loaded + 1, 3)); return { loaded: s.loaded + 3 }; },
    top: (s, _p, ctx) => { ctx.streamInsert("rows", { id: 0, title: "top" }, { at: 0 }); return s; },
    del: (s, _p, ctx) => { ctx.streamDelete("rows", "rows-2"); return s; },
    reset: (_s, _p, ctx) => { ctx.stream("rows", page(1, 2), { reset: true }); return { loaded: 2 }; },
  },
  render: (s) => html`<p id="n">${s.loaded}</p><button id="more" weft-click="more">more</button><button id="top" weft-click="top">top</button>
    <button id="del" weft-click="del">del</button><button id="reset" weft-click="reset">reset</button>
    <table><tbody id="rows" ${stream<Row>("rows", (r) => html`<tr><td>${r.title}</td></tr>`)}></tbody></table>`,
});

const SECRET = "streams-e2e-secret-0123456789abcdef";

for (const transport of TRANSPORTS) {
  describe(`a stream in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/feed": Feed }, secret: SECRET }, wait: WAIT, serverErrors: false });

    async function rows(p: Page, want: string[]): Promise<void> {
      await p.waitForFunction((ids) => JSON.stringify([...document.querySelectorAll("#rows > tr")].map((e) => e.id)) === JSON.stringify(ids), want).catch(() => {});
      assert.deepEqual(await p.$$eval("#rows > tr", (els) => els.map((e) => e.id)), want);
    }

    it("appends pages, inserts at the top, deletes and resets; a restart shows each row once", T, async () => {
      const p = await fx.open(transport, "/feed");
      await rows(p, ["rows-1", "rows-2", "rows-3"]);
      await p.click("#more");
      await rows(p, ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5", "rows-6"]);
      await p.click("#top");
      await p.click("#del");
      await rows(p, ["rows-0", "rows-1", "rows-3", "rows-4", "rows-5", "rows-6"]);
      assert.equal(await p.textContent("#rows-0"), "top");
      await p.click("#reset");
      await rows(p, ["rows-1", "rows-2"]);
      await p.click("#more");
      await rows(p, ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5"]);
      // The server restarts: the session is gone, the view mounts afresh (3 rows) at the rejoin.
      await fx.restart();
      await p.waitForFunction(() => document.querySelector("#n")?.textContent === "3", undefined, { timeout: 20_000 });
      await rows(p, ["rows-1", "rows-2", "rows-3"]);
      await p.click("#more");
      await rows(p, ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5", "rows-6"]);
      await p.close();
    });

    it("resumes after a cut link: the rows streamed meanwhile show once", T, async () => {
      const proxy = new TcpProxy(fx.port);
      const base = await proxy.start();
      try {
        const p = await fx.open(transport, `${base}/feed`);
        await p.click("#more");
        await rows(p, ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5", "rows-6"]);
        proxy.cutAll();
        await p.click("#more");
        await p.waitForFunction(() => document.querySelector("#n")?.textContent === "9", undefined, { timeout: 20_000 });
        await rows(p, ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5", "rows-6", "rows-7", "rows-8", "rows-9"]);
        await p.close();
      } finally {
        await proxy.close();
      }
    });
  });
}
