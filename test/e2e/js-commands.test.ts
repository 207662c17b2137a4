/**
 * JS commands in Chromium, on every transport: each command's effect on the
 * page with no event frame sent (counted by page-side wrappers around
 * WebSocket.send and fetch), changes that survive a server patch (sticky),
 * a push that sends exactly one event with the binding's payload, loading
 * class and component target, and hostile lists that run nothing, warn once
 * and leave the page working.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConsoleMessage, Page } from "playwright-core";
import { component, defineComponent, defineView, html, JS, type Payload } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 20_000 };

interface State {
  log: { e: string; p: Payload }[];
  tick: number;
}

const log = (name: string) => (s: State, p: Payload): State => ({ ...s, log: [...s.log, { e: name, p }] });

const Counter = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id, n: 0 }),
  events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
  render: (s) => html`<div id="comp"><button id="comp-inc" weft-click=${JS.push("inc")}>+1</button><b id="comp-n">${s.n}</b></div>`,
});

/** 65 commands: one more than a list may hold. */
const HUGE = JSON.stringify(Array.from({ length: 65 }, () => ["addClass", { names: "huge", to: "#panel" }]));

const HOSTILE: Record<string, string> = {
  "bad-json": '[["show",{"to":"#panel"}',
  "bad-unknown": '[["addClass",{"names":"ran","to":"#panel"}],["explode",{}]]',
  "bad-eval": '[["addClass",{"names":"ran","to":"#panel"}],["eval","alert(1)"]]',
  "bad-pair": '[["addClass",{"names":"ran","to":"#panel"}],[["addClass"],{"names":"x"}]]',
  "bad-args": '[["addClass",{"names":"ran","to":"#panel"}],["hide",null]]',
  "bad-proto": '[["addClass",{"names":"ran","to":"#panel"}],["toString",{}]]',
  "bad-huge": HUGE,
  "bad-items": '[["addClass",{"names":"ran","to":"#panel"}],1]',
};

const Page1 = defineView<State>({
  mount: () => ({ log: [], tick: 0 }),
  events: {
    opened: log("opened"),
    saved: log("saved"),
    typed: log("typed"),
    slow: async (s: State, p: Payload) => {
      await new Promise((r) => setTimeout(r, 400));
      return log("slow")(s, p);
    },
    tick: (s) => ({ ...s, tick: s.tick + 1 }),
  },
  render: (s) => html`
    <button id="open" weft-click=${JS.show("#modal").focusFirst("#modal")}>Open</button>
    <div id="modal" role="dialog" aria-label="Modal" hidden>
      <span>Title</span><button id="first-hidden" hidden>x</button><input id="first" aria-label="first">
      <button id="close" weft-click=${JS.hide("#modal").focus("#open")}>Close</button>
    </div>
    <button id="toggle" weft-click=${JS.toggle({ to: "#tog", display: "flex" })}>Toggle</button><div id="tog">T</div>
    <button id="add" weft-click=${JS.addClass("a b", "#panel")}>add</button>
    <button id="remove" weft-click=${JS.removeClass("x", "#panel")}>remove</button>
    <button id="toggle-class" weft-click=${JS.toggleClass("open", "#panel")}>toggle class</button>
    <button id="set" weft-click=${JS.setAttribute("aria-expanded", "true", "#panel")}>set</button>
    <button id="unset" weft-click=${JS.removeAttribute("title", "#panel")}>unset</button>
    <button id="transition" weft-click=${JS.transition("flash", { to: "#panel", time: 300 })}>transition</button>
    <button id="transition-long" weft-click=${JS.transition("glow", { to: "#panel", time: 60_000 })}>long transition</button>
    <button id="dispatch" weft-click=${JS.dispatch("demo:hi", { to: "#panel", detail: { n: 1 } })}>dispatch</button>
    <button id="focus" weft-click=${JS.focus("#typed")}>focus</button>
    <button id="many" class="m" weft-click=${JS.addClass("all", ".m")}>many 1</button><button class="m">many 2</button>
    <div id="panel" class="x ${s.tick % 2 ? "odd" : "even"} ${s.tick >= 3 ? "flash" : ""}" title="p">tick ${s.tick}</div>
    <button id="push" weft-value-id="7" weft-click=${JS.addClass("pushed", "#panel").push("opened", { value: { from: "js" } })}>push</button>
    <button id="slow" weft-click=${JS.push("slow")}>slow</button>
    <form id="form" weft-submit=${JS.push("saved").hide("#form-note")}><input name="title" value="t" aria-label="title"><button id="save">Save</button></form>
    <p id="form-note">unsaved</p>
    <input id="typed" aria-label="typed" weft-input=${JS.addClass("typing", "#panel")} weft-keydown=${JS.push("typed")} weft-key="Enter">
    <button id="tick" weft-click="tick">tick</button>
    <select id="pick" aria-label="pick" weft-change=${JS.setAttribute("data-picked", "yes", "#panel")}><option>a</option><option>b</option></select>
    <input id="focusable" aria-label="focusable" weft-focus=${JS.addClass("focused", "#panel")} weft-blur=${JS.removeClass("focused", "#panel")}>
    <button id="bad-selector" weft-click=${'[["addClass",{"names":"first","to":"#panel"}],["addClass",{"names":"z","to":"[[["}],["addClass",{"names":"last","to":"#panel"}]]'}>bad selector</button>
    <button id="bad-onclick" weft-click=${'[["setAttribute",{"name":"onclick","value":"window.pwned=1"}]]'}>onclick</button>
    <button id="bad-href" weft-click=${'[["setAttribute",{"name":"href","value":"javas\\tcript:window.pwned=1","to":"#link"}]]'}>href</button><a id="link" href="/x">link</a>
    <button id="bad-data" weft-click=${'[["setAttribute",{"name":"HREF","value":" DATA:text/html,<script>window.pwned=1</script>","to":"#link"}]]'}>data</button>
    <button id="bad-srcdoc" weft-click=${'[["setAttribute",{"name":"srcdoc","value":"<b>x</b>","to":"#link"}]]'}>srcdoc</button>
    <button id="set-text" weft-click=${JS.setAttribute("title", "Transcript: 3", "#link").setAttribute("aria-label", "Export data: CSV", "#link").setAttribute("href", "/notes?as=data:csv", "#link")}>text</button>
    ${Object.entries(HOSTILE).map(([id, v]) => html`<button id=${id} weft-click=${v}>${id}</button>`)}
    ${component(Counter, { id: "c1" })}
    <pre id="log">${JSON.stringify(s.log)}</pre><span id="tick-n">${s.tick}</span>`,
});

/** Counts event frames the page sends, on every transport (installed before the client loads). */
async function countFrames(page: Page): Promise<void> {
  // A string, not a function: the test runner's transform would add helpers the page does not have.
  await page.addInitScript(`
    window.frames_ = 0;
    const count = (body) => { if (typeof body === "string") window.frames_ += body.split('{"t":"e"').length - 1; };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) { count(data); return send.call(this, data); };
    const f = window.fetch;
    window.fetch = (input, init) => { count(init && init.body); return f(input, init); };
  `);
}

for (const transport of TRANSPORTS) {
  describe(`JS commands in Chromium over ${transport}`, { skip }, () => {
    // Development mode (without hot reload): the console warnings are the client's development part's (dev-warnings.ts).
    const fx = e2eApp({ weft: { views: { "/js": Page1 }, secret: "js-commands-e2e-secret-0123456789abcdef", dev: { watch: false } }, wait: WAIT, warmClient: true });

    async function open(): Promise<{ page: Page; warnings: string[] }> {
      const warnings: string[] = [];
      const page = await fx.open(transport, "/js", {
        setup: async (p) => {
          p.on("console", (m: ConsoleMessage) => {
            if (m.type() === "warning") warnings.push(m.text());
          });
          await countFrames(p);
        },
      });
      return { page, warnings };
    }

    const frames = (page: Page) => page.evaluate(() => (window as unknown as { frames_: number }).frames_);
    const classes = (page: Page, sel = "#panel") => page.$eval(sel, (el) => [...el.classList].sort());
    const logOf = (page: Page) => page.$eval("#log", (el) => JSON.parse(el.textContent ?? "[]") as State["log"]);
    /** Sends a real event and waits for its patch: every frame of what came before has gone out by then. */
    async function tick(page: Page): Promise<void> {
      const n = Number(await page.textContent("#tick-n"));
      await page.click("#tick");
      await page.waitForFunction((m) => document.querySelector("#tick-n")?.textContent === String(m), n + 1);
    }

    it("runs each command in the page, sending no event frame", T, async () => {
      const { page } = await open();
      await page.evaluate(() => {
        document.querySelector("#panel")!.addEventListener("demo:hi", (e) => {
          (window as unknown as { hi: unknown }).hi = { detail: (e as CustomEvent).detail, bubbles: e.bubbles };
        });
      });
      await page.click("#open");
      assert.equal(await page.$eval("#modal", (el) => getComputedStyle(el).display), "block");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "first", "focusFirst skips the hidden button and the text");
      await page.click("#close");
      assert.equal(await page.$eval("#modal", (el) => getComputedStyle(el).display), "none");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "open");
      await page.click("#toggle");
      assert.equal(await page.$eval("#tog", (el) => getComputedStyle(el).display), "none");
      await page.click("#toggle");
      assert.equal(await page.$eval("#tog", (el) => getComputedStyle(el).display), "flex");
      await page.click("#add");
      await page.click("#remove");
      await page.click("#toggle-class");
      assert.deepEqual(await classes(page), ["a", "b", "even", "open"]);
      await page.click("#toggle-class");
      assert.deepEqual(await classes(page), ["a", "b", "even"]);
      await page.click("#set");
      await page.click("#unset");
      assert.equal(await page.getAttribute("#panel", "aria-expanded"), "true");
      assert.equal(await page.getAttribute("#panel", "title"), null);
      await page.click("#dispatch");
      assert.deepEqual(await page.evaluate(() => (window as unknown as { hi: unknown }).hi), { detail: { n: 1 }, bubbles: true });
      await page.click("#focus");
      assert.equal(await page.evaluate(() => document.activeElement?.id), "typed");
      await page.click("#many");
      assert.deepEqual(await page.$$eval(".m", (els) => els.map((el) => el.classList.contains("all"))), [true, true]);
      await page.fill("#typed", "abc");
      assert.ok((await classes(page)).includes("typing"), "weft-input runs a list");
      await tick(page);
      assert.equal(await frames(page), 1, "only the tick went to the server");
      await page.close();
    });

    it("runs lists from weft-change, weft-focus and weft-blur", T, async () => {
      const { page } = await open();
      await page.selectOption("#pick", "b");
      assert.equal(await page.getAttribute("#panel", "data-picked"), "yes");
      await page.focus("#focusable");
      assert.ok((await classes(page)).includes("focused"));
      await page.focus("#typed");
      assert.ok(!(await classes(page)).includes("focused"));
      await tick(page);
      assert.equal(await frames(page), 1);
      await page.close();
    });

    it("adds a transition's classes for its time, then removes them and forgets them", T, async () => {
      const { page } = await open();
      await page.click("#transition");
      assert.ok((await classes(page)).includes("flash"));
      await page.waitForFunction(() => !document.querySelector("#panel")!.classList.contains("flash"));
      // Forgotten: from the third tick on the server renders "flash" itself, and no re-apply takes it away.
      for (let i = 0; i < 3; i++) await tick(page);
      assert.deepEqual(await classes(page), ["flash", "odd", "x"]);
      assert.equal(await frames(page), 3);
      await page.close();
    });

    it("keeps a transition's classes through a patch while it lasts", T, async () => {
      const { page } = await open();
      await page.click("#transition-long");
      await tick(page);
      assert.deepEqual(await classes(page), ["glow", "odd", "x"]);
      await page.close();
    });

    it("keeps what commands changed when the server patches the element", T, async () => {
      const { page } = await open();
      await page.click("#open");
      await page.click("#add");
      await page.click("#remove");
      await page.click("#set");
      await page.click("#unset");
      await page.click("#toggle");
      await tick(page);
      // The server renders class="x odd" title="p" now: its change (odd) and the commands' (a b, no x, no title) both stand.
      assert.deepEqual(await classes(page), ["a", "b", "odd"]);
      assert.equal(await page.getAttribute("#panel", "aria-expanded"), "true");
      assert.equal(await page.getAttribute("#panel", "title"), null);
      assert.equal(await page.textContent("#panel"), "tick 1");
      assert.equal(await page.$eval("#modal", (el) => getComputedStyle(el).display), "block");
      assert.equal(await page.$eval("#tog", (el) => getComputedStyle(el).display), "none");
      await tick(page);
      assert.deepEqual(await classes(page), ["a", "b", "even"]);
      await page.close();
    });

    it("sends exactly one event for a push, with the binding's payload and the loading class", T, async () => {
      const { page } = await open();
      await page.click("#push");
      await page.waitForFunction(() => document.querySelector("#log")?.textContent !== "[]");
      assert.deepEqual(await logOf(page), [{ e: "opened", p: { id: "7", from: "js" } }]);
      assert.ok((await classes(page)).includes("pushed"));
      await page.click("#slow");
      assert.equal(await page.$eval("#slow", (el) => el.classList.contains("weft-loading")), true, "loading while the event is in flight");
      await page.waitForFunction(() => document.querySelector("#log")?.textContent?.includes('"slow"'));
      assert.equal(await page.$eval("#slow", (el) => el.classList.contains("weft-loading")), false);
      await tick(page);
      assert.equal(await frames(page), 3);
      assert.equal((await logOf(page)).length, 2);
      await page.close();
    });

    it("sends a submit's form fields and a keydown's key with a push; a push in a component goes to the component", T, async () => {
      const { page } = await open();
      await page.click("#save");
      await page.waitForFunction(() => document.querySelector("#log")?.textContent?.includes("saved"));
      assert.deepEqual(await logOf(page), [{ e: "saved", p: { title: "t" } }]);
      assert.equal(await page.$eval("#form-note", (el) => getComputedStyle(el).display), "none");
      await page.focus("#typed");
      await page.keyboard.press("a");
      await page.keyboard.press("Enter");
      await page.waitForFunction(() => document.querySelector("#log")?.textContent?.includes("typed"));
      assert.deepEqual((await logOf(page))[1], { e: "typed", p: { key: "Enter", value: "a" } });
      await page.click("#comp-inc");
      await page.waitForFunction(() => document.querySelector("#comp-n")?.textContent === "1");
      assert.equal((await logOf(page)).length, 2, "the view's handlers did not run for the component's push");
      assert.equal(await frames(page), 3);
      await page.close();
    });

    it("runs a list from page code with window.Weft.js", T, async () => {
      const { page, warnings } = await open();
      const sent = await page.evaluate(() => {
        const got: unknown[] = [];
        const weft = (window as unknown as { Weft: { js: (el: Element, json: string, push?: (...a: unknown[]) => void) => void } }).Weft;
        weft.js(document.querySelector("#panel")!, '[["addClass",{"names":"by-page"}],["push",{"event":"x","value":{"n":1}}]]', (...a) => got.push(a));
        return got;
      });
      assert.deepEqual(sent, [["x", { n: 1 }, undefined]]);
      assert.ok((await classes(page)).includes("by-page"));
      // Without a push function the list's other commands run and its push does nothing.
      await page.evaluate(() => {
        const weft = (window as unknown as { Weft: { js: (el: Element, json: string) => void } }).Weft;
        weft.js(document.querySelector("#panel")!, '[["push",{"event":"x"}],["addClass",{"names":"no-push"}]]');
      });
      assert.ok((await classes(page)).includes("no-push"));
      await tick(page);
      assert.equal(await frames(page), 1);
      assert.deepEqual(warnings, []);
      await page.close();
    });

    it("runs nothing of a hostile list, warns once per list with E_CLIENT_JS, and keeps working", T, async () => {
      const { page, warnings } = await open();
      await page.evaluate(() => {
        const w = window as unknown as { codes: string[] };
        w.codes = [];
        document.addEventListener("weft:error", (e) => w.codes.push((e as CustomEvent<{ code: string }>).detail.code));
      });
      for (const id of Object.keys(HOSTILE)) {
        await page.click(`#${id}`);
        await page.click(`#${id}`);
      }
      assert.deepEqual(await classes(page), ["even", "x"], "no command of a bad list ran");
      await until(() => warnings.length >= Object.keys(HOSTILE).length, WAIT, `the warnings (${JSON.stringify(warnings)})`);
      await tick(page);
      assert.deepEqual(warnings.map((w) => w.split(" ")[1]), Object.keys(HOSTILE).map(() => "E_CLIENT_JS"), "one warning per distinct list");
      assert.deepEqual(await page.evaluate(() => (window as unknown as { codes: string[] }).codes), Object.keys(HOSTILE).map(() => "E_CLIENT_JS"));
      assert.equal(await frames(page), 1, "no bad list sent anything");
      await page.close();
    });

    it("skips a command whose selector does not parse, refuses script attributes and URLs, and sets text with colons", T, async () => {
      const { page, warnings } = await open();
      await page.click("#bad-selector");
      assert.deepEqual(await classes(page), ["even", "first", "last", "x"], "the other commands ran");
      await page.click("#bad-onclick");
      await page.click("#bad-href");
      await page.click("#bad-data");
      await page.click("#bad-srcdoc");
      assert.equal(await page.getAttribute("#bad-onclick", "onclick"), null);
      assert.equal(await page.getAttribute("#link", "href"), "/x");
      assert.equal(await page.getAttribute("#link", "srcdoc"), null);
      await page.click("#bad-onclick");
      assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
      await until(() => warnings.length >= 5, WAIT, "the warnings");
      // Text that holds "script:" or "data:" is set, outside URL attributes and inside a URL's path or query.
      await page.click("#set-text");
      assert.deepEqual(await page.$eval("#link", (el) => [el.getAttribute("title"), el.getAttribute("aria-label"), el.getAttribute("href")]), ["Transcript: 3", "Export data: CSV", "/notes?as=data:csv"]);
      await tick(page);
      assert.equal(warnings.filter((w) => w.includes("E_CLIENT_JS")).length, 5);
      await page.close();
    });
  });
}
