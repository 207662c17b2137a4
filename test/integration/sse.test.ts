import assert from "node:assert/strict";
import { request, type IncomingMessage } from "node:http";
import { after, before, describe, it } from "node:test";
import { EventSource } from "eventsource";
import { C, HEADERS, kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { getPage } from "../support/protocol-client.ts";
import { defineView, html } from "../../src/index.ts";
import { startApp } from "../support/server.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { until as untilTrue } from "../support/until.ts";
import { Jar, linkToken, newLinkId } from "../support/wires.ts";

/** This test file is one browser: its link cookie goes with every request. */
const jar = new Jar();

/** An SSE event as read off the wire. */
interface SseEvent {
  id?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/** A raw SSE stream read with node:http, so that every line is seen as sent. */
class RawStream {
  readonly events: SseEvent[] = [];
  res!: IncomingMessage;
  ended = false;
  private buf = "";
  private wake: (() => void) | undefined;

  /** Streams link `link`; opens it first (as a browser does, by a POST with a view token) unless resuming. */
  static async open(base: string, link: string, headers: Record<string, string> = {}): Promise<RawStream> {
    if (headers["last-event-id"] === undefined) assert.equal((await openLink(base, link)).status, 204);
    const s = new RawStream();
    return new Promise((resolve, reject) => {
      request(`${base}/weft/sse?l=${link}`, { headers: { cookie: jar.header(), ...headers } }, (res) => {
        jar.store(res.headers["set-cookie"]);
        s.res = res;
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => s.feed(chunk));
        res.on("end", () => {
          s.ended = true;
          s.wake?.();
        });
        resolve(s);
      }).on("error", reject).end();
    });
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    let i: number;
    while ((i = this.buf.indexOf("\n\n")) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const ev: SseEvent = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) ev.comment = line.slice(1).trim();
        else {
          const [k, ...rest] = line.split(":");
          (ev as Record<string, string>)[k as string] = rest.join(":").replace(/^ /, "");
        }
      }
      this.events.push(ev);
    }
    this.wake?.();
  }

  /** Frames (data events with an id). */
  frames(): { id: number; msg: Envelope }[] {
    return this.events.filter((e) => e.id !== undefined && e.data !== undefined).map((e) => ({ id: Number(e.id), msg: JSON.parse(e.data!) as Envelope }));
  }

  async until(pred: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out; events: ${JSON.stringify(this.events.slice(-6))}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  close(): void {
    this.res.destroy();
  }
}

/** The POST that opens an SSE link: it carries a view token (EventSource cannot send headers). */
function openLink(base: string, link: string): Promise<Response> {
  return jar.fetch(`${base}/weft/sse?l=${link}`, { method: "POST", headers: { "content-type": "application/json", [HEADERS.token]: linkToken() }, body: "[]" });
}

async function post(base: string, link: string, body: unknown, type = "application/json"): Promise<Response> {
  return jar.fetch(`${base}/weft/sse?l=${link}`, { method: "POST", headers: { "content-type": type }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

describe("SSE transport", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    ctx = await startApp({ sseHeartbeatMs: 100 });
  });
  after(() => ctx.app.close());

  async function joined(path = "/counter"): Promise<{ link: string; stream: RawStream; token: string }> {
    const link = newLinkId();
    const stream = await RawStream.open(ctx.base, link);
    const page = await getPage(ctx.base, path);
    assert.equal((await post(ctx.base, link, [{ t: C.join, v: 1, d: { k: page.token } }])).status, 204);
    await stream.until(() => stream.frames().some((f) => f.msg.t === S.rendered));
    return { link, stream, token: page.token };
  }

  it("streams with the headers proxies need, a retry hint and a hello first", async () => {
    const link = newLinkId();
    const s = await RawStream.open(ctx.base, link, { "accept-encoding": "gzip, br" });
    assert.equal(s.res.statusCode, 200);
    assert.match(String(s.res.headers["content-type"]), /^text\/event-stream/);
    assert.equal(s.res.headers["cache-control"], "no-cache, no-transform");
    assert.equal(s.res.headers["x-accel-buffering"], "no");
    assert.equal(s.res.headers["content-encoding"], undefined);
    await s.until(() => s.events.length >= 1);
    assert.equal(s.events[0]!.retry, "1000");
    assert.equal(s.events[0]!.data, '{"t":"h"}');
    assert.equal(s.events[0]!.id, undefined, "the hello carries no id");
    await s.until(() => s.events.some((e) => e.comment === "hb"));
    s.close();
  });

  it("numbers every frame with its link seq", async () => {
    const { link, stream } = await joined();
    await post(ctx.base, link, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }, { t: C.event, v: 1, r: 2, e: "inc", d: {} }]);
    await stream.until(() => stream.frames().length >= 3);
    assert.deepEqual(stream.frames().map((f) => f.id), [1, 2, 3]);
    assert.deepEqual(stream.frames()[2]!.msg.d, { 0: "2" });
    stream.close();
  });

  it("replays exactly what was missed on a reconnect with Last-Event-ID", async () => {
    const { link, stream } = await joined();
    await post(ctx.base, link, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }]);
    await stream.until(() => stream.frames().length >= 2);
    const streams = ctx.app.stats().sseStreams;
    stream.close();
    await untilTrue(() => ctx.app.stats().sseStreams < streams, 5000, "the server to see the stream end");
    // Events while no stream is open: their answers wait on the link.
    await post(ctx.base, link, [{ t: C.event, v: 1, r: 2, e: "inc", d: {} }, { t: C.event, v: 1, r: 3, e: "inc", d: {} }]);
    const again = await RawStream.open(ctx.base, link, { "last-event-id": "2" });
    await again.until(() => again.frames().length >= 2);
    // One more event on the resumed stream: a frame replayed twice would come before its answer.
    await post(ctx.base, link, [{ t: C.event, v: 1, r: 4, e: "inc", d: {} }]);
    await again.until(() => again.frames().some((f) => f.msg.r === 4));
    assert.deepEqual(again.frames().map((f) => f.id), [3, 4, 5]);
    assert.deepEqual(again.frames().map((f) => f.msg.d), [{ 0: "2" }, { 0: "3" }, { 0: "4" }]);
    again.close();
  });

  it("sends a full render for a garbage Last-Event-ID", async () => {
    for (const garbage of ["banana", "-3", "99999", "1e9"]) {
      const { link, stream } = await joined();
      stream.close();
      const again = await RawStream.open(ctx.base, link, { "last-event-id": garbage });
      await again.until(() => again.frames().some((f) => f.msg.t === S.rendered && typeof f.msg.k === "string"));
      again.close();
    }
  });

  it("closes the older stream cleanly when a link's stream is opened twice", async () => {
    const { link, stream } = await joined();
    const second = await RawStream.open(ctx.base, link, { "last-event-id": "1" });
    await stream.until(() => stream.ended);
    await post(ctx.base, link, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }]);
    await second.until(() => second.frames().some((f) => kindOf(f.msg) === S.diff));
    second.close();
  });

  it("ends the stream of a reader too slow for its backlog, keeps serving, and resumes it without a gap", async () => {
    // A view that pushes 64 frames of 256 KB (16 MB) at once: more than the
    // socket buffers and the 1 MB backlog a stream may hold.
    const Flood = defineView({
      mount: () => ({ n: 0 }),
      events: {
        flood: (s: { n: number }, _p, ctx) => {
          for (let i = 1; i <= 64; i++) ctx.pushEvent("big", { i, x: "x".repeat(256 * 1024) });
          return { n: s.n + 1 };
        },
      },
      render: (s) => html`<b>${s.n}</b>`,
    });
    const own = await startApp({ views: { "/flood": Flood } });
    try {
      const link = newLinkId();
      const stream = await RawStream.open(own.base, link);
      const page = await getPage(own.base, "/flood");
      await post(own.base, link, [{ t: C.join, v: 1, d: { k: page.token } }]);
      await stream.until(() => stream.frames().some((f) => f.msg.t === S.rendered));
      stream.res.pause(); // the reader stops reading
      assert.equal((await post(own.base, link, [{ t: C.event, v: 1, r: 1, e: "flood", d: {} }])).status, 204);
      await untilTrue(() => own.app.stats().sseStreams === 0, 5000, "the server to end the slow stream");
      // The server is fine and still answers on this link.
      assert.equal((await post(own.base, link, [{ t: C.heartbeat }])).status, 204);
      stream.res.resume();
      await stream.until(() => stream.ended, 15_000);
      const ids = stream.frames().map((f) => f.id);
      assert.deepEqual(ids, ids.map((_, i) => i + 1), "what arrived is a prefix, in order");
      const pushes = (xs: { msg: Envelope }[]) => xs.filter((f) => f.msg.t === S.push).length;
      let seen = pushes(stream.frames());
      assert.ok(seen < 64, "the slow stream was ended before the last push");
      // Resuming as EventSource does, by Last-Event-ID: a replay larger than the
      // backlog ends that stream too, so it may take several; none repeats or skips.
      let done = false;
      for (let n = 0; n < 40 && !done; n++) {
        const again = await RawStream.open(own.base, link, { "last-event-id": String(ids.at(-1)) });
        await again.until(() => again.ended || again.frames().some((f) => kindOf(f.msg) === S.diff), 15_000);
        const more = again.frames().map((f) => f.id);
        assert.ok(more.length > 0, "every resumed stream makes progress");
        assert.deepEqual(more, more.map((_, i) => ids.at(-1)! + 1 + i), "no gap, nothing twice");
        ids.push(...more);
        seen += pushes(again.frames());
        done = again.frames().some((f) => kindOf(f.msg) === S.diff);
        again.close();
      }
      assert.ok(done, "the event's diff arrived after the pushes");
      assert.equal(seen, 64);
      assert.deepEqual(own.errors, []);
    } finally {
      await own.app.close();
    }
  });

  describe("bad input", () => {
    it("answers a POST to an unknown link with 404 E_UNKNOWN_LINK", async () => {
      const res = await post(ctx.base, newLinkId(), [{ t: C.heartbeat }]);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_UNKNOWN_LINK");
    });

    it("makes no link for a GET or POST of a new link id without a valid view token (403), and one with it", async () => {
      const codes = [];
      for (const res of [
        await fetch(`${ctx.base}/weft/sse?l=${newLinkId()}`),
        await fetch(`${ctx.base}/weft/sse?l=${newLinkId()}`, { method: "POST", headers: { "content-type": "application/json", [HEADERS.token]: "x.y" }, body: "[]" }),
      ]) {
        assert.equal(res.status, 403);
        assert.equal(res.headers.get("set-cookie"), null);
        codes.push(((await res.json()) as { error: { code: string } }).error.code);
      }
      assert.deepEqual(codes, ["E_LINK_TOKEN", "E_BAD_TOKEN"]);
      const before = ctx.app.stats().sseLinks;
      assert.equal((await openLink(ctx.base, newLinkId())).status, 204);
      assert.equal(ctx.app.stats().sseLinks, before + 1);
    });

    it("answers a resume of an unknown link with 410 E_LINK_EXPIRED", async () => {
      const s = await RawStream.open(ctx.base, newLinkId(), { "last-event-id": "5" });
      assert.equal(s.res.statusCode, 410);
      s.close();
    });

    it("answers a malformed body 400, an oversized one 413 and a wrong content type 415", async () => {
      const { link, stream } = await joined();
      const bad = await post(ctx.base, link, "{nope");
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as { error: { code: string } }).error.code, "E_BAD_FRAME");
      assert.equal((await post(ctx.base, link, JSON.stringify([{ t: "e", v: 1, r: 1, e: "inc", d: { x: "a".repeat(70_000) } }]))).status, 413);
      assert.equal((await post(ctx.base, link, "[]", "text/plain")).status, 415);
      assert.equal((await post(ctx.base, link, "[]", "application/x-www-form-urlencoded")).status, 415);
      // The link still works.
      await post(ctx.base, link, [{ t: C.event, v: 1, r: 1, e: "inc", d: {} }]);
      await stream.until(() => stream.frames().some((f) => kindOf(f.msg) === S.diff));
      stream.close();
    });

    it("answers a malformed link id with 400 E_BAD_LINK", async () => {
      for (const id of ["", "short", "has space in it!!!!!!", "x".repeat(65)]) {
        const res = await fetch(`${ctx.base}/weft/sse?l=${encodeURIComponent(id)}`);
        assert.equal(res.status, 400, id);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_BAD_LINK");
      }
    });

    it("answers other methods with 405", async () => {
      const res = await fetch(`${ctx.base}/weft/sse?l=${newLinkId()}`, { method: "PUT" });
      assert.equal(res.status, 405);
    });
  });

  it("resumes by itself in the eventsource client after the connection is cut, missing nothing", async () => {
    const proxy = new TcpProxy(Number(new URL(ctx.base).port));
    const viaProxy = await proxy.start();
    const link = newLinkId();
    assert.equal((await openLink(ctx.base, link)).status, 204);
    const es = new EventSource(`${viaProxy}/weft/sse?l=${link}`, { fetch: jar.fetch });
    const seen: { id: string; msg: Envelope }[] = [];
    let opened = 0;
    es.onopen = () => opened++;
    es.onmessage = (e) => {
      if (e.data !== '{"t":"h"}') seen.push({ id: e.lastEventId, msg: JSON.parse(e.data) as Envelope });
    };
    const until = async (pred: () => boolean) => {
      const end = Date.now() + 8000;
      while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.ok(pred(), `timed out: ${JSON.stringify(seen.map((s) => s.id))}`);
    };
    try {
      await until(() => opened === 1);
      const page = await getPage(ctx.base, "/counter");
      await post(ctx.base, link, [{ t: C.join, v: 1, d: { k: page.token } }]);
      await until(() => seen.length === 1);
      for (let r = 1; r <= 3; r++) await post(ctx.base, link, [{ t: C.event, v: 1, r, e: "inc", d: {} }]);
      await until(() => seen.length === 4);
      proxy.cutAll();
      for (let r = 4; r <= 6; r++) await post(ctx.base, link, [{ t: C.event, v: 1, r, e: "inc", d: {} }]);
      await until(() => opened === 2 && seen.length === 7);
      assert.deepEqual(seen.map((s) => Number(s.id)), [1, 2, 3, 4, 5, 6, 7]);
      assert.deepEqual(seen.slice(1).map((s) => (s.msg.d as Record<string, string>)[0]), ["1", "2", "3", "4", "5", "6"]);
    } finally {
      es.close();
      await proxy.close();
    }
  });
});
