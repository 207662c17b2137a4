/**
 * Client hooks in Chromium, on every transport: mounted/beforeUpdate/updated/
 * destroyed in order (elements added by patches and stream inserts too), a
 * hook's pushEvent resolving with ctx.reply's value and rejecting with the
 * error's code, handleEvent getting ctx.pushEvent payloads, a hook's own DOM
 * under weft-ignore surviving patches, disconnected/reconnected across a cut
 * link, an unregistered hook warning once while the page keeps working, a hook
 * registered after the client loaded, and a pushEvent across a cut link
 * resolving once with the server applying it once. Hooks inside a child view
 * (liveView) and inside components: mounted, their pushEvent answered by their
 * own handler, handleEvent hearing only its own view's pushes, destroyed when
 * the child view or the component leaves; a pushEvent of a dead view rejects
 * with E_NOT_JOINED, one whose payload is not JSON with E_BAD_FRAME.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { component, defineComponent, defineView, html, liveView, stream } from "../../src/index.ts";
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

/** A `Scoped` hook element naming who it is (`data-who`): the page logs what it gets under that name. */
const scoped = (who: string) => html`<span id=${`hook-${who}`} weft-hook="Scoped" data-who=${who}>${who}</span>`;

/** Each handler below pushes "ping" (naming who pushed) and replies (naming who answered). */
const HookChild = defineView({
  mount: () => ({ n: 0 }),
  events: { ping: (s, _p, ctx) => { ctx.pushEvent("ping", { from: "child" }); ctx.reply({ child: s.n + 1 }); return { n: s.n + 1 }; } },
  render: (s) => html`<div>${scoped("child")} child ${s.n}</div>`,
});

const HookCard = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id, n: 0 }),
  events: { ping: (s, _p, ctx) => { ctx.pushEvent("ping", { from: `card-${s.id}` }); ctx.reply({ card: s.id, n: s.n + 1 }); return { ...s, n: s.n + 1 }; } },
  render: (s) => html`<div class="card">${scoped(`card-${s.id}`)} card ${s.n}</div>`,
});

interface NestSt { n: number; show: boolean; cards: string[] }

/** A view with a hook, two components with hooks and a child view with a hook. */
const HookNest = defineView({
  mount: (): NestSt => ({ n: 0, show: true, cards: ["a", "b"] }),
  events: {
    ping: (s, _p, ctx) => { ctx.pushEvent("ping", { from: "parent" }); ctx.reply({ parent: s.n + 1 }); return { ...s, n: s.n + 1 }; },
    hide: (s) => ({ ...s, show: false }),
    dropCard: (s) => ({ ...s, cards: s.cards.slice(1) }),
  },
  render: (s) => html`<div>${scoped("parent")} parent ${s.n}</div>
    <button id="hide" weft-click="hide">hide the child</button><button id="drop-card" weft-click="dropCard">drop a card</button>
    <section>${s.cards.map((id) => component(HookCard, { id }))}</section>
    ${s.show ? liveView(HookChild, { id: "kid" }) : null}`,
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
  w.Weft.hooks.Scoped = {
    mounted() {
      const who = this.el.dataset.who;
      w.inst[who] = this;
      w.log.push("mounted:" + who);
      this.handleEvent("ping", (p) => w.log.push(who + " got " + p.from));
    },
    destroyed() { w.log.push("destroyed:" + this.el.dataset.who); },
  };
  addEventListener("weft:error", (e) => w.log.push("error:" + e.detail.code));
`;

type Win = { log: string[]; inst: Record<string, { pushEvent(n: string, p?: object): Promise<unknown> }>; Weft: { hooks: Record<string, unknown> } };

for (const transport of TRANSPORTS.filter((t) => !process.env.ONLY || t === process.env.ONLY)) {
  describe(`client hooks in Chromium over ${transport}`, { skip }, () => {
    // The "boom" handler's failure is expected; anything else reported to onError fails the suite.
    const unexpected: unknown[] = [];
    const onError = (err: unknown) => { if (!(err instanceof Error && err.message === "boom")) unexpected.push(err); };
    // Development mode (without hot reload): the unregistered hook's warning is the client's development part's (dev-warnings.ts).
    const fx = e2eApp({ weft: { views: { "/hooked": Hooked, "/hook-nest": HookNest, "/hook-child": HookChild }, secret: "hooks-e2e-secret-0123456789abcdef0123", onError, dev: { watch: false } }, wait: WAIT, proxy: true, warmClient: true });
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
      const notJson = await page.evaluate(() => {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        return (window as unknown as Win).inst.logger!.pushEvent("roll", cycle).then(() => "resolved", (e: { code?: string }) => e.code);
      });
      assert.equal(notJson, "E_BAD_FRAME");
      await page.context().close();
    });

    /** Opens the page of a view with a hook, two hooked components and a hooked child view; waits for the four hooks. */
    async function openNest(id: string): Promise<Page> {
      const page = await fx.open(transport, `/hook-nest?id=${transport}-${id}`, { setup: (p) => p.addInitScript({ content: REGISTER_HOOKS }) });
      await page.waitForFunction((all) => all.every((e) => (window as unknown as Win).log.includes(e)), ["mounted:parent", "mounted:child", "mounted:card-a", "mounted:card-b"]);
      return page;
    }

    /** Cuts every link and refuses new ones while `down` runs, then lets links through again. */
    async function whileCut(down: () => Promise<unknown>): Promise<void> {
      fx.proxy.reject = /./;
      fx.proxy.cutAll();
      try {
        await down();
      } finally {
        fx.proxy.reject = undefined;
      }
    }

    it("mounts hooks in a child view and in components, answers their pushEvent from their own handler, and scopes handleEvent to the hook's own view", T, async () => {
      const page = await openNest("scope");
      const got = await page.evaluate(async () => {
        const i = (window as unknown as Win).inst;
        return { child: await i.child!.pushEvent("ping"), parent: await i.parent!.pushEvent("ping"), card: await i["card-a"]!.pushEvent("ping") };
      });
      assert.deepEqual(got, { child: { child: 1 }, parent: { parent: 1 }, card: { card: "a", n: 1 } });
      // A push fires before its handler's answer, in its view's stream: every push has fired by now.
      const heard = (await log(page)).filter((e) => e.includes(" got ")).sort();
      assert.deepEqual(heard, ["card-a got card-a", "card-a got parent", "card-b got card-a", "card-b got parent", "child got child", "parent got card-a", "parent got parent"],
        "the parent's and the components' hooks hear the parent view's pushes (its components' too), the child's hook only the child's");
      assert.equal(await page.$eval("#hook-child", (el) => el.parentElement!.textContent), "child child 1");
      assert.equal(await page.$eval(".card", (el) => el.textContent), "card-a card 1");
      await page.context().close();
    });

    it("destroys a child view's hook when the child leaves and a component's when it leaves; the dead child's pushEvent rejects with E_NOT_JOINED", T, async () => {
      const page = await openNest("leave");
      await page.click("#hide");
      await logHas(page, "destroyed:child");
      await page.click("#drop-card");
      await logHas(page, "destroyed:card-a");
      const l = await log(page);
      assert.deepEqual(l.filter((e) => e.startsWith("destroyed:")), ["destroyed:child", "destroyed:card-a"]);
      assert.equal(l.filter((e) => e.startsWith("mounted:")).length, 4, "nothing mounted again");
      const dead = await page.evaluate(() => (window as unknown as Win).inst.child!.pushEvent("ping").then(() => "resolved", (e: { code?: string }) => e.code));
      assert.equal(dead, "E_NOT_JOINED");
      assert.deepEqual(await page.evaluate(() => (window as unknown as Win).inst["card-b"]!.pushEvent("ping")), { card: "b", n: 1 });
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
      await whileCut(() => logHas(page, "disconnected:logger"));
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
        await whileCut(async () => {
          await logHas(page, "disconnected:logger");
          if (when === "while the link is down") slow.get(id)!.open!(); // the answer is kept in the outbox
        });
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
      await whileCut(async () => {
        await logHas(page, "disconnected:logger");
        await page.evaluate(() => {
          const w = window as unknown as Win & { settled: unknown[] };
          w.settled = [];
          w.inst.logger!.pushEvent("roll", { sides: 8 }).then((v) => w.settled.push(v), (e: { code?: string }) => w.settled.push(`rejected ${e.code}`));
        });
      });
      await page.waitForFunction(() => (window as unknown as { settled: unknown[] }).settled.length > 0);
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
      assert.deepEqual(await page.evaluate(() => (window as unknown as { settled: unknown[] }).settled), [{ rolled: 8, n: 0 }]);
      await page.context().close();
    });
  });
}
