/**
 * The bounded queue and handler time limits on the wire, over every
 * transport and encoding (real server, real protocol clients): E_BUSY goes
 * outside the view's stream (no seq) for the refused ref only, and that ref
 * is never applied, not even when it is resent after a reconnect; E_TIMEOUT
 * answers a hung handler's ref in the stream, and the next event is applied.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html, type Uploads } from "../../src/index.ts";
import { S } from "../../src/protocol/messages.ts";
import { getPage } from "../support/protocol-client.ts";
import { appFixture } from "../support/server.ts";
import { until } from "../support/until.ts";
import { WIRES } from "../support/wires.ts";

/** Lets the held `wait` handler finish. */
let release: (() => void) | undefined;

const Queue = defineView({
  mount: () => ({ count: 0 }),
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    wait: () => new Promise<void>((r) => (release = r)),
    hang: { run: () => new Promise<void>(() => {}), timeoutMs: 100 },
  },
  render: (s) => html`<b>${s.count}</b>`,
});

/** A view with an upload and a handler that holds its queue. */
const Held = defineView({
  uploads: { doc: { accept: [".txt"], maxBytes: 1000, maxFiles: 50 } },
  mount: () => ({ uploads: {} as Uploads<"doc"> }),
  events: { wait: () => new Promise<void>((r) => (release = r)) },
  render: (s) => html`<i>${s.uploads.doc.entries.map((e) => e.name).join(",")}</i>`,
});

for (const transport of WIRES) {
  describe(`the bounded queue and handler time limits over ${transport}`, () => {
    // An HTTP POST waits at most this long for its events' answers, so a held queue does not hold the next POST.
    const fx = appFixture(transport, { views: { "/q": Queue, "/held": Held }, maxQueuedPerSession: 1, httpAnswerWaitMs: 200 });

    it("refuses the event over the bound with E_BUSY outside the stream, and never applies it, even resent after a reconnect", async () => {
      const page = await getPage(fx.ctx.base, "/q");
      const c = await fx.connect();
      await c.join(1, page.token);
      release = undefined;
      c.send({ t: "e", v: 1, r: 1, e: "wait", d: {} });
      await until(() => release !== undefined, 5_000, "the wait handler to hold the queue");
      c.send({ t: "e", v: 1, r: 2, e: "inc", d: {} });
      c.send({ t: "e", v: 1, r: 3, e: "inc", d: {} });
      const busy = await c.next((m) => m.c === "E_BUSY");
      assert.deepEqual([busy.t, busy.r, busy.v, busy.q], [S.error, 3, 1, undefined]);
      release!();
      const applied = await c.next((m) => m.r === 2);
      assert.notEqual(applied.t, S.error, JSON.stringify(applied));
      assert.equal(c.views.get(1)!.html(), "<b>1</b>");
      await c.close();
      // A new link joins the live session (a full render) and resends the refused ref.
      const d = await fx.connect();
      const joined = await d.join(1, page.token);
      assert.deepEqual([joined.t, joined.r], [S.rendered, 3], "ref 3 counts as used");
      const again = await d.event(1, "inc", {}, 3);
      assert.deepEqual([again.t, again.r], [S.reply, 3], "answered, not applied");
      await d.event(1, "inc", {}, 4);
      assert.equal(d.views.get(1)!.html(), "<b>2</b>");
    });

    it("refuses upload declarations and cancels over the bound with E_BUSY outside the stream, and never applies them", async () => {
      const page = await getPage(fx.ctx.base, "/held");
      const c = await fx.connect();
      await c.join(1, page.token);
      release = undefined;
      c.send({ t: "e", v: 1, r: 1, e: "wait", d: {} });
      await until(() => release !== undefined, 5_000, "the wait handler to hold the queue");
      // 20 declarations and a cancel while the queue holds: the first waits, the rest are refused.
      for (let r = 2; r <= 21; r++) c.send({ t: "u", v: 1, r, e: "doc", d: [[`ref-${String(r).padStart(16, "0")}`, `f${r}.txt`, "text/plain", 10]] });
      c.send({ t: "c", v: 1, r: 22, e: "doc", d: `ref-${String(2).padStart(16, "0")}` });
      for (let r = 3; r <= 22; r++) {
        const busy = await c.next((m) => m.r === r);
        assert.deepEqual([busy.t, busy.c, busy.v, busy.q], [S.error, "E_BUSY", 1, undefined], `ref ${r}`);
      }
      release!();
      const applied = await c.next((m) => m.r === 2);
      assert.notEqual(applied.t, S.error, JSON.stringify(applied));
      assert.equal(c.views.get(1)!.html(), "<i>f2.txt</i>", "only the queued declaration applied; the cancel was not");
      // The refused cancel, sent again: its ref counts as used, so it is answered, not applied.
      c.send({ t: "c", v: 1, r: 22, e: "doc", d: `ref-${String(2).padStart(16, "0")}` });
      const again = await c.next((m) => m.r === 22);
      assert.deepEqual([again.t, again.r], [S.reply, 22], JSON.stringify(again));
      assert.equal(c.views.get(1)!.html(), "<i>f2.txt</i>");
    });

    it("answers a hung handler with E_TIMEOUT for its ref, in the stream, and applies the next event", async () => {
      const page = await getPage(fx.ctx.base, "/q");
      const c = await fx.connect();
      await c.join(1, page.token);
      c.send({ t: "e", v: 1, r: 1, e: "hang", d: {} });
      c.send({ t: "e", v: 1, r: 2, e: "inc", d: {} });
      const timeout = await c.next((m) => m.r === 1);
      assert.deepEqual([timeout.t, timeout.c, typeof timeout.q], [S.error, "E_TIMEOUT", "number"]);
      await c.next((m) => m.r === 2);
      assert.equal(c.views.get(1)!.html(), "<b>1</b>");
      assert.ok(fx.ctx.errors.length > 0 && fx.ctx.errors.every((e) => (e as Error).name === "HandlerTimeout"), "the timeout reached onError, and nothing else");
      fx.ctx.errors.length = 0;
    });
  });
}
