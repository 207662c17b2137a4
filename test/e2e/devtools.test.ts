/**
 * The development overlay and the network simulator (docs/devtools.md) in
 * real Chromium:
 * - an error the page does not handle shows in the overlay's errors section
 *   (code, the event that caused it, a hint) and as a toast that Dismiss and
 *   Escape remove; the panel opens with Alt+Shift+W and is keyboard reachable;
 * - on each transport, 20 clicks with `weft.sim.cut()` after the 7th (50 ms of
 *   latency, so events are in flight) end at exactly 20 on the page and on the
 *   server; and forcing SSE then HTTP mid-clicks from WebSocket too;
 * - with `dev: false` there is no overlay, no development script, none of its
 *   code in /weft/client.js, and `weft.sim` warns and changes nothing;
 * - a frame carrying markup shows in the panel as text and injects nothing;
 *   bad simulator settings throw a RangeError ("weft.sim: …") and change nothing;
 * - screenshots for docs/devtools.md (WEFT_SCREENSHOTS=1 writes them to
 *   docs/img/, otherwise to a temporary folder).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { expectNoAxeViolations as axe } from "../support/axe.ts";
import { browserSkipReason, e2eApp, type E2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";
import type { Layout } from "../../src/index.ts";
import { applied, Broken, Counter, Hostile, MARKUP, ON_PURPOSE } from "./devtools-views.ts";

const skip = browserSkipReason();
const WAIT = 8_000;
const T = { timeout: 40_000 };
const SECRET = "devtools-e2e-secret-0123456789abcdef";
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The simulator's settings, as `weft.sim()` returns them. */
interface SimSettings {
  latencyMs: number;
  jitterMs: number;
  drop: number;
  forced: string | undefined;
}

/** `window.weft` as these tests use it. */
type Sim = ((s?: Partial<Omit<SimSettings, "forced">>) => SimSettings) & { cut(): void; force(name?: string): void };
type Win = Window & {
  weft: { transport: string | undefined; probing: string | undefined; sim: Sim };
  /** What the page saw, in order (recorded by {@link record}). */
  log: Array<{ k: "frame"; dir: string; kind: string; transport: string } | { k: "sim"; cut: boolean } | { k: "transport"; transport: string }>;
  __pwned?: number;
  __control?: number;
};

/** Records every weft:frame, weft:sim and weft:transport of the page in window.log, from before its scripts run. */
async function record(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as Win;
    w.log = [];
    // (No named function in here: the test's compiler would wrap it in a helper the page does not have.)
    document.addEventListener("weft:frame", (e) => {
      const d = (e as CustomEvent<Record<string, unknown>>).detail;
      w.log.push({ k: "frame", dir: String(d.dir), kind: String(d.kind), transport: String(d.transport) });
    });
    document.addEventListener("weft:sim", (e) => w.log.push({ k: "sim", cut: (e as CustomEvent<{ cut?: unknown }>).detail.cut === true }));
    document.addEventListener("weft:transport", (e) => w.log.push({ k: "transport", transport: String((e as CustomEvent<{ transport?: unknown }>).detail.transport) }));
  });
}

/** The text of one section of the overlay's shadow root (null when there is none). */
function section(page: Page, name: string): Promise<string | null> {
  return page.evaluate((n) => document.querySelector("weft-devtools")?.shadowRoot?.querySelector(`[data-section="${n}"]`)?.textContent ?? null, name);
}

const panel = (page: Page) => page.locator('weft-devtools [role="dialog"][aria-label="Weft devtools"]');
const toasts = (page: Page) => page.locator("weft-devtools [data-toast]");

/** The overlay's row of the page's (only) view: column name → text. */
function viewRow(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const table = document.querySelector("weft-devtools")!.shadowRoot!.querySelector('[data-section="views"] table')!;
    const names = [...table.querySelectorAll("th")].map((th) => th.textContent ?? "");
    const rows = table.querySelectorAll("tr:has(td)");
    if (rows.length !== 1) throw new Error(`${rows.length} view rows`);
    return Object.fromEntries([...rows[0]!.querySelectorAll("td")].map((td, i) => [names[i], td.textContent ?? ""]));
  });
}

/** Opens the panel with its shortcut and waits until it shows. */
async function openPanel(page: Page): Promise<void> {
  await page.keyboard.press("Alt+Shift+W");
  await panel(page).waitFor({ state: "visible" });
}

/**
 * Waits until the page shows at least `n` on a connected view with nothing in
 * flight, then asserts that the page and the server counted exactly `n`.
 */
async function settledAt(page: Page, run: string, n: number): Promise<void> {
  try {
    await page.waitForFunction((want) =>
      Number(document.querySelector("#count")?.textContent) >= want
      && document.querySelector(".weft-loading") === null
      && document.querySelector("[weft-view].weft-connected") !== null, n, { timeout: 20_000 });
  } catch (err) {
    const seen = await page.evaluate(() => ({ count: document.querySelector("#count")?.textContent, loading: document.querySelectorAll(".weft-loading").length, connected: document.querySelector("[weft-view].weft-connected") !== null }));
    throw new Error(`the page did not settle at ${n}: ${JSON.stringify(seen)}, the server applied ${applied.get(run)}`, { cause: err });
  }
  assert.equal(await page.textContent("#count"), String(n), "the page's count");
  await until(() => (applied.get(run) ?? 0) >= n, 5_000, `the server to have applied ${n} for ${run}`);
  assert.equal(applied.get(run), n, "the server's count");
}

/**
 * It stays at `n`: a round trip sent after everything was acknowledged (events
 * on a view are applied in order) comes back, and neither the page nor the
 * server counted anything more meanwhile.
 */
async function staysAt(page: Page, run: string, n: number): Promise<void> {
  const pings = Number(await page.textContent("#pings"));
  await page.click("#ping");
  await page.waitForFunction((p) => document.querySelector("#pings")?.textContent === String(p) && document.querySelector(".weft-loading") === null, pings + 1);
  assert.equal(await page.textContent("#count"), String(n), "the page's count");
  assert.equal(applied.get(run), n, "the server's count");
}

/** Where this run's screenshots go: docs/img with WEFT_SCREENSHOTS=1, a fresh temporary folder otherwise. */
const SHOTS = process.env.WEFT_SCREENSHOTS === "1" ? join(ROOT, "docs", "img") : mkdtempSync(join(tmpdir(), "weft-devtools-shots-"));
if (process.env.WEFT_SCREENSHOTS !== "1") after(() => rmSync(SHOTS, { recursive: true, force: true }));

/** Saves a screenshot of the page and checks a PNG was written. */
async function shoot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, name);
  await page.screenshot({ path, fullPage });
  const png = readFileSync(path);
  assert.ok(png.length > 1000 && png.subarray(1, 4).toString() === "PNG", `${path} is a PNG`);
}

/** What reached onError besides the handler that throws on purpose (the suites assert it empty). */
const unexpected: unknown[] = [];
const onError = (err: unknown): void => {
  if (!(err instanceof Error && err.message.includes(ON_PURPOSE)) && !String((err as { cause?: unknown })?.cause ?? "").includes(ON_PURPOSE)) unexpected.push(err);
};
after(() => assert.deepEqual(unexpected, [], "nothing unexpected reached onError"));

const VIEWS = { "/count/:run": Counter, "/broken": Broken, "/hostile": Hostile };

describe("devtools overlay in Chromium (dev mode)", { skip }, () => {
  // Development mode by default (NODE_ENV is not "production"), without hot reload.
  const fx = e2eApp({ weft: { views: VIEWS, secret: SECRET, onError }, wait: WAIT, warmClient: true });

  /** Opens a page on the default start (no forced transport) and waits until it has settled on WebSocket. */
  async function openUnforced(app: E2eApp, path: string): Promise<Page> {
    const page = await (await app.browser.newContext()).newPage();
    page.setDefaultTimeout(WAIT);
    page.on("pageerror", (e) => app.pageErrors.push(String(e)));
    await record(page);
    await page.goto(app.base + path);
    await page.waitForSelector("[weft-view].weft-connected");
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "websocket" && (window as unknown as Win).weft.probing === undefined, undefined, { timeout: 15_000 });
    return page;
  }

  it("is on a dev page: the client's tag has data-dev, client-dev.js comes first, one <weft-devtools> with an open shadow root", T, async () => {
    const page = await fx.open("websocket", "/broken");
    const order = await page.$$eval("script[src]", (s) => s.map((e) => new URL((e as HTMLScriptElement).src).pathname));
    assert.ok(order.indexOf("/weft/client-dev.js") >= 0 && order.indexOf("/weft/client-dev.js") < order.indexOf("/weft/client.js"), `scripts: ${order.join(", ")}`);
    assert.equal(await page.$eval('script[src*="/weft/client.js"]', (s) => s.hasAttribute("data-dev")), true);
    await page.waitForFunction(() => document.querySelectorAll("weft-devtools").length === 1 && document.querySelector("weft-devtools")!.shadowRoot !== null);
    await page.close();
  });

  it("shows an error the page did not handle: the errors section, a toast that Dismiss and Escape remove", T, async () => {
    const page = await fx.open("websocket", "/broken");
    await page.click("#explode");
    const toast = toasts(page);
    await toast.first().waitFor({ state: "visible" });
    assert.equal(await toast.count(), 1, "one toast for one error");
    assert.equal(await toast.getAttribute("role"), "alert");
    assert.match(await toast.textContent() ?? "", /E_HANDLER/);
    // The toast never blocks a click: pointer-events none, except on its button.
    assert.equal(await toast.evaluate((el) => getComputedStyle(el).pointerEvents), "none");
    const dismiss = toast.getByRole("button", { name: "Dismiss" });
    assert.notEqual(await dismiss.evaluate((el) => getComputedStyle(el).pointerEvents), "none");
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
    await dismiss.click();
    await toast.first().waitFor({ state: "hidden" });

    // Another error (an unknown event); Escape removes its toast.
    await page.click("#typo");
    await toast.first().waitFor({ state: "visible" });
    assert.match(await toast.first().textContent() ?? "", /E_UNKNOWN_EVENT/);
    await page.keyboard.press("Escape");
    await toast.first().waitFor({ state: "hidden" });

    // The errors section lists both, a row each: code, the event that caused it, a hint.
    await openPanel(page);
    const rows = await page.evaluate(() => [...document.querySelector("weft-devtools")!.shadowRoot!.querySelectorAll('[data-section="errors"] li')].map((li) => li.textContent ?? ""));
    const handler = rows.filter((r) => r.includes("E_HANDLER"));
    const unknown = rows.filter((r) => r.includes("E_UNKNOWN_EVENT"));
    assert.equal(handler.length, 1, `one E_HANDLER row: ${JSON.stringify(rows)}`);
    assert.equal(unknown.length, 1, `one E_UNKNOWN_EVENT row: ${JSON.stringify(rows)}`);
    // (E_HANDLER's message does not name the event: the row has it from the frame that sent it.)
    assert.match(handler[0]!, /explode/, "the event that caused E_HANDLER");
    assert.match(handler[0]!, /the handler threw/, "E_HANDLER's hint");
    assert.match(unknown[0]!, /nosuch/, "the event that caused E_UNKNOWN_EVENT");
    assert.match(unknown[0]!, /check the weft-\* attribute/, "E_UNKNOWN_EVENT's hint");
    await page.close();
  });

  for (const transport of TRANSPORTS) {
    it(`names the event that caused an error, with its hint, over ${transport}`, T, async () => {
      const page = await fx.open(transport, "/broken");
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
      await page.click("#explode");
      await toasts(page).first().waitFor({ state: "visible" });
      assert.match(await toasts(page).first().textContent() ?? "", /E_HANDLER[^]*explode/);
      await openPanel(page);
      const rows = await page.evaluate(() => [...document.querySelector("weft-devtools")!.shadowRoot!.querySelectorAll('[data-section="errors"] li')].map((li) => li.textContent ?? ""));
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.match(rows[0]!, /E_HANDLER/);
      assert.match(rows[0]!, /explode/);
      assert.match(rows[0]!, /the handler threw/);
      await page.close();
    });
  }

  it("opens with Alt+Shift+W, takes the focus, is reachable by Tab, and Escape closes it", T, async () => {
    const page = await fx.open("websocket", "/broken");
    await page.focus("#inc");
    await panel(page).waitFor({ state: "hidden" });
    await openPanel(page);
    const focusInPanel = () => page.evaluate(() => {
      const host = document.querySelector("weft-devtools")!;
      const active = host.shadowRoot!.activeElement;
      return document.activeElement === host && active !== null && active.closest('[role="dialog"]') !== null ? active.outerHTML.slice(0, 80) : null;
    });
    const first = await focusInPanel();
    assert.notEqual(first, null, "the focus moved into the panel");
    await page.keyboard.press("Tab");
    const second = await focusInPanel();
    assert.notEqual(second, null, "Tab keeps the focus in the panel");
    assert.notEqual(second, first, "Tab moved to another control of the panel");
    // The simulator's controls are labelled, real buttons.
    const sim = page.locator('weft-devtools [data-section="sim"]');
    for (const label of [/latency/i, /jitter/i, /drop/i]) assert.equal(await sim.getByLabel(label).count(), 1, `an input labelled ${label}`);
    for (const name of ["Cut", "WebSocket", "SSE", "HTTP", "Auto"]) assert.equal(await sim.getByRole("button", { name, exact: true }).count(), 1, `a ${name} button`);
    // Its inputs set the simulator; a bad value is refused with the simulator's message and changes nothing.
    await sim.getByLabel(/latency/i).fill("200");
    await sim.getByLabel(/latency/i).press("Tab");
    await page.waitForFunction(() => (window as unknown as Win).weft.sim().latencyMs === 200);
    await sim.getByLabel(/drop/i).fill("3");
    await sim.getByLabel(/drop/i).press("Tab");
    await until(async () => /weft\.sim: /.test((await section(page, "sim")) ?? ""), WAIT, "the refusal shown in the panel");
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).weft.sim()), { latencyMs: 200, jitterMs: 0, drop: 0, forced: undefined });
    await page.evaluate(() => (window as unknown as Win).weft.sim({}));
    await sim.getByLabel(/latency/i).focus();
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.id), "inc", "the focus went back where it was");
    // And it opens again.
    await openPanel(page);
    await page.keyboard.press("Escape");
    await panel(page).waitFor({ state: "hidden" });
    await page.close();
  });

  it("the panel's Cut button cuts the connection; the page rejoins", T, async () => {
    const page = await fx.open("websocket", "/count/panel-cut", { setup: record });
    await openPanel(page);
    await page.locator('weft-devtools [data-section="sim"]').getByRole("button", { name: "Cut", exact: true }).click();
    await page.waitForFunction(() => {
      const log = (window as unknown as Win).log;
      const cut = log.findIndex((e) => e.k === "sim" && e.cut);
      return cut >= 0 && log.slice(cut).some((e) => e.k === "frame" && e.dir === "out" && e.kind === "j");
    });
    await page.waitForSelector("[weft-view].weft-connected");
    await page.click("#inc");
    await settledAt(page, "panel-cut", 1);
    await page.close();
  });

  for (const transport of TRANSPORTS) {
    it(`20 clicks with a cut after the 7th and 50 ms of latency end at exactly 20, over ${transport}`, T, async () => {
      const run = `cut-${transport}`;
      const page = await fx.open(transport, `/count/${run}`, { setup: record });
      const settings = await page.evaluate(() => (window as unknown as Win).weft.sim({ latencyMs: 50 }));
      assert.deepEqual(settings, { latencyMs: 50, jitterMs: 0, drop: 0, forced: undefined });
      let inFlight = false;
      for (let i = 1; i <= 20; i++) {
        if (i !== 7) {
          await page.click("#inc");
          continue;
        }
        // The 7th click and the cut in one task: that event is certainly in flight when the link goes.
        inFlight = await page.evaluate(() => {
          (document.querySelector("#inc") as HTMLButtonElement).click();
          const waiting = document.querySelector("#inc.weft-loading") !== null;
          (window as unknown as Win).weft.sim.cut();
          return waiting;
        });
      }
      assert.ok(inFlight, "an event was waiting for its answer when the cut came");
      await settledAt(page, run, 20);
      // The cut happened: a weft:sim with cut, then the page joined again (with its seq) on the same transport.
      const log = await page.evaluate(() => (window as unknown as Win).log);
      const cut = log.findIndex((e) => e.k === "sim" && e.cut);
      assert.ok(cut >= 0, "a weft:sim event with cut: true");
      assert.ok(log.slice(cut).some((e) => e.k === "frame" && e.dir === "out" && e.kind === "j"), "a join went out after the cut");
      assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), transport);
      // The overlay's counters say the same: 20 events sent (each ref once), 20 acknowledged, none waiting, joined again.
      await openPanel(page);
      const view = await viewRow(page);
      assert.deepEqual({ sent: view.sent, acked: view.acked, unacked: view.unacked }, { sent: "20", acked: "20", unacked: "0" }, JSON.stringify(view));
      assert.ok(Number(view.joins) >= 2, `joined again after the cut: ${JSON.stringify(view)}`);
      await staysAt(page, run, 20);
      await page.close();
    });
  }

  for (const transport of TRANSPORTS) {
    it(`20 clicks while a quarter of the frames cut the connection end at exactly 20, over ${transport}`, T, async () => {
      const run = `drop-${transport}`;
      const page = await fx.open(transport, `/count/${run}`, { setup: record });
      await page.evaluate(() => (window as unknown as Win).weft.sim({ latencyMs: 20, drop: 0.25 }));
      // A click while the link is down waits for the next join answer (the button stays clickable).
      for (let i = 1; i <= 20; i++) await page.click("#inc");
      // Off again, so that the last resends are not cut forever (each join could be dropped too).
      await page.evaluate(() => (window as unknown as Win).weft.sim({}));
      await settledAt(page, run, 20);
      // About 40 frames at 1 in 4: no cut at all would be a 1-in-100,000 run.
      const cuts = await page.evaluate(() => (window as unknown as Win).log.filter((e) => e.k === "sim" && e.cut).length);
      assert.ok(cuts >= 1, "a dropped frame cut the connection");
      await staysAt(page, run, 20);
      await page.close();
    });
  }

  it("20 clicks while forcing SSE, then HTTP, from WebSocket end at exactly 20 on the forced transport", T, async () => {
    const run = "force";
    const page = await openUnforced(fx, `/count/${run}`);
    await page.evaluate(() => (window as unknown as Win).weft.sim({ latencyMs: 50 }));
    const w = (fn: () => unknown) => page.evaluate(fn);
    for (let i = 1; i <= 20; i++) {
      await page.click("#inc");
      if (i === 7) await w(() => (window as unknown as Win).weft.sim.force("sse"));
      if (i === 14) {
        // The page is really on SSE (fell back, then its probe found the one transport not blocked) before HTTP is forced.
        await page.waitForFunction(() => (window as unknown as Win).weft.transport === "sse", undefined, { timeout: 15_000 });
        await w(() => (window as unknown as Win).weft.sim.force("http"));
      }
    }
    await settledAt(page, run, 20);
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "http", undefined, { timeout: 15_000 });
    assert.equal((await page.evaluate(() => (window as unknown as Win).weft.sim())).forced, "http");
    const transports = await page.evaluate(() => (window as unknown as Win).log.filter((e) => e.k === "transport").map((e) => (e as { transport: string }).transport));
    assert.ok(transports.includes("sse"), `was on SSE: ${transports.join(" → ")}`);
    assert.equal(transports.at(-1), "http", `ends on HTTP: ${transports.join(" → ")}`);
    await openPanel(page);
    const view = await viewRow(page);
    assert.deepEqual({ sent: view.sent, acked: view.acked, unacked: view.unacked }, { sent: "20", acked: "20", unacked: "0" }, JSON.stringify(view));
    // The transport section: HTTP in use, and a history that went through WebSocket, SSE and HTTP in that order.
    const history = (await section(page, "transport")) ?? "";
    assert.match(history, /http/i);
    assert.match(history, /websocket[^]*sse[^]*http/i, history);
    await staysAt(page, run, 20);
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "http", "the page stays on the forced transport");
    await page.context().close();
  });

  it("force() with no transport lifts the block: the page's own probe takes it back up to WebSocket", T, async () => {
    const run = "lift";
    const page = await openUnforced(fx, `/count/${run}`);
    await page.evaluate(() => (window as unknown as Win).weft.sim.force("sse"));
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "sse" && (window as unknown as Win).weft.probing === undefined, undefined, { timeout: 15_000 });
    await page.click("#inc");
    await settledAt(page, run, 1);
    const settings = await page.evaluate(() => {
      (window as unknown as Win).weft.sim.force();
      return (window as unknown as Win).weft.sim();
    });
    assert.equal(settings.forced, undefined);
    // The next probe round comes after the client's own delay (10 s after its last switch), not at once.
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "websocket", undefined, { timeout: 30_000, polling: 100 });
    await page.click("#inc");
    await settledAt(page, run, 2);
    await page.context().close();
  });

  it("shows a frame carrying markup as text in the panel; nothing is injected", T, async () => {
    const page = await fx.open("websocket", "/hostile", { setup: record });
    await page.click("#show");
    await page.waitForFunction((m) => document.querySelector("#text")?.textContent === m, MARKUP);
    // An error whose message carries the markup: its toast shows it as text.
    await page.click("#bad");
    await toasts(page).first().waitFor({ state: "visible" });
    assert.ok((await toasts(page).first().textContent())?.includes(MARKUP), `the toast shows the markup as text: ${await toasts(page).first().textContent()}`);
    // weft:* events a script of the page dispatches with markup (and a view that is not a number) in their detail: shown as text, no crash.
    await page.evaluate((m) => {
      document.dispatchEvent(new CustomEvent("weft:error", { detail: { code: m, message: m, ref: m, view: { m } } }));
      document.dispatchEvent(new CustomEvent("weft:transport", { detail: { transport: m, previous: m } }));
    }, MARKUP);
    await openPanel(page);
    const errors = (await section(page, "errors")) ?? "";
    assert.ok(errors.includes(MARKUP), `the errors section shows the markup as text: ${errors}`);
    assert.ok(((await section(page, "transport")) ?? "").includes(MARKUP), "the transport history shows the markup as text");
    // The push (in), the event (out) and the title carry the markup raw in their JSON: the panel shows it as text.
    const rows = () => page.evaluate(() => [...document.querySelector("weft-devtools")!.shadowRoot!.querySelectorAll('[data-section="frames"] [data-dir]')].map((r) => ({ dir: r.getAttribute("data-dir"), text: r.textContent ?? "" })));
    await until(async () => (await rows()).some((r) => r.text.includes('"e":"note"')), WAIT, "the push's row in the panel");
    const push = (await rows()).find((r) => r.dir === "in" && r.text.includes('"e":"note"'));
    const event = (await rows()).find((r) => r.dir === "out" && r.text.includes('"e":"show"'));
    assert.ok(push?.text.includes(MARKUP), `the push's row shows its markup as text: ${push?.text}`);
    assert.ok(event?.text.includes(MARKUP), `the event's row shows its markup as text: ${event?.text}`);
    // An image that fails to load runs its onerror well before a control image does (same URL, inserted after).
    await page.evaluate(() => {
      const img = document.createElement("img");
      img.onerror = () => ((window as unknown as Win).__control = 1);
      img.src = "x";
    });
    await page.waitForFunction(() => (window as unknown as Win).__control === 1);
    assert.equal(await page.evaluate(() => (window as unknown as Win).__pwned), undefined, "the markup ran");
    assert.equal(await page.evaluate(() => document.querySelector("weft-devtools")!.shadowRoot!.querySelectorAll("img").length), 0, "no <img> in the overlay");
    assert.equal(await page.evaluate(() => document.querySelectorAll("img").length), 0, "no <img> in the page");
    await page.close();
  });

  it("keeps the frame rows already drawn while frames keep coming: a row being read stays in place, its selected text stays selected", T, async () => {
    const page = await fx.open("websocket", "/count/busy-panel", { setup: record });
    await openPanel(page);
    const rows = 'weft-devtools [data-section="frames"] [data-dir]';
    await page.locator(rows).first().waitFor();
    // The list scrolled to its top (the user reading an old frame), the first row's text selected.
    await page.evaluate(() => {
      const list = document.querySelector("weft-devtools")!.shadowRoot!.querySelector('[data-section="frames"] ol') as HTMLElement & { __read?: Element };
      list.scrollTop = 0;
      const code = list.firstElementChild!.querySelector("code")!;
      list.__read = list.firstElementChild!;
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection()!.removeAllRanges();
      getSelection()!.addRange(range);
    });
    const selected = await page.evaluate(() => String(getSelection()));
    assert.ok(selected.length > 0, "a frame's text is selected");
    const count = await page.locator(rows).count();
    for (let i = 0; i < 3; i++) await page.click("#ping");
    await page.waitForFunction((n) => document.querySelector("weft-devtools")!.shadowRoot!.querySelectorAll('[data-section="frames"] [data-dir]').length >= n + 6, count);
    const after = await page.evaluate(() => {
      const list = document.querySelector("weft-devtools")!.shadowRoot!.querySelector('[data-section="frames"] ol') as HTMLElement & { __read?: Element };
      return { same: list.firstElementChild === list.__read, connected: list.__read!.isConnected, top: list.scrollTop, selection: String(getSelection()) };
    });
    assert.deepEqual(after, { same: true, connected: true, top: 0, selection: selected }, "the row read and its selection are left alone");
    await page.close();
  });

  it("refuses bad simulator settings with a RangeError (weft.sim: …) and changes nothing", T, async () => {
    const page = await fx.open("websocket", "/count/bad-sim", { setup: record });
    const result = await page.evaluate(() => {
      const sim = (window as unknown as Win).weft.sim;
      const before = sim({ latencyMs: 20, jitterMs: 5, drop: 0 });
      const calls: Array<[string, () => unknown]> = [
        ["latencyMs: -1", () => sim({ latencyMs: -1 })],
        ["drop: 2", () => sim({ drop: 2 })],
        ['force("carrier-pigeon")', () => sim.force("carrier-pigeon")],
        ["latencyMs: 60001", () => sim({ latencyMs: 60_001 })],
        ["jitterMs: NaN", () => sim({ jitterMs: Number.NaN })],
        ["drop: -0.1", () => sim({ drop: -0.1 })],
        ['latencyMs: "50"', () => sim({ latencyMs: "50" as unknown as number })],
      ];
      const thrown = calls.map(([what, call]) => {
        try {
          call();
          return { what, name: "(none)", message: "" };
        } catch (e) {
          return { what, name: (e as Error).constructor.name, message: (e as Error).message };
        }
      });
      return { before, thrown, after: sim(), transport: (window as unknown as Win).weft.transport };
    });
    for (const t of result.thrown) {
      assert.equal(t.name, "RangeError", `${t.what}: ${t.name} ${t.message}`);
      assert.match(t.message, /^weft\.sim: /, t.what);
    }
    assert.deepEqual(result.after, result.before, "the settings did not change");
    assert.deepEqual(result.before, { latencyMs: 20, jitterMs: 5, drop: 0, forced: undefined });
    assert.equal(result.transport, "websocket");
    // No cut happened, and the page works.
    assert.equal(await page.evaluate(() => (window as unknown as Win).log.some((e) => e.k === "sim" && e.cut)), false, "no cut");
    await page.click("#inc");
    await settledAt(page, "bad-sim", 1);
    await page.close();
  });

  it("takes the screenshots of docs/devtools.md: the panel and the toast", T, async () => {
    const context = { viewport: { width: 1100, height: 720 }, deviceScaleFactor: 1 };
    const page = await fx.open("websocket", "/count/shots", { context });
    await page.evaluate(() => (window as unknown as Win).weft.sim({ latencyMs: 120, jitterMs: 30, drop: 0 }));
    for (let i = 1; i <= 4; i++) await page.click("#inc");
    await settledAt(page, "shots", 4);
    await openPanel(page);
    await page.waitForFunction(() => (document.querySelector("weft-devtools")!.shadowRoot!.querySelector('[data-section="frames"]')?.textContent ?? "").length > 0);
    await shoot(page, "devtools-panel.png");
    await page.context().close();

    const broken = await fx.open("websocket", "/broken", { context: { viewport: { width: 760, height: 260 }, deviceScaleFactor: 1 } });
    await broken.click("#explode");
    await toasts(broken).first().waitFor({ state: "visible" });
    await shoot(broken, "devtools-toast.png");
    await broken.context().close();
  });
});

describe("devtools with dev: false", { skip }, () => {
  const fx = e2eApp({ weft: { views: VIEWS, secret: SECRET, dev: false, onError }, wait: WAIT, warmClient: true });

  it("has no overlay, no development script, none of its code in /weft/client.js; weft.sim warns and changes nothing", T, async () => {
    const bundle = await (await fetch(`${fx.base}/weft/client.js`)).text();
    assert.ok(bundle.length > 1000, "the client was served");
    assert.ok(!bundle.includes("weft-devtools"), "the production client carries the overlay's code");

    const page = await (await fx.browser.newContext()).newPage();
    page.setDefaultTimeout(WAIT);
    page.on("pageerror", (e) => fx.pageErrors.push(String(e)));
    const warnings: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "warning") warnings.push(m.text());
    });
    await record(page);
    await page.goto(`${fx.base}/count/prod`);
    await page.waitForSelector("[weft-view].weft-connected");
    await page.waitForFunction(() => (window as unknown as Win).weft.transport === "websocket" && (window as unknown as Win).weft.probing === undefined, undefined, { timeout: 15_000 });
    assert.equal(await page.$("weft-devtools"), null);
    assert.deepEqual(await page.$$eval("script[src]", (s) => s.map((e) => new URL((e as HTMLScriptElement).src).pathname)), ["/weft/client.js"]);
    assert.equal(await page.$eval('script[src*="/weft/client.js"]', (s) => s.hasAttribute("data-dev")), false);

    await page.evaluate(() => {
      const sim = (window as unknown as Win).weft.sim;
      sim({ latencyMs: 500 });
      sim.cut();
      sim.force("http");
    });
    await until(() => warnings.length >= 3, WAIT, "three console warnings");
    assert.deepEqual(warnings, ["weft.sim: dev only", "weft.sim: dev only", "weft.sim: dev only"]);
    // Nothing changed: the page's connections are the browser's own, no cut, still on WebSocket, a click works.
    assert.deepEqual(await page.evaluate(() => [WebSocket, EventSource, fetch].map((f) => Function.prototype.toString.call(f).includes("[native code]"))), [true, true, true]);
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "websocket");
    await page.click("#inc");
    await settledAt(page, "prod", 1);
    assert.equal(await page.evaluate(() => (window as unknown as Win).weft.transport), "websocket");
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).log.filter((e) => e.k !== "transport")), [], "no weft:frame or weft:sim: no development part");
    assert.equal(await page.$("weft-devtools"), null);
    await page.context().close();
  });
});

/** A page under a strict policy: no inline styles (`style-src 'self'`), no inline scripts. */
const strict: Layout = (p) =>
  `<!doctype html><html lang="en"><head><meta http-equiv="Content-Security-Policy" content="style-src 'self'; script-src 'self'">` +
  `<meta charset="utf-8"><title>${p.title}</title>${p.script}</head><body><main>${p.body}</main></body></html>`;

describe("devtools under a strict Content-Security-Policy", { skip }, () => {
  const fx = e2eApp({ weft: { views: VIEWS, secret: SECRET, onError, layout: strict }, wait: WAIT, warmClient: true });

  it("styles the toast and the panel without a violation of the policy", T, async () => {
    const page = await fx.open("websocket", "/broken", {
      setup: (p) => p.addInitScript(() => {
        const refused: string[] = [];
        (window as unknown as { refused: string[] }).refused = refused;
        document.addEventListener("securitypolicyviolation", (e) => refused.push(`${e.violatedDirective}: ${e.sample || e.blockedURI}`));
      }),
    });
    await page.click("#explode");
    await toasts(page).first().waitFor({ state: "visible" });
    assert.equal(await toasts(page).first().evaluate((el) => getComputedStyle(el).pointerEvents), "none", "the toast's own styles apply");
    await openPanel(page);
    assert.equal(await panel(page).evaluate((el) => getComputedStyle(el).position), "fixed", "the panel's own styles apply");
    assert.deepEqual(await page.evaluate(() => (window as unknown as { refused: string[] }).refused), []);
    await page.close();
  });
});

const NETWORK_PAGE = join(ROOT, "examples", "demo", "views", "network.ts");

describe("devtools on the demo's network page", { skip: skip ?? (existsSync(NETWORK_PAGE) ? false : "examples/demo/views/network.ts is not there yet") }, () => {
  const fx = e2eApp({ make: createDemo, weft: { secret: SECRET }, wait: WAIT, warmClient: true });

  it("passes axe-core on the demo's /network page with a devtools toast showing, then with the panel open", T, async () => {
    const page = await fx.open("websocket", "/network");
    await page.evaluate(() => (window as unknown as Win).weft.sim({ latencyMs: 10, jitterMs: 0, drop: 0 }));
    await page.click("#net-inc");
    await page.waitForFunction(() => document.querySelector("#net-count")?.textContent?.trim() === "1" && document.querySelector(".weft-loading") === null);
    // An event the view does not have (a button added by a script): E_UNKNOWN_EVENT, which the page does not handle.
    await page.evaluate(() => {
      const forged = document.createElement("button");
      forged.setAttribute("weft-click", "nosuch");
      forged.textContent = "forged";
      document.querySelector("[weft-view]")!.append(forged);
      forged.click();
      forged.remove();
    });
    await toasts(page).first().waitFor({ state: "visible" });
    await axe(page, "/network with a devtools toast");
    await openPanel(page);
    await axe(page, "/network with the devtools panel open");
    await page.context().close();
  });

  it("takes the screenshot of the demo's /network page (after clicks, a cut and more clicks)", T, async () => {
    const page = await fx.open("websocket", "/network", { context: { viewport: { width: 1100, height: 800 }, deviceScaleFactor: 1 } });
    for (let i = 0; i < 5; i++) await page.click("#net-inc");
    await page.click("#net-cut");
    for (let i = 0; i < 3; i++) await page.click("#net-inc");
    await page.waitForFunction(() => document.querySelector("#net-server")?.textContent === "8" && document.querySelector(".weft-loading") === null, undefined, { timeout: 15_000 });
    await shoot(page, "devtools-network.png", true);
    await page.context().close();
  });
});
