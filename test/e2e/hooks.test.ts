/**
 * Client hooks in Chromium, on every transport: mounted/beforeUpdate/updated/
 * destroyed in order (elements added by patches and stream inserts too), a
 * hook's pushEvent resolving with ctx.reply's value and rejecting with the
 * error's code, handleEvent getting ctx.pushEvent payloads, a hook's own DOM
 * under weft-ignore surviving patches, disconnected/reconnected across a cut
 * link, an unregistered hook warning once while the page keeps working, a hook
 * registered after the client loaded, and a pushEvent across a cut link
 * resolving once with the server applying it once.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html, stream } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 15_000;
const T = { timeout: 60_000 };

/** Per page id: how often "slow" ran, and the gate it waits on (the test opens it). */
const slow = new Map<string, { runs: number; open?: () => void }>();

interface St { id: string; n: number; items: string[] }

const Hooked = defineView({
  mount: (p): St => ({ id: p.id ?? "", n: 0, items: [] }),
  events: {
    inc: (s) => ({ ...s, n: s.n + 1 }),
    add: (s) => ({ ...s, items: [...s.items, `i${s.items.length}`] }),
    drop: (s) => ({ ...s, items: s.items.slice(1) }),
    roll: (s, p, ctx) => { ctx.reply({ rolled: Number(p.sides ?? 6), n: s.n }); },
    boom: () => { throw new Error("boom"); },
    points: (s, _p, ctx) => { ctx.pushEvent("points", [1, 2, 3 + s.n]); },
    row: (s, _p, ctx) => { ctx.streamInsert("rows", { id: s.n }); return { ...s, n: s.n + 1 }; },
    slow: async (s, _p, ctx) => {
      const e = slow.get(s.id) ?? { runs: 0 };
      slow.set(s.id, e);
      e.runs++;
      await new Promise<void>((r) => (e.open = r));
      ctx.reply(`applied ${e.runs}`);
      return { ...s, n: s.n + 1 };
    },
  },
  render: (s) => html`<p id="n">${s.n}</p>
    <button id="inc" weft-click="inc">inc</button><button id="add" weft-click="add">add</button><button id="drop" weft-click="drop">drop</button><button id="row" weft-click="row">row</button>
    <div id="logger" weft-hook="Logger" data-n=${s.n}>n is ${s.n}</div>
    <div id="still" weft-hook="Logger">never changes</div>
    <div id="chart" weft-hook="Chart" weft-ignore data-n=${s.n}>server text ${s.n}</div>
    <div id="ghost" weft-hook="Nope">ghost</div>
    <div id="late" weft-hook="Late">late</div>
    <ul>${s.items.map((i) => html`<li id=${i} weft-hook="Logger">${i}</li>`)}</ul>
    <ul ${stream("rows", (r: { id: number }) => html`<li weft-hook="Logger">row ${r.id}</li>`)}></ul>`,
});

/**
 * The page's hooks, registered before the client script (window.Weft set by
 * the page). Plain JavaScript in a string: a function of this file would carry
 * tsx's name helpers, which the page does not have.
 */
const REGISTER_HOOKS = `
  const w = window;
  w.log = [];
  w.inst = {};
  const key = (el) => el.id || el.textContent;
  const note = (what) => function () { w.log.push(what + ":" + key(this.el)); };
  w.Weft = {
    hooks: {
      Logger: {
        mounted() { w.inst[key(this.el)] = this; w.log.push("mounted:" + key(this.el)); },
        beforeUpdate: note("beforeUpdate"),
        updated: note("updated"),
        destroyed: note("destroyed"),
        disconnected: note("disconnected"),
        reconnected: note("reconnected"),
      },
      Chart: {
        mounted() {
          const canvas = document.createElement("canvas");
          canvas.id = "drawn";
          canvas.setAttribute("aria-label", "chart");
          this.el.replaceChildren(canvas);
          this.handleEvent("points", (p) => { canvas.dataset.points = p.join(","); w.log.push("points:" + canvas.dataset.points); });
          w.log.push("mounted:chart");
        },
        updated() { throw new Error("chart broke"); }, // reported as weft:error, nothing else stops
        destroyed: note("destroyed"),
      },
    },
  };
  addEventListener("weft:error", (e) => w.log.push("error:" + e.detail.code));
`;

type Win = { log: string[]; inst: Record<string, { pushEvent(n: string, p?: object): Promise<unknown> }>; Weft: { hooks: Record<string, unknown> } };

for (const transport of TRANSPORTS.filter((t) => !process.env.ONLY || t === process.env.ONLY)) {
  describe(`client hooks in Chromium over ${transport}`, { skip }, () => {
    // The "boom" handler's failure is expected; anything else reported to onError fails the suite.
    const unexpected: unknown[] = [];
    const onError = (err: unknown) => { if (!(err instanceof Error && err.message === "boom")) unexpected.push(err); };
    const fx = e2eApp({ weft: { views: { "/hooked": Hooked }, secret: "hooks-e2e-secret-0123456789abcdef0123", onError }, wait: WAIT, proxy: true, warmClient: true });
    after(() => assert.deepEqual(unexpected, [], "nothing unexpected reported to onError"));
    const warnings: string[] = [];

    async function open(id: string): Promise<Page> {
      const page = await fx.open(transport, `/hooked?id=${transport}-${id}`, {
        setup: (p) => {
          p.on("console", (m) => { if (m.type() === "warning") warnings.push(`${id}: ${m.text()}`); });
          return p.addInitScript({ content: REGISTER_HOOKS });
        },
      });
      await page.waitForFunction(() => (window as unknown as Win).log.includes("mounted:logger"));
      return page;
    }
    const log = (page: Page) => page.evaluate(() => (window as unknown as Win).log.slice());
    const logHas = (page: Page, entry: string) => page.waitForFunction((e) => (window as unknown as Win).log.includes(e), entry);

    it("mounts after the join, updates around a patch that changes the element, destroys a removed one", T, async () => {
      const page = await open("order");
      assert.deepEqual((await log(page)).filter((e) => e.startsWith("mounted")), ["mounted:logger", "mounted:still", "mounted:chart"]);
      await page.click("#inc");
      await logHas(page, "updated:logger");
      await page.click("#add");
      await logHas(page, "mounted:i0");
      await page.click("#row");
      await logHas(page, "mounted:rows-1"); // a stream insert (outside the morph) mounts too
      await page.click("#drop");
      await logHas(page, "destroyed:i0");
      const l = await log(page);
      assert.ok(l.indexOf("beforeUpdate:logger") < l.indexOf("updated:logger"), "beforeUpdate before updated");
      assert.ok(l.indexOf("mounted:logger") < l.indexOf("beforeUpdate:logger"));
      assert.ok(!l.some((e) => e.endsWith(":still") && !e.startsWith("mounted")), "an element the patches leave alone gets no update");
      assert.equal(l.filter((e) => e === "mounted:i0").length, 1, "mounted once");
      assert.ok(l.includes("error:E_CLIENT_PATCH"), "the throwing Chart.updated was reported");
      await page.context().close();
    });

    it("resolves pushEvent with ctx.reply's value and rejects with the error's code", T, async () => {
      const page = await open("push");
      // No helper functions inside: the page has none of tsx's name helpers.
      const got = await page.evaluate(async () => {
        const h = (window as unknown as Win).inst.logger!;
        return {
          roll: await h.pushEvent("roll", { sides: 20 }),
          none: await h.pushEvent("inc"),
          boom: await h.pushEvent("boom").then(() => "resolved", (e: { code?: string }) => e.code),
          unknown: await h.pushEvent("nope").then(() => "resolved", (e: { code?: string }) => e.code),
          after: await h.pushEvent("roll"),
        };
      });
      assert.deepEqual(got, { roll: { rolled: 20, n: 0 }, none: undefined, boom: "E_HANDLER", unknown: "E_UNKNOWN_EVENT", after: { rolled: 6, n: 1 } });
      const tooBig = await page.evaluate(() => (window as unknown as Win).inst.logger!.pushEvent("roll", { x: "y".repeat(2_000_000) }).then(() => "resolved", (e: { code?: string }) => e.code));
      assert.equal(tooBig, "E_TOO_LARGE");
      await page.context().close();
    });

    it("gives handleEvent the view's pushes and keeps a weft-ignore hook's own DOM across patches", T, async () => {
      const page = await open("push-events");
      await page.$eval("#drawn", (el) => ((el as unknown as { mark: number }).mark = 1));
      await page.evaluate(() => (window as unknown as Win).inst.logger!.pushEvent("points"));
      await logHas(page, "points:1,2,3");
      for (let i = 0; i < 3; i++) await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "3");
      await page.evaluate(() => (window as unknown as Win).inst.logger!.pushEvent("points"));
      await logHas(page, "points:1,2,6");
      assert.equal(await page.$eval("#drawn", (el) => (el as unknown as { mark?: number }).mark), 1, "the hook's canvas is the same element");
      assert.equal(await page.$eval("#chart", (el) => el.textContent), "", "the server's text did not come back");
      await page.context().close();
    });

    it("tells hooks their link went down and came back", T, async () => {
      const page = await open("cut");
      fx.proxy.reject = /./;
      fx.proxy.cutAll();
      try {
        await logHas(page, "disconnected:logger");
      } finally {
        fx.proxy.reject = undefined;
      }
      await logHas(page, "reconnected:logger");
      const l = await log(page);
      assert.equal(l.filter((e) => e === "reconnected:logger").length, 1);
      assert.equal(l.filter((e) => e === "mounted:logger").length, 1, "not mounted again");
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
      await page.context().close();
    });

    it("warns once for an unregistered hook, keeps working, and mounts a hook registered after the client", T, async () => {
      const page = await open("unknown");
      for (let i = 1; i <= 3; i++) {
        await page.click("#inc");
        await page.waitForFunction((n) => document.querySelector("#n")?.textContent === String(n), i);
      }
      const mine = () => warnings.filter((w) => w.startsWith("unknown:") && w.includes("Nope"));
      assert.equal(mine().length, 1, `one warning for Nope: ${JSON.stringify(warnings)}`);
      await page.evaluate(() => {
        const w = window as unknown as Win;
        w.Weft.hooks.Late = { mounted(this: { el: HTMLElement }) { w.log.push(`mounted:${this.el.id}`); } };
      });
      await page.click("#inc");
      await logHas(page, "mounted:late");
      assert.equal(mine().length, 1);
      await page.context().close();
    });

    // The handler finishes while the link is down (its answer is replayed from the
    // outbox), or after the rejoin (the join answer covers its ref while it runs).
    for (const when of ["while the link is down", "after the rejoin"] as const) {
      it(`resolves a pushEvent in flight across a cut link once, the server applying it once (finished ${when})`, T, async () => {
        const key = when === "after the rejoin" ? "once-late" : "once";
        const id = `${transport}-${key}`;
        const page = await open(key);
        await page.evaluate(() => {
          const w = window as unknown as Win & { settled: unknown[] };
          w.settled = [];
          w.inst.logger!.pushEvent("slow").then((v) => w.settled.push(v), (e: { code?: string }) => w.settled.push(`rejected ${e.code}`));
        });
        await until(() => slow.get(id)?.open !== undefined, WAIT, "the slow handler to start");
        fx.proxy.reject = /./;
        fx.proxy.cutAll();
        try {
          await logHas(page, "disconnected:logger");
          if (when === "while the link is down") slow.get(id)!.open!(); // the answer is kept in the outbox
        } finally {
          fx.proxy.reject = undefined;
        }
        await logHas(page, "reconnected:logger");
        if (when === "after the rejoin") slow.get(id)!.open!();
        await page.waitForFunction(() => (window as unknown as { settled: unknown[] }).settled.length > 0);
        await page.click("#inc"); // one more round trip: room for a wrong second answer
        await page.waitForFunction(() => document.querySelector("#n")?.textContent === "2");
        assert.deepEqual(await page.evaluate(() => (window as unknown as { settled: unknown[] }).settled), ["applied 1"]);
        assert.equal(slow.get(id)!.runs, 1, "applied once");
        await page.context().close();
      });
    }

    it("sends a pushEvent made while the link is down once it is back, and resolves it once", T, async () => {
      const page = await open("queued");
      fx.proxy.reject = /./;
      fx.proxy.cutAll();
      try {
        await logHas(page, "disconnected:logger");
        await page.evaluate(() => {
          const w = window as unknown as Win & { settled: unknown[] };
          w.settled = [];
          w.inst.logger!.pushEvent("roll", { sides: 8 }).then((v) => w.settled.push(v), (e: { code?: string }) => w.settled.push(`rejected ${e.code}`));
        });
      } finally {
        fx.proxy.reject = undefined;
      }
      await page.waitForFunction(() => (window as unknown as { settled: unknown[] }).settled.length > 0);
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
      assert.deepEqual(await page.evaluate(() => (window as unknown as { settled: unknown[] }).settled), [{ rolled: 8, n: 0 }]);
      await page.context().close();
    });
  });
}
