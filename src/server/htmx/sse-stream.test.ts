import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SseReader } from "../../../test/support/sse-reader.ts";
import { until } from "../../../test/support/until.ts";
import type { Logger } from "../logger.ts";
import { MAX_BACKLOG } from "../transports/sse.ts";
import { SseSender, type SseStreamOptions } from "./sse-stream.ts";

/** A real HTTP server: each GET becomes an SseSender the test drives. */
class Harness {
  server!: Server;
  base = "";
  readonly senders: SseSender[] = [];
  readonly closes: number[] = [];
  readonly warnings: { fields: Record<string, unknown>; msg: string }[] = [];
  opts: Partial<SseStreamOptions> = {};
  private readonly logger: Logger = {
    info: () => {},
    debug: () => {},
    error: () => {},
    warn: (fields, msg) => this.warnings.push({ fields, msg }),
  };

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const s = new SseSender(req, res, { heartbeatMs: 60_000, retryMs: 1500, logger: this.logger, ...this.opts });
      const i = this.senders.push(s) - 1;
      this.closes[i] = 0;
      s.onClose(() => this.closes[i]!++);
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Opens a stream; resolves with the reader and its server-side sender. */
  async open(opts: Partial<SseStreamOptions> = {}): Promise<{ r: SseReader; s: SseSender; i: number }> {
    this.opts = opts;
    const n = this.senders.length;
    const r = await SseReader.open(`${this.base}/stream`);
    await until(() => this.senders.length > n, 5000, "the sender");
    return { r, s: this.senders[n]!, i: n };
  }
}

describe("SseSender", () => {
  const h = new Harness();
  before(() => h.start());
  after(() => {
    h.server.closeAllConnections();
    return new Promise<void>((r) => h.server.close(() => r()));
  });

  it("answers 200 with the stream headers proxies need and the retry hint first", async () => {
    const { r, s } = await h.open();
    assert.equal(r.res.statusCode, 200);
    assert.equal(r.res.headers["content-type"], "text/event-stream; charset=utf-8");
    assert.match(String(r.res.headers["cache-control"]), /^no-store\b/);
    assert.equal(r.res.headers["x-accel-buffering"], "no");
    await until(() => r.blocks.length >= 1, 5000, "the retry hint");
    assert.deepEqual(r.blocks[0], { retry: "1500", fields: ["retry"], comments: [] });
    assert.equal(s.kind, "sse");
    r.close();
  });

  it("writes event, id and one data line per line of the data", async () => {
    const { r, s } = await h.open();
    s.send({ event: "progress", id: "7", data: '<div id="bar">40%</div>' });
    s.send({ data: '{"weft":"push","event":"x","data":1}' });
    await until(() => r.events().length >= 2, 5000, "two events");
    assert.equal(r.raw, 'retry: 1500\n\nretry: 1500\nevent: progress\nid: 7\ndata: <div id="bar">40%</div>\n\ndata: {"weft":"push","event":"x","data":1}\n\n');
    assert.deepEqual(r.events()[1], { data: '{"weft":"push","event":"x","data":1}', fields: ["data"], comments: [] });
    r.close();
  });

  it("repeats the retry hint in the first event only, where htmx 4 reads it", async () => {
    const { r, s } = await h.open({ heartbeatMs: 20 });
    await until(() => r.comments() >= 1, 5000, "a heartbeat");
    s.send({ data: "one" });
    s.send({ data: "two" });
    await until(() => r.events().length >= 2, 5000, "two events");
    assert.deepEqual(r.events().map((e) => e.retry), ["1500", undefined]);
    assert.deepEqual(r.events()[0]!.fields, ["retry", "data"]);
    r.close();
  });

  it("delivers an HTML fragment with line breaks intact, whatever breaks it uses", async () => {
    const { r, s } = await h.open();
    const html = '<ul id="list" hx-swap-oob="true">\n  <li id="a">one</li>\n\n  <li id="b">two</li>\n</ul>\n';
    s.send({ id: "1", data: html });
    s.send({ id: "2", data: "a\r\nb\rc" });
    await until(() => r.events().length >= 2, 5000, "both events");
    assert.equal(r.events()[0]!.data, html);
    // \r\n and \r are line breaks to every reader: they arrive as \n.
    assert.equal(r.events()[1]!.data, "a\nb\nc");
    assert.deepEqual(r.events().map((e) => e.id), ["1", "2"]);
    r.close();
  });

  it("never lets data add a field or an event", async () => {
    const { r, s } = await h.open();
    const hostile = "x\n\nevent: evil\nid: 999\nretry: 1\ndata: injected\r\rdata: more";
    s.send({ event: "ok", id: "3", data: hostile });
    s.send({ id: "4", data: "after" });
    await until(() => r.events().length >= 2, 5000, "the events");
    const [first, second] = r.events();
    assert.equal(first!.event, "ok");
    assert.equal(first!.id, "3");
    assert.equal(first!.data, "x\n\nevent: evil\nid: 999\nretry: 1\ndata: injected\n\ndata: more");
    assert.deepEqual(first!.fields, ["retry", "event", "id", "data", "data", "data", "data", "data", "data", "data", "data"]);
    assert.equal(second!.data, "after");
    assert.equal(r.blocks.filter((b) => b.event === "evil" || b.id === "999" || b.retry === "1").length, 0);
    r.close();
  });

  it("drops a message whose event name or id is not one printable line, logs it once, and goes on", async () => {
    const { r, s } = await h.open();
    const warned = h.warnings.length;
    s.send({ event: "progress\ndata: injected\n\nevent: evil", data: "one" });
    s.send({ event: "a\rb", data: "two" });
    s.send({ id: "5\nevent: evil", data: "three" });
    s.send({ id: "nul\0", data: "four" });
    s.send({ event: "", data: "five" });
    s.send({ event: "fine", id: "6", data: "six" });
    await until(() => r.events().length >= 1, 5000, "the valid event");
    assert.deepEqual(r.events().map((e) => [e.event, e.id, e.data]), [["fine", "6", "six"]]);
    assert.equal(r.blocks.some((b) => b.event === "evil" || b.data === "injected"), false);
    assert.equal(h.warnings.length, warned + 1, "one log line per stream");
    assert.equal(h.warnings.at(-1)!.fields.field, "event");
    assert.match(h.warnings.at(-1)!.msg, /dropped/);
    r.close();
  });

  it("sends a comment heartbeat every heartbeatMs until the stream ends", async () => {
    const { r, s, i } = await h.open({ heartbeatMs: 30 });
    await until(() => r.comments() >= 3, 5000, "three heartbeats");
    assert.ok(r.raw.includes(":\n\n"));
    assert.equal(r.events().length, 0, "a heartbeat is no event");
    s.close(1012, "restart");
    await until(() => r.ended, 5000, "the end of the stream");
    assert.equal(h.closes[i], 1);
  });

  it("close() ends the response and calls onClose once; later sends are dropped", async () => {
    const { r, s, i } = await h.open();
    let late = 0;
    s.close(1012, "restart");
    s.close(1012, "again");
    s.send({ data: "too late" });
    await until(() => r.ended, 5000, "the end of the stream");
    assert.equal(h.closes[i], 1);
    assert.equal(r.events().length, 0);
    s.onClose(() => late++);
    assert.equal(late, 1, "onClose after the end runs at once");
  });

  it("calls onClose once when the reader goes away", async () => {
    const { r, s, i } = await h.open();
    r.close();
    await until(() => h.closes[i] === 1, 5000, "onClose");
    s.send({ data: "nobody reads this" });
    s.close(1000, "bye");
    assert.equal(h.closes[i], 1);
  });

  it("ends the stream of a reader that does not read, once past the backlog bound", async () => {
    const { r, i } = await h.open();
    const s = h.senders[i]!;
    r.res.pause();
    const chunk = "x".repeat(64 * 1024);
    let sent = 0;
    // 256 KiB per turn of the event loop, under the bound: what ends the stream is the socket backing up.
    // Bounded: the kernel's socket buffers take a few MiB at most before writes back up.
    while (sent < 2000 && h.closes[i] === 0) {
      s.send({ data: chunk });
      if (++sent % 4 === 0) await new Promise((res) => setImmediate(res));
    }
    await until(() => h.closes[i] === 1, 5000, "the slow stream's end");
    assert.ok(sent * chunk.length > MAX_BACKLOG, `ended after ${sent} messages: before the bound`);
    r.close();
  });
});

describe("SseSender.lastEventId", () => {
  const req = (v: string | string[] | undefined): IncomingMessage => ({ headers: v === undefined ? {} : { "last-event-id": v } }) as unknown as IncomingMessage;

  it("reads a printable id of up to 200 characters", () => {
    assert.equal(SseSender.lastEventId(req("k3Jd9.12")), "k3Jd9.12");
    assert.equal(SseSender.lastEventId(req("1733362000000-0")), "1733362000000-0");
    assert.equal(SseSender.lastEventId(req("a".repeat(200))), "a".repeat(200));
  });

  it("ignores a missing, empty, long or non-printable id", () => {
    assert.equal(SseSender.lastEventId(req(undefined)), undefined);
    assert.equal(SseSender.lastEventId(req("")), undefined);
    assert.equal(SseSender.lastEventId(req("a".repeat(201))), undefined);
    assert.equal(SseSender.lastEventId(req("a\tb")), undefined);
    assert.equal(SseSender.lastEventId(req("é.1")), undefined);
    assert.equal(SseSender.lastEventId(req("a\x7f")), undefined);
    assert.equal(SseSender.lastEventId(req(["a", "b"])), undefined);
  });
});
