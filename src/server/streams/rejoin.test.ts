import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { S, type Envelope, type StreamOp } from "../../protocol/messages.ts";
import { defineView, html } from "../../index.ts";
import { mountView } from "../../testing/index.ts";
import { StreamModel } from "../../testing/streams.ts";
import type { Sink } from "../session.ts";
import { stream } from "./index.ts";

interface Row { id: number }
const rows = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: from + i }));

function feed(fill: (s: { loaded: number }, ctx: { stream: (n: string, items: Row[]) => void }) => void) {
  return defineView({
    mount: () => ({ loaded: 2 }),
    streams: fill,
    events: { more: (s, _p, ctx) => { ctx.stream("rows", rows(s.loaded + 1, 2)); return { loaded: s.loaded + 2 }; } },
    render: () => html`<ul id="rows" ${stream<Row>("rows", () => html`<li></li>`)}></ul>`,
  });
}

/** A browser's link: frames in, stream ops applied to a model as a browser would. */
function link(): { sink: Sink; frames: Envelope[]; model: StreamModel } {
  const frames: Envelope[] = [];
  const model = new StreamModel();
  const sink: Sink = {
    send: (_t, env) => {
      frames.push(env!);
      if (env!.t === S.rendered) model.clear();
      model.apply(env!.o as StreamOp[] | undefined);
    },
  };
  return { sink, frames, model };
}

type Live = { attach(sink: Sink, v: number, lastSeq: number | undefined, token: string): void; detach(sink: Sink): void };
const sessionOf = (v: unknown): Live => (v as { session: Live }).session;

describe("streams at a rejoin", () => {
  it("empties the stream and fills it from streams(state, ctx) at a rejoin without a seq: each row once", async () => {
    const v = await mountView(feed((s, ctx) => ctx.stream("rows", rows(1, s.loaded))));
    await v.event("more");
    await v.event("more");
    const { sink, frames, model } = link();
    model.apply([["rows", "rows-1", -1, "<li></li>"], ["rows", "stale", -1, "<li></li>"]]);
    sessionOf(v).attach(sink, 1, undefined, "token");
    assert.equal(frames[0]?.t, S.rendered);
    assert.deepEqual((frames[0]?.o as StreamOp[])[0], ["rows"]);
    assert.deepEqual(model.ids("rows"), ["rows-1", "rows-2", "rows-3", "rows-4", "rows-5", "rows-6"]);
  });

  it("replays the missed frames' stream ops at a rejoin the outbox covers, and keeps the page's rows", async () => {
    const v = await mountView(feed((s, ctx) => ctx.stream("rows", rows(1, s.loaded))));
    const first = link();
    sessionOf(v).attach(first.sink, 1, undefined, "token");
    const seq = first.frames.at(-1)!.q!;
    const kept = first.model;
    sessionOf(v).detach(first.sink); // the link drops: the next frame waits in the outbox
    await v.event("more");
    assert.deepEqual(kept.ids("rows"), ["rows-1", "rows-2"]);
    const again = link();
    sessionOf(v).attach({ send: (t, env) => { again.sink.send(t, env); kept.apply(env!.o as StreamOp[] | undefined); } }, 1, seq, "token");
    assert.notEqual(again.frames[0]?.t, S.rendered);
    assert.deepEqual(kept.ids("rows"), ["rows-1", "rows-2", "rows-3", "rows-4"]);
  });

  it("leaves the stream empty, never stale, when streams() throws, and reports it", async () => {
    const v = await mountView(feed(() => { throw new Error("db down"); }));
    const { sink, frames, model } = link();
    model.apply([["rows", "stale", -1, "<li></li>"]]);
    sessionOf(v).attach(sink, 1, undefined, "token");
    assert.deepEqual(frames[0]?.o, [["rows"]]);
    assert.deepEqual(model.ids("rows"), []);
  });
});
