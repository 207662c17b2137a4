import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { component, defineComponent, defineView, html } from "../../index.ts";
import { mountView } from "../../testing/index.ts";
import { StreamModel } from "../../testing/streams.ts";
import { stream, StreamBuffer, StreamError, StreamRef } from "./index.ts";
import { beginStreams, endStreams } from "./ref.ts";
import { renderToString } from "../template/render-tree.ts";

interface Row { id: number; title: string }
/** A render with the streams it placed, noted as the session notes them (beginStreams … endStreams). */
function collectStreams(render: () => unknown): [unknown, Map<string, StreamRef> | undefined] {
  const outer = beginStreams();
  let mine: Map<string, StreamRef> | undefined;
  let out: unknown;
  try {
    out = render();
  } finally {
    mine = endStreams(outer);
  }
  return [out, mine];
}

const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i, title: `row ${from + i}` }));

const Feed = defineView({
  mount: () => ({ loaded: 3, pages: 1 }),
  streams: (s, ctx) => ctx.stream("rows", rows(1, s.loaded)),
  events: {
    more: (s, _p, ctx) => { ctx.stream("rows", rows(s.loaded + 1, 2)); return { ...s, loaded: s.loaded + 2 }; },
    top: (s, _p, ctx) => { ctx.streamInsert("rows", { id: 0, title: "top" }, { at: 0 }); return s; },
    del: (s, p, ctx) => { ctx.streamDelete("rows", String(p.id)); return s; },
    edit: (s, _p, ctx) => { ctx.streamInsert("rows", { id: 2, title: "edited" }); return s; },
    reset: (s, _p, ctx) => { ctx.stream("rows", rows(100, 1), { reset: true }); return s; },
    capped: (s, _p, ctx) => { ctx.stream("rows", rows(50, 3), { limit: -4 }); return s; },
    far: (s, _p, ctx) => { ctx.streamInsert("rows", { id: 90, title: "far" }, { at: 1e12 }); ctx.streamInsert("rows", { id: 91, title: "neg" }, { at: -7 }); return s; },
    twice: (s, _p, ctx) => { ctx.stream("rows", [{ id: 7, title: "first" }, { id: 7, title: "last" }]); return s; },
    typo: (s, _p, ctx) => { ctx.stream("rwos", rows(1, 1)); return s; },
    noid: (s, _p, ctx) => { ctx.streamInsert("rows", { title: "x" }); return s; },
  },
  render: (s) => html`<div><p id="n">${s.loaded}</p><ul id="list" ${stream<Row>("rows", (r) => html`<li>${r.title}</li>`)}></ul></div>`,
});

const ids = (h: string): string[] => [...h.matchAll(/<li id="([^"]+)"/g)].map((m) => m[1]!);

describe("streams", () => {
  it("renders streamed rows in the test kit, the container marked, rows with their dom ids", async () => {
    const v = await mountView(Feed);
    assert.match(v.html(), /<ul id="list" weft-stream="rows"><li id="rows-1">row 1<\/li>/);
    assert.deepEqual(ids(v.html()), ["rows-1", "rows-2", "rows-3"]);
    await v.event("more");
    assert.deepEqual(ids(v.html()), ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5"]);
    await v.event("top");
    await v.event("del", { id: "rows-3" });
    await v.event("edit");
    assert.deepEqual(ids(v.html()), ["rows-0", "rows-1", "rows-2", "rows-4", "rows-5"]);
    assert.match(v.html(), /<li id="rows-2">edited<\/li>/);
    await v.event("reset");
    assert.deepEqual(ids(v.html()), ["rows-100"]);
  });

  it("keeps no item, dom id or count on the server: the kept tree holds the container's attribute only", async () => {
    const v = await mountView(Feed);
    for (let i = 0; i < 20; i++) await v.event("more");
    const s = (v as unknown as { session: { tree: unknown; streamCalls: { waiting: boolean } } }).session;
    const kept = JSON.stringify(s.tree);
    assert.ok(!kept.includes("row "), kept);
    assert.ok(kept.length < 200, kept);
    assert.equal(s.streamCalls.waiting, false);
  });

  it("prunes beyond a negative limit from the start, and clamps absurd positions to the ends", async () => {
    const v = await mountView(Feed);
    await v.event("capped");
    assert.deepEqual(ids(v.html()), ["rows-3", "rows-50", "rows-51", "rows-52"]);
    await v.event("far");
    assert.deepEqual(ids(v.html()), ["rows-3", "rows-50", "rows-51", "rows-52", "rows-90", "rows-91"]);
  });

  it("lets the last of two items with one dom id in a batch win, in the first one's place", async () => {
    const v = await mountView(Feed);
    await v.event("twice");
    assert.deepEqual(ids(v.html()), ["rows-1", "rows-2", "rows-3", "rows-7"]);
    assert.match(v.html(), /<li id="rows-7">last<\/li>/);
  });

  it("fails a call on a stream the template does not place with E_RENDER, naming the streams it places; the view keeps its rows", async () => {
    const v = await mountView(Feed);
    await v.event("typo");
    assert.equal(v.errors[0]?.code, "E_RENDER");
    assert.match(String((v.errors[0]?.cause as Error).message), /no stream\("rwos", …\) in this render \(it places "rows"\)/);
    await v.event("more");
    assert.deepEqual(ids(v.html()), ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5"]);
  });

  it("fails a stream call in mount with a TypeError naming the call and streams(), never dropping it", async () => {
    for (const call of ["stream", "streamInsert", "streamDelete"] as const) {
      const V = defineView({
        mount: (_p, ctx) => {
          if (call === "stream") ctx.stream("rows", rows(1, 2));
          else if (call === "streamInsert") ctx.streamInsert("rows", { id: 1, title: "x" });
          else ctx.streamDelete("rows", "rows-1");
          return { loaded: 2 };
        },
        render: (s) => html`<ul ${stream<Row>("rows", (r) => html`<li>${r.title}</li>`)}>${s.loaded}</ul>`,
      });
      await assert.rejects(mountView(V), new RegExp(`ctx\\.${call}\\("rows"\\) in mount: .*streams\\(state, ctx\\)`));
    }
  });

  it("fails an item without an id in the handler (E_HANDLER)", async () => {
    const v = await mountView(Feed);
    await v.event("noid");
    assert.equal(v.errors[0]?.code, "E_HANDLER");
    assert.ok(v.errors[0]?.cause instanceof StreamError);
  });
});

describe("streams and components", () => {
  it("sends the stream calls of a component's event with its frame, the view not rendered again", async () => {
    let renders = 0;
    const Adder = defineComponent({
      mount: () => ({ n: 0 }),
      events: { add: (s: { n: number }, _p, ctx) => { ctx.streamInsert("rows", { id: 100 + s.n, title: "from a component" }); return { n: s.n + 1 }; } },
      render: (s) => html`<div><button id="add" weft-click="add">${s.n}</button></div>`,
    });
    const V = defineView({
      mount: () => ({}),
      streams: (_s, ctx) => ctx.stream("rows", rows(1, 1)),
      render: () => { renders++; return html`<main>${component(Adder, { id: "a" })}<ul ${stream<Row>("rows", (r) => html`<li>${r.title}</li>`)}></ul></main>`; },
    });
    const v = await mountView(V);
    const before = renders;
    await v.click("#add");
    assert.equal(renders, before);
    assert.deepEqual(ids(v.html()), ["rows-1", "rows-100"]);
  });
});

describe("StreamBuffer", () => {
  const ref = new StreamRef("rows", (r) => html`<tr><td>${(r as Row).title}</td></tr>`);
  const placed = new Map([["rows", ref]]);

  it("encodes inserts with position, limit and the item's HTML, its root given the dom id first", () => {
    const b = new StreamBuffer();
    b.stream("rows", rows(1, 2), { at: 0, limit: 10, reset: true });
    b.delete("rows", { id: 9 });
    assert.deepEqual(b.encode(placed, false), [
      ["rows"],
      ["rows", "rows-1", 0, '<tr id="rows-1"><td>row 1</td></tr>', 10],
      ["rows", "rows-2", 1, '<tr id="rows-2"><td>row 2</td></tr>', 10],
      ["rows", "rows-9"],
    ]);
    assert.equal(b.encode(placed, false), undefined);
  });

  it("starts a full render by emptying every placed stream", () => {
    assert.deepEqual(new StreamBuffer().encode(placed, true), [["rows"]]);
  });

  it("clamps at below -1 to the end and huge at to 2^31-1; refuses NaN, a zero or fractional limit, and bad names", () => {
    const b = new StreamBuffer();
    b.insert("rows", { id: 1 }, { at: -99 });
    b.insert("rows", { id: 2 }, { at: Number.MAX_VALUE });
    assert.deepEqual(b.encode(placed, false)!.map((op) => op[2]), [-1, 2 ** 31 - 1]);
    assert.throws(() => b.insert("rows", { id: 1 }, { at: NaN }), StreamError);
    assert.throws(() => b.insert("rows", { id: 1 }, { limit: 0 }), /non-zero integer/);
    assert.throws(() => b.insert("rows", { id: 1 }, { limit: 1.5 }), /non-zero integer/);
    assert.throws(() => b.insert("bad name", { id: 1 }), /stream name/);
    assert.throws(() => stream("rows", undefined as never), /render function/);
  });

  it("refuses an item that renders no element", () => {
    const b = new StreamBuffer();
    b.insert("rows", { id: 1 });
    assert.throws(() => b.encode(new Map([["rows", new StreamRef("rows", () => "text")]]), false), /one element/);
  });

  it("notes placed streams only while collecting, and fails a stream placed twice", () => {
    const s = stream("rows", () => html`<li></li>`);
    const [, none] = collectStreams(() => html`<ul></ul>`);
    assert.equal(none, undefined);
    const [, found] = collectStreams(() => renderToString(html`<ul ${s}></ul>`));
    assert.deepEqual([...found!.keys()], ["rows"]);
    assert.throws(() => collectStreams(() => renderToString(html`<ul ${s}></ul><ol ${s}></ol>`)), /placed twice/);
    assert.throws(() => renderToString(html`<ul>${s as never}</ul>`), /belongs in its container's start tag/);
  });
});

describe("StreamModel (the test kit's copy)", () => {
  it("updates an existing dom id in place and prunes a positive limit from the end", () => {
    const m = new StreamModel();
    m.apply([["r", "a", -1, "<i>a</i>"], ["r", "b", -1, "<i>b</i>"], ["r", "c", 0, "<i>c</i>", 2], ["r", "b", 0, "<i>B</i>"]]);
    assert.deepEqual(m.ids("r"), ["b", "c", "a"]);
    m.apply([["r", "a", 0, "<i>A</i>"]]);
    assert.equal(m.fill('<ul weft-stream="r"></ul>'), '<ul weft-stream="r"><i>B</i><i>c</i><i>A</i></ul>');
  });
});
