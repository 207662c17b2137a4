import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, deny, html, type StandardSchemaV1, type Uploads } from "../index.ts";
import { createTestBus, mountView, WeftTestError } from "./index.ts";

/** A Standard Schema for `{ n: integer }`, without a schema library. */
const intN: StandardSchemaV1<unknown, { n: number }> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: (v) => {
      const n = Number((v as { n?: unknown }).n);
      return Number.isInteger(n) ? { value: { n } } : { issues: [{ message: "n must be an integer" }] };
    },
  },
};

const Counter = defineView({
  mount: (p) => ({ count: Number(p.start ?? 0) }),
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    add: (s, p) => ({ count: s.count + Number(p.by) }),
    set: { schema: intN, run: (_s, p) => ({ count: p.n }) },
    boom: () => { throw new Error("kaput"); },
    hang: () => new Promise<never>(() => {}),
    hello: (s, _p, ctx) => { ctx.pushEvent("hi", { at: s.count }); },
    go: (_s, _p, ctx) => { ctx.navigate("/elsewhere?x=1"); },
  },
  render: (s) => html`<div>
    <p id="count">${s.count}</p>
    <button id="inc" weft-click="inc"><span class="label">plus</span></button>
    <button id="five" weft-click="add" weft-value-by="5">+5</button>
    <button id="typo" weft-click="icn">typo</button>
    <button id="off" weft-click="inc" disabled>off</button>
    <h2 id="title">Counter</h2>
  </div>`,
});

async function rejectsWith(p: Promise<unknown>, code: string, text?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof WeftTestError, `expected a WeftTestError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (text !== undefined) assert.match(e.message, text);
    return true;
  });
}

describe("mountView", () => {
  it("renders the mounted view and shows the new HTML after a click", async () => {
    const v = await mountView(Counter, { params: { start: "2" } });
    assert.equal(v.text("#count"), "2");
    await v.click("#inc");
    assert.equal(v.text("#count"), "3");
    assert.match(v.html(), /<p id="count">3<\/p>/);
  });

  it("clicks through the closest weft-click and sends its weft-value-* attributes", async () => {
    const v = await mountView(Counter);
    await v.click("#inc .label");
    await v.click("#five");
    assert.equal(v.text("#count"), "6");
  });

  it("fails a click on an element with no weft-click with E_TEST_NO_BINDING", async () => {
    const v = await mountView(Counter);
    await rejectsWith(v.click("#title"), "E_TEST_NO_BINDING", /"#title" matches <h2>, which has no weft-click/);
  });

  it("fails a click on a disabled button: a browser sends nothing", async () => {
    const v = await mountView(Counter);
    await rejectsWith(v.click("#off"), "E_TEST_NO_BINDING", /disabled/);
    assert.equal(v.text("#count"), "0");
  });

  it("fails a selector that matches nothing with E_TEST_NO_MATCH and shows the HTML", async () => {
    const v = await mountView(Counter);
    await rejectsWith(v.click("#nope"), "E_TEST_NO_MATCH", /nothing matches "#nope".*<p id="count">0<\/p>/s);
    assert.throws(() => v.text(".missing"), (e: unknown) => e instanceof WeftTestError && e.code === "E_TEST_NO_MATCH");
  });

  it("fails a template's typo in weft-click, and an unknown event, with E_UNKNOWN_EVENT", async () => {
    const v = await mountView(Counter);
    await rejectsWith(v.click("#typo"), "E_UNKNOWN_EVENT", /no handler "icn"/);
    await rejectsWith(v.event("nope"), "E_UNKNOWN_EVENT", /no handler "nope"/);
    await rejectsWith(v.event("__proto__"), "E_UNKNOWN_EVENT");
    await rejectsWith(v.info("nope"), "E_UNKNOWN_EVENT", /no info handler "nope"/);
  });

  it("fails a payload nested deeper than the server's default maxJsonDepth (32) with E_BAD_FRAME, as the server refuses it", async () => {
    const v = await mountView(Counter);
    const nest = (n: number): Record<string, unknown> => (n === 1 ? {} : { a: nest(n - 1) });
    await v.event("inc", nest(32));
    assert.equal(v.text("#count"), "1");
    await rejectsWith(v.event("inc", nest(33)), "E_BAD_FRAME", /deeper than 32/);
    assert.equal(v.text("#count"), "1");
  });

  it("records a schema's refusal in errors with E_INVALID and keeps the state", async () => {
    const v = await mountView(Counter);
    await v.event("set", { n: "x" });
    assert.equal(v.errors.length, 1);
    assert.equal(v.errors[0]!.code, "E_INVALID");
    assert.match(v.errors[0]!.message, /n must be an integer/);
    assert.equal(v.errors[0]!.ref, 1);
    assert.equal(v.text("#count"), "0");
    await v.event("set", { n: 7 });
    assert.equal(v.text("#count"), "7");
  });

  it("records a throwing handler as E_HANDLER with what it threw", async () => {
    const v = await mountView(Counter);
    await v.event("boom");
    assert.equal(v.errors[0]!.code, "E_HANDLER");
    assert.equal((v.errors[0]!.cause as Error).message, "kaput");
  });

  it("fails with E_TEST_TIMEOUT when a handler never settles", async () => {
    const v = await mountView(Counter, { bus: createTestBus({ timeoutMs: 100 }) });
    await rejectsWith(v.event("hang"), "E_TEST_TIMEOUT", /100 ms/);
  });

  it("records pushes and navigations", async () => {
    const v = await mountView(Counter);
    await v.event("hello");
    await v.event("go");
    assert.deepEqual(v.pushes, [{ name: "hi", payload: { at: 0 } }]);
    assert.deepEqual(v.navigations, [{ to: "/elsewhere?x=1", kind: "navigate", replace: false }]);
  });

  it("sends payloads as JSON, as the wire does", async () => {
    const Echo = defineView({
      mount: () => ({ got: "" }),
      events: { echo: (_s, p) => ({ got: `${typeof p.when}|${"dropped" in p}|${JSON.stringify(p)}` }) },
      render: (s) => html`<p>${s.got}</p>`,
    });
    const v = await mountView(Echo);
    await v.event("echo", { by: 2, dropped: undefined, when: new Date(0) });
    assert.equal(v.text("p"), 'string|false|{"by":2,"when":"1970-01-01T00:00:00.000Z"}');
  });
});

const Timed = defineView({
  mount: (_p, ctx) => {
    ctx.schedule("tick", null, 1000);
    const cancel = ctx.schedule("never", null, 500);
    cancel();
    return { ticks: 0 };
  },
  info: {
    tick: (s, _p, ctx) => {
      ctx.schedule("tick", null, 1000);
      return { ticks: s.ticks + 1 };
    },
    never: () => ({ ticks: -1 }),
  },
  render: (s) => html`<p id="ticks">${s.ticks}</p>`,
});

describe("mountView with uploads", () => {
  it("shows no upload entries and hands a handler's consumeUploads no files (no browser sends any)", async () => {
    const V = defineView({
      uploads: { avatar: { accept: [".png"] } },
      mount: () => ({ uploads: {} as Uploads<"avatar">, saved: -1 }),
      events: { save: async (s, _p, ctx) => ({ ...s, saved: (await ctx.consumeUploads("avatar", (f) => f.name)).length }) },
      render: (s) => html`<p id="n">${s.uploads.avatar.entries.length}/${s.saved}</p><button id="save" weft-click="save">Save</button>`,
    });
    const v = await mountView(V);
    assert.equal(v.text("#n"), "0/-1");
    await v.click("#save");
    assert.deepEqual(v.errors, []);
    assert.equal(v.text("#n"), "0/0");
  });
});

describe("mountView timers", () => {
  it("fires ctx.schedule timers only when the test clock advances, in order", async () => {
    const v = await mountView(Timed);
    assert.equal(v.text("#ticks"), "0");
    assert.equal(await v.advance(999), 0);
    assert.equal(v.text("#ticks"), "0");
    assert.equal(await v.advance(1), 1);
    assert.equal(v.text("#ticks"), "1");
    assert.equal(await v.advance(3000), 3);
    assert.equal(v.text("#ticks"), "4");
  });

  it("stops a view's timers when it unmounts", async () => {
    const bus = createTestBus();
    const v = await mountView(Timed, { bus });
    await v.unmount();
    assert.equal(await bus.advance(5000), 0);
    assert.throws(() => v.html(), (e: unknown) => e instanceof WeftTestError && e.code === "E_TEST_NOT_MOUNTED");
  });
});

const Room = defineView({
  mount: (p, ctx) => {
    ctx.subscribe("room");
    return { me: p.name ?? "?", heard: [] as string[] };
  },
  events: {
    say: (s, p, ctx) => { ctx.broadcast("room", "said", `${s.me}: ${String(p.text)}`); },
  },
  info: { said: (s, line) => ({ ...s, heard: [...s.heard, String(line)] }) },
  render: (s) => html`<form id="f" weft-submit="say"><input name="text" value="hello"><select name="tone"><option>calm</option><option>loud</option></select></form>
    <ul>${s.heard.map((h) => html`<li>${h}</li>`)}</ul>`,
});

describe("mountView on a bus", () => {
  it("delivers a broadcast from one view to another on the same bus before the action resolves", async () => {
    const bus = createTestBus();
    const ann = await mountView(Room, { bus, params: { name: "ann" } });
    const bob = await mountView(Room, { bus, params: { name: "bob" } });
    await ann.submit("#f", { text: "hi" });
    assert.equal(bob.text("ul"), "ann: hi");
    assert.equal(ann.text("ul"), "ann: hi");
    await bus.broadcast("room", "said", "system: bye");
    assert.equal(bob.count("li"), 2);
  });

  it("waits for async work that a broadcast causes in another view", async () => {
    const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
    const Slow = defineView({
      mount: (p, ctx) => { ctx.subscribe("slow"); return { heard: 0, ms: Number(p.ms) }; },
      events: { shout: async (s, _p, ctx) => { await tick(s.ms); ctx.broadcast("slow", "heard"); } },
      info: { heard: async (s) => { await tick(s.ms); return { ...s, heard: s.heard + 1 }; } },
      render: (s) => html`<p>${s.heard}</p>`,
    });
    const bus = createTestBus();
    // The first view is the slower one: a wait on the acting view alone, or a
    // single pass over the views in mount order, returns before it is done.
    const first = await mountView(Slow, { bus, params: { ms: "100" } });
    const second = await mountView(Slow, { bus, params: { ms: "1" } });
    await second.event("shout");
    assert.equal(first.text("p"), "1");
    assert.equal(second.text("p"), "1");
  });

  it("keeps views on different buses apart", async () => {
    const ann = await mountView(Room, { params: { name: "ann" } });
    const bob = await mountView(Room, { params: { name: "bob" } });
    await ann.submit("#f");
    assert.equal(ann.text("ul"), "ann: hello");
    assert.equal(bob.count("li"), 0);
  });

  it("fails a submit with a field the form does not have with E_TEST_FIELD", async () => {
    const v = await mountView(Room);
    await rejectsWith(v.submit("#f", { txet: "hi" }), "E_TEST_FIELD", /"txet".*it has: text, tone/);
    await rejectsWith(v.submit("#f", { tone: "shouty" }), "E_TEST_FIELD", /no option "shouty"/);
    await rejectsWith(v.submit("ul"), "E_TEST_NO_BINDING", /not a form/);
  });
});

describe("mountView mount", () => {
  it("takes params from the url's query and the route's path, the test's own params last", async () => {
    const Show = defineView({ mount: (p) => ({ ...p }), render: (s) => html`<p>${JSON.stringify(s)}</p>` });
    const v = await mountView(Show, { url: "/rooms/7?tab=2&id=q", route: "/rooms/:id", params: { tab: "3" } });
    assert.deepEqual(JSON.parse(v.text("p")), { tab: "3", id: "7" });
  });

  it("refuses a mount that the view's auth denies with its code", async () => {
    const Secret = defineView({
      auth: (session) => (session.user === "admin" ? true : deny(401, "sign in")),
      mount: () => ({}),
      render: () => html`<p>secret</p>`,
    });
    await rejectsWith(mountView(Secret), "E_UNAUTHORIZED", /sign in/);
    assert.equal((await mountView(Secret, { session: { user: "admin" } })).text("p"), "secret");
  });

  it("records a redirect at mount and renders nothing", async () => {
    const Gate = defineView({ mount: (_p, ctx) => { ctx.navigate("/login", { kind: "redirect" }); return {}; }, render: () => html`<p>in</p>` });
    const v = await mountView(Gate);
    assert.deepEqual(v.navigations, [{ to: "/login", kind: "redirect", replace: false }]);
    assert.throws(() => v.html(), /E_TEST_NOT_MOUNTED.*redirected to \/login/);
  });

  it("rejects with what mount threw", async () => {
    const Broken = defineView({ mount: () => { throw new Error("db down"); }, render: () => html`` });
    await assert.rejects(mountView(Broken), /db down/);
  });
});

describe("mountView change and input", () => {
  const Form = defineView({
    mount: () => ({ seen: "" }),
    events: { check: (_s, p) => ({ seen: JSON.stringify(p) }) },
    render: (s) => html`<form weft-input="check"><input name="email" value="a"><input type="checkbox" name="ok" value="yes"></form>
      <select name="size" weft-change="check"><option>S</option><option selected>M</option></select>
      <input id="bare" name="x"><output>${s.seen}</output>`,
  });

  it("sends the form's fields with _target for weft-input, and { name, value } outside a form", async () => {
    const v = await mountView(Form);
    await v.input("input[name=email]", "ann@example.com");
    assert.deepEqual(JSON.parse(v.text("output")), { email: "ann@example.com", _target: "email" });
    await v.input("input[name=ok]", true);
    assert.deepEqual(JSON.parse(v.text("output")), { email: "a", ok: "yes", _target: "ok" });
    await v.change("select", "S");
    assert.deepEqual(JSON.parse(v.text("output")), { name: "size", value: "S" });
    await rejectsWith(v.change("#bare", "1"), "E_TEST_NO_BINDING", /no weft-change/);
  });
});

describe("mountView terminate", () => {
  const ended: unknown[] = [];
  const Seat = defineView({
    mount: (p, ctx) => {
      ctx.subscribe("seats");
      return { seat: Number(p.seat ?? 0), left: [] as number[] };
    },
    events: { move: (s) => ({ ...s, seat: s.seat + 1 }) },
    info: { left: (s, seat) => ({ ...s, left: [...s.left, Number(seat)] }) },
    render: (s) => html`<p id="seat">${s.seat}</p><p id="left">${s.left.join(",")}</p>`,
    terminate: async (reason, s, ctx) => {
      await new Promise((r) => setTimeout(r, 1));
      ended.push([reason, s.seat]);
      ctx.broadcast("seats", "left", s.seat);
    },
  });

  it("runs terminate once on unmount, with the reason and the last state, and delivers its broadcasts", async () => {
    ended.length = 0;
    const bus = createTestBus();
    const a = await mountView(Seat, { bus, params: { seat: "1" } });
    const b = await mountView(Seat, { bus, params: { seat: "5" } });
    await a.event("move");
    await a.unmount();
    assert.deepEqual(ended, [["closed", 2]]);
    assert.equal(b.text("#left"), "2", "terminate's broadcast reached the other view");
    await a.unmount();
    await b.unmount("shutdown");
    assert.deepEqual(ended, [["closed", 2], ["shutdown", 5]], "never twice");
  });

  it("rejects unmount with what terminate threw", async () => {
    const Broken = defineView({ mount: () => ({}), render: () => html`<p></p>`, terminate: () => { throw new Error("cleanup failed"); } });
    const v = await mountView(Broken);
    await assert.rejects(v.unmount(), /cleanup failed/);
  });
});
