import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fnv } from "../protocol/hash.ts";
import { C, S, type Envelope } from "../protocol/messages.ts";
import { eventCache, MAX_ENTRIES, MAX_KEY, MAX_TREE, type EventCache } from "./event-cache.ts";

/**
 * A view as the cache sees it: its page (`html`, what the tree builds to) and
 * its tree's text (`snap`). The tests move both as the view would: a frame
 * or a kept tree applied changes them.
 */
interface Page {
  c: EventCache;
  clock: { t: number };
  html: string;
}

/** A cache primed by a full render listing `z`, on a page showing `html`. */
function primed(z: Envelope["z"] = { tab: [1000, ["tab"]] }, html = "<p>start</p>"): Page {
  const page: Page = { c: undefined!, clock: { t: 0 }, html };
  page.c = eventCache(() => JSON.stringify({ d: page.html }), () => page.clock.t);
  assert.equal(page.c.seen({ t: S.rendered, q: 1, d: html, k: "tok", z }), true);
  return page;
}

let ref = 0;
let seq = 1;
const ev = (e: string, d: Record<string, unknown>, extra: Partial<Envelope> = {}): Envelope => ({ t: C.event, v: 1, r: ++ref, e, d, ...extra });

/** Sends `msg` as a miss and answers it (the next frame, with its ref): the page becomes `after`. */
function miss(p: Page, msg: Envelope, after: string, answer: Partial<Envelope> = { d: { 0: after } }): void {
  assert.equal(p.c.hit(msg, p.html), undefined, `a miss: ${JSON.stringify(msg.d)}`);
  assert.equal(p.c.seen({ ...answer, r: msg.r, q: ++seq, v: 1 }), true);
  p.html = after;
}

/** Sends `msg` expecting a hit: applies the kept tree (the page becomes its HTML) and returns it. */
function hit(p: Page, msg: Envelope): Envelope {
  const kept = p.c.hit(msg, p.html);
  assert.ok(kept, `a hit: ${JSON.stringify(msg.d)}`);
  assert.equal(p.c.seen(kept), true, "the kept tree itself passes (no seq)");
  p.html = kept.d as string;
  return kept;
}

const tab = (t: string, extra?: Partial<Envelope>): Envelope => ev("tab", { tab: t }, extra);

/** Tabs a and b as misses from the page "start": both trees kept (one run of `tab`). */
function learnAB(z?: Envelope["z"]): Page {
  const p = primed(z);
  miss(p, tab("a"), "A");
  miss(p, tab("b"), "B");
  return p;
}

describe("client event cache", () => {
  it("answers a pure event seen in the same run from its kept tree, after only one miss per key", () => {
    const p = learnAB();
    const a = tab("a");
    assert.deepEqual(hit(p, a), { d: "A" }, "tab a again, from b's page: a's tree");
    assert.equal(a.w, fnv("A"), "marked with the hash of the page it shows");
    assert.deepEqual(hit(p, tab("b")), { d: "B" });
  });

  it("sends nothing for a hit: it is owed until owe(), which gives it with its claim", () => {
    const p = learnAB();
    const a = tab("a");
    hit(p, a);
    const owed = p.c.owe();
    assert.deepEqual(owed, [a]);
    assert.equal(owed[0]!.w, fnv("A"));
    assert.deepEqual(p.c.owe(), [], "given once");
  });

  it("collapses consecutive hits of one event to the latest key", () => {
    const p = learnAB({ tab: [1000, ["tab"]] });
    miss(p, tab("c"), "C");
    hit(p, tab("a"));
    hit(p, tab("b"));
    const last = tab("a");
    hit(p, last);
    assert.deepEqual(p.c.owe(), [last], "one entry, the latest");
  });

  it("owes nothing when the page is the server's again (a → b → a)", () => {
    const p = learnAB();
    for (const t of ["a", "b", "a", "b"]) hit(p, tab(t));
    assert.deepEqual(p.c.owe(), [], "back on b, the server's page: nothing to send");
    hit(p, tab("a"));
    assert.equal(p.c.owe().length, 1, "one step away: owed again");
  });

  it("keeps hits of different events in order, one entry per run", () => {
    const p = primed({ tab: [1000, ["tab"]], sort: [1000, ["by"]] });
    miss(p, tab("a"), "A");
    miss(p, ev("sort", { by: "x" }), "Ax");
    miss(p, ev("sort", { by: "y" }), "Ay");
    // A new run of tab from Ay, then of sort from there.
    miss(p, tab("b"), "By");
    miss(p, ev("sort", { by: "x" }), "Bx");
    miss(p, tab("a"), "Ax'");
    miss(p, tab("b"), "Bx'");
    const t = tab("a");
    hit(p, t);
    assert.equal(p.c.hit(ev("sort", { by: "x" }), p.html), undefined, "sort from Ax' was never seen: a miss");
    assert.deepEqual(p.c.owe(), [t]);
  });

  it("accepts only the server's replies to the hits sent, in order; any other frame asks for a full render", () => {
    const sent = (): [Page, Envelope] => {
      const p = learnAB();
      const a = tab("a");
      hit(p, a);
      p.c.owe();
      return [p, a];
    };
    let [p, a] = sent();
    assert.equal(p.c.seen({ t: S.reply, r: a.r, q: ++seq }), true, "confirmed");
    assert.equal(p.c.seen({ d: { 0: "x" }, r: 99, q: ++seq }), true, "then frames apply as usual");
    [p, a] = sent();
    assert.equal(p.c.seen({ d: { 0: "A" }, r: a.r, q: ++seq }), false, "the server's diff: the guess was wrong");
    assert.equal(p.c.seen({ d: { 0: "x" }, q: ++seq }), true, "only once: the full render is being asked for");
    [p, a] = sent();
    assert.equal(p.c.seen({ t: S.push, e: "x", q: ++seq }), false, "a push between");
    [p, a] = sent();
    assert.equal(p.c.seen({ t: S.error, c: "E_RATE_LIMIT", r: a.r, q: ++seq }), false, "refused in the stream");
    [p] = sent();
    assert.equal(p.c.seen({ t: S.rendered, d: "", q: ++seq, k: "tok", z: {} }), true, "a full render is the truth: taken");
  });

  it("asks for a full render on a server frame while hits are owed, and keeps them for the view to send", () => {
    const p = learnAB();
    const a = tab("a");
    hit(p, a);
    assert.equal(p.c.seen({ t: S.push, e: "x", q: ++seq }), false, "the server's frame is for its own tree, not this one");
    assert.deepEqual(p.c.owe(), [a], "still owed: the view sends them before it rejoins");
  });

  it("ends a run on any other frame: a kept tree is used only in the run that made it", () => {
    const p = learnAB();
    assert.equal(p.c.seen({ t: S.push, e: "x", q: ++seq }), true);
    assert.equal(p.c.hit(tab("a"), p.html), undefined, "after a push: a miss");
  });

  it("keeps the answer only when it is the next frame after the miss, and not an error", () => {
    const p = primed();
    const a = tab("a");
    assert.equal(p.c.hit(a, p.html), undefined);
    assert.equal(p.c.seen({ t: S.push, e: "x", q: ++seq }), true, "a push came first");
    assert.equal(p.c.seen({ d: { 0: "A" }, r: a.r, q: ++seq }), true);
    p.html = "A";
    miss(p, tab("b"), "B");
    assert.equal(p.c.hit(tab("a"), p.html), undefined, "a's answer was not kept");
    const q = primed();
    miss(q, tab("e"), "start", { t: S.error, c: "E_INVALID", m: "bad" });
    assert.equal(q.c.hit(tab("e"), q.html), undefined, "an error is not kept: it is sent every time");
  });

  it("drops a tree once its ttl has passed", () => {
    const p = learnAB({ tab: [1000, ["tab"]] });
    p.clock.t = 999;
    hit(p, tab("a"));
    p.clock.t = 1000;
    assert.equal(p.c.hit(tab("b"), p.html), undefined, "expired");
  });

  it("misses on another key value, another event, and never caches an event not listed, or a component's", () => {
    const p = learnAB({ tab: [1000, ["tab"]], sort: [1000, []] });
    assert.equal(p.c.hit(tab("z"), p.html), undefined, "key differs");
    p.c.seen({ t: S.reply, r: ref, q: ++seq });
    assert.equal(p.c.hit(ev("sort", { tab: "a" }), p.html), undefined, "another event: a miss (a new run)");
    p.c.seen({ t: S.reply, r: ref, q: ++seq });
    miss(p, ev("inc", {}), p.html);
    assert.equal(p.c.hit(ev("inc", {}), p.html), undefined, "not listed in z: never cached");
    const q = primed();
    miss(q, tab("a", { g: "card" }), "A");
    miss(q, tab("b", { g: "card" }), "B");
    assert.equal(q.c.hit(tab("a", { g: "card" }), q.html), undefined, "a component's event");
  });

  it(`keeps at most ${MAX_ENTRIES} trees, the oldest going first`, () => {
    const p = primed();
    for (let i = 0; i <= MAX_ENTRIES; i++) miss(p, tab(`t${i}`), `T${i}`);
    hit(p, tab("t1"));
    hit(p, tab(`t${MAX_ENTRIES}`));
    assert.equal(p.c.hit(tab("t0"), p.html), undefined, "the oldest went");
  });

  it(`does not keep a tree over ${MAX_TREE} characters: at most ${MAX_ENTRIES} × ${MAX_TREE} characters per view`, () => {
    const p = primed();
    const big = "x".repeat(MAX_TREE);
    miss(p, tab("big"), big);
    miss(p, tab("small"), "S");
    assert.equal(p.c.hit(tab("big"), p.html), undefined, "too large: not kept");
    p.c.seen({ t: S.reply, r: ref, q: ++seq });
    const fits = "y".repeat(MAX_TREE - 20);
    miss(p, tab("fits"), fits);
    miss(p, tab("other"), "O");
    assert.ok(p.c.hit(tab("fits"), p.html), "a tree within the bound is kept");
  });

  it(`does not cache an event whose key is over ${MAX_KEY} characters: a huge payload cannot grow it`, () => {
    const p = primed();
    const huge = "x".repeat(100_000);
    miss(p, tab(huge), "H");
    miss(p, tab("b"), "B");
    assert.equal(p.c.hit(tab(huge), p.html), undefined);
  });

  it("builds the key from the key fields only, however many other fields the payload has", () => {
    const p = primed({ tab: [1000, ["tab", "page"]] });
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, "v".repeat(50)]));
    miss(p, ev("tab", { ...many, tab: "a", page: 2 }), "A");
    miss(p, ev("tab", { tab: "b", page: 2 }), "B");
    assert.ok(p.c.hit(ev("tab", { tab: "a", page: 2 }), p.html), "other fields do not count");
    assert.equal(p.c.hit(ev("tab", { tab: "b", page: "2" }), p.html), undefined, "a key field's JSON counts: 2 is not \"2\"");
  });

  it("reads own key fields only: __proto__ and constructor in the key list or the payload", () => {
    const p = primed({ tab: [1000, ["__proto__", "constructor"]] });
    miss(p, ev("tab", {}), "A");
    const own = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, unknown>;
    miss(p, ev("tab", own), "B");
    assert.ok(p.c.hit(ev("tab", { other: 1 }), p.html), "two payloads without those fields share the key");
    assert.equal(Object.prototype.hasOwnProperty.call({}, "x"), false, "no prototype was touched");
  });

  it("ignores z entries that are not own: an event named constructor or __proto__ is never cached", () => {
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const p = primed({});
      miss(p, ev(name, { k: 1 }), "A");
      miss(p, ev(name, { k: 2 }), "B");
      assert.equal(p.c.hit(ev(name, { k: 1 }), p.html), undefined, name);
    }
  });

  it("keeps at most 8 hits owed: the 9th event is a miss (sent, with the owed first)", () => {
    const names = Array.from({ length: 10 }, (_, i) => `e${i}`);
    const p = primed(Object.fromEntries(names.map((n) => [n, [1000, ["k"]]])));
    // One run per event, each from the page the previous one left (k 1 last); the last leads back to the start.
    for (const [i, n] of names.entries()) {
      miss(p, ev(n, { k: 2 }), `${n}-2`);
      miss(p, ev(n, { k: 1 }), i === names.length - 1 ? "<p>start</p>" : `${n}-1`);
    }
    const hits = names.slice(0, 8).map((n) => {
      const e = ev(n, { k: 1 });
      hit(p, e);
      return e;
    });
    assert.equal(p.c.hit(ev("e8", { k: 1 }), p.html), undefined, "the 9th: a miss");
    assert.deepEqual(p.c.owe(), hits, "the 8, in order");
  });

  it("forgets every tree and owed hit and takes the new table at each full render", () => {
    const p = learnAB();
    hit(p, tab("a"));
    assert.equal(p.c.seen({ t: S.rendered, d: "", q: ++seq, k: "tok", z: { tab: [1000, ["tab"]] } }), true);
    assert.deepEqual(p.c.owe(), [], "nothing owed: the full render is the server's page");
    assert.equal(p.c.hit(tab("b"), p.html), undefined, "emptied");
  });
});
