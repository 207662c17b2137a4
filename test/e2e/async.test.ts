/**
 * Background work, handler time limits and the bounded queue in Chromium, on
 * every transport. The test process is the server, so it drives the task by
 * hand: it reports progress and finishes when the test says, and the page
 * must show each step — a click answered while the task runs, a cancel shown
 * at once (and a task that ignores its signal leaving no trace), E_TIMEOUT
 * for a handler past its time limit (weft:error, a hook's pushEvent
 * rejected, the view still working), E_BUSY for the events over
 * `maxQueuedPerSession` and for those only. Then the demo's "run report" page.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { defineView, html, type AsyncReports, type AsyncTask } from "../../src/index.ts";
import { HandlerTimeout } from "../../src/server/async/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 5_000;
const T = { timeout: 30_000 };

/** The job the page started: the test reports its progress and finishes it. */
let job: { task: AsyncTask; finish: (v: unknown) => void } | undefined;
/** Lets the blocked `wait` handler finish. */
let release: (() => void) | undefined;

type State = { count: number; async?: AsyncReports };

const Jobs = defineView<State>({
  mount: () => ({ count: 0 }),
  events: {
    start: (_s, _p, ctx) => {
      job = undefined;
      ctx.startAsync("job", (task) => new Promise((finish) => (job = { task, finish })));
    },
    cancel: (_s, _p, ctx) => {
      ctx.cancelAsync("job");
    },
    inc: (s) => ({ ...s, count: s.count + 1 }),
    // Never settles: its time limit answers for it.
    hang: { run: () => new Promise<void>(() => {}), timeoutMs: 300 },
    // Holds the queue until the test releases it.
    wait: () => new Promise<void>((r) => (release = r)),
  },
  render: (s) => {
    const r = s.async?.job;
    return html`<p id="status">${r?.status ?? "idle"}</p><p id="progress">${JSON.stringify(r?.progress ?? null)}</p><p id="result">${JSON.stringify(r?.result ?? null)}</p>
      <button id="start" weft-click="start">start</button><button id="cancel" weft-click="cancel">cancel</button>
      <button id="inc" weft-click="inc">inc</button><output id="count">${s.count}</output>
      <button id="hang" weft-click="hang">hang</button><button id="wait" weft-click="wait">wait</button>
      <div id="hook" weft-hook="Pusher"></div>`;
  },
});

/** What reached onError other than the expected handler timeouts. */
const unexpected: unknown[] = [];

/** Records weft:error events and registers the hook (before the client loads). Plain JS: the page has no tsx helpers. */
const PAGE_SETUP = `
  window.errs = [];
  document.addEventListener("weft:error", (e) => window.errs.push({ code: e.detail.code, ref: e.detail.ref }));
  window.Weft = { hooks: { Pusher: { mounted() { window.pusher = this; } } } };
`;

type Win = { errs: { code: string; ref?: number }[]; pusher: { pushEvent(name: string): Promise<unknown> } };

const text = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent ?? "");
const errs = (page: Page) => page.evaluate(() => (window as unknown as Win).errs);
const waitText = (page: Page, sel: string, want: string) =>
  page.waitForFunction(([s, w]) => document.querySelector(s!)?.textContent === w, [sel, want] as const);

for (const transport of TRANSPORTS) {
  describe(`background work in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({
      weft: {
        views: { "/jobs": Jobs },
        secret: "async-e2e-secret-0123456789abcdef0123",
        maxQueuedPerSession: 2,
        // An HTTP POST waits this long for its events' answers: a held queue does not hold the next POST.
        httpAnswerWaitMs: 300,
        onError: (err) => {
          if (!(err instanceof HandlerTimeout)) unexpected.push(err);
        },
      },
      serverErrors: false,
      wait: WAIT,
      warmClient: true,
    });
    const open = () => fx.open(transport, "/jobs", { setup: (p) => p.addInitScript(PAGE_SETUP) });

    it("runs a task beside the queue: its progress shows, clicks are answered while it runs, its result arrives", T, async () => {
      const page = await open();
      await page.click("#start");
      await waitText(page, "#status", "running");
      await until(() => job !== undefined, WAIT, "the task to start");
      job!.task.progress(40);
      await waitText(page, "#progress", "40");
      for (let i = 1; i <= 3; i++) {
        await page.click("#inc");
        await waitText(page, "#count", String(i));
      }
      assert.equal(await text(page, "#status"), "running", "the clicks were answered while the task ran");
      job!.task.progress(80);
      job!.finish({ rows: 7 });
      await waitText(page, "#status", "ok");
      assert.equal(await text(page, "#result"), '{"rows":7}');
      assert.equal(await text(page, "#progress"), "80");
      assert.deepEqual(await errs(page), []);
      await page.close();
    });

    it("cancels at once, and a task that ignores its signal leaves no trace", T, async () => {
      const page = await open();
      await page.click("#start");
      await until(() => job !== undefined, WAIT, "the task to start");
      await waitText(page, "#status", "running");
      const { task, finish } = job!;
      await page.click("#cancel");
      await waitText(page, "#status", "cancelled");
      assert.equal(task.signal.aborted, true);
      // It goes on regardless: what it says now is dropped.
      task.progress(90);
      finish({ late: true });
      await page.click("#inc"); // a round trip after the late result
      await waitText(page, "#count", "1");
      assert.equal(await text(page, "#status"), "cancelled");
      assert.equal(await text(page, "#progress"), "null");
      assert.equal(await text(page, "#result"), "null");
      await page.close();
    });

    it("answers a handler past its time limit with E_TIMEOUT, and the view keeps working", T, async () => {
      const page = await open();
      await page.click("#hang");
      await page.waitForFunction(() => (window as unknown as Win).errs.some((e) => e.code === "E_TIMEOUT"));
      const [err] = await errs(page);
      assert.equal(err!.code, "E_TIMEOUT");
      assert.equal(typeof err!.ref, "number");
      await page.waitForFunction(() => !document.querySelector("#hang")!.classList.contains("weft-loading"));
      await page.click("#inc");
      await waitText(page, "#count", "1");
      const rejected = await page.evaluate(() => (window as unknown as Win).pusher.pushEvent("hang").then(() => "resolved", (e: { code?: string }) => e.code));
      assert.equal(rejected, "E_TIMEOUT");
      await page.click("#inc");
      await waitText(page, "#count", "2");
      await page.close();
    });

    it("refuses the events over maxQueuedPerSession with E_BUSY, those only, and never applies them", T, async () => {
      const page = await open();
      release = undefined;
      await page.click("#wait");
      await until(() => release !== undefined, WAIT, "the wait handler to hold the queue");
      // Four clicks at once while the queue is held: two fit (maxQueuedPerSession 2), two do not.
      await page.evaluate(() => {
        for (let i = 0; i < 4; i++) document.querySelector<HTMLButtonElement>("#inc")!.click();
      });
      await page.waitForFunction(() => (window as unknown as Win).errs.filter((e) => e.code === "E_BUSY").length === 2);
      release!();
      await waitText(page, "#count", "2");
      await page.click("#inc"); // after everything queued before it
      await waitText(page, "#count", "3");
      const busy = (await errs(page)).filter((e) => e.code === "E_BUSY");
      assert.equal(busy.length, 2);
      const [a, b] = busy.map((e) => e.ref!);
      assert.ok(b === a! + 1, `the last two clicks were refused (refs ${a}, ${b})`);
      assert.deepEqual((await errs(page)).filter((e) => e.code !== "E_BUSY"), []);
      assert.equal(await page.$$eval(".weft-loading", (els) => els.length), 0, "no element is left loading");
      assert.deepEqual(unexpected, []);
      await page.close();
    });
  });

  describe(`the demo's run report over ${transport}`, { skip }, () => {
    const fx = e2eApp({ make: createDemo, weft: { secret: "async-demo-e2e-secret-0123456789abcdef" }, wait: WAIT, warmClient: true });

    it("shows a report's progress and result, counts clicks while it runs, and cancels it", T, async () => {
      // Slow steps (20 × 1 s): the run is still going while the test clicks, then cancels it.
      const page = await fx.open(transport, "/report?step=1000");
      await page.click("#start");
      await page.waitForSelector("#report-status[data-status=running]");
      await page.click("#tally");
      await waitText(page, "#count", "1");
      await page.waitForFunction(() => Number((document.querySelector("#report-progress") as HTMLProgressElement).value) > 0);
      assert.equal(await page.getAttribute("#report-status", "data-status"), "running");
      await page.click("#cancel");
      await page.waitForSelector("#report-status[data-status=cancelled]");
      await page.waitForSelector("#runs li"); // info.report ran once the run ended
      assert.match(await text(page, "#runs"), /^cancelled at \d+%$/);
      await page.close();
      // Fast steps (20 × 20 ms): the run ends with its result.
      const fast = await fx.open(transport, "/report?step=20");
      await fast.click("#start");
      await fast.waitForSelector("#report-status[data-status=ok]");
      assert.equal(await text(fast, "#report-result"), "1000 rows, total 7770.");
      assert.equal(await fast.$eval("#report-progress", (el) => (el as HTMLProgressElement).value), 100);
      await fast.waitForFunction(() => document.querySelector("#runs")?.textContent === "1000 rows");
      await fast.close();
    });
  });
}
