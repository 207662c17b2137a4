/**
 * A layout that dresses the view's title (`${p.title} · Acme`) keeps its
 * dress when the title follows the state and after a live navigation, in
 * Chromium on every transport.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultLayout, defineView, html } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 20_000 };

const Inbox = defineView({
  mount: () => ({ n: 0 }),
  title: (s) => `Inbox (${s.n})`,
  events: { inc: (s: { n: number }) => ({ n: s.n + 1 }) },
  render: (s) => html`<button id="inc" weft-click="inc">+</button><p id="n">${s.n}</p><a id="go" href="/settings" weft-navigate="/settings">settings</a>`,
});

const Settings = defineView({
  mount: () => ({}),
  title: "Settings",
  render: () => html`<h1 id="settings">Settings</h1>`,
});

for (const transport of TRANSPORTS) {
  describe(`a layout's title dress in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({
      weft: { views: { "/inbox": Inbox, "/settings": Settings }, secret: "title-dress-e2e-secret-0123456789abcdef", layout: (p) => defaultLayout({ ...p, title: `${p.title} · Acme` }) },
      wait: WAIT,
    });

    it("keeps the layout's dress as the title follows the state and across a live navigation", T, async () => {
      const page = await fx.open(transport, "/inbox");
      assert.equal(await page.title(), "Inbox (0) · Acme");
      await page.click("#inc");
      await page.waitForFunction(() => document.title === "Inbox (1) · Acme", undefined, { timeout: WAIT });
      await page.click("#go");
      await page.waitForSelector("#settings");
      await page.waitForFunction(() => document.title === "Settings · Acme", undefined, { timeout: WAIT });
      await page.close();
    });
  });
}
