/**
 * Live navigation in Chromium, on every transport: `weft-patch` keeps the
 * view and runs handleParams, `weft-navigate` mounts another view over the
 * same connection (no page load; title, focus, the old view's terminate),
 * back and forward replay both and restore the scroll position, plain links
 * still load pages, and a live navigation the server refuses becomes the page
 * load that shows its answer (404, 403).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, deny, html } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const T = { timeout: 30_000 };
const WAIT = 8_000;

const ended: string[] = [];
const mounted: string[] = [];

/** A paged list, 3000 px tall so that there is something to scroll. */
const Todos = defineView<{ page: string }>({
  mount: () => {
    mounted.push("todos");
    return { page: "" };
  },
  handleParams: (p, _url, s) => ({ ...s, page: p.page ?? "1" }),
  title: "Todos",
  events: {
    next: (s, _p, ctx) => ctx.patch(`/todos?page=${Number(s.page) + 1}`),
    open: (_s, _p, ctx) => ctx.navigate("/todos/9"),
  },
  terminate: (reason, s) => void ended.push(`todos ${s.page} ${reason}`),
  render: (s) => html`
    <p id="page">${s.page}</p>
    <a id="p2" href="/todos?page=2" weft-patch="/todos?page=2">page 2</a>
    <button id="p3" weft-patch="/todos?page=3">page 3</button>
    <a id="open" href="/todos/42" weft-navigate>item 42</a>
    <a id="plain" href="/todos/7">item 7 (plain link)</a>
    <a id="missing" weft-patch="/nope">missing</a>
    <a id="missing-nav" weft-navigate="/nope">missing view</a>
    <a id="secret" weft-navigate="/secret">secret</a>
    <button id="next" weft-click="next">next (server patch)</button>
    <button id="go" weft-click="open">open 9 (server navigate)</button>
    <div style="height:3000px"></div>`,
});

const Todo = defineView<{ id: string }>({
  mount: (p) => ({ id: p.id ?? "" }),
  title: (s) => `Todo ${s.id}`,
  render: (s) => html`<h1 id="todo">${s.id}</h1><a id="list" weft-navigate="/todos">back to the list</a>`,
});

const Secret = defineView({
  mount: () => {
    mounted.push("secret");
    return {};
  },
  auth: () => deny(403, "nobody"),
  render: () => html`<p>secret</p>`,
});

/** Normalises its URL while mounting: a patch at the page's render. */
const Norm = defineView<{ sort: string }>({
  mount: (p, ctx) => {
    if (p.sort === undefined) ctx.patch("/norm?sort=name");
    return { sort: "" };
  },
  handleParams: (p, _url, s) => ({ ...s, sort: p.sort ?? "none" }),
  render: (s) => html`<p id="sort">${s.sort}</p>`,
});

type Win = Window & { marker?: string };

describe("live navigation in Chromium", { skip, timeout: 600_000 }, () => {
  const views = { "/todos": Todos, "/todos/:id": Todo, "/secret": Secret, "/norm": Norm };
  const fx = e2eApp({ weft: { views, secret: "live-nav-e2e-secret-0123456789" }, wait: WAIT, warmClient: true });

  async function open(transport: string, path: string): Promise<Page> {
    const page = await fx.open(transport, path, { context: { viewport: { width: 800, height: 600 } } });
    // Survives live navigation, gone after a page load.
    await page.evaluate(() => ((window as Win).marker = "alive"));
    return page;
  }

  const text = (page: Page, sel: string, want: string) =>
    page.waitForFunction(([s, w]) => document.querySelector(s!)?.textContent === w, [sel, want], { timeout: WAIT });
  const alive = async (page: Page) => (await page.evaluate(() => (window as Win).marker)) === "alive";
  const where = (page: Page) => page.evaluate(() => location.pathname + location.search);

  for (const transport of TRANSPORTS) {
    it(`patches the URL and runs handleParams without a page load over ${transport}`, T, async () => {
      const page = await open(transport, "/todos");
      assert.equal(await page.textContent("#page"), "1", "handleParams ran at the page's mount");
      const length = await page.evaluate(() => history.length);
      await page.click("#p2");
      await text(page, "#page", "2");
      assert.equal(await where(page), "/todos?page=2");
      await page.click("#p3"); // a button works like a link
      await text(page, "#page", "3");
      assert.equal(await where(page), "/todos?page=3");
      await page.click("#next"); // ctx.patch from a handler
      await text(page, "#page", "4");
      assert.equal(await where(page), "/todos?page=4");
      assert.equal(await page.evaluate(() => history.length), length + 3, "one entry per patch");
      assert.ok(await alive(page), "no page load");
      await page.context().close();
    });

    it(`mounts another view on weft-navigate: title, focus, the old view ends with navigate over ${transport}`, T, async () => {
      const page = await open(transport, `/todos?page=5&t=${transport}`);
      ended.length = 0;
      await page.click("#open");
      await text(page, "#todo", "42");
      assert.equal(await where(page), "/todos/42");
      await page.waitForFunction(() => document.title === "Todo 42", undefined, { timeout: WAIT });
      assert.ok(await page.evaluate(() => document.activeElement === document.querySelector("[weft-view]")), "focus is on the new view's root");
      assert.ok(await alive(page), "no page load");
      await until(() => ended.includes("todos 5 navigate"), WAIT, "terminate with reason navigate");
      await page.click("#list"); // and back to the list, live too: the title is a fixed one
      await text(page, "#page", "1");
      await page.waitForFunction(() => document.title === "Todos", undefined, { timeout: WAIT });
      await page.click("#go"); // ctx.navigate from a handler
      await text(page, "#todo", "9");
      assert.ok(await alive(page), "no page load");
      await page.context().close();
    });

    it(`replays patches and navigations on back and forward, restoring the scroll over ${transport}`, T, async () => {
      const page = await open(transport, "/todos");
      await page.click("#p2");
      await text(page, "#page", "2");
      await page.evaluate(() => scrollTo(0, 1500));
      await page.waitForFunction(() => scrollY === 1500);
      await new Promise((r) => setTimeout(r, 250)); // the scroll position is noted after 100 ms of quiet
      // A click from script: Playwright's would scroll the link into view first.
      await page.evaluate(() => (document.querySelector("#open") as HTMLElement).click());
      await text(page, "#todo", "42");
      await page.waitForFunction(() => scrollY === 0, undefined, { timeout: WAIT });
      await page.goBack();
      await text(page, "#page", "2");
      await page.waitForFunction(() => scrollY === 1500, undefined, { timeout: WAIT });
      await page.goBack();
      await text(page, "#page", "1");
      assert.equal(await where(page), "/todos");
      await page.goForward();
      await text(page, "#page", "2");
      await page.goForward();
      await text(page, "#todo", "42");
      assert.equal(await page.title(), "Todo 42");
      assert.ok(await alive(page), "no page load through it all");
      await page.context().close();
    });

    it(`puts the URL a patch at the page's render chose in the address bar over ${transport}`, T, async () => {
      const page = await open(transport, "/norm");
      assert.equal(await page.textContent("#sort"), "name", "rendered for the patched URL");
      await page.waitForFunction(() => location.search === "?sort=name", undefined, { timeout: WAIT });
      assert.equal(await page.evaluate(() => history.length), 2, "about:blank and the page: its entry was replaced, not pushed");
      await page.context().close();
    });

    it(`loads the page for a plain link over ${transport}`, T, async () => {
      const page = await open(transport, "/todos");
      await page.click("#plain");
      await text(page, "#todo", "7");
      await page.waitForSelector("[weft-view].weft-connected");
      assert.equal(await alive(page), false, "a page load");
      await page.context().close();
    });

    it(`loads the page that answers 404 for a live patch or navigation to an unknown path over ${transport}`, T, async () => {
      for (const link of ["#missing", "#missing-nav"]) {
        const page = await open(transport, "/todos");
        const answer = page.waitForResponse((r) => new URL(r.url()).pathname === "/nope");
        await page.click(link);
        assert.equal((await answer).status(), 404, link);
        await page.waitForFunction(() => document.body?.textContent?.includes("E_UNKNOWN_VIEW") === true, undefined, { timeout: WAIT });
        await page.context().close();
      }
    });

    it(`never mounts a view whose auth refuses: the page load answers 403 over ${transport}`, T, async () => {
      const page = await open(transport, "/todos");
      mounted.length = 0;
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === "/secret");
      await page.click("#secret");
      assert.equal((await answer).status(), 403);
      await page.waitForFunction(() => document.body?.textContent?.includes("E_FORBIDDEN") === true, undefined, { timeout: WAIT });
      assert.deepEqual(mounted, [], "the refused view never mounted");
      await page.context().close();
    });
  }
});
