import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, describe, it } from "node:test";
import { z } from "zod";
import { until } from "../../../test/support/until.ts";
import { ERRORS } from "../../protocol/errors.ts";
import { Core } from "../core.ts";
import { resolveOptions, type WeftOptions } from "../options.ts";
import { deny } from "../security/auth.ts";
import { html } from "../template/html.ts";
import { liveView } from "../child-views/live-view.ts";
import { defineView, type TerminateReason } from "../view.ts";
import { heldSessions } from "./resume.ts";
import { HtmxMirror } from "./mirror.ts";
import { kindOf, S, type Envelope } from "../../protocol/messages.ts";
import { openViewStream, type HtmxViewStream, type ViewStreamStart } from "./view-stream.ts";
import { FakeSender } from "../../../test/support/htmx-sender.ts";

const CSRF = "csrf-token-of-the-page";
/** The page's check of a frame's token (the server makes it with HtmxCsrf.checker from the upgrade's cookie). */
const isCsrf = (given: string | undefined): boolean => given === CSRF;

type Todo = { id: number; title: string };
type State = { count: number; items: Todo[]; next: number; wide?: string };
const ended: TerminateReason[] = [];

const Todos = defineView({
  mount: (_params, ctx): State => {
    ctx.subscribe("todos");
    return { count: 0, items: [], next: 1 };
  },
  events: {
    inc: (s: State) => ({ ...s, count: s.count + 1 }),
    add: { schema: z.object({ title: z.string().min(1) }), run: (s: State, p: { title: string }) => ({ ...s, items: [...s.items, { id: s.next, title: p.title }], next: s.next + 1 }) },
    ping: (s: State, _p: unknown, ctx) => void ctx.pushEvent("pong", { n: s.count }),
    widen: (s: State) => ({ ...s, wide: "outside" }),
    boom: (s: State) => ({ ...s, count: -1 }),
  },
  info: { bump: (s: State) => ({ ...s, count: s.count + 1 }) },
  terminate: (reason) => void ended.push(reason),
  render: (s: State) => {
    if (s.count < 0) throw new Error("render failed");
    return html`<h1>Todos${s.wide ?? ""}</h1><p id="count">${s.count}</p><ul id="todos">${s.items.map((t) => html`<li id=${`todo-${t.id}`}>${t.title}</li>`)}</ul>`;
  },
});

const Redirects = defineView({ mount: (_p, ctx) => (ctx.redirect("/login"), {}), render: () => html`<p id="x"></p>` });
const Throws = defineView({
  mount: () => {
    throw new Error("mount failed");
  },
  render: () => html`<p id="x"></p>`,
});

const cores: Core[] = [];
after(async () => {
  for (const c of cores) await c.close();
});

function makeCore(o: Partial<WeftOptions> = {}): Core {
  const core = new Core(resolveOptions({
    views: { "/todos": Todos, "/boards/:id": Todos, "/redirects": Redirects, "/throws": Throws },
    secret: "a-test-secret-of-enough-length-0123456789",
    htmx: { views: ["/todos", "/boards/:id", "/redirects", "/throws"] },
    logger: { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} },
    onError: () => {},
    ...o,
  }));
  cores.push(core);
  return core;
}

function request(user = "ann"): IncomingMessage {
  return { headers: { "x-user": user }, socket: { remoteAddress: "127.0.0.1" }, url: "/" } as unknown as IncomingMessage;
}

async function open(core: Core, sender: FakeSender, more: Partial<ViewStreamStart> = {}, path = "/todos"): Promise<HtmxViewStream> {
  const route = core.router.match(path)!;
  const s = await openViewStream({ core, req: request(), route, query: {}, sender, checkCsrf: isCsrf, ...more });
  if ("code" in s) assert.fail(`refused: ${s.code} ${s.message}`);
  return s as HtmxViewStream;
}

/** An htmx 2 ext-ws frame from a form whose `name` is the event. */
function frame(event: string, fields: Record<string, unknown> = {}, csrf: string | null = CSRF): string {
  const headers: Record<string, unknown> = { "HX-Request": "true", "HX-Trigger-Name": event, "HX-Trigger": null };
  if (csrf !== null) headers["X-Weft-CSRF"] = csrf;
  return JSON.stringify({ ...fields, HEADERS: headers });
}

function send(stream: HtmxViewStream, text: string): void {
  stream.receive(text, Buffer.byteLength(text));
}

async function next(sender: FakeSender, n: number): Promise<string> {
  await until(() => sender.out.length >= n, 5000, `message ${n}`);
  return sender.out[n - 1]!.data;
}

describe("openViewStream (WebSocket)", () => {
  it("sends the full current fragments on open", async () => {
    const sender = new FakeSender("websocket");
    await open(makeCore(), sender);
    const first = await next(sender, 1);
    assert.match(first, /<p[^>]*id="count"[^>]*hx-swap-oob="true"|<p[^>]*hx-swap-oob="true"[^>]*id="count"/);
    assert.match(first, /<ul[^>]*id="todos"/);
    assert.doesNotMatch(first, /<h1>/);
  });

  it("answers an event with only the fragment it changed", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame("inc"));
    const change = await next(sender, 2);
    assert.match(change, /^<p[^>]*id="count"[^>]*>1<\/p>$/);
  });

  it("reads htmx 4 frames (the id in HX-Source) and the weft-event field", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, JSON.stringify({ "weft-csrf": CSRF, headers: { "HX-Request": "true", "HX-Source": "button#inc" } }));
    assert.match(await next(sender, 2), />1<\/p>$/);
    send(s, JSON.stringify({ "weft-event": "inc", "weft-csrf": CSRF }));
    assert.match(await next(sender, 3), />2<\/p>$/);
  });

  it("sends an item appended to a list as beforeend", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame("add", { title: "milk" }));
    const change = await next(sender, 2);
    assert.match(change, /^<ul[^>]*hx-swap-oob="beforeend"[^>]*><li id="todo-1">milk<\/li><\/ul>$/);
  });

  it("sends ctx.pushEvent as JSON", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame("ping"));
    assert.deepEqual(JSON.parse(await next(sender, 2)), { weft: "push", event: "pong", data: { n: 0 } });
    assert.equal(sender.out[1]!.event, "pong");
  });

  it("answers a payload its schema refuses with an E_INVALID error fragment and changes nothing", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame("add", { title: "" }));
    const err = await next(sender, 2);
    assert.match(err, /^<div id="weft-error" hx-swap-oob="true" role="alert" data-code="E_INVALID" data-event="add">/);
    send(s, frame("inc"));
    assert.match(await next(sender, 3), /^<p[^>]*id="count"[^>]*>1<\/p>$/, "the list was not touched");
  });

  it("clears the error fragment once, with the answer to the next event that is not refused", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    const empty = '<div id="weft-error" hx-swap-oob="true" role="alert"></div>';
    // Refused by the session (schema), then answered with a change: the change, then the empty fragment.
    send(s, frame("add", { title: "" }));
    assert.match(await next(sender, 2), /data-code="E_INVALID"/);
    send(s, frame("inc"));
    assert.match(await next(sender, 3), />1<\/p>$/);
    assert.equal(await next(sender, 4), empty);
    // Nothing to clear any more: the next answer comes alone.
    send(s, frame("inc"));
    assert.match(await next(sender, 5), />2<\/p>$/);
    // Refused before the session (CSRF), then answered with no change at all (a push, a bare reply): still cleared.
    send(s, frame("inc", {}, "forged"));
    assert.match(await next(sender, 6), /data-code="E_HTMX_CSRF"/);
    send(s, frame("ping"));
    assert.equal(JSON.parse(await next(sender, 7)).event, "pong");
    assert.equal(await next(sender, 8), empty);
    send(s, frame("inc"));
    assert.match(await next(sender, 9), />3<\/p>$/);
    // Two refusals in a row, then an answer: one clear.
    send(s, frame("add", { title: "" }));
    send(s, frame("nope"));
    await next(sender, 11);
    send(s, frame("inc"));
    assert.match(await next(sender, 12), />4<\/p>$/);
    assert.equal(await next(sender, 13), empty);
    send(s, frame("inc"));
    assert.match(await next(sender, 14), />5<\/p>$/);
    await new Promise((r) => setImmediate(r));
    assert.equal(sender.data.filter((d) => d === empty).length, 3, "each error cleared once");
  });

  it("refuses an unknown event, escaping the name it echoes", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame('<img src=x onerror="alert(1)">'));
    const err = await next(sender, 2);
    assert.match(err, /data-code="E_UNKNOWN_EVENT"/);
    assert.match(err, /data-event="&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;"/);
    assert.doesNotMatch(err, /<img/);
    send(s, frame("toString"));
    assert.match(await next(sender, 3), /data-code="E_UNKNOWN_EVENT"/, "not an own key of events");
  });

  it("refuses a frame with a wrong or missing CSRF token and applies nothing", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame("inc", {}, "forged"));
    assert.match(await next(sender, 2), /data-code="E_HTMX_CSRF" data-event="inc"/);
    send(s, frame("inc", {}, null));
    assert.match(await next(sender, 3), /data-code="E_HTMX_CSRF"/);
    send(s, frame("inc"));
    assert.match(await next(sender, 4), />1<\/p>$/, "the refused frames were not applied");
  });

  it("refuses every frame of a stream opened without a token", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender, { checkCsrf: undefined });
    await next(sender, 1);
    send(s, frame("inc", {}, ""));
    assert.match(await next(sender, 2), /data-code="E_HTMX_CSRF"/);
  });

  it("answers a frame that is not JSON, and one over maxMessageBytes, with an error fragment", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore({ maxMessageBytes: 1024 }), sender);
    await next(sender, 1);
    send(s, "not json");
    assert.match(await next(sender, 2), /data-code="E_BAD_FRAME"/);
    send(s, frame("add", { title: "x".repeat(2000) }));
    assert.match(await next(sender, 3), /data-code="E_TOO_LARGE"/);
    send(s, frame("inc", { deep: JSON.parse("[".repeat(40) + "]".repeat(40)) as unknown }));
    assert.match(await next(sender, 4), /data-code="E_BAD_FRAME"/, "too deep for maxJsonDepth");
  });

  it("rate-limits 1,000 fast frames and closes the socket past abuseLimit", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore({ rateLimit: { perSecond: 1, burst: 20 }, abuseLimit: 50 }), sender);
    await next(sender, 1);
    for (let i = 0; i < 1000; i++) send(s, i % 2 === 0 ? frame("inc") : "garbage");
    await until(() => sender.closed !== undefined, 5000, "close");
    assert.equal(sender.closed?.code, 4429);
    assert.ok(sender.data.some((d) => d.includes('data-code="E_RATE_LIMIT"')));
    // 20 frames fit the burst: 10 events and 10 bad frames; the rest were refused.
    assert.ok(sender.data.filter((d) => d.includes('data-code="E_BAD_FRAME"')).length <= 10);
  });

  it("rate-limits a flood of refused frames too, and closes past abuseLimit", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    for (let i = 0; i < 1000; i++) send(s, "garbage");
    await until(() => sender.closed !== undefined, 5000, "close");
    assert.equal(sender.closed?.code, 4429);
    // The default burst (200, less the join's token) and what refilled meanwhile (100/s): far from 1,000.
    const answered = sender.data.filter((d) => d.includes('data-code="E_BAD_FRAME"')).length;
    assert.ok(answered >= 150 && answered <= 400, `${answered} answered`);
    assert.ok(sender.data.some((d) => d.includes('data-code="E_RATE_LIMIT"')));
  });

  it("ends the session of a socket that closed while its join was on its way", async () => {
    let calls = 0;
    let release = (): void => {};
    const joined = new Promise<void>((r) => (release = r));
    const core = makeCore({
      authorize: async () => {
        // The second call is the join's: it waits until the socket has closed.
        if (++calls === 2) await joined;
        return { id: "ann" };
      },
    });
    const sender = new FakeSender("websocket");
    const opening = openViewStream({ core, req: request(), route: core.router.match("/todos")!, query: {}, sender, checkCsrf: isCsrf });
    await until(() => calls === 2, 2000, "join authorize");
    sender.close(1001, "going away");
    release();
    await opening;
    await until(() => core.registry.stats().live === 0 && core.registry.stats().pending === 0, 2000, "nothing left");
  });

  it("ends its session when the socket closes", async () => {
    const core = makeCore();
    const sender = new FakeSender("websocket");
    await open(core, sender);
    await next(sender, 1);
    assert.equal(core.registry.stats().live, 1);
    const before = ended.length;
    sender.close(1001, "going away");
    await until(() => core.registry.stats().live === 0, 2000, "session ended");
    await until(() => ended.length > before, 2000, "terminate ran");
  });

  it("ends its session when the socket closes after a burst that exhausted the rate limit", async () => {
    const core = makeCore({ rateLimit: { perSecond: 1, burst: 5 }, abuseLimit: 10_000 });
    const sender = new FakeSender("websocket");
    const s = await open(core, sender);
    await next(sender, 1);
    for (let i = 0; i < 50; i++) send(s, "garbage");
    sender.close(1001, "going away");
    await until(() => core.registry.stats().live === 0, 2000, "session ended");
  });

  it("closes 1012 (htmx reconnects, and mounts afresh) when its session moved to another node", async () => {
    const core = makeCore();
    const sender = new FakeSender("websocket");
    await open(core, sender);
    await next(sender, 1);
    const [session] = [...core.registry.sessions()];
    session!.moved();
    await until(() => sender.closed !== undefined, 2000, "the socket's close");
    assert.equal(sender.closed!.code, 1012);
  });

  it("answers a render that throws with E_RENDER and keeps the last good state", async () => {
    const sender = new FakeSender("websocket");
    const s = await open(makeCore(), sender);
    await next(sender, 1);
    send(s, frame("boom"));
    assert.match(await next(sender, 2), /data-code="E_RENDER" data-event="boom"/);
    send(s, frame("inc"));
    assert.match(await next(sender, 3), />1<\/p>$/);
  });

  describe("a render the mirror cannot follow", () => {
    /** Makes HtmxMirror.apply throw for the envelopes `fails` picks (as a diff that does not fit would), for one test. */
    function failing(fails: (env: Envelope) => boolean): () => void {
      const apply = HtmxMirror.prototype.apply;
      HtmxMirror.prototype.apply = function (this: HtmxMirror, env: Envelope) {
        if (fails(env)) {
          this.broken = true;
          throw new TypeError("the diff does not fit");
        }
        return apply.call(this, env);
      };
      return () => void (HtmxMirror.prototype.apply = apply);
    }

    it("asks the session for a full render and sends the page its full fragments, each time it recovers", async () => {
      const sender = new FakeSender("websocket");
      const s = await open(makeCore(), sender);
      await next(sender, 1);
      const restore = failing((env) => kindOf(env) === S.diff);
      try {
        // More failed diffs than the stream gives up after in a row: each full render it follows starts the count again.
        for (let n = 1; n <= 5; n++) {
          send(s, frame("inc"));
          const full = await next(sender, n + 1);
          assert.match(full, new RegExp(`<p id="count" hx-swap-oob="true">${n}</p>`));
          assert.match(full, /<ul id="todos" hx-swap-oob="true">/, "every id'd element, as on connect");
        }
        assert.equal(sender.closed, undefined);
      } finally {
        restore();
      }
    });

    it("gives up after three full renders it could not follow either: close 1011, reported once", async () => {
      const errors: string[] = [];
      const sender = new FakeSender("websocket");
      const s = await open(makeCore({ onError: (_err, where) => void errors.push(where) }), sender);
      await next(sender, 1);
      const restore = failing(() => true);
      try {
        send(s, frame("inc"));
        await until(() => sender.closed !== undefined, 2000, "the socket's close");
      } finally {
        restore();
      }
      assert.equal(sender.closed!.code, 1011);
      assert.deepEqual(errors, ["htmx mirror of /todos"]);
      assert.equal(sender.out.length, 1, "nothing but the first full fragments");
    });
  });

  it("warns once per view about a change outside every id'd element", async () => {
    const warnings: string[] = [];
    const core = makeCore({ logger: { info: () => {}, warn: (_f, m) => void warnings.push(m), error: () => {}, debug: () => {} } });
    for (let i = 0; i < 2; i++) {
      const sender = new FakeSender("websocket");
      const s = await open(core, sender);
      await next(sender, 1);
      send(s, frame("widen"));
      send(s, frame("inc"));
      await next(sender, 2);
    }
    assert.equal(warnings.filter((w) => w.includes("outside every element with an id")).length, 1);
  });

  it("warns once per view that liveView() children are not served", async () => {
    const Chat = defineView({ mount: () => ({}), render: () => html`<p id="chat-line">hi</p>` });
    const Parent = defineView({ mount: () => ({}), render: () => html`<main id="parent">${liveView(Chat, { id: "chat" })}</main>` });
    const warnings: string[] = [];
    const core = makeCore({
      views: { "/todos": Todos, "/parent": Parent, "/chat": Chat },
      htmx: { views: ["/todos", "/parent"] },
      logger: { info: () => {}, warn: (_f, m) => void warnings.push(m), error: () => {}, debug: () => {} },
    });
    for (let i = 0; i < 2; i++) {
      const sender = new FakeSender("websocket");
      await open(core, sender, {}, "/parent");
      await next(sender, 1);
    }
    assert.equal(warnings.filter((w) => w.includes("liveView() children are not served")).length, 1, warnings.join(" | "));
    const plain = new FakeSender("websocket");
    await open(core, plain);
    await next(plain, 1);
    assert.equal(warnings.filter((w) => w.includes("liveView()")).length, 1, "a view without children does not warn");
  });

  it("refuses a denied mount, a redirect and a mount that throws with a code", async () => {
    const core = makeCore({ authorize: (req) => (req.headers["x-user"] === "ann" ? { id: "ann" } : deny(401)) });
    const denied = await openViewStream({ core, req: request("eve"), route: core.router.match("/todos")!, query: {}, sender: new FakeSender("websocket"), checkCsrf: isCsrf });
    assert.deepEqual(denied, { code: "E_UNAUTHORIZED", message: ERRORS.E_UNAUTHORIZED.message });
    const signIn = makeCore({ authorize: () => deny(401, "sign in first") });
    assert.deepEqual(await openViewStream({ core: signIn, req: request(), route: signIn.router.match("/todos")!, query: {}, sender: new FakeSender("websocket"), checkCsrf: isCsrf }), { code: "E_UNAUTHORIZED", message: "sign in first" }, "the denial's own message");
    const sender = new FakeSender("websocket");
    assert.equal((await openViewStream({ core, req: request(), route: core.router.match("/redirects")!, query: {}, sender, checkCsrf: isCsrf }) as { code?: string }).code, "E_FORBIDDEN");
    assert.deepEqual(JSON.parse(sender.data[0]!), { weft: "nav", kind: "redirect", to: "/login" });
    assert.equal((await openViewStream({ core, req: request(), route: core.router.match("/throws")!, query: {}, sender: new FakeSender("websocket"), checkCsrf: isCsrf }) as { code?: string }).code, "E_MOUNT");
  });
});

describe("openViewStream (SSE)", () => {
  /** The id `<sid>.<seq>` of message `i` of `sender`. */
  const idOf = (sender: FakeSender, i: number): { sid: string; seq: number } => {
    const id = sender.out[i]!.id!;
    const dot = id.lastIndexOf(".");
    return { sid: id.slice(0, dot), seq: Number(id.slice(dot + 1)) };
  };

  /** A stream that got its mount and `bumps` broadcasts, then dropped: what it got, and the id of its message `at`. */
  const dropped = async (core: Core, bumps: number, at: number): Promise<{ one: FakeSender; seen: { sid: string; seq: number } }> => {
    const one = new FakeSender("sse");
    await open(core, one);
    await next(one, 1);
    for (let i = 0; i < bumps; i++) await core.broadcast("todos", "bump", null);
    await next(one, bumps + 1);
    const seen = idOf(one, at);
    one.close(0, "dropped");
    return { one, seen };
  };

  it("gives every message an id <sid>.<seq>", async () => {
    const core = makeCore();
    const sender = new FakeSender("sse");
    await open(core, sender);
    await next(sender, 1);
    await core.broadcast("todos", "bump", null);
    await next(sender, 2);
    const a = idOf(sender, 0);
    const b = idOf(sender, 1);
    assert.equal(a.sid, b.sid);
    assert.ok(b.seq > a.seq);
  });

  it("resumes with only the messages after Last-Event-ID when the log covers it", async () => {
    const core = makeCore();
    const { one, seen } = await dropped(core, 3, 1);
    const two = new FakeSender("sse");
    await open(core, two, { resume: seen });
    await next(two, 2);
    assert.deepEqual(two.data, one.data.slice(2), "the two missed changes, nothing else");
    await core.broadcast("todos", "bump", null);
    assert.match(await next(two, 3), />4<\/p>$/);
    assert.equal(idOf(two, 2).sid, seen.sid, "the same session");
  });

  it("resumes with what happened while the stream was down", async () => {
    const core = makeCore();
    const { seen } = await dropped(core, 0, 0);
    await core.broadcast("todos", "bump", null);
    await core.broadcast("todos", "bump", null);
    const two = new FakeSender("sse");
    await open(core, two, { resume: seen });
    await until(() => two.data.some((d) => />2<\/p>$/.test(d)), 5000, "count 2");
    assert.ok(!two.data.some((d) => d.includes('id="todos"')), "no full render");
  });

  it("resumes with the full fragments when the log no longer covers Last-Event-ID", async () => {
    const core = makeCore({ outboxSize: 2 });
    const { seen } = await dropped(core, 6, 0);
    const two = new FakeSender("sse");
    await open(core, two, { resume: seen });
    const first = await next(two, 1);
    assert.match(first, /hx-swap-oob="true"/);
    assert.match(first, /id="todos"/);
    assert.match(first, />6<\/p>/);
    assert.equal(idOf(two, 0).sid, seen.sid);
  });

  it("mounts afresh for a Last-Event-ID of a session this node does not hold", async () => {
    const core = makeCore();
    const sender = new FakeSender("sse");
    await open(core, sender, { resume: { sid: "no-such-session-id-here", seq: 4 } });
    assert.match(await next(sender, 1), /id="todos"/);
    assert.notEqual(idOf(sender, 0).sid, "no-such-session-id-here");
  });

  it("mounts afresh for a Last-Event-ID of another URL of the same view", async () => {
    const core = makeCore();
    const a = new FakeSender("sse");
    await open(core, a, {}, "/boards/a");
    await next(a, 1);
    await core.broadcast("todos", "bump", null);
    await next(a, 2);
    const seen = idOf(a, 1);
    a.close(0, "dropped");
    for (const [path, query] of [["/boards/b", {}], ["/boards/a", { page: "2" }]] as const) {
      const b = new FakeSender("sse");
      await open(core, b, { resume: seen, query }, path);
      const first = await next(b, 1);
      assert.match(first, /id="todos"/, "the full fragments of a fresh mount");
      assert.match(first, />0<\/p>/);
      assert.notEqual(idOf(b, 0).sid, seen.sid);
    }
    const again = new FakeSender("sse");
    await open(core, again, { resume: seen }, "/boards/a");
    await until(() => core.registry.get(seen.sid)?.attached === true, 2000, "board a resumed by its own URL");
  });

  it("refuses another user's session and mounts afresh for the request's own user", async () => {
    const core = makeCore({ authorize: (req) => ({ id: String(req.headers["x-user"]) }) });
    const ann = new FakeSender("sse");
    await openViewStream({ core, req: request("ann"), route: core.router.match("/todos")!, query: {}, sender: ann });
    await next(ann, 1);
    for (let i = 0; i < 3; i++) await core.broadcast("todos", "bump", null);
    await next(ann, 4);
    const annId = idOf(ann, 0);
    const eve = new FakeSender("sse");
    const s = await openViewStream({ core, req: request("eve"), route: core.router.match("/todos")!, query: {}, sender: eve, resume: annId });
    if ("code" in s) assert.fail(`refused: ${s.code}`);
    const first = await next(eve, 1);
    assert.match(first, />0<\/p>/, "a fresh mount, not ann's state");
    assert.notEqual(idOf(eve, 0).sid, annId.sid);
    assert.equal(eve.out.length, 1, "none of ann's messages");
    await core.broadcast("todos", "bump", null);
    await next(ann, 5);
    assert.match(ann.data[4]!, />4<\/p>$/, "ann's stream goes on");
  });

  it("keeps a closed stream's session for the grace, then forgets it", async () => {
    const core = makeCore({ sessionGraceMs: 100 });
    const sender = new FakeSender("sse");
    await open(core, sender);
    await next(sender, 1);
    const held = heldSessions(core);
    const sid = idOf(sender, 0).sid;
    assert.ok(held.get(sid));
    sender.close(0, "dropped");
    assert.equal(core.registry.stats().live, 1, "waits for a resume");
    await until(() => core.registry.stats().live === 0 && held.get(sid) === undefined, 5000, "forgotten");
  });
});
