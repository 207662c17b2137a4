/**
 * Components in Chromium, on every transport: two cards with their own
 * counters — clicking one changes only it (the other card's element is
 * untouched and the parent's render does not run), a nested component takes
 * its own clicks, the parent sends a card props with ctx.sendUpdate, a card
 * removed from the template leaves the page and its id is refused after.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { component, defineComponent, defineView, html } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 20_000 };

/** Renders of the parent view, counted to show that a card's click does not run it. */
let parentRenders = 0;

const Star = defineComponent({
  mount: (p: { id: string }) => ({ on: false, id: p.id }),
  events: { toggle: (s) => ({ ...s, on: !s.on }) },
  render: (s) => html`<button class="star" weft-click="toggle">${s.on ? "★" : "☆"}</button>`,
});

const Card = defineComponent({
  mount: (p: { id: string; title: string }) => ({ id: p.id, title: p.title, count: 0 }),
  update: (p, s) => ({ ...s, title: p.title }),
  events: { inc: (s) => ({ ...s, count: s.count + 1 }) },
  render: (s) => html`<div class="card" id=${`card-${s.id}`}><h2>${s.title}</h2><span class="count">${s.count}</span>
    <button class="inc" weft-click="inc">+1</button>${component(Star, { id: `star-${s.id}` })}</div>`,
});

const Board = defineView({
  mount: () => ({ cards: ["a", "b"] }),
  events: {
    rename: (s, _p, ctx) => {
      ctx.sendUpdate(Card, "b", { title: "B (renamed)" });
      return s;
    },
    remove: (s) => ({ cards: s.cards.filter((id) => id !== "a") }),
  },
  render: (s) => {
    parentRenders++;
    return html`<button id="rename" weft-click="rename">rename b</button><button id="remove" weft-click="remove">remove a</button>
      <section id="cards">${s.cards.map((id) => component(Card, { id, title: id.toUpperCase() }))}</section>`;
  },
});

for (const transport of TRANSPORTS) {
  describe(`components in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/board": Board }, secret: "components-e2e-secret-0123456789abcdef" }, wait: WAIT });

    async function open(): Promise<Page> {
      const page = await fx.open(transport, "/board");
      // Marks every element, so that a later check tells a kept element from a new one.
      await page.$$eval("#cards *", (els) => els.forEach((el, i) => ((el as unknown as { mark?: number }).mark = i)));
      return page;
    }

    const text = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent);
    const marked = (page: Page, sel: string) => page.$eval(sel, (el) => (el as unknown as { mark?: number }).mark !== undefined);

    it("changes only the clicked card, without running the parent's render", T, async () => {
      const page = await open();
      const renders = parentRenders;
      await page.click("#card-a .inc");
      await page.waitForFunction(() => document.querySelector("#card-a .count")?.textContent === "1");
      await page.click("#card-a .inc");
      await page.waitForFunction(() => document.querySelector("#card-a .count")?.textContent === "2");
      assert.equal(await text(page, "#card-b .count"), "0");
      assert.equal(parentRenders, renders, "the parent view did not render for a card's event");
      for (const sel of ["#card-b", "#card-b .count", "#card-b h2", "#card-a", "#card-a .inc"]) assert.ok(await marked(page, sel), `${sel} is the same element`);
      assert.equal(await page.getAttribute("#card-a", "weft-component"), "a");
      await page.close();
    });

    it("routes a click in a nested component to it, leaving its card's state alone", T, async () => {
      const page = await open();
      await page.click("#card-b .inc");
      await page.waitForFunction(() => document.querySelector("#card-b .count")?.textContent === "1");
      await page.click("#card-b .star");
      await page.waitForFunction(() => document.querySelector("#card-b .star")?.textContent === "★");
      assert.equal(await text(page, "#card-b .count"), "1");
      assert.equal(await text(page, "#card-a .star"), "☆");
      assert.equal(await page.getAttribute("#card-b .star", "weft-component"), "star-b");
      await page.close();
    });

    it("sends props to a card from the parent with ctx.sendUpdate; the card keeps its count", T, async () => {
      const page = await open();
      await page.click("#card-b .inc");
      await page.waitForFunction(() => document.querySelector("#card-b .count")?.textContent === "1");
      await page.click("#rename");
      await page.waitForFunction(() => document.querySelector("#card-b h2")?.textContent === "B (renamed)");
      assert.equal(await text(page, "#card-b .count"), "1");
      assert.equal(await text(page, "#card-a h2"), "A");
      await page.close();
    });

    it("removes a card dropped from the template; an event for it afterwards is refused with E_UNKNOWN_TARGET", T, async () => {
      const page = await open();
      await page.click("#remove");
      await page.waitForFunction(() => document.querySelector("#card-a") === null);
      assert.ok(await marked(page, "#card-b"), "the remaining card keeps its element");
      const code = await page.evaluate(() => new Promise<string>((resolve) => {
        document.addEventListener("weft:error", (e) => resolve((e as CustomEvent<{ code: string }>).detail.code), { once: true });
        const forged = document.createElement("button");
        forged.setAttribute("weft-click", "inc");
        forged.setAttribute("weft-target", "a");
        document.querySelector("#cards")!.append(forged);
        forged.click();
      }));
      assert.equal(code, "E_UNKNOWN_TARGET");
      await page.click("#card-b .inc");
      await page.waitForFunction(() => document.querySelector("#card-b .count")?.textContent === "1");
      await page.close();
    });
  });
}
