import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S, type Envelope } from "../protocol/messages.ts";
import { component, defineComponent } from "./components/define.ts";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { checkReply, MAX_REPLY_CHARS } from "./reply.ts";
import { ViewSession, type Sink } from "./session.ts";
import { html } from "./template/html.ts";
import { defineView, type Json, type ViewDefinition } from "./view.ts";
import { mountView } from "../testing/index.ts";

const Die = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id, n: 0 }),
  events: {
    roll: (s, _p, ctx) => { ctx.reply({ die: s.id, n: s.n + 1 }); return { ...s, n: s.n + 1 }; },
    peek: (s, _p, ctx) => { ctx.reply(s.n); },
  },
  render: (s) => html`<b>${s.n}</b>`,
});

interface St { n: number; big?: string }

const Dice = defineView({
  mount: (_p, ctx): St => { ctx.reply("ignored"); return { n: 0 }; },
  events: {
    roll: (s, _p, ctx) => { ctx.reply({ n: s.n + 1 }); return { n: s.n + 1 }; },
    same: (s, _p, ctx) => { ctx.reply("unchanged"); return s; },
    twice: (s, _p, ctx) => { ctx.reply(1); ctx.reply(2); return s; },
    none: (s) => ({ n: s.n + 1 }),
    later: async (s, _p, ctx) => { await new Promise((r) => setTimeout(r, 5)); ctx.reply("after await"); return { n: s.n + 1 }; },
    boom: (_s, _p, ctx) => { ctx.reply("lost"); throw new Error("boom"); },
    huge: (s, _p, ctx) => { ctx.reply("x".repeat(MAX_REPLY_CHARS)); return s; },
    fn: (s, _p, ctx) => { ctx.reply((() => 1) as unknown as Json); return s; },
    mutate: (s, _p, ctx) => { const v = { list: [1] }; ctx.reply(v); v.list.push(2); return s; },
    tick: (s, _p, ctx) => { ctx.schedule("tock", null, 0); return s; },
  },
  info: {
    tock: (s, _p, ctx) => { ctx.reply("from info"); return { n: s.n + 10 }; },
  },
  render: (s) => html`<p>${s.n}</p>${component(Die, { id: "d1" })}`,
});

/** A joined session whose frames are kept (as the browser would parse them). */
function open<S>(view: ViewDefinition<S>, state: S) {
  const frames: Envelope[] = [];
  const errors: unknown[] = [];
  const s = new ViewSession<S>({ sid: "s1", path: "/", view, params: {}, session: {}, state, timers: [] }, { outboxSize: 100, onError: (e) => errors.push(e), pubsub: new MemoryPubSub() });
  const sink: Sink = { send: (f) => frames.push(JSON.parse(f) as Envelope) };
  s.attach(sink, 1, undefined, "tok");
  let ref = 0;
  return {
    s, frames, errors, sink,
    event: (name: string, target?: string) => { s.event(++ref, name, {}, target); return ref; },
    answer: (r: number) => frames.find((f) => f.r === r && f.t !== S.rendered),
  };
}

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), "condition not met in time");
};

describe("ctx.reply", () => {
  it("travels as y on the diff that answers the event's ref", () => {
    const v = open(Dice, { n: 0 });
    const r = v.event("roll");
    const a = v.answer(r)!;
    assert.equal(a.t, undefined, "a diff");
    assert.deepEqual(a.y, { n: 1 });
  });

  it("travels on the reply frame when nothing changed on screen", () => {
    const v = open(Dice, { n: 0 });
    const r = v.event("same");
    const a = v.answer(r)!;
    assert.equal(a.t, S.reply);
    assert.equal(a.y, "unchanged");
  });

  it("is absent when the handler gives none, and does not leak into the next event's answer", () => {
    const v = open(Dice, { n: 0 });
    v.event("roll");
    const r = v.event("none");
    assert.equal("y" in v.answer(r)!, false);
  });

  it("keeps the last call's value", () => {
    const v = open(Dice, { n: 0 });
    assert.equal(v.answer(v.event("twice"))!.y, 2);
  });

  it("waits for an async handler and answers with the value it gave after an await", async () => {
    const v = open(Dice, { n: 0 });
    const r = v.event("later");
    await until(() => v.answer(r) !== undefined);
    assert.equal(v.answer(r)!.y, "after await");
  });

  it("answers a component's event on its own frame", () => {
    const v = open(Dice, { n: 0 });
    const r1 = v.event("roll", "d1");
    const a1 = v.answer(r1)!;
    assert.ok(a1.p !== undefined && a1.d === undefined, "the component's diff");
    assert.deepEqual(a1.y, { die: "d1", n: 1 });
    const a2 = v.answer(v.event("peek", "d1"))!;
    assert.equal(a2.t, S.reply);
    assert.equal(a2.y, 1);
  });

  it("is dropped when the handler throws: the error frame for the ref carries no value", () => {
    const v = open(Dice, { n: 0 });
    const a = v.answer(v.event("boom"))!;
    assert.equal(a.t, S.error);
    assert.equal(a.c, "E_HANDLER");
    assert.equal("y" in a, false);
  });

  it("fails the handler (E_HANDLER, state kept) for a value over 64 KiB of JSON or not JSON", () => {
    const v = open(Dice, { n: 0 });
    for (const name of ["huge", "fn"]) {
      const a = v.answer(v.event(name))!;
      assert.equal(a.t, S.error, name);
      assert.equal(a.c, "E_HANDLER", name);
      assert.equal("y" in a, false, name);
    }
    assert.ok(v.errors.every((e) => e instanceof TypeError && /ctx\.reply/.test(e.message)), "TypeErrors reported to onError");
    assert.equal(v.errors.length, 2);
  });

  it("sends a copy made when the handler replied", () => {
    const v = open(Dice, { n: 0 });
    assert.deepEqual(v.answer(v.event("mutate"))!.y, { list: [1] });
  });

  it("is dropped in an info handler: nothing has a ref to answer", async () => {
    const v = open(Dice, { n: 0 });
    v.event("tick");
    await until(() => v.frames.some((f) => f.r === undefined && f.d !== undefined));
    assert.ok(v.frames.every((f) => !("y" in f)), "no frame carries a value");
  });

  it("is replayed with its frame after a reconnect", () => {
    const v = open(Dice, { n: 0 });
    const seen = v.frames.length;
    const lastSeq = v.frames[seen - 1]!.q!;
    v.s.detach(v.sink);
    const r = v.event("roll"); // answered while the link is down: kept in the outbox
    const again: Envelope[] = [];
    v.s.attach({ send: (f) => again.push(JSON.parse(f) as Envelope) }, 1, lastSeq, "tok2");
    const replayed = again.find((f) => f.r === r && f.k === undefined)!;
    assert.deepEqual(replayed.y, { n: 1 });
    assert.equal(again[again.length - 1]!.t, S.reply, "then the join answer");
  });
});

describe("checkReply", () => {
  it("copies JSON, passes undefined, refuses what is not JSON or too long", () => {
    assert.equal(checkReply(undefined), undefined);
    assert.deepEqual(checkReply({ a: [1, "x", null] }), { a: [1, "x", null] });
    assert.equal(checkReply("x".repeat(MAX_REPLY_CHARS - 2))!.toString().length, MAX_REPLY_CHARS - 2);
    assert.throws(() => checkReply("x".repeat(MAX_REPLY_CHARS - 1)), TypeError);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(() => checkReply(cycle as Json), TypeError);
    assert.throws(() => checkReply(10n as unknown as Json), TypeError);
  });
});

describe("ctx.reply through the test kit", () => {
  it("resolves event() with the handler's reply, undefined without one", async () => {
    const v = await mountView(Dice); // its mount calls ctx.reply: dropped, no failure
    assert.equal(v.errors.length, 0);
    assert.deepEqual(await v.event("roll"), { n: 1 });
    assert.equal(await v.event("none"), undefined);
    assert.deepEqual(await v.event("roll", {}, "d1"), { die: "d1", n: 1 });
    assert.equal(await v.event("boom"), undefined);
    assert.equal(v.errors.at(-1)?.code, "E_HANDLER");
  });
});
