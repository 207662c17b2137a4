/**
 * htmx out-of-band fragments (src/server/htmx/fragments.ts) applied by the
 * real libraries in Chromium: for random pages and random changes, the change
 * message turns the old page into the new one, as htmx 2's ws extension
 * applies it (oobSwap of each top-level element), as htmx 2's `swap` applies
 * it (the sse extension's path), and as htmx 4's hx-ws applies it
 * (`htmx.swap` with `swapEmpty:false`); and the full message rebuilds a page
 * whose top level is unchanged. Whitespace-only text is left out of the
 * comparison (see changeMessage), and so are the htmx-added / htmx-settling
 * classes htmx puts on swapped elements.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { Browser, Page } from "playwright-core";
import { changeMessage, fullMessage, parseFragments } from "../../src/server/htmx/fragments.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";
import { changeTable, type El, mutate, numbered, op, render, renderTable, tableOp, tablePage, topLevel } from "../support/oob-pages.ts";

const skip = browserSkipReason();
const T = { timeout: 180_000 };

/** In the page: `window.apply(before, msg, how)` shows `before`, applies `msg`, and returns the page normalized; `window.shown(html)` the same for `html`. */
const HARNESS = String.raw`
(() => {
  const norm = (n) => {
    let out = "", text = "";
    const flush = () => { if (!/^[ \t\n\f\r]*$/.test(text)) out += JSON.stringify(text); text = ""; };
    for (const k of (n.content ?? n).childNodes) {
      if (k.nodeType === 3) { text += k.data; continue; }
      if (k.nodeType !== 1) continue;
      flush();
      const attrs = [];
      for (const a of k.attributes) {
        const v = a.name === "class" ? a.value.replace(/\s*htmx-(added|settling|swapping)/g, "") : a.value;
        if (!(a.name === "class" && v === "")) attrs.push(a.name + "=" + JSON.stringify(v));
      }
      out += "<" + k.localName + (k.namespaceURI === "http://www.w3.org/1999/xhtml" ? "" : "@" + k.namespaceURI) + " " + attrs.join(" ") + ">" + norm(k) + "</" + k.localName + ">";
    }
    flush();
    return out;
  };
  const sock = document.getElementById("sock"), page = document.getElementById("page");
  window.shown = (html) => { page.innerHTML = html; return norm(page); };
  window.apply = async (before, msg, how) => {
    page.innerHTML = before;
    sock.innerHTML = "";
    if (how === "htmx2-ws") {
      const api = window.grabbed, settle = api.makeSettleInfo(sock);
      for (const c of Array.from(api.makeFragment(msg).children)) api.oobSwap(api.getAttributeValue(c, "hx-swap-oob") || "true", c, settle);
      api.settleImmediately(settle.tasks);
    } else if (how === "htmx2-swap") {
      htmx.swap(sock, msg, { swapStyle: "none" });
    } else {
      await htmx.swap({ sourceElement: sock, target: sock, swap: "innerHTML swapEmpty:false", text: msg, transition: false });
    }
    if (sock.childNodes.length > 0) return "the socket element was swapped into";
    return norm(page);
  };
})();
`;

type How = "htmx2-ws" | "htmx2-swap" | "htmx4";

describe("htmx OOB fragments in Chromium", { skip }, () => {
  let browser: Browser;
  const pages = new Map<How, Page>();

  before(async () => {
    browser = await launchBrowser();
    for (const [how, lib] of [["htmx2-ws", "htmx.org/dist/htmx.min.js"], ["htmx2-swap", "htmx.org/dist/htmx.min.js"], ["htmx4", "htmx4/dist/htmx.min.js"]] as const) {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><body><div id="sock"></div><div id="page"></div></body>');
      await page.addScriptTag({ path: `node_modules/${lib}` });
      // htmx 2's ws extension swaps with the internal api an extension is given: take it the same way.
      if (how === "htmx2-ws") await page.addScriptTag({ content: 'htmx.defineExtension("grab", { init(api) { window.grabbed = api; } });' });
      await page.addScriptTag({ content: HARNESS });
      pages.set(how, page);
    }
  });
  after(() => browser?.close());

  /** Applies `msg` to `from` with each library; each must show what `to` shows. */
  async function expectApplied(from: string, to: string, msg: string): Promise<void> {
    for (const [how, page] of pages) {
      const want = await page.evaluate((h) => (window as unknown as { shown(h: string): string }).shown(h), to);
      const got = await page.evaluate(([b, m, h]) => (window as unknown as { apply(b: string, m: string, h: string): Promise<string> }).apply(b, m, h), [from, msg, how] as const);
      assert.equal(got, want, `${how}\nbefore ${from}\nafter  ${to}\nmsg    ${msg}`);
    }
  }

  it("applies change and full messages for random pages", T, async () => {
    let sendable = 0;
    await fc.assert(
      fc.asyncProperty(topLevel, fc.array(op, { minLength: 1, maxLength: 4 }), async (kids, ops) => {
        const root: El = { tag: "#root", id: undefined, cls: undefined, kids: numbered(structuredClone(kids)) };
        const from = render(root.kids);
        let n = 0;
        for (const o of ops) mutate(root, o, () => `n${n++}`);
        const to = render(root.kids);
        const a = parseFragments(from);
        const b = parseFragments(to);
        const { html, outside } = changeMessage(a, b);
        if (!outside) {
          sendable++;
          await expectApplied(from, to, html);
        }
        if (a.parts.join("\u0000") === b.parts.join("\u0000") && a.top.map((f) => f.id).join() === b.top.map((f) => f.id).join()) {
          await expectApplied(from, to, fullMessage(b));
        }
      }),
      { numRuns: 150 },
    );
    assert.ok(sendable > 75, `most changes are sendable (${sendable})`);
  });

  it("applies change messages for tables (rows, cells, sections) and svg", T, async () => {
    let sendable = 0;
    await fc.assert(
      fc.asyncProperty(tablePage, fc.array(tableOp, { minLength: 1, maxLength: 3 }), async (t0, ops) => {
        const t = structuredClone(t0);
        const from = renderTable(t);
        for (const o of ops) changeTable(t, o);
        const to = renderTable(t);
        const { html, outside } = changeMessage(parseFragments(from), parseFragments(to));
        if (outside) return;
        sendable++;
        await expectApplied(from, to, html);
      }),
      { numRuns: 150 },
    );
    assert.ok(sendable > 75, `most changes are sendable (${sendable})`);
  });
});
