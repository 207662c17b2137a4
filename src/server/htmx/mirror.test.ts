import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Envelope } from "../../protocol/messages.ts";
import { HtmxMirror } from "./mirror.ts";
import { SentLog } from "./sent-log.ts";

const STATICS = { 0: ['<h1>T</h1><p id="n">', '</p><ul id="l">', "</ul>"], 1: ['<li id="i', '">', "</li>"] };
const item = (k: string): unknown => ({ s: 1, d: [k, k.toUpperCase()] });
const rendered = (): Envelope => ({ t: "f", q: 1, d: { s: 0, d: ["1", { l: [item("a")] }] }, s: STATICS });

describe("HtmxMirror", () => {
  it("turns a full render into every id'd element, marked out of band", () => {
    const m = new HtmxMirror();
    const step = m.apply(rendered());
    assert.equal(step?.full, true);
    assert.match(step!.html, /<p[^>]*hx-swap-oob="true"[^>]*>1<\/p>/);
    assert.match(step!.html, /<ul[^>]*id="l"[^>]*><li id="ia">A<\/li><\/ul>/);
    assert.doesNotMatch(step!.html, /<h1>/);
    assert.equal(m.seq, 1);
  });

  it("sends only the element a diff changed", () => {
    const m = new HtmxMirror();
    m.apply(rendered());
    const step = m.apply({ q: 2, d: { 0: "2" } });
    assert.equal(step?.full, false);
    assert.match(step!.html, /^<p[^>]*id="n"[^>]*>2<\/p>$/);
    assert.equal(m.seq, 2);
  });

  it("sends an appended list item as beforeend", () => {
    const m = new HtmxMirror();
    m.apply(rendered());
    const step = m.apply({ q: 2, d: { 1: { n: 2, u: { 1: item("b") } } } });
    assert.match(step!.html, /hx-swap-oob="beforeend"/);
    assert.match(step!.html, /<li id="ib">B<\/li>/);
    assert.doesNotMatch(step!.html, /id="ia"/);
  });

  it("keeps its own copy of the session's tree", () => {
    const m = new HtmxMirror();
    const env = rendered();
    m.apply(env);
    m.apply({ q: 2, d: { 0: "9" } });
    assert.deepEqual((env.d as { d: unknown[] }).d[0], "1");
  });

  it("reports a change outside every id'd element", () => {
    const m = new HtmxMirror();
    m.apply({ t: "f", q: 1, d: { s: 0, d: ["x"] }, s: { 0: ["<h1>", '</h1><p id="n">1</p>'] } });
    const step = m.apply({ q: 2, d: { 0: "y" } });
    assert.equal(step?.outside, true);
  });

  it("is broken by a diff that does not fit, until the next full render", () => {
    const m = new HtmxMirror();
    m.apply(rendered());
    assert.throws(() => m.apply({ q: 2, d: { 7: "x" } }), TypeError);
    assert.equal(m.broken, true);
    assert.equal(m.apply({ q: 3, d: { 0: "3" } }), undefined);
    const step = m.apply({ ...rendered(), q: 4 });
    assert.equal(step?.full, true);
    assert.equal(m.broken, false);
  });

  it("skips the parse and the comparison when a diff leaves the HTML as it was", () => {
    const m = new HtmxMirror();
    m.apply(rendered());
    const docOf = () => (m as unknown as { doc: object }).doc;
    const before = docOf();
    const same = m.apply({ q: 2, d: { 0: "1" } });
    assert.deepEqual(same, { html: "", full: false, outside: false, streams: false });
    assert.equal(docOf(), before, "the same parsed document: nothing was parsed");
    assert.equal(m.seq, 2);
    // The next real change is still compared with that document.
    assert.match(m.apply({ q: 3, d: { 0: "2" } })!.html, /^<p[^>]*id="n"[^>]*>2<\/p>$/);
    assert.notEqual(docOf(), before);
  });

  it("flags stream operations and ignores other kinds", () => {
    const m = new HtmxMirror();
    assert.equal(m.apply({ t: "p", q: 1, e: "x" }), undefined);
    assert.equal(m.apply({ ...rendered(), o: [["s"]] })?.streams, true);
  });
});

describe("SentLog", () => {
  const out = (n: number) => ({ data: String(n) });

  it("gives the messages after a seq it covers", () => {
    const log = new SentLog(3);
    log.push(1, out(1), true);
    log.push(3, out(3), false);
    log.push(4, out(4), false);
    assert.deepEqual(log.after(1), [out(3), out(4)]);
    assert.deepEqual(log.after(4), []);
  });

  it("covers nothing older than what it dropped, nor a seq never sent", () => {
    const log = new SentLog(2);
    log.push(1, out(1), true);
    log.push(2, out(2), false);
    log.push(3, out(3), false);
    assert.equal(log.after(0), undefined);
    assert.deepEqual(log.after(1), [out(2), out(3)]);
    assert.deepEqual(log.after(2), [out(3)]);
    assert.equal(log.after(9), undefined);
  });

  it("starts again at a full message", () => {
    const log = new SentLog(2);
    log.push(1, out(1), false);
    log.push(5, out(5), true);
    assert.deepEqual(log.after(0), [out(5)]);
  });
});
