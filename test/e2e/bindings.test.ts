/**
 * The `weft-*` browser bindings in real Chromium: what each attribute sends
 * (checked by what the server rendered back), debounce and throttle, loading
 * state, pushed events, errors, `weft-ignore`, debug logging and navigation.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import type { WeftApp } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";
import { startBindingsApp, type Entry } from "./bindings-views.ts";

const skip = browserSkipReason();

/** Bound for every single test (node:test fails it beyond this). */
const T = { timeout: 10_000 };
/** Bound for each wait inside a test. */
const WAIT = 5_000;

/** `window` with the test's own markers. */
type Win = Window & Record<string, unknown>;

// The whole suite runs once per transport (forced with window.WEFT_TRANSPORT).
for (const transport of TRANSPORTS) {
describe(`weft-* bindings in Chromium over ${transport}`, { skip }, () => {
  let app: WeftApp;
  let base: string;
  let serverErrors: unknown[];
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    ({ app, base, errors: serverErrors } = await startBindingsApp());
    // Wait for the client bundle once, so that no test pays for its build.
    const res = await fetch(`${base}/weft/client.js`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the page");
  });

  async function open(path: string, page?: Page): Promise<Page> {
    const p = page ?? (await browser.newPage());
    p.setDefaultTimeout(WAIT);
    p.on("pageerror", (e) => pageErrors.push(String(e)));
    await forceTransport(p, transport);
    await p.goto(base + path);
    await p.waitForSelector("[weft-view].weft-connected");
    return p;
  }

  /** The events the server recorded, as it rendered them. */
  async function log(page: Page): Promise<Entry[]> {
    return JSON.parse((await page.textContent("#log")) ?? "[]") as Entry[];
  }

  /** Waits until the server has recorded `n` events. */
  async function waitCount(page: Page, n: number): Promise<void> {
    await page.waitForFunction((want) => document.querySelector("#count")?.textContent === String(want), n, { timeout: WAIT });
  }

  async function waitText(page: Page, selector: string, text: string): Promise<void> {
    await page.waitForFunction(([sel, want]) => document.querySelector(sel!)?.textContent === want, [selector, text], { timeout: WAIT });
  }

  it("sends the weft-value-* values with a weft-click", T, async () => {
    const page = await open("/click");
    await page.click("#btn");
    await waitCount(page, 1);
    assert.deepEqual(await log(page), [{ e: "clicked", p: { id: "42", kind: "primary" } }]);
    await page.close();
  });

  it("sends the form's fields with a weft-submit and stays on the page", T, async () => {
    const page = await open("/form");
    let navigations = 0;
    page.on("framenavigated", (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.evaluate(() => ((window as unknown as Win)["marker"] = "alive"));
    await page.fill("input[name=title]", "Hello <world>");
    await page.check("input[name=agree]");
    await page.selectOption("select[name=color]", "blue");
    await page.check("input[name=tags][value=a]");
    await page.check("input[name=tags][value=c]");
    await page.click("#submit");
    await waitCount(page, 1);
    assert.deepEqual(await log(page), [
      { e: "save", p: { title: "Hello <world>", agree: "yes", color: "blue", tags: ["a", "c"] } },
    ]);
    assert.equal(await page.evaluate(() => (window as unknown as Win)["marker"]), "alive", "no page load");
    assert.equal(new URL(page.url()).search, "", "no GET submission");
    assert.equal(navigations, 0);
    await page.close();
  });

  /** Picks the next option of the size select as a user does: focus it, press ArrowDown. */
  async function pickNextSize(page: Page): Promise<void> {
    await page.focus("select[name=size]");
    await page.keyboard.press("ArrowDown");
  }

  it("sends the form's fields and _target with a weft-change on a select and a checkbox", T, async () => {
    const page = await open("/change");
    await pickNextSize(page);
    await waitCount(page, 1);
    assert.deepEqual((await log(page))[0], { e: "changed", p: { note: "hi", size: "m", _target: "size" } });
    await page.check("input[name=gift]");
    await waitCount(page, 2);
    assert.deepEqual((await log(page))[1], { e: "changed", p: { note: "hi", size: "m", gift: "yes", _target: "gift" } });
    await page.close();
  });

  it("keeps the option the user chose in a select when another field's event re-renders the view", T, async () => {
    const page = await open("/change");
    await pickNextSize(page);
    await waitCount(page, 1);
    assert.equal(await page.inputValue("select[name=size]"), "m", "kept while the select has focus");
    // Focus moves to the checkbox; the answer to its change re-renders the (now blurred) select.
    await page.check("input[name=gift]");
    await waitCount(page, 2);
    assert.equal(await page.inputValue("select[name=size]"), "m", "the select still shows the user's choice");
    await page.uncheck("input[name=gift]");
    await waitCount(page, 3);
    assert.deepEqual((await log(page))[2], { e: "changed", p: { note: "hi", size: "m", _target: "gift" } });
    await page.close();
  });

  it("sends one event with the final value after a weft-debounce pause", T, async () => {
    const page = await open("/debounce");
    await page.click("#q");
    // The debounce is 1 s, far above the 20 ms between keys, so a loaded machine's pauses do not end it early.
    await page.keyboard.type("hello", { delay: 20 });
    assert.equal(await page.textContent("#count"), "0", "nothing is sent while typing");
    await waitCount(page, 1);
    // Events run in order: any event sent before the final value would be logged before it.
    assert.deepEqual(await log(page), [{ e: "typed", p: { name: "q", value: "hello" } }]);
    await page.close();
  });

  it("sends a weft-debounce=\"blur\" input only on blur", T, async () => {
    const page = await open("/debounce");
    await page.click("#b");
    await page.keyboard.type("abc");
    // Proving that nothing is sent needs a pause (400 ms; no timer of the client sends a blur-debounced input).
    await page.waitForTimeout(400);
    assert.equal(await page.textContent("#count"), "0", "nothing sent before the blur");
    await page.click("#other");
    await waitCount(page, 1);
    assert.deepEqual(await log(page), [{ e: "blurred", p: { name: "b", value: "abc" } }]);
    await page.close();
  });

  it("sends at most one weft-throttle event per interval and delivers the last click", T, async () => {
    const page = await open("/throttle");
    // Each click numbers the button before the bindings read it (capture phase runs first).
    await page.evaluate(() => {
      let clicks = 0;
      window.addEventListener("click", (e) => {
        const el = e.target as Element;
        if (el.id === "thr") el.setAttribute("weft-value-n", String(++clicks));
        (window as unknown as Win)["clicks"] = clicks;
      }, true);
    });
    const box = await page.locator("#thr").boundingBox();
    assert.ok(box);
    const started = Date.now();
    for (let i = 0; i < 10; i++) await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const elapsed = Date.now() - started;
    assert.equal(await page.evaluate(() => (window as unknown as Win)["clicks"]), 10);
    await page.waitForFunction(() => {
      const entries = JSON.parse(document.querySelector("#log")?.textContent ?? "[]") as { p: { n?: string } }[];
      return entries.at(-1)?.p.n === "10";
    }, undefined, { timeout: WAIT });
    const entries = await log(page);
    // The trailing event (n=10) is the last one sent: the log is complete here.
    const windows = Math.ceil(elapsed / 300) + 1;
    assert.ok(entries.length >= 1 && entries.length <= windows && entries.length < 10,
      `${entries.length} events for 10 clicks in ${elapsed} ms (at most ${windows})`);
    assert.equal(entries[0]?.p["n"], "1", "the first click is sent at once");
    await page.close();
  });

  it("sends weft-keydown only for the weft-key, with key and value", T, async () => {
    const page = await open("/keys");
    await page.click("#k");
    await page.keyboard.type("ab");
    await page.keyboard.press("Enter");
    await waitCount(page, 1);
    // The "a" and "b" keydowns would have been sent (and logged) before Enter's.
    assert.deepEqual(await log(page), [{ e: "key", p: { key: "Enter", value: "ab" } }]);
    await page.close();
  });

  it("sends weft-focus and weft-blur with the value", T, async () => {
    const page = await open("/focus");
    await page.click("#f");
    await waitCount(page, 1);
    await page.click("#other");
    await waitCount(page, 2);
    assert.deepEqual(await log(page), [
      { e: "focused", p: { value: "x" } },
      { e: "blurred", p: { value: "x" } },
    ]);
    await page.close();
  });

  it("shows weft-loading and weft-disable-with while a slow handler runs, then the server's text", T, async () => {
    const page = await open("/slow");
    const state = () => page.evaluate(() => {
      const b = document.querySelector<HTMLButtonElement>("#save")!;
      return { loading: b.classList.contains("weft-loading"), text: b.textContent, disabled: b.disabled, n: document.querySelector("#n")?.textContent };
    });
    assert.deepEqual(await state(), { loading: false, text: "Save 0", disabled: false, n: "0" });
    await page.click("#save");
    // The handler takes 400 ms: the answer cannot be here yet.
    assert.deepEqual(await state(), { loading: true, text: "Saving…", disabled: true, n: "0" });
    await waitText(page, "#n", "1");
    assert.deepEqual(await state(), { loading: false, text: "Save 1", disabled: false, n: "1" });
    await page.close();
  });

  it("dispatches ctx.pushEvent as a weft:NAME event on the view root", T, async () => {
    const page = await open("/push");
    await page.evaluate(() => {
      const root = document.querySelector("[weft-view]")!;
      root.addEventListener("weft:saved", (e) => {
        (window as unknown as Win)["saved"] = { detail: (e as CustomEvent).detail, onRoot: e.target === root };
      });
    });
    await page.click("#push");
    await page.waitForFunction(() => (window as unknown as Win)["saved"] !== undefined, undefined, { timeout: WAIT });
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win)["saved"]), {
      detail: { id: 7, title: "Draft", tags: ["a", "b"] },
      onRoot: true,
    });
    await page.close();
  });

  /** Records every weft:error (code, whether it was dispatched on the view root) in window.errors. */
  async function recordErrors(page: Page): Promise<void> {
    await page.evaluate(() => {
      const w = window as unknown as Win;
      const root = document.querySelector("[weft-view]");
      const errors: { code: string; onRoot: boolean }[] = [];
      w["errors"] = errors;
      document.addEventListener("weft:error", (e) => {
        errors.push({ code: (e as CustomEvent<{ code: string }>).detail.code, onRoot: e.target === root });
      });
    });
  }

  it("dispatches weft:error E_HANDLER for a throwing handler and keeps working", T, async () => {
    const page = await open("/errors");
    await recordErrors(page);
    await page.click("#boom");
    await page.waitForFunction(() => ((window as unknown as Win)["errors"] as unknown[]).length > 0, undefined, { timeout: WAIT });
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win)["errors"]), [{ code: "E_HANDLER", onRoot: true }]);
    await page.waitForFunction(() => !document.querySelector("#boom")?.classList.contains("weft-loading"), undefined, { timeout: WAIT });
    await page.click("#inc");
    await waitText(page, "#n", "1");
    assert.ok(serverErrors.some((e) => e instanceof Error && e.message === "handler exploded on purpose"), "onError saw the throw");
    await page.close();
  });

  it("dispatches weft:error E_UNKNOWN_EVENT for an event the view does not handle", T, async () => {
    const page = await open("/errors");
    await recordErrors(page);
    await page.click("#nope");
    await page.waitForFunction(() => ((window as unknown as Win)["errors"] as unknown[]).length > 0, undefined, { timeout: WAIT });
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win)["errors"]), [{ code: "E_UNKNOWN_EVENT", onRoot: true }]);
    await page.click("#inc");
    await waitText(page, "#n", "1");
    await page.close();
  });

  it("keeps the children page script put in a weft-ignore element across re-renders", T, async () => {
    const page = await open("/ignore");
    await page.evaluate(() => {
      document.querySelector("#widget")!.innerHTML = '<em id="mine">client</em>';
    });
    await page.click("#inc");
    await waitText(page, "#n", "1");
    await page.click("#inc");
    await waitText(page, "#n", "2");
    // The server's version of the ignored children changed ("server 2"); the client's stays.
    assert.equal(await page.innerHTML("#widget"), '<em id="mine">client</em>');
    await page.close();
  });

  it("logs every message with console.debug when window.weftDebug is true, and only then", T, async () => {
    const pages: Record<"on" | "off", ConsoleMessage[]> = { on: [], off: [] };
    for (const mode of ["on", "off"] as const) {
      const page = await browser.newPage();
      if (mode === "on") await page.addInitScript(() => ((window as unknown as Win)["weftDebug"] = true));
      page.on("console", (m) => {
        if (m.type() === "debug" && m.text().startsWith("weft ")) pages[mode].push(m);
      });
      await open("/counter", page);
      await page.click("#inc");
      await waitText(page, "#n", "1");
      if (mode === "on") {
        const sent = await Promise.all(pages.on.filter((m) => m.text().startsWith("weft out")).map((m) => m.args()[2]?.jsonValue()));
        const got = await Promise.all(pages.on.filter((m) => m.text().startsWith("weft in")).map((m) => m.args()[2]?.jsonValue()));
        const inc = sent.find((m) => m?.t === "e" && m?.e === "inc");
        assert.ok(sent.some((m) => m?.t === "j"), "the join is logged");
        assert.ok(inc, `the event is logged; got ${JSON.stringify(sent)}`);
        assert.ok(got.some((m) => typeof m?.k === "string"), "the join answer is logged");
        assert.ok(got.some((m) => m?.r === inc.r && m?.d !== undefined), "the diff answering the event is logged");
      }
      await page.close();
    }
    assert.equal(pages.off.length, 0, "nothing is logged without weftDebug");
  });

  it("keeps the state of each tab's view separate", T, async () => {
    const context = await browser.newContext();
    const a = await open("/counter", await context.newPage());
    const b = await open("/counter", await context.newPage());
    // A tab in the background gets no animation frames, which Playwright's click waits for.
    await a.bringToFront();
    await a.click("#inc");
    await a.click("#inc");
    await waitText(a, "#n", "2");
    assert.equal(await b.textContent("#n"), "0");
    await b.bringToFront();
    await b.click("#inc");
    await waitText(b, "#n", "1");
    await a.bringToFront();
    await a.click("#inc");
    await waitText(a, "#n", "3");
    assert.equal(await b.textContent("#n"), "1");
    await context.close();
  });

  it("changes the URL without a reload on ctx.navigate with kind patch", T, async () => {
    const page = await open("/navigate");
    const before = await page.evaluate(() => {
      (window as unknown as Win)["marker"] = "alive";
      return history.length;
    });
    await page.click("#go");
    await page.waitForFunction(() => location.search === "?page=other", undefined, { timeout: WAIT });
    await waitText(page, "#n", "100");
    assert.equal(await page.evaluate(() => (window as unknown as Win)["marker"]), "alive", "the page was not reloaded");
    assert.equal(await page.evaluate(() => history.length), before + 1, "a history entry was pushed");
    await page.click("#inc");
    await waitText(page, "#n", "101");
    await page.close();
  });
});
}
