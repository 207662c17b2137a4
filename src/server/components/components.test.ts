import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S, type Envelope, type RenderedTree, type TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, applyParts, toHtml } from "../../protocol/tree.ts";
import { MemoryPubSub } from "../pubsub/memory.ts";
import { ViewSession } from "../session.ts";
import { html } from "../template/html.ts";
import { keyed } from "../template/keyed.ts";
import { defineView, type ViewDefinition } from "../view.ts";
import { component, ComponentError, defineComponent, type AnyComponent } from "./define.ts";
import { createWeft } from "../app.ts";
import { renderView } from "../render-view.ts";

interface CardState { title: string; count: number }

const calls = { mount: 0, update: 0, render: 0, parent: 0 };

const Card = defineComponent({
  mount: (p: { id: string; title: string }): CardState => {
    calls.mount++;
    return { title: p.title, count: 0 };
  },
  update: (p, s) => {
    calls.update++;
    return { ...s, title: p.title };
  },
  events: {
    inc: (s) => ({ ...s, count: s.count + 1 }),
    boom: () => {
      throw new Error("boom");
    },
  },
  render: (s) => {
    calls.render++;
    return html`<div class="card"><h2>${s.title}</h2><button weft-click="inc">${s.count}</button></div>`;
  },
});

interface PageState { cards: string[]; suffix: string; n: number; extra?: string[] }

const Page = defineView({
  mount: (): PageState => ({ cards: ["a", "b"], suffix: "", n: 0 }),
  events: {
    rename: (s) => ({ ...s, suffix: "!" }),
    drop: (s) => ({ ...s, cards: s.cards.slice(1) }),
    dupe: (s) => ({ ...s, extra: ["a", "b"] }),
    bump: (s) => ({ ...s, n: s.n + 1 }),
    poke: (s, _p, ctx) => {
      ctx.sendUpdate(Card, "b", { title: "sent" });
      return s;
    },
    reverse: (s) => ({ ...s, cards: [...s.cards].reverse() }),
  },
  render: (s) => {
    calls.parent++;
    return html`<main><p>${s.n}</p>${keyed(s.cards, (id) => id, (id) => component(Card, { id, title: id.toUpperCase() + s.suffix }))}${(s.extra ?? []).map((id) => component(Card, { id, title: id }))}</main>`;
  },
});

/** A session with a sink that keeps every frame, and a browser-side copy of the tree rebuilt from them. */
function open<S>(view: ViewDefinition<S>, state: S, dev = true) {
  const frames: Envelope[] = [];
  const errors: unknown[] = [];
  const s = new ViewSession<S>({ sid: "s1", path: "/", view, params: {}, session: {}, state, timers: [] }, { outboxSize: 100, onError: (e) => errors.push(e), pubsub: new MemoryPubSub(), dev });
  const statics = new Map<number, readonly string[]>();
  let tree: RenderedTree | undefined;
  let parts = new Map<string, RenderedTree>();
  s.attach({ send: (f) => {
    const env = JSON.parse(f) as Envelope;
    frames.push(env);
    for (const [id, str] of Object.entries(env.s ?? {})) statics.set(Number(id), str);
    if (env.t === S.rendered) {
      tree = env.d as RenderedTree;
      parts = new Map();
      applyParts(parts, env.p);
    } else if (env.t === undefined) {
      if (env.d !== undefined) tree = applyDiff(tree, env.d as TreeDiff);
      applyParts(parts, env.p);
    }
  } }, 1, undefined, "tok");
  let ref = 0;
  return {
    s, frames, errors, parts: () => parts,
    html: () => toHtml(tree!, (id) => statics.get(id), (id) => parts.get(id)),
    event: (name: string, target?: string) => s.event(++ref, name, {}, target),
    last: () => frames[frames.length - 1]!,
  };
}

describe("components", () => {
  it("mounts each component once with its props and renders its root marked with its id", () => {
    Object.assign(calls, { mount: 0, update: 0 });
    const v = open(Page, Page.mount({}, undefined as never) as PageState);
    assert.equal(calls.mount, 2);
    assert.equal(v.html(), '<main><p>0</p><div weft-component="a" class="card"><h2>A</h2><button weft-click="inc">0</button></div><div weft-component="b" class="card"><h2>B</h2><button weft-click="inc">0</button></div></main>');
    assert.deepEqual(Object.keys(v.frames[0]!.p!), ["a", "b"]);
  });

  it("runs a component's event on its own state and sends only that component's diff", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    const parentRenders = calls.parent;
    const before = calls.render;
    v.event("inc", "a");
    const f = v.last();
    assert.equal(f.d, undefined, "no parent diff");
    assert.deepEqual(f.p, { a: { 1: "1" } });
    assert.equal(calls.parent, parentRenders, "the parent's render does not run");
    assert.equal(calls.render, before + 1, "only that component renders");
    assert.match(v.html(), /<div weft-component="a" class="card"><h2>A<\/h2><button weft-click="inc">1<\/button><\/div><div weft-component="b" class="card"><h2>B<\/h2><button weft-click="inc">0</);
  });

  it("keeps component state across parent renders and costs nothing when its props are the same", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("inc", "a");
    Object.assign(calls, { update: 0 });
    const before = calls.render;
    v.event("bump");
    assert.deepEqual(v.last().d, { 0: "1" }, "the view's own diff");
    assert.equal(v.last().p, undefined, "unchanged components send nothing");
    assert.equal(calls.update, 0);
    assert.equal(calls.render, before, "unchanged components do not render");
    assert.match(v.html(), /weft-click="inc">1</);
  });

  it("calls update when the parent renders the component with other props", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("inc", "a");
    Object.assign(calls, { update: 0, mount: 0 });
    v.event("rename");
    assert.equal(calls.update, 2);
    assert.equal(calls.mount, 0);
    assert.deepEqual(v.last().p, { a: { 0: "A!" }, b: { 0: "B!" } });
    assert.match(v.html(), /<h2>A!<\/h2><button weft-click="inc">1</, "the count survives the update");
  });

  it("drops a component removed from the template: null on the wire, its state freed, its events refused", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("drop");
    assert.equal(v.last().p!["a"], null);
    assert.equal(v.parts().has("a"), false);
    assert.deepEqual(Object.keys(v.s.snapshot().components ?? {}), ["b"]);
    v.event("inc", "a");
    assert.equal(v.last().t, S.error);
    assert.equal(v.last().c, "E_UNKNOWN_TARGET");
  });

  it("answers a forged target with E_UNKNOWN_TARGET and keeps every state", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    const before = v.html();
    v.event("inc", "nope");
    assert.equal(v.last().c, "E_UNKNOWN_TARGET");
    v.event("inc", "__proto__");
    assert.equal(v.last().c, "E_UNKNOWN_TARGET");
    v.event("toString", "a");
    assert.equal(v.last().c, "E_UNKNOWN_EVENT");
    assert.equal(v.html(), before);
  });

  it("fails a render with duplicate ids with E_RENDER naming them; the view and its components keep their state", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("inc", "b");
    const before = v.html();
    v.event("dupe");
    assert.equal(v.last().c, "E_RENDER");
    assert.match(v.last().m!, /duplicate component ids "a", "b"/);
    v.event("inc", "b");
    assert.match(v.html(), /weft-component="b" class="card"><h2>B<\/h2><button weft-click="inc">2</);
    assert.notEqual(v.html(), before);
  });

  it("answers a throwing component handler with E_HANDLER; the component and the view keep their state", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("inc", "a");
    const before = v.html();
    v.event("boom", "a");
    assert.equal(v.last().c, "E_HANDLER");
    assert.equal(v.html(), before);
    v.event("inc", "a");
    assert.match(v.html(), /weft-component="a" class="card"><h2>A<\/h2><button weft-click="inc">2</);
  });

  it("sends props to a component with ctx.sendUpdate", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("poke");
    assert.deepEqual(v.last().p, { b: { 0: "sent" } });
    assert.equal(v.last().d, undefined);
    assert.match(v.html(), /<h2>sent<\/h2>/);
  });

  it("reports a sendUpdate to a component that is not rendered, and keeps going", () => {
    const Lonely = defineView({
      mount: () => ({}),
      events: { poke: (s, _p, ctx) => { ctx.sendUpdate(Card, "zz", { title: "x" }); return s; } },
      render: () => html`<p>no cards</p>`,
    });
    const v = open(Lonely, {});
    v.event("poke");
    assert.match(String(v.errors[0]), /no component "zz"/);
    assert.equal(v.last().t, S.reply);
  });

  it("moves components in a keyed list with their state", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("inc", "b");
    v.event("reverse");
    assert.equal(v.last().p, undefined, "a move sends no component");
    assert.match(v.html(), /^<main><p>0<\/p><div weft-component="b" class="card"><h2>B<\/h2><button weft-click="inc">1<\/button><\/div><div weft-component="a"/);
  });

  it("keeps component state in the session snapshot and restores it without mounting again", () => {
    const v = open(Page, { cards: ["a", "b"], suffix: "", n: 0 });
    v.event("inc", "a");
    const snap = v.s.snapshot();
    assert.deepEqual(snap.components?.["a"], { p: { id: "a", title: "A" }, s: { title: "A", count: 1 } });
    Object.assign(calls, { mount: 0, update: 0 });
    const s2 = new ViewSession({ sid: "s1", path: "/", view: Page, params: {}, session: {}, state: snap.state as unknown as PageState, timers: [], components: JSON.parse(JSON.stringify(snap.components)) }, { outboxSize: 10, onError: () => {}, pubsub: new MemoryPubSub() });
    assert.equal(calls.mount, 0);
    assert.equal(calls.update, 0);
    let full: Envelope | undefined;
    s2.attach({ send: (f) => { full = JSON.parse(f) as Envelope; } }, 1, undefined, "t");
    assert.deepEqual((full!.p!["a"] as { d: RenderedTree[] }).d, ["A", "1"]);
  });
});

describe("a view that gains and loses components", () => {
  let mounts = 0;
  const Tag = defineComponent({
    mount: (p: { id: string }) => {
      mounts++;
      return { id: p.id, n: 0 };
    },
    events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
    render: (s) => html`<b>${s.id}:${s.n}</b>`,
  });
  const Grows = defineView({
    mount: () => ({ tags: [] as string[] }),
    events: { set: (_s, p) => ({ tags: p.tags as string[] }) },
    render: (s) => html`<p>${s.tags.map((id) => component(Tag, { id }))}</p>`,
  });

  it("mounts a component once when the view places its first, and drops its host when it has none", () => {
    const v = open(Grows, { tags: [] });
    assert.equal(v.html(), "<p></p>");
    v.s.event(10, "set", { tags: ["x"] });
    assert.equal(mounts, 1, "the render that met the first component ran again with a host: no second mount");
    assert.deepEqual(v.last().p, { x: { s: (v.last().p!["x"] as { s: number }).s, d: ["x", "0"] } });
    v.s.event(11, "inc", {}, "x");
    assert.equal(v.html(), '<p><b weft-component="x">x:1</b></p>');
    v.s.event(12, "set", { tags: [] });
    assert.deepEqual(v.last().p, { x: null });
    v.s.event(13, "set", { tags: ["x"] });
    assert.equal(mounts, 2, "placed again: a fresh component");
    assert.equal(v.html(), '<p><b weft-component="x">x:0</b></p>');
  });
});

describe("a view change that fails after its render", () => {
  const Titled = defineView({
    mount: () => ({ suffix: "" }),
    title: (s: { suffix: string }) => {
      if (s.suffix === "!") throw new Error("no title for that");
      return "t";
    },
    events: { rename: () => ({ suffix: "!" }) },
    // The failing state also drops card b.
    render: (s) => html`<main>${component(Card, { id: "a", title: `A${s.suffix}` })}${s.suffix === "" ? component(Card, { id: "b", title: "B" }) : null}</main>`,
  });

  it("leaves the components as committed: the next component event starts from them", () => {
    const v = open(Titled, { suffix: "" });
    v.event("rename");
    assert.equal(v.last().c, "E_RENDER");
    v.event("inc", "a");
    assert.deepEqual(v.last().p, { a: { 1: "1" } }, "only the count: nothing of the failed render is taken");
    assert.deepEqual(Object.keys(v.s.snapshot().components ?? {}), ["a", "b"]);
    assert.match(v.html(), /<h2>A<\/h2><button weft-click="inc">1<\/button><\/div><div weft-component="b"/);
  });
});

describe("component handlers with options", () => {
  const schema = {
    "~standard": {
      version: 1 as const,
      vendor: "test",
      validate: (v: unknown) => {
        const n = Number((v as { n?: unknown }).n);
        return Number.isInteger(n) ? { value: { n } } : { issues: [{ message: "n must be an integer" }] };
      },
    },
  };
  const Box = defineComponent({
    mount: () => ({ n: 0 }),
    events: {
      set: { schema, run: (_s: { n: number }, p: { n: number }) => ({ n: p.n }) },
      later: async (s: { n: number }) => {
        await new Promise((r) => setTimeout(r, 5));
        return { n: s.n + 100 };
      },
    },
    render: (s) => html`<output>${s.n}</output>`,
  });
  const V = defineView({ mount: () => ({}), render: () => html`<div>${component(Box, { id: "box" })}</div>` });

  it("validates a component's payload with its schema (E_INVALID keeps the state) and runs async handlers in order", async () => {
    const v = open(V, {});
    v.s.event(1, "set", { n: "x" }, "box");
    assert.equal(v.last().c, "E_INVALID");
    v.s.event(2, "set", { n: "7" }, "box");
    assert.equal(v.html(), '<div><output weft-component="box">7</output></div>');
    v.s.event(3, "later", {}, "box");
    v.s.event(4, "set", { n: "1" }, "box");
    await v.s.settle(1000);
    assert.equal(v.html(), '<div><output weft-component="box">1</output></div>', "the async handler finished before the next event ran");
    assert.deepEqual(v.frames.filter((f) => f.r === 3).map((f) => f.p), [{ box: { 0: "107" } }]);
  });
});

describe("nested components", () => {
  const Inner = defineComponent({
    mount: (p: { id: string }) => ({ n: 0, id: p.id }),
    events: { inc: (s) => ({ ...s, n: s.n + 1 }) },
    render: (s) => html`<span class="inner">${s.n}</span>`,
  });
  const Outer = defineComponent({
    mount: (p: { id: string; show: boolean }) => ({ show: p.show, label: "o" }),
    events: { hide: (s) => ({ ...s, show: false }), relabel: (s) => ({ ...s, label: "O" }) },
    render: (s) => html`<section><b>${s.label}</b>${s.show ? component(Inner, { id: "in" }) : null}</section>`,
  });
  const Host = defineView({
    mount: () => ({ outer: true, n: 0 }),
    events: { toggle: (s) => ({ ...s, outer: !s.outer }), bump: (s) => ({ ...s, n: s.n + 1 }) },
    render: (s) => html`<div><i>${s.n}</i>${s.outer ? component(Outer, { id: "out", show: true }) : null}</div>`,
  });

  it("routes an inner event to the inner component and re-renders only it", () => {
    const v = open(Host, { outer: true, n: 0 });
    assert.equal(v.html(), '<div><i>0</i><section weft-component="out"><b>o</b><span weft-component="in" class="inner">0</span></section></div>');
    v.event("inc", "in");
    assert.deepEqual(v.last().p, { in: { 0: "1" } });
    v.event("relabel", "out");
    assert.deepEqual(v.last().p, { out: { 0: "O" } }, "the inner component, unchanged, sends nothing");
    v.event("bump");
    assert.match(v.html(), /<span weft-component="in" class="inner">1</);
  });

  it("drops the inner component with its parent, and when its parent stops rendering it", () => {
    const v = open(Host, { outer: true, n: 0 });
    v.event("hide", "out");
    assert.equal(v.last().p!["in"], null);
    assert.deepEqual(Object.keys(v.s.snapshot().components ?? {}), ["out"]);
    const w = open(Host, { outer: true, n: 0 });
    w.event("toggle");
    assert.deepEqual(w.last().p, { out: null, in: null });
    assert.equal(w.s.snapshot().components, undefined, "every component's state is freed");
  });
});

describe("defineComponent", () => {
  it("refuses an unknown key with did you mean", () => {
    assert.throws(() => defineComponent({ mount: () => ({}), render: () => html`<p></p>`, evnets: {} } as never), /unknown key `evnets` — did you mean `events`\?/);
  });

  it("refuses a missing render and handlers that are not functions", () => {
    assert.throws(() => defineComponent({ mount: () => ({}) } as never), /render\(state\)/);
    assert.throws(() => defineComponent({ mount: () => ({}), render: () => html`<p></p>`, events: { x: 1 } } as never), /events\.x must be a function/);
  });

  it("refuses a component() without a usable id", () => {
    assert.throws(() => component(Card, { title: "x" } as never), /needs props with an `id`/);
    assert.throws(() => component(Card, { id: "", title: "x" }), /needs props with an `id`/);
  });

  it("fails the render (E_RENDER) of a component that does not render one root element", () => {
    const Bare = defineComponent({ mount: () => ({}), render: () => html`text ${1}` });
    const V = defineView({ mount: () => ({ on: false }), events: { on: () => ({ on: true }) }, render: (s) => html`<div>${s.on ? component(Bare, { id: "x" }) : ""}</div>` });
    const v = open(V, { on: false });
    v.event("on");
    assert.equal(v.last().c, "E_RENDER");
    assert.match(v.last().m!, /must render one root element/);
  });
});

describe("a page's first HTML with components", () => {
  const Twice = defineView({ mount: () => ({ ids: ["a", "b"] }), render: (s) => html`<main>${s.ids.map((id) => component(Card, { id, title: id }))}</main>` });
  const Dupes = defineView({ mount: () => ({}), render: () => html`<main>${component(Card, { id: "x", title: "1" })}${component(Card, { id: "x", title: "2" })}</main>` });

  it("renders each component in place, and answers 500 naming duplicate ids", async () => {
    const errors: unknown[] = [];
    const app = createWeft({ views: { "/ok": Twice, "/dup": Dupes }, secret: "components-test-secret-0123456789abcdef", onError: (err) => errors.push(err) });
    try {
      const { port } = await app.listen(0);
      const ok = await fetch(`http://127.0.0.1:${port}/ok`);
      assert.equal(ok.status, 200);
      assert.match(await ok.text(), /<main><div class="card"><h2>a<\/h2><button weft-click="inc">0<\/button><\/div><div class="card"><h2>b<\/h2>/);
      const dup = await fetch(`http://127.0.0.1:${port}/dup`);
      await dup.arrayBuffer();
      assert.equal(dup.status, 500);
      assert.ok(errors.some((e) => e instanceof ComponentError && /duplicate component id "x"/.test(e.message)), String(errors));
    } finally {
      await app.close();
    }
  });

  it("fails a component that places itself with the nesting limit, as a live render does, not a stack overflow", () => {
    let n = 0;
    const Self: AnyComponent = defineComponent({ mount: () => ({}), render: () => html`<div>${component(Self, { id: `self-${n++}` })}</div>` });
    const Page = defineView({ mount: () => ({}), render: () => html`<main>${component(Self, { id: "top" })}</main>` });
    assert.throws(() => renderView(Page, {}, "/self"), (err) => err instanceof ComponentError && /components nested over 32 deep/.test(err.message));
  });
});
