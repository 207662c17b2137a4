/**
 * The htmx WebSocket endpoints with a real server and a real `ws` client
 * sending the frames htmx 2 (ext-ws) and htmx 4 (hx-ws) send.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import WebSocket from "ws";
import { createWeft, defineView, deny, html, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { intSchema } from "../support/views.ts";
import { until, within } from "../support/until.ts";

const SECRET = "htmx-test-secret-0123456789abcdef";

interface Todo {
  n: number;
  items: string[];
}

/** A counter and a list, each with an id (what changes is what htmx swaps). */
const Todos = defineView({
  mount: (): Todo => ({ n: 0, items: [] }),
  events: {
    inc: (s: Todo) => ({ ...s, n: s.n + 1 }),
    add: (s: Todo, p: Record<string, unknown>) => ({ ...s, items: [...s.items, String(p.title)] }),
    set: { schema: intSchema, run: (s: Todo, p: { n: number }) => ({ ...s, n: p.n }) },
  },
  render: (s: Todo) => html`<main><p id="count">${s.n}</p><ul id="items">${s.items.map((t, i) => html`<li id="item-${i}">${t}</li>`)}</ul><div id="weft-error"></div></main>`,
});

/** A view not listed in htmx.views. */
const Hidden = defineView({ mount: () => ({}), render: () => html`<p id="secret">no</p>` });

/** An app embedded as users do: its handler and upgrade on their own server, plus a page route that hands out the token. */
async function start(opts: Partial<WeftOptions> = {}, port = 0): Promise<{ app: WeftApp; server: Server; host: string; close(): Promise<void> }> {
  const app = createWeft({
    views: { "/todos": Todos, "/hidden": Hidden },
    secret: SECRET,
    htmx: { views: ["/todos"], topics: { "jobs:*": { json: true } } },
    onError: () => {},
    ...opts,
  });
  const server = createServer((req, res) => {
    if (req.url === "/page") return void res.end(app.htmxToken(req, res));
    app.handler(req, res);
  }).on("upgrade", app.upgrade);
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app, server, host,
    async close() {
      await app.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The page load: its cookie and CSRF token. */
async function page(host: string): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`http://${host}/page`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { cookie, token: await res.text() };
}

/** One htmx socket: every text message it got, its close code. */
class Hx {
  readonly messages: string[] = [];
  code: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d, binary) => void (binary || this.messages.push(String(d))));
    ws.on("close", (code) => (this.code = code));
    ws.on("error", () => {});
  }

  /** Opens a socket, or resolves with the HTTP status of a refused handshake. */
  static open(url: string, opts: { cookie?: string; origin?: string; headers?: Record<string, string> } = {}): Promise<Hx | { status: number; body: string; retryAfter?: string | undefined }> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.cookie !== undefined) headers.cookie = opts.cookie;
    const ws = new WebSocket(url, { headers, ...(opts.origin !== undefined ? { origin: opts.origin } : {}) });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Hx(ws)));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, retryAfter: res.headers["retry-after"] }));
      });
      ws.once("error", reject);
    });
  }

  /** Waits for (and removes) the first message matching `re`, bounded. */
  async next(re: RegExp, what = String(re)): Promise<string> {
    let found: string | undefined;
    await until(() => {
      const i = this.messages.findIndex((m) => re.test(m));
      if (i >= 0) found = this.messages.splice(i, 1)[0];
      return found !== undefined;
    }, 5000, what).catch((err: Error) => {
      throw new Error(`${err.message}; got ${JSON.stringify(this.messages)}, close ${this.code}`);
    });
    return found!;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  async closed(): Promise<number> {
    await until(() => this.code !== undefined, 5000, "the socket's close");
    return this.code!;
  }
}

function opened(x: Hx | { status: number; body: string }): Hx {
  if (!(x instanceof Hx)) assert.fail(`refused: ${x.status} ${x.body}`);
  return x;
}

function refused(x: Hx | { status: number; body: string }): { status: number; code: string } {
  assert.ok(!(x instanceof Hx), "the handshake was accepted");
  return { status: x.status, code: (JSON.parse(x.body) as { error: { code: string } }).error.code };
}

/** An htmx 2 ext-ws frame: form fields, then HEADERS (hx-headers merged in). */
function htmx2(trigger: { id?: string; name?: string }, fields: Record<string, unknown>, token?: string): unknown {
  const headers: Record<string, unknown> = { "HX-Request": "true", "HX-Trigger": trigger.id ?? null, "HX-Trigger-Name": trigger.name ?? null, "HX-Target": null, "HX-Current-URL": "http://localhost/todos" };
  if (token !== undefined) headers["X-Weft-CSRF"] = token;
  return { ...fields, HEADERS: headers };
}

/** An htmx 4 hx-ws frame: form fields (+ the hidden weft-csrf), then headers with HX-Source. */
function htmx4(source: string, fields: Record<string, unknown>, token?: string): unknown {
  return { ...fields, ...(token !== undefined ? { "weft-csrf": token } : {}), headers: { "HX-Request": "true", "HX-Source": source, "HX-Current-URL": "http://localhost/todos", "HX-Target": source } };
}

/** An element with `id` swapped out of band (attributes in any order), holding `inner`. */
const OOB = (tag: string, id: string, inner: string) => new RegExp(`<${tag}(?=[^>]*\\sid="${id}")(?=[^>]*\\shx-swap-oob="true")[^>]*>${inner}</${tag}>`);

const ERROR = (code: string) => new RegExp(`<div(?=[^>]*\\sid="weft-error")(?=[^>]*\\shx-swap-oob="true")(?=[^>]*\\srole="alert")[^>]*\\sdata-code="${code}"`);

describe("htmx WebSocket endpoint", () => {
  const apps: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const a of apps) await a.close();
  });
  async function app(opts: Partial<WeftOptions> = {}) {
    const a = await start(opts);
    apps.push(a);
    return a;
  }

  it("sends the full fragments on connect, then only what changed, for htmx 2 and htmx 4 frames", async () => {
    const { host } = await app();
    const { cookie, token } = await page(host);
    const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
    const full = await c.next(/id="count"/, "the full fragments");
    assert.match(full, OOB("p", "count", "0"));
    assert.match(full, OOB("ul", "items", ""));

    c.send(htmx2({ id: "inc" }, {}, token));
    const changed = await c.next(/id="count"/, "the changed counter");
    assert.match(changed, OOB("p", "count", "1"));
    assert.doesNotMatch(changed, /id="items"/, "only what changed is sent");

    c.send(htmx4("form#add", { title: "milk" }, token));
    const added = await c.next(/milk/, "the new item");
    assert.doesNotMatch(added, /id="count"/);
    assert.match(added, /<li id="item-0">milk<\/li>/);

    c.send(htmx2({ name: "inc" }, { "weft-csrf": token }));
    assert.match(await c.next(/id="count"/), />2<\/p>/);
    c.ws.close();
  });

  it("serves a view with path params and takes the query as params like a page load", async () => {
    const Room = defineView({ mount: (p) => ({ id: p.id, q: p.q }), render: (s: { id: string; q: string }) => html`<h1 id="room">${s.id}/${s.q}</h1>` });
    const { host } = await app({ views: { "/rooms/:id": Room }, htmx: { views: ["/rooms/:id"] } });
    const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/rooms/lobby?q=7`));
    assert.match(await c.next(/id="room"/), />lobby\/7</);
    c.ws.close();
  });

  it("answers a mount that authorize denies with its error fragment (the denial's message), then closes 1008 (htmx does not reconnect)", async () => {
    const { host, app: weft } = await app({ authorize: (req) => (req.headers.cookie?.includes("user=1") ? { id: 1 } : deny(401, "sign in first")) });
    const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`));
    assert.match(await c.next(ERROR("E_UNAUTHORIZED")), />sign in first<\/div>$/);
    assert.equal(await c.closed(), 1008);
    const ok = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie: "user=1" }));
    await ok.next(/id="count"/);
    ok.ws.close();
    await until(() => weft.stats().sessions === 0, 5000, "no session left");
  });

  describe("bad input", () => {
    it("answers a frame that is not JSON, binary, or not an object with E_BAD_FRAME, and goes on", async () => {
      const { host } = await app();
      const { cookie, token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      for (const bad of ["{not json", "[1]", "null", '"x"']) {
        c.send(bad);
        await c.next(ERROR("E_BAD_FRAME"), bad);
      }
      c.ws.send(Buffer.from('{"weft-event":"inc"}'), { binary: true });
      await c.next(ERROR("E_BAD_FRAME"), "binary");
      c.send(htmx2({ id: "inc" }, {}, token));
      assert.match(await c.next(/id="count"/), />1<\/p>/, "the socket still works and nothing was applied before");
      assert.equal(c.code, undefined);
      c.ws.close();
    });

    it("answers a frame naming no event, or an event the view does not have, with E_UNKNOWN_EVENT", async () => {
      const { host } = await app();
      const { cookie, token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      c.send(htmx2({}, { title: "x" }, token));
      await c.next(ERROR("E_UNKNOWN_EVENT"), "no event");
      for (const name of ["explode", "__proto__", "constructor", "toString"]) {
        c.send(htmx4(`button#${name}`, {}, token));
        await c.next(ERROR("E_UNKNOWN_EVENT"), name);
      }
      c.ws.close();
    });

    it("answers a payload its schema refuses with E_INVALID and keeps the state", async () => {
      const { host } = await app();
      const { cookie, token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      c.send({ "weft-event": "set", "weft-csrf": token, n: "nope" });
      await c.next(ERROR("E_INVALID"));
      c.send({ "weft-event": "set", "weft-csrf": token, n: 5 });
      assert.match(await c.next(/id="count"/), />5<\/p>/);
      c.ws.close();
    });

    it("answers an oversized frame with E_TOO_LARGE, and closes 1009 past the hard cap", async () => {
      const { host } = await app({ maxMessageBytes: 1024 });
      const { cookie, token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      c.send(htmx2({ id: "add" }, { title: "x".repeat(2000) }, token));
      await c.next(ERROR("E_TOO_LARGE"));
      c.send(htmx2({ id: "inc" }, {}, token));
      assert.match(await c.next(/id="count"/), />1<\/p>/, "nothing of the oversized frame was applied");
      c.send("x".repeat(17 * 1024));
      assert.equal(await c.closed(), 1009);
    });

    it("refuses frames with a missing or wrong CSRF token (E_HTMX_CSRF) and applies nothing", async () => {
      const { host } = await app();
      const { cookie, token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      c.send(htmx2({ id: "inc" }, {}));
      await c.next(ERROR("E_HTMX_CSRF"), "missing");
      c.send(htmx2({ id: "inc" }, {}, token.slice(0, -2) + "AA"));
      await c.next(ERROR("E_HTMX_CSRF"), "wrong (header)");
      c.send(htmx4("form#inc", {}, "x"));
      await c.next(ERROR("E_HTMX_CSRF"), "wrong (field)");
      const other = await page(host);
      c.send(htmx2({ id: "inc" }, {}, other.token));
      await c.next(ERROR("E_HTMX_CSRF"), "another cookie's token");
      c.send(htmx2({ id: "inc" }, {}, token));
      assert.match(await c.next(/id="count"/), />1<\/p>/, "none of the refused frames was applied");
      c.ws.close();
    });

    it("refuses every frame of a socket opened without the cookie, saying how to get one", async () => {
      const { host } = await app();
      const { token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`));
      await c.next(/id="count"/);
      c.send(htmx2({ id: "inc" }, {}, token));
      const m = await c.next(ERROR("E_HTMX_CSRF"));
      assert.match(m, /htmxToken/);
      c.ws.close();
    });

    it("refuses a cross-site Origin at the handshake (403 E_ORIGIN) and accepts the page's own", async () => {
      const { host } = await app();
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { origin: "https://evil.example" })), { status: 403, code: "E_ORIGIN" });
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3A1`, { origin: "https://evil.example" })), { status: 403, code: "E_ORIGIN" });
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { origin: `http://${host}` }));
      await c.next(/id="count"/);
      c.ws.close();
    });

    it("refuses a view not in htmx.views, an unknown path and a topic not allowed (404)", async () => {
      const { host, app: weft } = await app();
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/ws/hidden`)), { status: 404, code: "E_UNKNOWN_VIEW" });
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/ws/nowhere`)), { status: 404, code: "E_UNKNOWN_VIEW" });
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/elsewhere`)), { status: 404, code: "E_UNKNOWN_VIEW" });
      for (const t of ["status", "jobs", "%E0%A4%A", encodeURIComponent("x".repeat(300))]) {
        assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/topic/${t}`)), { status: 404, code: "E_HTMX_TOPIC" }, t);
      }
      assert.equal(weft.stats().sessions, 0, "nothing was mounted");
    });

    it("answers a frame on a topic socket with E_BAD_FRAME", async () => {
      const { host } = await app();
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3A1`));
      c.send({ "weft-event": "inc" });
      await c.next(ERROR("E_BAD_FRAME"));
      c.ws.close();
    });

    it("holds at most 16 frames while the view mounts, answers the rest E_BUSY, and applies the held ones in order once live", async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const Gated = defineView({
        mount: async (): Promise<Todo> => (await gate, { n: 0, items: [] }),
        events: { inc: (s: Todo) => ({ ...s, n: s.n + 1 }) },
        render: (s: Todo) => html`<p id="count">${s.n}</p>`,
      });
      const { host } = await app({ views: { "/todos": Todos, "/gated": Gated }, htmx: { views: ["/todos", "/gated"] } });
      const { cookie, token } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/gated`, { cookie }));
      for (let i = 0; i < 20; i++) c.send(htmx2({ id: "inc" }, {}, token));
      for (let i = 0; i < 4; i++) await c.next(ERROR("E_BUSY"), `E_BUSY ${i + 1} of 4`);
      assert.ok(!c.messages.some((m) => ERROR("E_BUSY").test(m)), "no fifth E_BUSY");
      release();
      await c.next(OOB("p", "count", "16"), "the 16 held frames applied");
      c.send(htmx2({ id: "inc" }, {}, token));
      await c.next(OOB("p", "count", "17"), "the next frame after them");
      assert.ok(!c.messages.some((m) => /data-code=/.test(m)), `no error: ${JSON.stringify(c.messages)}`);
      c.ws.close();
    });

    it("rate-limits a client reconnecting 1,000 times (429 before any mount) and still serves other addresses", async () => {
      const { host, app: weft } = await app({ trustProxy: true });
      const from = (addr: string) => ({ headers: { "x-forwarded-for": addr } });
      const statuses: number[] = [];
      const open: Hx[] = [];
      const began = performance.now();
      for (let batch = 0; batch < 10; batch++) {
        const got = await Promise.all(Array.from({ length: 100 }, () => Hx.open(`ws://${host}/weft/htmx/ws/todos`, from("203.0.113.9"))));
        for (const g of got) {
          if (g instanceof Hx) open.push(g);
          else statuses.push(g.status);
        }
      }
      // The default bucket (burst 20, 10/s) admits at most this many in the time the burst took, however fast it ran.
      const bound = 20 + Math.ceil(((performance.now() - began) / 1000) * 10);
      assert.ok(open.length <= bound, `${open.length} admitted, at most ${bound} expected`);
      assert.equal(statuses.length, 1000 - open.length);
      assert.ok(statuses.every((s) => s === 429), "refused with 429");
      assert.ok(weft.stats().sessions + weft.stats().pendingMounts <= open.length, "no session for a refused connect");
      const other = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, from("198.51.100.4")));
      await other.next(/id="count"/, "another address is served");
      for (const c of [...open, other]) c.ws.close();
      await until(() => weft.stats().htmxSockets === 0, 5000, "every socket closed");
      await until(() => weft.stats().sessions === 0, 5000, "every session ended with its socket");
    });

    it("refuses the handshake of a server already holding maxConnections (503 E_SERVER_BUSY), and takes one again once a socket closed", async () => {
      const { host, app: weft } = await app({ maxConnections: 1 });
      const first = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`));
      await first.next(/id="count"/);
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/ws/todos`)), { status: 503, code: "E_SERVER_BUSY" });
      assert.equal(weft.stats().sessions, 1, "nothing mounted for the refused one");
      first.ws.close();
      await until(() => weft.stats().htmxSockets === 0, 5000, "the first socket closed");
      const again = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`));
      await again.next(/id="count"/);
      again.ws.close();
    });

    it("answers 429 with Retry-After on an SSE GET and on a handshake", async () => {
      const { host } = await app({ htmx: { views: ["/todos"], connectRate: { perSecond: 0.01, burst: 1 } } });
      const first = await fetch(`http://${host}/weft/htmx/sse/hidden`);
      assert.equal(first.status, 404);
      const second = await fetch(`http://${host}/weft/htmx/sse/todos`);
      assert.equal(second.status, 429);
      assert.equal(second.headers.get("retry-after"), "100");
      assert.equal(((await second.json()) as { error: { code: string } }).error.code, "E_RATE_LIMIT");
      const handshake = await Hx.open(`ws://${host}/weft/htmx/ws/todos`);
      assert.deepEqual(refused(handshake), { status: 429, code: "E_RATE_LIMIT" });
      assert.equal((handshake as { retryAfter?: string }).retryAfter, "100");
    });
  });

  it("terminates a socket that stops answering pings, and its session ends", async () => {
    const { host, app: weft } = await app({ heartbeatMs: 50 });
    const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`));
    await c.next(/id="count"/);
    assert.equal(weft.stats().htmxSockets, 1);
    // Freeze the peer: it stops reading, so it answers no ping.
    (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    await until(() => weft.stats().htmxSockets === 0, 5000, "the dead socket terminated");
    await until(() => weft.stats().sessions === 0, 5000, "its session ended");
    c.ws.terminate();
  });

  it("closes a socket that does not read (1013 try again later, reason E_SLOW_READER) after what was queued", async () => {
    const Flood = defineView({
      mount: () => ({}),
      events: {
        flood: (s: object, _p, ctx) => {
          for (let i = 0; i < 64; i++) ctx.pushEvent("big", { i, s: "x".repeat(256 * 1024) });
          return s;
        },
      },
      render: () => html`<p id="flood">flood</p>`,
    });
    const { host } = await app({ views: { "/flood": Flood }, htmx: { views: ["/flood"] } });
    const { cookie, token } = await page(host);
    const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/flood`, { cookie }));
    await c.next(/id="flood"/);
    const socket = (c.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    c.send({ "weft-event": "flood", "weft-csrf": token });
    const slow = async () => /weft_errors_total\{code="E_SLOW_READER"\} [1-9]/.test(await (await fetch(`http://${host}/weft/metrics`)).text());
    await until(slow, 10_000, "the server gave up on the reader");
    socket.resume();
    assert.equal(await c.closed(), 1013, "both htmx generations reconnect after 1013 and get the full fragments");
    assert.ok(c.messages.length > 0 && c.messages.length < 64, `${c.messages.length} pushes before the close`);
  });

  describe("floods of refused frames cost rate tokens and close the socket (4429)", () => {
    const FLOOD = 3000;
    /** Sends `FLOOD` frames (stopping once closed), then waits for the close; the answers stay far below the frames sent. */
    async function flood(c: Hx, frame: () => string | Buffer): Promise<number> {
      for (let i = 0; i < FLOOD && c.ws.readyState === WebSocket.OPEN; i++) c.ws.send(frame());
      const code = await c.closed();
      assert.ok(c.messages.length < FLOOD, `${c.messages.length} answers to ${FLOOD} frames`);
      return code;
    }
    /** The server still serves another client its full fragments. */
    async function stillServes(host: string): Promise<void> {
      const { cookie } = await page(host);
      const other = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      assert.match(await other.next(/id="count"/), OOB("p", "count", "0"));
      other.ws.close();
    }
    // A slow refill: "sustained" means `abuseLimit` refusals in a row without a token coming back (as for native frames).
    const small = { maxMessageBytes: 1024, rateLimit: { perSecond: 1, burst: 50 }, abuseLimit: 100 };

    it("binary frames on a view socket", async () => {
      const { host } = await app(small);
      const { cookie } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      assert.equal(await flood(c, () => Buffer.from([1, 2, 3])), 4429);
      assert.ok(c.messages.some((m) => ERROR("E_RATE_LIMIT").test(m)), "told it is over the rate first");
      await stillServes(host);
    });

    it("frames just over maxMessageBytes on a view socket", async () => {
      const { host } = await app(small);
      const { cookie } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/todos`, { cookie }));
      await c.next(/id="count"/);
      const big = "x".repeat(1025);
      assert.equal(await flood(c, () => big), 4429);
      await stillServes(host);
    });

    it("frames on a topic socket", async () => {
      const { host } = await app(small);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3A1`));
      assert.equal(await flood(c, () => JSON.stringify({ "weft-event": "inc" })), 4429);
      await stillServes(host);
    });

    it("binary frames while the view is still mounting", async () => {
      // The mount waits for the flood to end: every frame arrives while the view mounts.
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const Slow = defineView({ mount: async () => (await gate, {}), render: () => html`<p id="slow">s</p>` });
      const { host } = await app({ ...small, views: { "/todos": Todos, "/slow": Slow }, htmx: { views: ["/todos", "/slow"] } });
      const { cookie } = await page(host);
      const c = opened(await Hx.open(`ws://${host}/weft/htmx/ws/slow`, { cookie }));
      try {
        assert.equal(await flood(c, () => Buffer.from([1])), 4429);
      } finally {
        release();
      }
      await stillServes(host);
    });
  });

  describe("topic authorization", () => {
    const who = (req: { headers: { cookie?: string } }) => /user=(\w+)/.exec(req.headers.cookie ?? "")?.[1];
    const authed = (): Partial<WeftOptions> => ({
      authorize: (req) => { const user = who(req); return user === undefined ? deny(401, "sign in") : { user }; },
      htmx: { views: ["/todos"], topics: { "jobs:*": { json: true, authorize: (topic, session) => topic === `jobs:${String(session.user)}` } } },
    });

    it("an app whose authorize denies: 401 before subscribing, no broadcast reaches the client", async () => {
      const { host, app: weft } = await app(authed());
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3Aalice`)), { status: 401, code: "E_UNAUTHORIZED" });
      const own = opened(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3Aalice`, { headers: { cookie: "user=alice" } }));
      await until(() => weft.stats().htmxSockets === 1, 5000, "alice's socket");
      weft.broadcast("jobs:alice", "progress", { pct: 5 });
      assert.match(await own.next(/progress/), /"topic":"jobs:alice"/);
      own.ws.close();
    });

    it("a per-topic authorize reading session data: a user follows only their own jobs:<user> (403)", async () => {
      const { host } = await app(authed());
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3Aalice`, { headers: { cookie: "user=bob" } })), { status: 403, code: "E_FORBIDDEN" });
    });

    it("a per-topic authorize that throws: 500, reported to onError", async () => {
      const errors: unknown[] = [];
      const { host } = await app({ onError: (e) => void errors.push(e), htmx: { views: ["/todos"], topics: { "jobs:*": { json: true, authorize: () => { throw new Error("boom"); } } } } });
      assert.deepEqual(refused(await Hx.open(`ws://${host}/weft/htmx/topic/jobs%3A1`)), { status: 500, code: "E_INTERNAL" });
      assert.ok(errors.some((e) => e instanceof Error && e.message === "boom"));
    });
  });

  it("refuses 503 E_SHUTDOWN the topic connects whose authorize answers after app.close() (WebSocket and SSE): nothing opens", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let waiting = 0;
    const a = await start({ authorize: async () => (waiting++, await gate, {}) });
    try {
      const ws = Hx.open(`ws://${a.host}/weft/htmx/topic/jobs%3A1`);
      const sse = fetch(`http://${a.host}/weft/htmx/topic/jobs%3A1`, { headers: { accept: "text/event-stream" } });
      await until(() => waiting === 2, 5000, "both connects in authorize");
      const closing = a.app.close();
      // A connect that needs no authorize tells when the htmx endpoints have closed: 404 before, 503 after.
      await until(async () => (await fetch(`http://${a.host}/weft/htmx/sse/hidden`)).status === 503, 5000, "the htmx endpoints closed");
      release();
      assert.deepEqual(refused(await ws), { status: 503, code: "E_SHUTDOWN" });
      const res = await sse;
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_SHUTDOWN");
      await within(closing, 10_000, "app.close()");
      assert.deepEqual([a.app.stats().htmxSockets, a.app.stats().htmxStreams], [0, 0]);
    } finally {
      release();
      a.server.closeAllConnections();
      await new Promise<void>((r) => a.server.close(() => r()));
    }
  });

  it("closes htmx sockets with 1012 at app.close(); a new app on the port serves the reconnect its full fragments", async () => {
    const first = await start();
    const { cookie, token } = await page(first.host);
    const c = opened(await Hx.open(`ws://${first.host}/weft/htmx/ws/todos`, { cookie }));
    await c.next(/id="count"/);
    c.send(htmx2({ id: "inc" }, {}, token));
    await c.next(/>1<\/p>/);
    const topic = opened(await Hx.open(`ws://${first.host}/weft/htmx/topic/jobs%3A1`));
    await within(first.close(), 10_000, "app.close()");
    assert.equal(await c.closed(), 1012);
    assert.equal(await topic.closed(), 1012);

    const port = Number(first.host.split(":")[1]);
    // The deploy also rotates the secret: the new one signs, the old one still verifies.
    const second = await start({ secret: ["rotated-secret-0123456789abcdef", SECRET] }, port);
    apps.push(second);
    const again = opened(await Hx.open(`ws://${second.host}/weft/htmx/ws/todos`, { cookie }));
    const full = await again.next(/id="count"/, "the full fragments after the restart");
    assert.match(full, OOB("p", "count", "0"));
    assert.match(full, /id="items"/);
    again.send(htmx2({ id: "inc" }, {}, token));
    assert.match(await again.next(/id="count"/), />1<\/p>/, "the page's token still holds after the rotation (same cookie, old secret still listed)");
    again.ws.close();
  });
});
