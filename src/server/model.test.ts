import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { component, defineComponent, defineView, html, type StandardSchemaV1 } from "../index.ts";
import { S, type Envelope } from "../protocol/messages.ts";
import { mountView, WeftTestError } from "../testing/index.ts";
import { checkModel, modelHandler } from "./model.ts";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { ViewSession } from "./session.ts";
import type { ViewDefinition } from "./view.ts";

interface Doc {
  title: string;
  done: boolean;
  isAdmin: boolean;
  tags: string[];
}

/** A Standard Schema for a string of at most 10 characters, trimmed. */
const shortText: StandardSchemaV1<unknown, string> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: (v) => (typeof v === "string" && v.length <= 10 ? { value: v.trim() } : { issues: [{ message: "at most 10 characters" }] }),
  },
};

const start = (): Doc => ({ title: "", done: false, isAdmin: false, tags: [] });

const Listed = defineView({
  mount: start,
  model: ["title", "done", "tags"],
  render: (s) => html`<form><input id="title" weft-model="title" value=${s.title}>
    <input id="done" type="checkbox" weft-model="done" checked=${s.done}>
    <input id="admin" type="checkbox" weft-model="isAdmin" checked=${s.isAdmin}>
    <p id="out">${s.title}|${String(s.done)}|${String(s.isAdmin)}|${s.tags.join(",")}</p></form>`,
});

const Schemed = defineView({
  mount: start,
  model: { title: shortText, done: true },
  render: (s) => html`<input id="title" weft-model="title" value=${s.title}><p id="out">${s.title}|${String(s.done)}</p>`,
});

const Card = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id }),
  render: () => html`<div><input id="inner" weft-model="title"><input id="outer" weft-model="title" weft-target=""></div>`,
});

const WithCard = defineView({
  mount: start,
  model: ["title"],
  render: (s) => html`<p id="out">${s.title}</p>${component(Card, { id: "c" })}`,
});

/** A joined session over a sink that records every envelope (for what the wire carries). */
function joined<St>(view: ViewDefinition<St>, state: St, dev = false): { s: ViewSession<St>; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const s = new ViewSession<St>({ sid: "sid", path: "/m", view, params: {}, session: {}, state, timers: [] }, { outboxSize: 64, onError: () => {}, pubsub: new MemoryPubSub(), dev });
  s.attach({ send: (frame) => sent.push(JSON.parse(frame) as Envelope) }, 1, undefined, "tok");
  return { s, sent };
}

const stateOf = <St>(s: ViewSession<St>): St => s.snapshot().state as St;

describe("weft-model on the server", () => {
  it("sets a listed field and renders it", async () => {
    const v = await mountView(Listed);
    await v.model("#title", "Milk");
    await v.model("#done", true);
    assert.equal(v.text("#out"), "Milk|true|false|");
    assert.equal(v.attr("#title", "value"), "Milk");
    assert.deepEqual(v.errors, []);
  });

  it("refuses a field the view does not list with E_UNKNOWN_FIELD and leaves the state untouched", async () => {
    const { s, sent } = joined(Listed, start());
    s.event(1, "isAdmin", { value: true }, undefined, true);
    const answer = sent.at(-1)!;
    assert.equal(answer.t, S.error);
    assert.equal(answer.c, "E_UNKNOWN_FIELD");
    assert.equal(answer.r, 1);
    assert.equal(answer.m, 'the view has no bindable field "isAdmin"');
    assert.deepEqual(stateOf(s), start());
    // The kit refuses it too, as a template bug.
    const v = await mountView(Listed);
    await assert.rejects(v.model("#admin", true), (e: unknown) => e instanceof WeftTestError && e.code === "E_UNKNOWN_FIELD");
    assert.equal(v.text("#out"), "|false|false|");
  });

  it("never binds __proto__, constructor or prototype, nor an inherited name", () => {
    for (const field of ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty"]) {
      const { s, sent } = joined(Schemed, start());
      s.event(1, field, { value: { isAdmin: true } }, undefined, true);
      assert.equal(sent.at(-1)!.c, "E_UNKNOWN_FIELD", field);
      const st = stateOf(s);
      assert.deepEqual(st, start(), field);
      assert.equal(Object.getPrototypeOf(st), Object.prototype, field);
    }
    // A list naming one (only reachable by a cast) is refused at start-up; at run time it is never a field.
    assert.equal("code" in modelHandler(["__proto__"] as never, "__proto__", false), true);
  });

  it("validates with the field's schema: a refused value answers E_INVALID and keeps the state", async () => {
    const v = await mountView(Schemed);
    await v.model("#title", "  short  ");
    assert.equal(v.text("#out"), "short|false");
    await v.model("#title", "far too long for it");
    assert.equal(v.errors.at(-1)?.code, "E_INVALID");
    assert.match(v.errors.at(-1)!.message, /at most 10 characters/);
    assert.equal(v.text("#out"), "short|false");
  });

  it("refuses an update without { value } as E_INVALID", () => {
    const { s, sent } = joined(Listed, start());
    s.event(1, "title", { other: "x" }, undefined, true);
    assert.equal(sent.at(-1)!.c, "E_INVALID");
    assert.deepEqual(stateOf(s), start());
  });

  it("applies each ref once: a resent update is answered, not applied again", () => {
    let applied = 0;
    const Counted = defineView({
      mount: start,
      model: { title: { "~standard": { version: 1, vendor: "t", validate: (v: unknown) => (applied++, { value: v as string }) } } },
      render: (s) => html`<p>${s.title}</p>`,
    });
    const { s, sent } = joined(Counted, start());
    s.event(1, "title", { value: "a" }, undefined, true);
    const frames = sent.length;
    s.event(1, "title", { value: "b" }, undefined, true);
    assert.equal(applied, 1);
    assert.equal(stateOf(s).title, "a");
    assert.equal(sent.length, frames + 1);
    assert.equal(sent.at(-1)!.t, S.reply);
    assert.equal(sent.at(-1)!.r, 1);
  });

  it("lists the bindable fields in development", () => {
    const { s, sent } = joined(Listed, start(), true);
    s.event(1, "isAdmn", { value: true }, undefined, true);
    assert.equal(sent.at(-1)!.m, 'the view has no bindable field "isAdmn" (its model: title, done, tags)');
  });

  it("binds the view's field from inside a component only with weft-target=\"\": a component has no model list", async () => {
    const v = await mountView(WithCard);
    await assert.rejects(v.model("#inner", "x"), (e: unknown) => e instanceof WeftTestError && e.code === "E_UNKNOWN_FIELD");
    assert.equal(v.text("#out"), "");
    await v.model("#outer", "y");
    assert.equal(v.text("#out"), "y");
  });

  it("takes a list of strings for a multiple select", () => {
    const { s } = joined(Listed, start());
    s.event(1, "tags", { value: ["a", "b"] }, undefined, true);
    assert.deepEqual(stateOf(s).tags, ["a", "b"]);
  });

  it("keeps an event of the same name apart from a model update", () => {
    const Both = defineView({
      mount: start,
      model: ["title"],
      events: { title: (s) => ({ ...s, title: "from the event" }) },
      render: (s) => html`<p>${s.title}</p>`,
    });
    const { s } = joined(Both, start());
    s.event(1, "title", { value: "typed" }, undefined, true);
    assert.equal(stateOf(s).title, "typed");
    s.event(2, "title", { value: "typed" });
    assert.equal(stateOf(s).title, "from the event");
  });
});

describe("the model option at start-up", () => {
  const where = "defineView";
  it("takes a list of names or an object of true / schemas", () => {
    checkModel(where, undefined);
    checkModel(where, ["title"]);
    checkModel(where, { title: shortText, done: true });
  });

  it("refuses other shapes with the way to write it", () => {
    assert.throws(() => checkModel(where, "title"), /defineView: `model` must list the fields weft-model may set, e.g. model: \["title"\].*got a string/);
    assert.throws(() => checkModel(where, []), /got an empty array/);
    assert.throws(() => checkModel(where, ["title", 3]), /a list holding number 3/);
    assert.throws(() => checkModel(where, { title: false }), /model.title must be true or a Standard Schema/);
    assert.throws(() => checkModel(where, ["__proto__"]), /may not name "__proto__"/);
    assert.throws(() => checkModel(where, JSON.parse('{"constructor": true}')), /may not name "constructor"/);
  });

  it("is checked by defineView", () => {
    assert.throws(() => defineView({ mount: start, model: "title" as never, render: () => html`` }), /defineView: `model` must list/);
  });

  it("types the names against the state", () => {
    // @ts-expect-error: "nope" is not a field of the state.
    defineView({ mount: start, model: ["nope"], render: () => html`` });
    defineView({ mount: start, model: ["title"], render: () => html`` });
  });
});
