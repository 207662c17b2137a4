/**
 * The demo's htmx pages (examples/demo/htmx/) in Chromium, for htmx 2
 * (ext-ws / ext-sse) and htmx 4 (hx-ws / hx-sse): unmodified htmx talking to
 * Weft views and topics, each of the five patterns end to end —
 * a background task's progress bar and badge (the view's own task, and a
 * group job through topic jobs:<id>); a timeline over SSE that gets the
 * steps it missed while its stream was cut (Last-Event-ID); a chat room
 * where a message reaches the other page as one appended item, not the
 * list (the frames the page received); a JSON status set by page script;
 * a ws-send form answered by the view's own error fragment, by Weft's
 * E_INVALID error fragment, and by a success fragment; a view over SSE
 * that resumes its session after a cut stream — plus a frame
 * without the CSRF token (E_HTMX_CSRF shown, nothing applied) and a deploy
 * (app.close(): close 1012, the page reconnects to the new server and gets
 * the full current fragments).
 *
 * A page is ready when every socket/stream on it has had its first message
 * (`#NAME-conn[data-state=live]`, set by the page script): the full
 * fragments of a view, the `current` of a topic.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { browserSkipReason, e2eApp, type E2eOpenOptions } from "../support/browser.ts";
import { until } from "../support/until.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 60_000 };

/** Per test: a fresh room, job, … so that tests never see each other's messages. */
let seq = 0;
const fresh = (what: string) => `${what}${++seq}${Date.now().toString(36)}`;

/** Records every close code the page's sockets saw, in `window.closes` (both generations' events). */
async function recordCloses(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { closes: number[] };
    w.closes = [];
    document.addEventListener("htmx:wsClose", (e) => w.closes.push((e as CustomEvent<{ event: CloseEvent }>).detail.event.code));
    document.addEventListener("htmx:ws:close", (e) => w.closes.push((e as CustomEvent<{ code: number }>).detail.code));
  });
}

/** Waits until every socket and stream of the page has had its first message. */
async function live(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const lines = [...document.querySelectorAll("[id$='-conn']")];
    return lines.length > 0 && lines.every((el) => el.getAttribute("data-state") === "live");
  });
}

const text = (page: Page, sel: string) => page.$eval(sel, (el) => el.textContent ?? "");

for (const gen of [2, 4] as const) {
  describe(`the htmx demo pages in Chromium (htmx ${gen})`, { skip }, () => {
    const fx = e2eApp({
      make: createDemo,
      weft: { secret: `htmx-demo-e2e-secret-${gen}-0123456789abcdef`, redis: undefined, sseRetryMs: 200 },
      wait: WAIT,
      proxy: true,
    });

    /** Opens /htmx/<gen>/<path> and waits until it is live. */
    async function open(path: string, o: Pick<E2eOpenOptions, "setup" | "context"> = {}): Promise<Page> {
      const page = await fx.open("websocket", `/htmx/${gen}/${path}`, { ...o, ready: "main", state: "attached" });
      await live(page);
      return page;
    }

    it("progress: Start runs the view's task; the bar and the badge reach 100% and done by OOB swap", T, async () => {
      const page = await open(`progress?step=20&job=${fresh("j")}`);
      assert.equal(await text(page, "#job-badge"), "idle");
      await page.click("#start");
      await page.waitForFunction(() => document.querySelector("#job-badge")?.textContent === "done");
      assert.equal(await page.getAttribute("#job-bar", "value"), "100");
      assert.equal(await page.getAttribute("#job-badge", "data-status"), "done");
      assert.equal(await page.$("[hx-swap-oob]"), null, "no hx-swap-oob attribute is left in the page");
      await page.close();
    });

    it("progress: a group job broadcasts to jobs:<id>; the topic's socket moves the group bar to 100% and done", T, async () => {
      const page = await open(`progress?step=20&job=${fresh("g")}`);
      assert.equal(await text(page, "#group-badge"), "idle");
      await page.click("#group");
      await page.waitForFunction(() => document.querySelector("#group-badge")?.textContent === "done");
      assert.equal(await page.getAttribute("#group-bar", "value"), "100");
      // Swapped out of band, by id: the rest of the topic socket's element is still there (htmx 4 would swap a
      // message without hx-swap-oob into it, replacing its content).
      assert.ok(await page.$("[data-live=group] label[for=group-bar]"), "the group panel kept its content");
      // The view's own bar did not move: the group's progress went through the topic only.
      assert.equal(await text(page, "#job-badge"), "idle");
      await page.close();
    });

    it("progress: a frame without the CSRF token is refused with E_HTMX_CSRF, shown in #weft-error, nothing run", T, async () => {
      const page = await open(`progress?step=20&job=${fresh("c")}`);
      // Take the token off the socket's element: htmx 2 sends hx-headers, htmx 4 hx-vals:inherited.
      await page.$eval("[data-live=view]", (el) => {
        el.removeAttribute("hx-headers");
        el.removeAttribute("hx-vals:inherited");
      });
      await page.click("#start");
      await page.waitForSelector("#weft-error[data-code=E_HTMX_CSRF]");
      assert.equal(await page.getAttribute("#weft-error", "role"), "alert");
      assert.equal(await page.getAttribute("#weft-error", "data-event"), "start");
      assert.equal(await text(page, "#job-badge"), "idle", "the event did not run");
      await page.close();
    });

    it("timeline: each broadcast adds one step over SSE; steps broadcast while the stream is cut come back by Last-Event-ID", T, async () => {
      const page = await open("timeline");
      const a = fresh("a");
      await fx.app.broadcast("timeline", "step", { id: a, text: "first" });
      await page.waitForSelector(`#step-${a}`);
      assert.equal(await text(page, `#step-${a}`), "first");

      // Cut every link; keep the stream's reconnects out while two steps are broadcast.
      const b = fresh("b");
      const c = fresh("c");
      fx.proxy.reject = /\/weft\/htmx\/topic\/timeline/;
      try {
        assert.ok(fx.proxy.cutAll() > 0, "the proxy had links to cut");
        await page.waitForSelector("#timeline-conn[data-state=reconnecting]");
        await fx.app.broadcast("timeline", "step", { id: b, text: "second" });
        await fx.app.broadcast("timeline", "step", { id: c, text: "third" });
      } finally {
        fx.proxy.reject = undefined;
      }
      await page.waitForSelector(`#step-${c}`);
      const ids = await page.$$eval("#steps li", (els) => els.map((el) => el.id));
      assert.deepEqual(ids.slice(-3), [`step-${a}`, `step-${b}`, `step-${c}`], "missed steps replayed in order, none twice");
      assert.equal(new Set(ids).size, ids.length, "no step twice");

      // The page's own button: the view broadcasts a step to every page on the timeline.
      const before = ids.length;
      await live(page);
      await page.click("#step");
      await page.waitForFunction((n) => document.querySelectorAll("#steps li").length === n + 1, before);
      await page.waitForFunction(() => /added 1 step /.test(document.querySelector("#added")?.textContent ?? ""));
      await page.close();
    });

    it("a view over SSE: its fragments tick in; a cut stream resumes the same session by Last-Event-ID", T, async () => {
      const page = await open("clock?tick=50");
      const ticks = () => page.$eval("#clock", (el) => Number(el.getAttribute("data-ticks")));
      await page.waitForFunction(() => Number(document.querySelector("#clock")?.getAttribute("data-ticks")) >= 3);
      const session = await page.getAttribute("#clock", "data-session");
      assert.ok(session !== null && session !== "", "the server's fragment replaced the page's placeholder");
      const before = await ticks();
      fx.proxy.reject = /\/weft\/htmx\/sse\/hx\/clock/;
      try {
        assert.ok(fx.proxy.cutAll() > 0, "the proxy had links to cut");
        await page.waitForSelector("#clock-conn[data-state=reconnecting]");
      } finally {
        fx.proxy.reject = undefined;
      }
      await page.waitForFunction((n) => Number(document.querySelector("#clock")?.getAttribute("data-ticks")) > n + 2, before);
      assert.equal(await page.getAttribute("#clock", "data-session"), session, "the same session went on (a fresh mount has another)");
      await page.close();
    });

    it("chat: two pages in a room see each other's messages, each sent as the new item only (beforeend)", T, async () => {
      const room = fresh("room-");
      const frames: string[] = [];
      const a = await open(`chat?room=${room}`);
      const b = await open(`chat?room=${room}`, {
        context: {},
        setup: async (page) => {
          page.on("websocket", (ws) => {
            if (ws.url().includes("/weft/htmx/ws/hx/chat/")) ws.on("framereceived", (f) => frames.push(String(f.payload)));
          });
        },
      });
      assert.ok(frames.length > 0 && frames[0]!.includes('id="messages"'), "the page got the full fragments on connect");

      await a.fill("#text", "hello from A");
      await a.press("#text", "Enter");
      for (const page of [a, b]) await page.waitForFunction(() => /hello from A/.test(document.querySelector("#messages")?.textContent ?? ""));
      assert.equal(await a.inputValue("#text"), "", "the form was emptied once sent");

      await b.fill("#text", "and B answers");
      await b.click("#send button[type=submit]");
      for (const page of [a, b]) await page.waitForFunction(() => document.querySelectorAll("#messages li").length === 2);
      assert.deepEqual(await a.$$eval("#messages li", (els) => els.map((el) => el.textContent?.replace(/^guest-\d+ /, ""))), ["hello from A", "and B answers"]);

      const first = frames.find((f) => f.includes("hello from A"));
      const second = frames.find((f) => f.includes("and B answers"));
      assert.ok(first !== undefined && second !== undefined, "both messages came in frames");
      for (const f of [first, second]) {
        const tag = f.slice(0, f.indexOf(">") + 1);
        assert.ok(tag.startsWith("<ul ") && tag.includes(' id="messages"') && tag.includes(' hx-swap-oob="beforeend"'), `sent as an append to #messages: ${f}`);
        assert.equal(f.match(/<li/g)?.length, 1, `one item per message, not the list: ${f}`);
      }
      assert.ok(!second.includes("hello from A"), "the second message's frame does not carry the first");
      await a.close();
      await b.context().close();
    });

    it("status: a JSON broadcast is swapped nowhere and set by the page script; the page's form announces one", T, async () => {
      const page = await open("status");
      // The topic's current on connect: before any announce (this process's first status page) it is "no status
      // yet", which shows no level (it is not "ok").
      if ((await text(page, "#status-text")) === "no status yet") assert.equal(await page.getAttribute("#status-text", "data-level"), "none");
      const msg = fresh("All systems go ");
      await fx.app.broadcast("status", "update", { text: msg, level: "ok" });
      await page.waitForFunction((m) => document.querySelector("#status-text")?.textContent === m, msg);
      assert.equal(await page.getAttribute("#status-text", "data-level"), "ok");

      // Markup in the data stays text.
      await fx.app.broadcast("status", "update", { text: `<img id="x" src="x">down`, level: "down" });
      await page.waitForFunction(() => document.querySelector("#status-text")?.getAttribute("data-level") === "down");
      assert.equal(await text(page, "#status-text"), `<img id="x" src="x">down`);
      assert.equal(await page.$("#x"), null);

      await page.fill("#status-input", "Deploying");
      await page.selectOption("#status-level", "degraded");
      await page.click("#announce button[type=submit]");
      await page.waitForFunction(() => document.querySelector("#status-text")?.textContent === "Deploying");
      assert.equal(await page.getAttribute("#status-text", "data-level"), "degraded");
      await page.waitForFunction(() => /announced 1 status/.test(document.querySelector("#sent")?.textContent ?? ""));
      await page.close();
    });

    it("form: the view's own check answers next to the field, the schema's refusal with E_INVALID, a valid address with success", T, async () => {
      const page = await open("subscribe");
      await page.fill("#email", "not-an-address");
      await page.click("#subscribe-form button[type=submit]");
      await page.waitForFunction(() => /does not look like/.test(document.querySelector("#email-error")?.textContent ?? ""));
      assert.equal(await text(page, "#subscribe-result"), "");
      assert.equal(await text(page, "#weft-error"), "", "the view's own answer is no Weft error");

      // Longer than the schema allows: Weft refuses the event before the view sees it.
      await page.fill("#email", `${"a".repeat(250)}@example.com`);
      await page.click("#subscribe-form button[type=submit]");
      await page.waitForSelector("#weft-error[data-code=E_INVALID]");
      assert.equal(await page.getAttribute("#weft-error", "data-event"), "subscribe");
      assert.match(await text(page, "#email-error"), /does not look like/, "the view's state did not change");

      await page.fill("#email", "ada@example.com");
      await page.click("#subscribe-form button[type=submit]");
      await page.waitForFunction(() => document.querySelector("#subscribe-result")?.textContent === "Subscribed ada@example.com.");
      assert.equal(await text(page, "#email-error"), "");
      // The answer without an error clears the error slot (sent right after the answer's fragments).
      await page.waitForFunction(() => document.querySelector("#weft-error")?.textContent === "");
      assert.equal(await page.getAttribute("#weft-error", "data-code"), null, "the error slot is empty again");
      assert.equal(await page.getAttribute("#weft-error", "role"), "alert", "the slot keeps its live region");
      await page.close();
    });

    it("deploy: app.close() closes the sockets with 1012; the page reconnects to the new server and shows its full current fragments", T, async () => {
      const page = await open(`progress?step=20&job=${fresh("d")}`, { setup: recordCloses });
      await page.click("#start");
      await page.waitForFunction(() => document.querySelector("#job-badge")?.textContent === "done");
      // Mark what the topic's socket showed: only the new server's `current` can replace it.
      await page.$eval("#group-badge", (el) => (el.textContent = "stale"));
      await fx.restart();
      // Both sockets, the view's and the topic's, are told "service restart".
      await until(async () => (await page.evaluate(() => (window as unknown as { closes: number[] }).closes)).filter((c) => c === 1012).length === 2, WAIT, "both sockets closed with 1012");
      // The new server's session is a fresh mount: its full fragments replace what the page showed.
      await page.waitForFunction(() => document.querySelector("#job-badge")?.textContent === "idle");
      await live(page);
      assert.equal(await page.getAttribute("#job-bar", "value"), "0");
      // The topic's socket got the topic's current (the group job's last progress this process knows: none).
      await page.waitForFunction(() => document.querySelector("#group-badge")?.textContent === "idle");
      // And it works: a new run.
      await page.click("#start");
      await page.waitForFunction(() => document.querySelector("#job-badge")?.textContent === "done");
      await page.close();
    });
  });
}
