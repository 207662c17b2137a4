/**
 * A keyed list in Chromium, on every transport: inserting at the front,
 * deleting the first item and moving items show the right list, and an item
 * that moves keeps its DOM element — an input inside it keeps the user's
 * text, its focus and its caret while the server moves it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html, keyed } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 20_000 };

interface Item {
  id: string;
  label: string;
}

interface State {
  items: Item[];
  next: number;
}

/** Moves the item `id` to index `to`. */
function move(s: State, id: string, to: number): State {
  const item = s.items.find((x) => x.id === id);
  if (item === undefined) return s;
  const rest = s.items.filter((x) => x !== item);
  rest.splice(to, 0, item);
  return { ...s, items: rest };
}

/** Items a–d; buttons insert at the front and delete the first; `info.move` (a broadcast to `keyed:ROOM`) moves one. */
const List = defineView({
  mount: (params, ctx): State => {
    ctx.subscribe(`keyed:${params.room ?? ""}`);
    return { items: ["a", "b", "c", "d"].map((id) => ({ id, label: id.toUpperCase() })), next: 0 };
  },
  events: {
    insert: (s: State) => ({ next: s.next + 1, items: [{ id: `n${s.next}`, label: `N${s.next}` }, ...s.items] }),
    deleteFirst: (s: State) => ({ ...s, items: s.items.slice(1) }),
  },
  info: {
    move: (s: State, p: unknown) => {
      const { id, to } = p as { id: string; to: number };
      return move(s, id, to);
    },
  },
  render: (s) => html`<button id="insert" weft-click="insert">insert</button><button id="delete" weft-click="deleteFirst">delete</button>
    <ul id="list">${keyed(s.items, (x) => x.id, (x) => html`<li id=${`item-${x.id}`}><span>${x.label}</span> <input name=${x.id} value=""></li>`)}</ul>`,
});

for (const transport of TRANSPORTS) {
  describe(`a keyed list in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views: { "/list": List }, secret: "keyed-e2e-secret-0123456789abcdef" }, wait: WAIT });
    const open = (room: string): Promise<Page> => fx.open(transport, `/list?room=${room}`);

    /** Waits until the list shows `ids`, in order. */
    async function waitOrder(page: Page, ids: string[]): Promise<void> {
      await page.waitForFunction(
        (want) => Array.from(document.querySelectorAll("#list > li")).map((li) => li.id.slice(5)).join(",") === want,
        ids.join(","),
        { timeout: WAIT },
      );
      const labels = await page.$$eval("#list > li > span", (els) => els.map((e) => e.textContent));
      assert.deepEqual(labels, ids.map((id) => id.toUpperCase()));
    }

    /** Marks each item element, so that a later check tells a kept element from a new one. */
    async function mark(page: Page): Promise<void> {
      await page.$$eval("#list > li", (els) => els.forEach((el) => ((el as unknown as { mark?: string }).mark = el.id)));
    }

    /** The items whose element is still the one marked. */
    async function kept(page: Page): Promise<string[]> {
      return page.$$eval("#list > li", (els) => els.filter((el) => (el as unknown as { mark?: string }).mark === el.id).map((el) => el.id.slice(5)));
    }

    it("inserts at the front and deletes the first item, keeping the other items' elements", T, async () => {
      const page = await open(`${transport}-1`);
      await mark(page);
      await page.click("#insert");
      await waitOrder(page, ["n0", "a", "b", "c", "d"]);
      assert.deepEqual(await kept(page), ["a", "b", "c", "d"]);
      await page.click("#delete");
      await waitOrder(page, ["a", "b", "c", "d"]);
      await page.click("#delete");
      await waitOrder(page, ["b", "c", "d"]);
      assert.deepEqual(await kept(page), ["b", "c", "d"]);
      await page.close();
    });

    it("moves an item with its element: its input keeps the text, the focus and the caret", T, async () => {
      const room = `${transport}-2`;
      const page = await open(room);
      await mark(page);
      await page.fill("input[name=c]", "typed here");
      await page.focus("input[name=c]");
      await page.evaluate(() => (document.querySelector("input[name=c]") as HTMLInputElement).setSelectionRange(2, 5));
      await fx.app.broadcast(`keyed:${room}`, "move", { id: "c", to: 0 });
      await waitOrder(page, ["c", "a", "b", "d"]);
      await fx.app.broadcast(`keyed:${room}`, "move", { id: "a", to: 3 });
      await waitOrder(page, ["c", "b", "d", "a"]);
      assert.deepEqual((await kept(page)).sort(), ["a", "b", "c", "d"]);
      const input = await page.evaluate(() => {
        const el = document.querySelector("input[name=c]") as HTMLInputElement;
        return { value: el.value, focused: document.activeElement === el, caret: [el.selectionStart, el.selectionEnd] };
      });
      assert.deepEqual(input, { value: "typed here", focused: true, caret: [2, 5] });
      await page.close();
    });
  });
}
