/**
 * htmx over SSE, end to end on a real server read by a raw SSE reader (every
 * line as sent) and by the `eventsource` package (a real EventSource that
 * reconnects with Last-Event-ID by itself): a view's stream at
 * /weft/htmx/sse/<view> (full fragments first, then what changed, ids
 * `<sid>.<seq>`, resumed from Last-Event-ID), a topic's stream at
 * /weft/htmx/topic/<topic> (named events with log ids, replay, `current`),
 * heartbeats, app.close(), and the same through nginx.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { EventSource } from "eventsource";
import { parseFragment } from "parse5";
import { createWeft, defineView, deny, html, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { Nginx, nginxSkipReason } from "../support/nginx.ts";
import { TEST_SECRET } from "../support/server.ts";
import { SseReader, type SseBlock } from "../support/sse-reader.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";

/** Info messages each board has applied, by board id: a test waits on this instead of on time. */
const applied = new Map<string, number>();

/** A view htmx pages stream: a count and a list, each with an id, changed by broadcasts to `board:<id>`. */
const Board = defineView({
  mount: (p, ctx) => {
    ctx.subscribe(`board:${p.id}`);
    return { id: String(p.id), n: 0, items: [] as string[] };
  },
  info: {
    set: (s, p) => {
      applied.set(s.id, (applied.get(s.id) ?? 0) + 1);
      return { ...s, n: Number((p as { n: number }).n) };
    },
    add: (s, p) => {
      applied.set(s.id, (applied.get(s.id) ?? 0) + 1);
      return { ...s, items: [...s.items, String((p as { text: string }).text)] };
    },
    ping: (s, _p, ctx) => {
      applied.set(s.id, (applied.get(s.id) ?? 0) + 1);
      ctx.pushEvent("pong", { n: s.n });
    },
  },
  render: (s) => html`<div id="count">Count: ${s.n}</div>
<ul id="items">${s.items.map((t, i) => html`<li id="item-${i}">${t}</li>`)}</ul>`,
});

const OUTBOX = 8;

function options(over: Partial<WeftOptions> = {}): WeftOptions {
  return {
    views: { "/board/:id": Board },
    secret: TEST_SECRET,
    outboxSize: OUTBOX,
    htmx: {
      views: ["/board/:id"],
      topics: {
        "jobs:*": {
          render: ({ name, payload }) => html`<div id="job-bar" hx-swap-oob="true">${name}: ${String((payload as { pct: number }).pct)}%</div>`,
          current: (topic) => html`<div id="job-bar" hx-swap-oob="true">${topic}: waiting</div>`,
        },
        status: { json: true },
      },
    },
    ...over,
  };
}

async function start(over: Partial<WeftOptions> = {}): Promise<{ app: WeftApp; base: string }> {
  const app = createWeft(options(over));
  const addr = await app.listen(0);
  const base = `http://127.0.0.1:${addr.port}`;
  // The app builds the browser client in the background (minifying holds the event loop for a while):
  // let it finish first, so that no stream of a test waits behind it.
  await (await fetch(`${base}/weft/client.js`)).arrayBuffer();
  return { app, base };
}

/** `<sid>.<seq>` split; throws on anything else. */
function sidSeq(id: string | undefined): { sid: string; seq: number } {
  const m = /^(.+)\.(\d+)$/.exec(id ?? "");
  assert.ok(m !== null, `an id <sid>.<seq>, got ${String(id)}`);
  return { sid: m[1]!, seq: Number(m[2]) };
}

interface P5 {
  nodeName: string;
  attrs?: { name: string; value: string }[];
  childNodes?: P5[];
  value?: string;
}

/** One top-level element of a message: what htmx swaps out of band. */
interface Swap {
  readonly tag: string;
  readonly id: string | undefined;
  readonly oob: string | undefined;
  /** Its text content (entities decoded, line breaks kept). */
  readonly text: string;
  /** Ids of its element children. */
  readonly children: (string | undefined)[];
}

/** The top-level elements of a message, parsed as a browser does (attribute order does not matter). */
function swaps(data: string | undefined): Swap[] {
  const text = (n: P5): string => (n.nodeName === "#text" ? n.value ?? "" : (n.childNodes ?? []).map(text).join(""));
  const attr = (n: P5, name: string): string | undefined => n.attrs?.find((a) => a.name === name)?.value;
  const els = (n: P5): P5[] => (n.childNodes ?? []).filter((c) => !c.nodeName.startsWith("#"));
  return els(parseFragment(data ?? "") as unknown as P5).map((n) => ({ tag: n.nodeName, id: attr(n, "id"), oob: attr(n, "hx-swap-oob"), text: text(n), children: els(n).map((c) => attr(c, "id")) }));
}

/** The swap a count change sends. */
const countSwap = (n: number): Swap => ({ tag: "div", id: "count", oob: "true", text: `Count: ${n}`, children: [] });

/** Whether `e` carries the full fragments of a board (both id'd elements, swapped whole). */
function isFull(e: SseBlock): boolean {
  const got = swaps(e.data);
  return got.length === 2 && got.every((s) => s.oob === "true") && got[0]!.id === "count" && got[1]!.id === "items";
}

/** Whether `e` is exactly one count change to `n`. */
function isCount(e: SseBlock | undefined, n: number): boolean {
  return JSON.stringify(swaps(e?.data)) === JSON.stringify([countSwap(n)]);
}

let boards = 0;
/** A fresh board id (its own topic and sessions). */
const newBoard = (): string => `b${++boards}`;

describe("htmx SSE: view streams", () => {
  let app: WeftApp;
  let base = "";
  const readers: SseReader[] = [];
  before(async () => ({ app, base } = await start({ sseHeartbeatMs: 60_000, sessionGraceMs: 30_000 })));
  after(async () => {
    for (const r of readers) r.close();
    await app.close();
  });

  async function open(board: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = await SseReader.open(`${base}/weft/htmx/sse/board/${board}`, headers);
    readers.push(r);
    return r;
  }

  /** Broadcasts `n` set messages to a board and waits until its session has applied them all. */
  async function sets(board: string, from: number, n: number): Promise<void> {
    const target = (applied.get(board) ?? 0) + n;
    for (let i = 0; i < n; i++) await app.broadcast(`board:${board}`, "set", { n: from + i });
    await until(() => (applied.get(board) ?? 0) >= target, 5000, `board ${board} to apply ${n} messages`);
  }

  /** A stream of `board` that got its full fragments and one change (Count set to `n`), then closed: the last id it got. */
  async function lastIdAfterOneChange(board: string, n: number): Promise<string> {
    const r = await open(board);
    await until(() => r.events().length >= 1, 5000, "the full fragments");
    await sets(board, n, 1);
    await until(() => r.events().length >= 2, 5000, "the change");
    const last = r.lastId()!;
    r.close();
    return last;
  }

  it("sends the full fragments first, as an unnamed event with id <sid>.<seq>, after the retry hint", async () => {
    const board = newBoard();
    const r = await open(board);
    assert.equal(r.res.statusCode, 200);
    assert.match(String(r.res.headers["content-type"]), /^text\/event-stream/);
    assert.equal(r.res.headers["x-accel-buffering"], "no");
    await until(() => r.events().length >= 1, 5000, "the first event");
    assert.equal(r.blocks[0]!.retry, "1000");
    const first = r.events()[0]!;
    assert.equal(first.event, undefined, "no event: line: htmx listens for `message`");
    sidSeq(first.id);
    assert.ok(isFull(first), first.data);
    assert.match(first.data!, /Count: 0/);
  });

  it("sends only what changed after a broadcast, with the next seq", async () => {
    const board = newBoard();
    const r = await open(board);
    await until(() => r.events().length >= 1, 5000, "the full fragments");
    const { sid, seq } = sidSeq(r.events()[0]!.id);
    await app.broadcast(`board:${board}`, "set", { n: 5 });
    await until(() => r.events().length >= 2, 5000, "the change");
    const change = r.events()[1]!;
    assert.deepEqual(swaps(change.data), [countSwap(5)]);
    assert.deepEqual(sidSeq(change.id).sid, sid);
    assert.ok(sidSeq(change.id).seq > seq);
    await app.broadcast(`board:${board}`, "add", { text: "first\nline <b>bold</b>" });
    await until(() => r.events().length >= 3, 5000, "the append");
    // A child appended at the end of an id'd container goes alone, with beforeend; its line break arrives intact.
    assert.deepEqual(swaps(r.events()[2]!.data), [{ tag: "ul", id: "items", oob: "beforeend", text: "first\nline <b>bold</b>", children: ["item-0"] }]);
    assert.match(r.events()[2]!.data!, /first\nline &lt;b&gt;bold&lt;\/b&gt;/);
  });

  it("sends ctx.pushEvent as an event named after it, carrying the push JSON", async () => {
    const board = newBoard();
    const r = await open(board);
    await until(() => r.events().length >= 1, 5000, "the full fragments");
    await app.broadcast(`board:${board}`, "ping", null);
    await until(() => r.events().some((e) => e.event === "pong"), 5000, "the push");
    const push = r.events().find((e) => e.event === "pong")!;
    assert.deepEqual(JSON.parse(push.data!), { weft: "push", event: "pong", data: { n: 0 } });
    sidSeq(push.id);
  });

  it("resumes on Last-Event-ID within the outbox: only the missed events, nothing full", async () => {
    const board = newBoard();
    const last = await lastIdAfterOneChange(board, 1);
    const { sid, seq } = sidSeq(last);
    await sets(board, 2, 3);
    const again = await open(board, { "last-event-id": last });
    await until(() => again.events().length >= 3, 5000, "the missed events");
    const got = again.events();
    assert.deepEqual(got.map((e) => swaps(e.data)), [2, 3, 4].map((n) => [countSwap(n)]));
    assert.deepEqual(got.map((e) => sidSeq(e.id).sid), [sid, sid, sid], "the same session");
    const seqs = got.map((e) => sidSeq(e.id).seq);
    assert.ok(seqs[0]! > seq && seqs[1]! > seqs[0]! && seqs[2]! > seqs[1]!, `seqs ${seqs} after ${seq}`);
    assert.equal(got.some(isFull), false);
    // Live again: the next change follows on the resumed stream.
    await sets(board, 9, 1);
    await until(() => again.events().length >= 4, 5000, "the live change");
    assert.ok(isCount(again.events()[3], 9), again.events()[3]!.data);
  });

  it("sends the full fragments (same session) when the outbox no longer reaches the Last-Event-ID", async () => {
    const board = newBoard();
    const r = await open(board);
    await until(() => r.events().length >= 1, 5000, "the full fragments");
    const last = r.lastId()!;
    r.close();
    await sets(board, 1, OUTBOX + 4);
    const again = await open(board, { "last-event-id": last });
    await until(() => again.events().length >= 1, 5000, "the resync");
    const first = again.events()[0]!;
    assert.ok(isFull(first), first.data);
    assert.match(first.data!, new RegExp(`Count: ${OUTBOX + 4}<`));
    assert.equal(sidSeq(first.id).sid, sidSeq(last).sid, "the session was kept, only the missed messages were not");
  });

  it("mounts afresh on a Last-Event-ID that names no session it holds: bogus, unknown, or too long", async () => {
    const board = newBoard();
    const r = await open(board);
    await until(() => r.events().length >= 1, 5000, "the full fragments");
    const mine = sidSeq(r.events()[0]!.id).sid;
    await sets(board, 1, 1);
    for (const last of ["nonsense", "x.1", `${"A".repeat(22)}.1`, `${mine}.-1`, `${mine}.1e3`, `${mine}.1.2`, "1.".repeat(150)]) {
      const s = await open(board, { "last-event-id": last });
      await until(() => s.events().length >= 1, 5000, `the first event for ${last.slice(0, 20)}`);
      const first = s.events()[0]!;
      assert.ok(isFull(first), `${last.slice(0, 20)}: ${first.data}`);
      assert.notEqual(sidSeq(first.id).sid, mine, `${last.slice(0, 20)}: a fresh session`);
      assert.ok(isCount(first, 0) || /Count: 0</.test(first.data!), first.data);
      s.close();
    }
  });

  it("sends the full fragments of the same session for a seq it never sent", async () => {
    const board = newBoard();
    const mine = sidSeq(await lastIdAfterOneChange(board, 1)).sid;
    const s = await open(board, { "last-event-id": `${mine}.999999` });
    await until(() => s.events().length >= 1, 5000, "the first event");
    assert.ok(isFull(s.events()[0]!), s.events()[0]!.data);
    assert.match(s.events()[0]!.data!, /Count: 1</);
    assert.equal(sidSeq(s.events()[0]!.id).sid, mine);
  });

  it("does not hand one board's session to another board's stream through its Last-Event-ID", async () => {
    const last = await lastIdAfterOneChange(newBoard(), 7);
    // Same view pattern (/board/:id), another board: its page must get its own session and state.
    const s = await open(newBoard(), { "last-event-id": last });
    await until(() => s.events().length >= 1, 5000, "the other board's first event");
    assert.ok(isFull(s.events()[0]!), s.events()[0]!.data);
    assert.notEqual(sidSeq(s.events()[0]!.id).sid, sidSeq(last).sid);
    assert.match(s.events()[0]!.data!, /Count: 0</);
  });

  it("resumes through a real EventSource after a dropped connection, without a second full render", async () => {
    const proxy = new TcpProxy(Number(new URL(base).port));
    const via = await proxy.start();
    const board = newBoard();
    const got: { id: string; data: string }[] = [];
    const es = new EventSource(`${via}/weft/htmx/sse/board/${board}`);
    es.onmessage = (e) => got.push({ id: e.lastEventId, data: String(e.data) });
    try {
      await until(() => got.length >= 1, 5000, "the full fragments");
      assert.ok(got[0]!.data.includes('id="items"'));
      await sets(board, 1, 1);
      await until(() => got.length >= 2, 5000, "the first change");
      proxy.cutAll();
      await sets(board, 2, 2);
      // EventSource reconnects by itself (retry: sseRetryMs) and sends Last-Event-ID.
      await until(() => got.length >= 4, 8000, "the missed events after the reconnect");
      assert.deepEqual(got.slice(1).map((g) => swaps(g.data)), [1, 2, 3].map((n) => [countSwap(n)]));
      assert.equal(new Set(got.map((g) => sidSeq(g.id).sid)).size, 1);
    } finally {
      es.close();
      await proxy.close();
    }
  });
});

describe("htmx SSE: heartbeats", () => {
  let app: WeftApp;
  let base = "";
  before(async () => ({ app, base } = await start({ sseHeartbeatMs: 40 })));
  after(() => app.close());

  it("sends comment heartbeats on view and topic streams", async () => {
    for (const path of [`/weft/htmx/sse/board/${newBoard()}`, "/weft/htmx/topic/jobs%3Ahb"]) {
      const r = await SseReader.open(`${base}${path}`);
      await until(() => r.comments() >= 3, 5000, `three heartbeats on ${path}`);
      assert.ok(r.raw.includes("\n:\n\n") || r.raw.startsWith(":\n\n"), r.raw.slice(0, 200));
      r.close();
    }
  });
});

describe("htmx SSE: topic streams", () => {
  let app: WeftApp;
  let base = "";
  const readers: SseReader[] = [];
  before(async () => ({ app, base } = await start()));
  after(async () => {
    for (const r of readers) r.close();
    await app.close();
  });

  async function open(topic: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = await SseReader.open(`${base}/weft/htmx/topic/${encodeURIComponent(topic)}`, headers);
    readers.push(r);
    return r;
  }

  it("sends `current` first (no id), then each broadcast as a named event with its log id", async () => {
    const r = await open("jobs:1");
    assert.equal(r.res.statusCode, 200);
    assert.equal(r.res.headers["x-accel-buffering"], "no");
    await until(() => r.events().length >= 1, 5000, "current");
    assert.deepEqual(r.events()[0], { retry: "1000", data: '<div id="job-bar" hx-swap-oob="true">jobs:1: waiting</div>', fields: ["retry", "data"], comments: [] });
    await app.broadcast("jobs:1", "progress", { pct: 10 });
    await app.broadcast("jobs:1", "progress", { pct: 20 });
    await until(() => r.events().length >= 3, 5000, "two broadcasts");
    const [a, b] = r.events().slice(1);
    assert.equal(a!.event, "progress");
    assert.equal(a!.data, '<div id="job-bar" hx-swap-oob="true">progress: 10%</div>');
    assert.ok(a!.id !== undefined && b!.id !== undefined && a!.id !== b!.id, `ids ${a!.id} ${b!.id}`);
  });

  it("sends a JSON topic's broadcasts as named events carrying the broadcast JSON", async () => {
    const r = await open("status");
    await until(() => r.blocks.length >= 1, 5000, "the retry hint");
    await app.broadcast("status", "deploy", { ok: true, note: "line1\nline2" });
    await until(() => r.events().length >= 1, 5000, "the broadcast");
    const e = r.events()[0]!;
    assert.equal(e.event, "deploy");
    assert.deepEqual(JSON.parse(e.data!), { weft: "broadcast", topic: "status", event: "deploy", data: { ok: true, note: "line1\nline2" } });
  });

  it("never lets a broadcast's name add a field or an event to the stream", async () => {
    const r = await open("jobs:names");
    await until(() => r.events().length >= 1, 5000, "current");
    for (const name of ["progress\ndata: <div id=\"job-bar\" hx-swap-oob=\"true\">owned</div>\n", "a\rretry: 1", "x\r\nid: 1"]) {
      await app.broadcast("jobs:names", name, { pct: 66 }).catch(() => undefined);
    }
    await app.broadcast("jobs:names", "progress", { pct: 67 });
    await until(() => r.events().some((e) => e.event === "progress"), 5000, "the good broadcast");
    assert.deepEqual(r.events().slice(1).map((e) => [e.event, e.data]), [["progress", '<div id="job-bar" hx-swap-oob="true">progress: 67%</div>']]);
    assert.equal(r.raw.includes("owned"), false);
    assert.equal(r.blocks.some((b) => b.retry === "1" || b.id === "1"), false);
  });

  it("replays what followed the Last-Event-ID instead of `current`", async () => {
    const r = await open("jobs:2");
    await until(() => r.events().length >= 1, 5000, "current");
    await app.broadcast("jobs:2", "progress", { pct: 1 });
    await until(() => r.events().length >= 2, 5000, "the first broadcast");
    const last = r.lastId()!;
    r.close();
    await app.broadcast("jobs:2", "progress", { pct: 2 });
    await app.broadcast("jobs:2", "done", { pct: 100 });
    const again = await open("jobs:2", { "last-event-id": last });
    await until(() => again.events().length >= 2, 5000, "the replay");
    assert.deepEqual(again.events().map((e) => [e.event, e.data]), [
      ["progress", '<div id="job-bar" hx-swap-oob="true">progress: 2%</div>'],
      ["done", '<div id="job-bar" hx-swap-oob="true">done: 100%</div>'],
    ]);
    assert.ok(again.events().every((e) => e.id !== undefined));
  });

  it("sends `current` for a Last-Event-ID the log does not hold", async () => {
    for (const last of ["nonsense", "0-0", "99999999999999-1"]) {
      const r = await open("jobs:3", { "last-event-id": last });
      await until(() => r.events().length >= 1, 5000, `current for ${last}`);
      assert.match(r.events()[0]!.data!, /jobs:3: waiting/);
      r.close();
    }
  });

  it("sends HTML unnamed to htmx 4 (HX-Request: true), named to htmx 2's EventSource; JSON named to both", async () => {
    // htmx 4's hx-sse request (a fetch through htmx): it swaps only unnamed events.
    const hx4 = await open("jobs:gen", { "hx-request": "true", accept: "text/html, text/event-stream" });
    // htmx 2's ext-sse: a plain EventSource, no HX-Request.
    const hx2 = await open("jobs:gen");
    const json4 = await open("status", { "hx-request": "true", accept: "text/html, text/event-stream" });
    await until(() => hx4.events().length >= 1 && hx2.events().length >= 1 && json4.blocks.length >= 1, 5000, "current and the retry hint");
    await app.broadcast("jobs:gen", "progress", { pct: 30 });
    await app.broadcast("status", "deploy", { ok: true });
    await until(() => hx4.events().length >= 2 && hx2.events().length >= 2 && json4.events().length >= 1, 5000, "the broadcasts");
    const [four, two] = [hx4.events()[1]!, hx2.events()[1]!];
    assert.equal(four.event, undefined, "no event: line for htmx 4");
    assert.ok(four.fields.includes("id") && !four.fields.includes("event"), `fields ${four.fields.join()}`);
    assert.equal(two.event, "progress");
    assert.equal(four.data, two.data);
    assert.equal(four.id, two.id, "the same log id either way (Last-Event-ID replay)");
    assert.equal(json4.events()[0]!.event, "deploy", "JSON stays named: htmx 4 makes it a DOM event, never swaps it");

    // The replay after a Last-Event-ID is unnamed for htmx 4 too.
    const last = hx4.lastId()!;
    hx4.close();
    await app.broadcast("jobs:gen", "done", { pct: 100 });
    const again = await open("jobs:gen", { "hx-request": "true", "last-event-id": last });
    await until(() => again.events().length >= 1, 5000, "the replay");
    assert.deepEqual(again.events().map((e) => [e.event, e.data]), [[undefined, '<div id="job-bar" hx-swap-oob="true">done: 100%</div>']]);
  });

  it("reports a dropped message (an event name that is not one line) to the app's logger, once per stream", async () => {
    const warns: string[] = [];
    const quiet = () => {};
    const own = await start({ logger: { info: quiet, debug: quiet, error: quiet, warn: (_o: unknown, m?: string) => void warns.push(String(m)) } as WeftOptions["logger"] });
    try {
      const r = await SseReader.open(`${own.base}/weft/htmx/topic/${encodeURIComponent("jobs:log")}`);
      readers.push(r);
      await until(() => r.events().length >= 1, 5000, "current");
      await own.app.broadcast("jobs:log", "bad\nname", { pct: 1 }).catch(() => undefined);
      await own.app.broadcast("jobs:log", "bad\rname", { pct: 2 }).catch(() => undefined);
      await own.app.broadcast("jobs:log", "progress", { pct: 3 });
      await until(() => r.events().some((e) => e.event === "progress"), 5000, "the good broadcast");
      assert.equal(warns.filter((m) => /htmx SSE: a message with an event/.test(m)).length, 1, warns.join(" | "));
    } finally {
      await own.app.close();
    }
  });

  it("refuses a topic no pattern allows with 404 E_HTMX_TOPIC", async () => {
    const res = await fetch(`${base}/weft/htmx/topic/${encodeURIComponent("secret:1")}`, { headers: { accept: "text/event-stream" } });
    assert.equal(res.status, 404);
    assert.match(await res.text(), /E_HTMX_TOPIC/);
  });
});

/** A GET read whole (a refusal): its status, error code and body. */
function refusedGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; code: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { accept: "text/event-stream", ...headers } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(body) as { error: { code: string } }).error.code;
        } catch {}
        resolve({ status: res.statusCode ?? 0, code, body });
      });
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${url}`)));
    req.on("error", reject);
    req.end();
  });
}

describe("htmx SSE: cross-site Origin and topic authorization", () => {
  let app: WeftApp;
  let base = "";
  const readers: SseReader[] = [];
  const who = (cookie: string | undefined) => /user=(\w+)/.exec(cookie ?? "")?.[1];
  before(async () => {
    ({ app, base } = await start({
      authorize: (req) => {
        const user = who(req.headers.cookie);
        return user === undefined ? deny(401, "sign in") : { user };
      },
      htmx: {
        views: ["/board/:id"],
        topics: { "jobs:*": { json: true, authorize: (topic, session) => topic === `jobs:${String(session.user)}` } },
      },
    }));
  });
  after(async () => {
    for (const r of readers) r.close();
    await app.close();
  });

  it("refuses a cross-site Origin on a view's and a topic's SSE GET (403 E_ORIGIN), and serves the same GET without it", async () => {
    const evil = { origin: "https://evil.example", cookie: "user=alice" };
    assert.deepEqual((({ status, code }) => ({ status, code }))(await refusedGet(`${base}/weft/htmx/sse/board/${newBoard()}`, evil)), { status: 403, code: "E_ORIGIN" });
    assert.deepEqual((({ status, code }) => ({ status, code }))(await refusedGet(`${base}/weft/htmx/topic/jobs%3Aalice`, evil)), { status: 403, code: "E_ORIGIN" });
    const own = await SseReader.open(`${base}/weft/htmx/topic/jobs%3Aalice`, { cookie: "user=alice" });
    readers.push(own);
    assert.equal(own.res.statusCode, 200);
  });

  it("an app whose authorize denies: 401 before subscribing, and no stream is opened", async () => {
    const r = await refusedGet(`${base}/weft/htmx/topic/jobs%3Aalice`);
    assert.equal(r.status, 401);
    assert.equal(r.code, "E_UNAUTHORIZED");
    // The whole answer is the JSON error (refusedGet read it to its end): no retry hint, no `current`.
    assert.doesNotMatch(r.body, /^(retry|data|event|id):/m);
  });

  it("a per-topic authorize reading session data: a user follows only their own jobs:<user>", async () => {
    const bob = await refusedGet(`${base}/weft/htmx/topic/jobs%3Aalice`, { cookie: "user=bob" });
    assert.deepEqual([bob.status, bob.code], [403, "E_FORBIDDEN"]);
    const alice = await SseReader.open(`${base}/weft/htmx/topic/jobs%3Aalice`, { cookie: "user=alice" });
    readers.push(alice);
    assert.equal(alice.res.statusCode, 200);
    await until(() => alice.blocks.length >= 1, 5000, "the retry hint");
    await app.broadcast("jobs:alice", "progress", { pct: 50 });
    await until(() => alice.events().some((e) => e.event === "progress"), 5000, "alice's own job");
  });
});

describe("htmx SSE: app.close()", () => {
  it("ends every view and topic stream", async () => {
    const { app, base } = await start();
    const view = await SseReader.open(`${base}/weft/htmx/sse/board/${newBoard()}`);
    const topic = await SseReader.open(`${base}/weft/htmx/topic/jobs%3Aclose`);
    await until(() => view.events().length >= 1 && topic.events().length >= 1, 5000, "both streams");
    await app.close();
    await until(() => view.ended && topic.ended, 5000, "both streams to end");
  });
});

describe("htmx SSE through nginx that gzips event streams", { skip: nginxSkipReason() }, () => {
  let app: WeftApp;
  let nginx: Nginx | undefined;
  let lb = "";
  before(async () => {
    let base: string;
    ({ app, base } = await start());
    // gzip holds a stream in its compressor unless the response says X-Accel-Buffering: no.
    nginx = new Nginx(Number(new URL(base).port), { gzip: true });
    lb = await nginx.start();
  });
  after(async () => {
    await nginx?.stop();
    await app?.close();
  });

  it("passes each view event on as it is sent, compressed or not", async () => {
    const board = newBoard();
    const r = await SseReader.open(`${lb}/weft/htmx/sse/board/${board}`, { "accept-encoding": "gzip" });
    assert.equal(r.res.statusCode, 200);
    await until(() => r.events().length >= 1, 5000, "the full fragments through nginx");
    assert.ok(isFull(r.events()[0]!));
    await app.broadcast(`board:${board}`, "set", { n: 3 });
    await until(() => r.events().length >= 2, 5000, "the change through nginx");
    assert.ok(isCount(r.events()[1], 3), r.events()[1]!.data);
    r.close();
  });

  it("passes each topic event on as it is sent", async () => {
    const r = await SseReader.open(`${lb}/weft/htmx/topic/jobs%3Angx`, { "accept-encoding": "gzip" });
    await until(() => r.events().length >= 1, 5000, "current through nginx");
    await app.broadcast("jobs:ngx", "progress", { pct: 50 });
    await until(() => r.events().length >= 2, 5000, "the broadcast through nginx");
    assert.equal(r.events()[1]!.event, "progress");
    r.close();
  });
});
