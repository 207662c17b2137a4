/**
 * The screen always matches the state, in Chromium on every transport: a
 * handler (or an info handler) that changes its state in place and returns
 * the same object, or nothing, still gets its change rendered.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 20_000 };

interface State {
  n: number;
  items: string[];
}

/** Every handler mutates the state it is given. */
const InPlace = defineView({
  mount: (_p, ctx): State => {
    ctx.subscribe("in-place");
    return { n: 0, items: [] };
  },
  events: {
    same: (s: State) => {
      s.n += 1;
      return s;
    },
    nothing: (s: State) => {
      s.items.push(`item ${s.items.length + 1}`);
    },
  },
  info: {
    bump: (s: State) => {
      s.n += 10;
      return s;
    },
  },
  render: (s) => html`<button id="same" weft-click="same">same</button><button id="nothing" weft-click="nothing">nothing</button>
    <p id="n">${s.n}</p><ul id="items">${s.items.map((x) => html`<li>${x}</li>`)}</ul>`,
});

for (const transport of TRANSPORTS) {
  describe(`state changed in place, in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/in-place": InPlace }, secret: "in-place-e2e-secret-0123456789abcdef" }, wait: WAIT });

    it("renders a handler's in-place change whether it returns the same object or nothing", T, async () => {
      const page = await fx.open(transport, "/in-place");
      await page.click("#same");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1", undefined, { timeout: WAIT });
      await page.click("#nothing");
      await page.click("#nothing");
      await page.waitForFunction(() => document.querySelectorAll("#items > li").length === 2, undefined, { timeout: WAIT });
      assert.deepEqual(await page.$$eval("#items > li", (els) => els.map((e) => e.textContent)), ["item 1", "item 2"]);
      await fx.app.broadcast("in-place", "bump");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "11", undefined, { timeout: WAIT });
      await page.close();
    });
  });
}
