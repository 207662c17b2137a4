import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { kindOf, S, type Envelope } from "../protocol/messages.ts";
import { liveTitle, pageTitle } from "./page-title.ts";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { ViewSession } from "./session.ts";
import { html } from "./template/html.ts";
import { defineView, type ViewDefinition } from "./view.ts";

interface St {
  n: number;
  note: string;
}

const titled = (title: ViewDefinition<St>["title"]) => defineView<St>({
  mount: () => ({ n: 0, note: "" }),
  events: {
    inc: (s) => ({ ...s, n: s.n + 1 }),
    note: (s, p) => ({ ...s, note: String(p.text) }),
    same: (s) => s,
  },
  info: { inc: (s) => ({ ...s, n: s.n + 1 }), note: (s, p) => ({ ...s, note: String(p) }) },
  render: (s) => html`<p>${s.note}</p>`,
  title,
});

/** A joined session over a sink that records every envelope. */
function joined(view: ViewDefinition<St>, state: St = { n: 0, note: "" }): { s: ViewSession<St>; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const s = new ViewSession<St>({ sid: "sid", path: "/t", view, params: {}, session: {}, state, timers: [] }, { outboxSize: 64, onError: () => {}, pubsub: new MemoryPubSub() });
  s.attach({ send: (frame) => sent.push(JSON.parse(frame) as Envelope) }, 1, undefined, "tok");
  return { s, sent };
}

const lastOf = (sent: Envelope[]): Envelope => sent[sent.length - 1]!;

describe("page title", () => {
  it("computes a function title from the state and leaves a string title alone", () => {
    assert.equal(liveTitle(titled((s) => `n=${s.n}`), { n: 2, note: "" }, "/t"), "n=2");
    assert.equal(liveTitle(titled("Fixed"), { n: 2, note: "" }, "/t"), undefined);
    assert.equal(pageTitle(titled("Fixed"), { n: 2, note: "" }, "/t"), "Fixed");
    assert.equal(pageTitle(titled(undefined), { n: 2, note: "" }, "/t"), "");
  });

  it("refuses a title function that returns no string, naming the view", () => {
    const bad = titled(((s: St) => s.n) as unknown as (s: St) => string);
    assert.throws(() => pageTitle(bad, { n: 1, note: "" }, "/t"), /title\(\) of the view at "\/t" must return a string, got number 1/);
  });

  it("sends the title with the join's full render", () => {
    const { sent } = joined(titled((s) => `n=${s.n}`), { n: 4, note: "" });
    assert.equal(kindOf(sent[0]!), S.rendered);
    assert.equal(sent[0]!.h, "n=4");
  });

  it("sends the title in the diff only when it changed", () => {
    const { s, sent } = joined(titled((s) => `n=${s.n}`));
    s.event(1, "inc", {});
    assert.equal(lastOf(sent).h, "n=1", "the title changed with the state");
    s.event(2, "note", { text: "a" });
    assert.equal(kindOf(lastOf(sent)), S.diff);
    assert.equal(lastOf(sent).h, undefined, "the title did not change: not sent again");
    assert.equal(lastOf(sent).r, 2);
  });

  it("sends a changed title in a reply when the render did not change", () => {
    const { s, sent } = joined(titled((s) => `n=${s.n}`));
    s.event(1, "inc", {});
    assert.deepEqual({ t: lastOf(sent).t, r: lastOf(sent).r, h: lastOf(sent).h }, { t: S.reply, r: 1, h: "n=1" });
    s.info("inc", null);
    assert.deepEqual({ t: lastOf(sent).t, r: lastOf(sent).r, h: lastOf(sent).h }, { t: S.reply, r: undefined, h: "n=2" }, "an info's title travels alone");
    const before = sent.length;
    s.info("note", "");
    assert.equal(sent.length, before, "no change on screen or in the title: nothing sent");
  });

  it("never sends a string title after the page", () => {
    const { s, sent } = joined(titled("Fixed"));
    s.event(1, "inc", {});
    s.event(2, "note", { text: "x" });
    assert.ok(sent.every((e) => e.h === undefined), JSON.stringify(sent));
  });

  it("answers a throwing title with E_RENDER and keeps the last good state", () => {
    const { s, sent } = joined(titled((st) => {
      if (st.note === "boom") throw new Error("no title");
      return `note=${st.note}`;
    }));
    s.event(1, "note", { text: "boom" });
    assert.deepEqual({ c: lastOf(sent).c, r: lastOf(sent).r }, { c: "E_RENDER", r: 1 });
    s.event(2, "note", { text: "ok" });
    assert.deepEqual({ h: lastOf(sent).h, d: lastOf(sent).d }, { h: "note=ok", d: { 0: "ok" } }, "the failed state was never committed");
  });

  it("replays a title change to a client that missed it", () => {
    const { s } = joined(titled((s) => `n=${s.n}`));
    s.event(1, "inc", {});
    const again: Envelope[] = [];
    s.attach({ send: (frame) => again.push(JSON.parse(frame) as Envelope) }, 1, 1, "tok2");
    assert.deepEqual(again.map((e) => e.h), ["n=1", undefined], "the replayed reply carries the title; the join answer follows");
  });
});
