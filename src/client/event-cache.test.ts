import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerText, fnv } from "../protocol/hash.ts";
import { C, S, type Envelope } from "../protocol/messages.ts";
import { eventCache, MAX_ENTRIES, MAX_KEY, type EventCache } from "./event-cache.ts";

/** A cache with a clock the test moves, primed by a full render listing `z`. */
function primed(z: Envelope["z"] = { search: [1000, ["q"]] }): { c: EventCache; clock: { t: number } } {
  const clock = { t: 0 };
  const c = eventCache(() => clock.t);
  assert.equal(c.seen({ t: S.rendered, q: 1, d: "", k: "tok", z }), true);
  return { c, clock };
}

let ref = 0;
const ev = (e: string, d: Record<string, unknown>, extra: Partial<Envelope> = {}): Envelope => ({ t: C.event, v: 1, r: ++ref, e, d, ...extra });
const diff = (r: number, q: number, d: unknown = { 0: "x" }): Envelope => ({ d, r, q, v: 1 });

/** Sends `msg` as a miss at seq `q` and answers it with `answer` (its r and q filled in): the answer is kept. */
function learn(c: EventCache, msg: Envelope, html: string, q: number, answer: Partial<Envelope> = { d: { 0: "x" } }): void {
  assert.equal(c.hit(msg, html, q), undefined, "a miss");
  assert.equal(c.seen({ ...answer, r: msg.r, q: q + 1, v: 1 }), true);
}

describe("client event cache", () => {
  it("answers the same event on the same HTML from the cache, marked with the answer's hash and the seq", () => {
    const { c } = primed();
    learn(c, ev("search", { q: "a" }), "<p>1</p>", 1, { d: { 0: "hits for a" }, h: "Search: a" });
    const msg = ev("search", { q: "a", other: "ignored" });
    const hit = c.hit(msg, "<p>1</p>", 7);
    assert.deepEqual(hit, { d: { 0: "hits for a" }, h: "Search: a" });
    assert.equal(msg.w, fnv(answerText({ 0: "hits for a" }, undefined, undefined, "Search: a")));
    assert.equal(msg.q, 7);
  });

  it("gives a copy each time: a later diff changing the tree in place cannot change an entry", () => {
    const { c } = primed();
    learn(c, ev("search", { q: "a" }), "h", 1, { d: { 0: { l: ["1"] } } });
    const first = c.hit(ev("search", { q: "a" }), "h", 2)!;
    assert.equal(c.seen({ t: S.reply, r: ref, q: 3 }), true, "confirmed");
    ((first.d as { 0: { l: string[] } })[0].l).push("mutated");
    assert.deepEqual(c.hit(ev("search", { q: "a" }), "h", 3), { d: { 0: { l: ["1"] } } });
  });

  it("misses on other HTML, another key value, another event, and never caches an uncacheable one", () => {
    const { c } = primed({ search: [1000, ["q"]], sort: [1000, []] });
    learn(c, ev("search", { q: "a" }), "h1", 1);
    assert.equal(c.hit(ev("search", { q: "a" }), "h2", 2), undefined, "HTML differs");
    assert.equal(c.hit(ev("search", { q: "b" }), "h1", 2), undefined, "key differs");
    assert.equal(c.hit(ev("sort", { q: "a" }), "h1", 2), undefined, "another event");
    learn(c, ev("inc", {}), "h1", 2);
    assert.equal(c.hit(ev("inc", {}), "h1", 3), undefined, "not listed in z: never cached");
  });

  it("never caches a component's event or a weft-model update", () => {
    const { c } = primed();
    learn(c, ev("search", { q: "a" }, { g: "card" }), "h", 1);
    assert.equal(c.hit(ev("search", { q: "a" }, { g: "card" }), "h", 2), undefined);
    learn(c, ev("search", { q: "a" }, { b: 1 }), "h", 2);
    assert.equal(c.hit(ev("search", { q: "a" }, { b: 1 }), "h", 3), undefined);
  });

  it("drops an answer once its ttl has passed", () => {
    const { c, clock } = primed({ search: [1000, ["q"]] });
    learn(c, ev("search", { q: "a" }), "h", 1);
    clock.t = 999;
    assert.ok(c.hit(ev("search", { q: "a" }), "h", 2), "within ttl");
    assert.equal(c.seen({ t: S.reply, r: ref, q: 3 }), true);
    clock.t = 1000;
    assert.equal(c.hit(ev("search", { q: "a" }), "h", 3), undefined, "expired");
  });

  it(`keeps at most ${MAX_ENTRIES} answers, the oldest going first`, () => {
    const { c } = primed();
    for (let i = 0; i <= MAX_ENTRIES; i++) learn(c, ev("search", { q: `q${i}` }), "h", 1 + i);
    assert.equal(c.hit(ev("search", { q: "q0" }), "h", 100), undefined, "the oldest went");
    c.seen({ t: S.push, e: "x", q: 101 }); // another frame: the miss's answer is not kept
    assert.ok(c.hit(ev("search", { q: "q1" }), "h", 101), "the next one stayed");
    assert.equal(c.seen({ t: S.reply, r: ref, q: 102 }), true);
    assert.ok(c.hit(ev("search", { q: `q${MAX_ENTRIES}` }), "h", 102), "the newest stayed");
  });

  it(`does not cache an event whose key is over ${MAX_KEY} characters: a huge payload cannot grow it`, () => {
    const { c } = primed();
    const huge = "x".repeat(100_000);
    learn(c, ev("search", { q: huge }), "h", 1);
    assert.equal(c.hit(ev("search", { q: huge }), "h", 2), undefined);
    const fits = "y".repeat(MAX_KEY - 40);
    learn(c, ev("search", { q: fits }), "h", 2);
    assert.ok(c.hit(ev("search", { q: fits }), "h", 3), "a key within the bound is cached");
  });

  it("builds the key from the key fields only, however many other fields the payload has", () => {
    const { c } = primed({ search: [1000, ["q", "page"]] });
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, "v".repeat(50)]));
    learn(c, ev("search", { ...many, q: "a", page: 2 }), "h", 1);
    assert.ok(c.hit(ev("search", { q: "a", page: 2 }), "h", 2), "other fields do not count");
    c.seen({ t: S.reply, r: ref, q: 3 });
    assert.equal(c.hit(ev("search", { q: "a", page: "2" }), "h", 3), undefined, "a key field's JSON counts: 2 is not \"2\"");
  });

  it("reads own key fields only: __proto__ and constructor in the key list or the payload", () => {
    const { c } = primed({ search: [1000, ["__proto__", "constructor"]] });
    learn(c, ev("search", {}), "h", 1);
    assert.ok(c.hit(ev("search", { other: 1 }), "h", 2), "two payloads without those fields share the key");
    c.seen({ t: S.reply, r: ref, q: 3 });
    const own = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, unknown>;
    assert.equal(c.hit(ev("search", own), "h", 3), undefined, "own fields of those names are key values");
    assert.equal(Object.prototype.hasOwnProperty.call({}, "x"), false, "no prototype was touched");
  });

  it("ignores z entries that are not own: an event named constructor or __proto__ is never cached", () => {
    const { c } = primed({});
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      learn(c, ev(name, {}), "h", 1);
      assert.equal(c.hit(ev(name, {}), "h", 2), undefined, name);
    }
  });

  it("keeps only the answer that is the next frame after the event: not one with a frame between", () => {
    const { c } = primed();
    const msg = ev("search", { q: "a" });
    assert.equal(c.hit(msg, "h", 1), undefined);
    assert.equal(c.seen({ t: S.push, e: "x", q: 2 }), true, "a push came first");
    assert.equal(c.seen(diff(msg.r!, 3)), true);
    assert.equal(c.hit(ev("search", { q: "a" }), "h", 3), undefined, "not kept");
  });

  it("does not keep an error, a join answer, or an answer carrying a ctx.reply value", () => {
    const { c } = primed();
    learn(c, ev("search", { q: "e" }), "h", 1, { t: S.error, c: "E_INVALID", m: "bad" });
    assert.equal(c.hit(ev("search", { q: "e" }), "h", 2), undefined, "error");
    learn(c, ev("search", { q: "k" }), "h", 2, { t: S.reply, k: "token" });
    assert.equal(c.hit(ev("search", { q: "k" }), "h", 3), undefined, "join answer");
    learn(c, ev("search", { q: "y" }), "h", 3, { d: { 0: "y" }, y: 42 });
    assert.equal(c.hit(ev("search", { q: "y" }), "h", 4), undefined, "reply value");
  });

  it("caches a reply (nothing changed on screen) as an empty answer", () => {
    const { c } = primed();
    learn(c, ev("search", { q: "same" }), "h", 1, { t: S.reply });
    const msg = ev("search", { q: "same" });
    assert.deepEqual(c.hit(msg, "h", 2), {});
    assert.equal(msg.w, fnv("{}"));
  });

  it("accepts only the server's reply to the cached ref as confirmation; anything else asks for a full render", () => {
    const guess = (): [EventCache, number] => {
      const { c } = primed();
      learn(c, ev("search", { q: "a" }), "h", 1);
      const msg = ev("search", { q: "a" });
      assert.ok(c.hit(msg, "h", 2));
      assert.equal(c.seen({ d: { 0: "x" } }), true, "the cached answer itself (no seq) passes");
      return [c, msg.r!];
    };
    let [c, r] = guess();
    assert.equal(c.seen({ t: S.reply, r, q: 3 }), true, "confirmed");
    assert.equal(c.seen(diff(99, 4)), true, "and then frames apply as usual");
    [c, r] = guess();
    assert.equal(c.seen(diff(r, 3)), false, "the server's own diff: the guess was wrong");
    assert.equal(c.seen(diff(99, 4)), true, "only once: the full render is being asked for");
    [c, r] = guess();
    assert.equal(c.seen({ t: S.push, e: "x", q: 3 }), false, "a frame in between");
    [c, r] = guess();
    assert.equal(c.seen({ t: S.reply, r, q: 3, k: "tok" }), false, "a join answer's reply (the event may still be running)");
    [c, r] = guess();
    assert.equal(c.seen({ t: S.error, c: "E_RATE_LIMIT", r, q: 3 }), false, "refused in the stream: not applied");
    [c, r] = guess();
    assert.equal(c.seen({ t: S.rendered, d: "", q: 3, k: "tok" }), false, "a full render while unsure");
  });

  it("forgets every answer and takes the new table at each full render", () => {
    const { c } = primed();
    learn(c, ev("search", { q: "a" }), "h", 1);
    assert.equal(c.seen({ t: S.rendered, d: "", q: 5, k: "tok", z: { search: [1000, ["q"]] } }), true);
    assert.equal(c.hit(ev("search", { q: "a" }), "h", 5), undefined, "emptied");
    assert.equal(c.seen({ t: S.rendered, d: "", q: 6, k: "tok" }), true);
    learn(c, ev("search", { q: "b" }), "h", 6);
    assert.equal(c.hit(ev("search", { q: "b" }), "h", 7), undefined, "no z: nothing is cacheable");
  });
});
