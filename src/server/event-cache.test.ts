import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fnv } from "../protocol/hash.ts";
import { C, kindOf, S, type Envelope } from "../protocol/messages.ts";
import { defineComponent } from "./components/define.ts";
import { cacheClaim, cacheTable, type CacheClaim } from "./event-cache.ts";
import { MemoryPubSub } from "./pubsub/memory.ts";
import { ViewSession } from "./session.ts";
import { html } from "./template/html.ts";
import { renderToString } from "./template/render-tree.ts";
import { defineView, type ViewDefinition } from "./view.ts";

interface St {
  tab: string;
  hits: string[];
  note: string;
}

const ITEMS = ["apple", "avocado", "banana", "blueberry", "cherry"];
/** Handler runs, to show that an event answered from the cache still runs once on the server. */
let runs = 0;

const Search = defineView<St>({
  mount: () => ({ tab: "", hits: [], note: "" }),
  events: {
    tab: {
      handler: (s, p: { tab: string }) => {
        runs++;
        return { ...s, tab: p.tab, hits: ITEMS.filter((i) => i.startsWith(p.tab)) };
      },
      cache: { ttlMs: 60_000, key: ["tab"] },
    },
    plain: (s, p) => ({ ...s, note: String(p.note) }),
  },
  info: { note: (s, p) => ({ ...s, note: String(p) }) },
  render: (s) => html`<nav>${s.tab}</nav><ul>${s.hits.map((h) => html`<li>${h}</li>`)}</ul><p>${s.note}</p>`,
});

/** A joined session over a sink that records every envelope. */
function joined(view: ViewDefinition<St> = Search): { s: ViewSession<St>; sent: Envelope[] } {
  const sent: Envelope[] = [];
  const s = new ViewSession<St>({ sid: "sid", path: "/s", view, params: {}, session: {}, state: { tab: "", hits: [], note: "" }, timers: [] }, { outboxSize: 64, onError: (e) => { throw e; }, pubsub: new MemoryPubSub() });
  s.attach({ send: (frame) => sent.push(JSON.parse(frame) as Envelope) }, 1, undefined, "tok");
  return { s, sent };
}

const last = (sent: Envelope[]): Envelope => sent[sent.length - 1]!;
/** The hash of the page `view` shows in `state`: what a browser claims (`w`) for the tree it shows. */
const pageHash = (state: St, view: ViewDefinition<St> = Search): number => fnv(renderToString(view.render(state)));
/** The page of tab `t` (note ""). */
const tabPage = (t: string): number => pageHash({ tab: t, hits: ITEMS.filter((i) => i.startsWith(t)), note: "" });
/** The claim a browser makes for tab "a" shown from its cache, with seq `q` (or none). */
const claimOf = (q?: number, w = tabPage("a")): CacheClaim => ({ w, q });

/** The diff the server sends for tab "a" after tabs a, b (a twin session that ran the same events). */
function twinAnswer(): Envelope {
  const { s, sent } = joined();
  s.event(1, "tab", { tab: "a" });
  s.event(2, "tab", { tab: "b" });
  s.event(3, "tab", { tab: "a" });
  return last(sent);
}

describe("server event cache", () => {
  it("lists the view's cacheable events on the join's full render, and nothing for a view without any", () => {
    const { sent } = joined();
    assert.equal(kindOf(sent[0]!), S.rendered);
    assert.deepEqual(sent[0]!.z, { tab: [60_000, ["tab"]] });
    const Plain = defineView<St>({ mount: () => ({ tab: "", hits: [], note: "" }), events: { tab: (s) => s }, render: () => html`<p></p>` });
    assert.equal(joined(Plain).sent[0]!.z, undefined);
    assert.deepEqual(cacheTable(Search as ViewDefinition<unknown>), { tab: [60_000, ["tab"]] });
  });

  it("lists them again on a rejoin's full render (a new link, a live navigation's view, a takeover all attach)", () => {
    const { s, sent } = joined();
    s.attach({ send: (frame) => sent.push(JSON.parse(frame) as Envelope) }, 2, undefined, "tok2");
    assert.equal(kindOf(last(sent)), S.rendered);
    assert.deepEqual(last(sent).z, { tab: [60_000, ["tab"]] });
  });

  it("replies instead of sending the diff when its page hashes as the one the browser shows (with or without a seq)", () => {
    assert.equal(kindOf(twinAnswer()), S.diff);
    for (const q of [undefined, 3]) {
      const { s, sent } = joined();
      s.event(1, "tab", { tab: "a" });
      s.event(2, "tab", { tab: "b" });
      s.event(3, "tab", { tab: "a" }, undefined, false, claimOf(q === undefined ? undefined : last(sent).q!));
      assert.deepEqual({ t: last(sent).t, r: last(sent).r, d: last(sent).d }, { t: S.reply, r: 3, d: undefined }, `a reply, no diff (q ${q})`);
    }
    const { s, sent } = joined();
    s.event(1, "tab", { tab: "a" });
    s.event(2, "tab", { tab: "b" });
    const before = runs;
    s.event(3, "tab", { tab: "a" }, undefined, false, claimOf());
    assert.deepEqual({ t: last(sent).t, r: last(sent).r, d: last(sent).d }, { t: S.reply, r: 3, d: undefined }, "a reply, no diff");
    assert.equal(runs, before + 1, "the handler ran once: the server's state follows");
    // State and tree were committed: the next diff is the one a session that sent the diff computes.
    s.event(4, "tab", { tab: "b" });
    const { s: twin, sent: tsent } = joined();
    for (const [r, tab] of [[1, "a"], [2, "b"], [3, "a"], [4, "b"]] as const) twin.event(r, "tab", { tab });
    assert.deepEqual(last(sent).d, last(tsent).d);
    assert.equal(last(sent).q, last(tsent).q, "the same seqs: the reply took the diff's place");
  });

  it("sends the diff when the hash differs (the browser's guess was wrong)", () => {
    const cached = twinAnswer();
    const { s, sent } = joined();
    s.event(1, "tab", { tab: "a" });
    s.event(2, "tab", { tab: "b" });
    s.event(3, "tab", { tab: "a" }, undefined, false, claimOf(undefined, tabPage("a") ^ 1));
    assert.equal(kindOf(last(sent)), S.diff);
    assert.equal(last(sent).r, 3);
    assert.deepEqual(last(sent).d, cached.d);
  });

  it("sends the diff when a frame went out after a claimed seq (the trees may differ)", () => {
    const cached = twinAnswer();
    const { s, sent } = joined();
    s.event(1, "tab", { tab: "a" });
    s.event(2, "tab", { tab: "b" });
    const q = last(sent).q!;
    s.ctx.pushEvent("hello", null); // a frame the browser had not seen when it answered from its cache
    s.event(3, "tab", { tab: "a" }, undefined, false, claimOf(q));
    assert.equal(kindOf(last(sent)), S.diff, "the same answer, but another seq: the diff goes");
    assert.deepEqual(last(sent).d, cached.d);
  });

  it("never confirms an event that is not cacheable, even with a matching hash", () => {
    const { s, sent } = joined();
    s.event(1, "plain", { note: "x" }, undefined, false, claimOf(undefined, pageHash({ tab: "", hits: [], note: "x" })));
    assert.equal(kindOf(last(sent)), S.diff);
  });

  it("applies a cached event exactly once: a resent ref is answered, not run again", () => {
    const cached = twinAnswer();
    const { s, sent } = joined();
    s.event(1, "tab", { tab: "a" });
    s.event(2, "tab", { tab: "b" });
    const claim = claimOf();
    s.event(3, "tab", { tab: "a" }, undefined, false, claim);
    assert.equal(kindOf(cached), S.diff);
    const before = runs;
    const frames = sent.length;
    s.event(3, "tab", { tab: "a" }, undefined, false, claim); // the browser resends it after a reconnect
    assert.equal(runs, before, "not run again");
    assert.equal(sent.length, frames + 1);
    assert.deepEqual({ t: last(sent).t, r: last(sent).r }, { t: S.reply, r: 3 });
  });

  it("carries the handler's ctx.reply value on the confirming reply", () => {
    const Replying = defineView<St>({
      mount: () => ({ tab: "", hits: [], note: "" }),
      events: { tab: { run: (s, p: { tab: string }, ctx) => { ctx.reply(p.tab.length); return { ...s, tab: p.tab }; }, cache: { ttlMs: 1000, key: ["tab"] } } },
      render: (s) => html`<nav>${s.tab}</nav>`,
    });
    const { s, sent } = joined(Replying);
    s.event(1, "tab", { tab: "ab" }, undefined, false, claimOf(undefined, pageHash({ tab: "ab", hits: [], note: "" }, Replying)));
    assert.deepEqual({ t: last(sent).t, y: last(sent).y, d: last(sent).d }, { t: S.reply, y: 2, d: undefined });
  });

  it("never confirms an answer that changes the title (not part of the tree the browser keeps): the diff goes", () => {
    const Titled = defineView<St>({ ...Search, title: (st) => `Tab ${st.tab}` });
    const { s, sent } = joined(Titled);
    s.event(1, "tab", { tab: "a" }, undefined, false, claimOf(undefined, pageHash({ tab: "a", hits: ITEMS.filter((i) => i.startsWith("a")), note: "" }, Titled)));
    assert.equal(kindOf(last(sent)), S.diff);
    assert.equal(last(sent).h, "Tab a");
  });

  it("reads a claim from an event frame, and refuses a malformed one", () => {
    const base: Envelope = { t: C.event, v: 1, r: 1, e: "tab", d: {} };
    assert.equal(cacheClaim(base), undefined);
    assert.deepEqual(cacheClaim({ ...base, w: -5, q: 3 }), { w: -5, q: 3 });
    assert.deepEqual(cacheClaim({ ...base, w: 0x7fffffff, q: 0 }), { w: 0x7fffffff, q: 0 });
    assert.deepEqual(cacheClaim({ ...base, w: -5 }), { w: -5, q: undefined }, "no seq: the browser's own claim");
    for (const bad of [{ w: 1.5, q: 1 }, { w: 2 ** 31, q: 1 }, { w: -(2 ** 31) - 1, q: 1 }, { w: 1, q: -1 }, { w: "1", q: 1 }, { w: 1, q: "1" }, { w: 1, q: 1.5 }]) {
      assert.equal(cacheClaim({ ...base, ...(bad as object) }), "bad", JSON.stringify(bad));
    }
  });

  it("accepts handler as another name for run, and refuses both, neither, or a bad cache, at definition", () => {
    const mount = () => ({});
    const render = () => html`<p></p>`;
    assert.doesNotThrow(() => defineView({ mount, render, events: { a: { handler: (s) => s }, b: { run: (s) => s } } }));
    const bad = (events: unknown, re: RegExp) => assert.throws(() => defineView({ mount, render, events: events as never }), re);
    bad({ a: { run: (s: unknown) => s, handler: (s: unknown) => s } }, /events\.a must be .*run \(or handler, not both\)/);
    bad({ a: { cache: { ttlMs: 1, key: [] } } }, /events\.a must be/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 0, key: [] } } }, /events\.a\.cache\.ttlMs must be an integer from 1 to 86400000, got number 0/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 1.5, key: [] } } }, /ttlMs must be an integer/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 86_400_001, key: [] } } }, /ttlMs must be an integer/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 10 } } }, /events\.a\.cache\.key must be a list/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 10, key: "q" } } }, /key must be a list/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 10, key: [""] } } }, /key must be a list/);
    bad({ a: { handler: (s: unknown) => s, cache: { ttlMs: 10, key: Array.from({ length: 17 }, (_, i) => `f${i}`) } } }, /at most 16/);
    bad({ a: { handler: (s: unknown) => s, cache: 60_000 } }, /events\.a\.cache must be \{ ttlMs, key/);
    assert.throws(() => defineComponent({ mount, render, events: { a: { run: (s: unknown) => s, cache: { ttlMs: 10, key: [] } } } as never }), /only a view's events can be cached, not a component's/);
  });
});
