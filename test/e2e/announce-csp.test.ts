/**
 * The announcer under a strict Content-Security-Policy (`style-src 'self'`, no
 * 'unsafe-inline'), in Chromium, on every transport: the box stays visually
 * hidden (its styles are set through the CSSOM, which the policy allows, not as
 * a style attribute in markup, which it refuses) and the page reports no
 * violation of the policy.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html, type Layout } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const T = { timeout: 40_000 };

const Say = defineView({
  mount: () => ({}),
  events: {
    say: (s, _p, ctx) => {
      ctx.announce("Saved.");
      return s;
    },
  },
  render: () => html`<h1>Say</h1><button id="say" weft-click="say">say</button>`,
});

/** A page under the policy: a <meta> before anything else in <head>. */
const strict: Layout = (p) =>
  `<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="style-src 'self'">` +
  `<meta charset="utf-8"><title>${p.title}</title>${p.script}</head><body><main>${p.body}</main></body></html>`;

/** Records every report of the policy (window.refused) from before the client loads. */
async function recordViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const refused: string[] = [];
    (window as unknown as { refused: string[] }).refused = refused;
    document.addEventListener("securitypolicyviolation", (e) => refused.push(`${e.violatedDirective}: ${e.sample || e.blockedURI}`));
  });
}

describe("the announcer under a strict style-src in Chromium", { skip }, () => {
  const fx = e2eApp({ weft: { views: { "/say": Say }, secret: "announce-csp-e2e-secret-0123456789ab", layout: strict }, wait: 8_000 });

  for (const transport of TRANSPORTS) {
    it(`stays visually hidden and breaks no rule of the policy (${transport})`, T, async () => {
      const page = await fx.open(transport, "/say", { setup: recordViolations });
      await page.click("#say");
      await page.waitForFunction(() => document.querySelector("[role=status]")?.textContent?.trim() === "Saved.");
      const box = await page.evaluate(() => {
        const el = document.querySelector("[role=status]")!.parentElement!;
        const cs = getComputedStyle(el);
        return { position: cs.position, clipPath: cs.clipPath, atBodyEnd: el === document.body.lastElementChild };
      });
      assert.deepEqual(box, { position: "fixed", clipPath: "inset(50%)", atBodyEnd: true }, "the announcer's box is out of the flow and clipped to nothing");
      assert.deepEqual(await page.evaluate(() => (window as unknown as { refused: string[] }).refused), [], "no violation of the policy");
      await page.close();
    });
  }
});
