import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { until } from "../../../test/support/until.ts";
import { installSim, type SimControl } from "./sim.ts";
import type { SimOptions, SimTransport } from "./types.ts";

// Node 20 has Event, EventTarget and MessageEvent but no CloseEvent: a minimal one for the simulator's close events.
if (typeof globalThis.CloseEvent === "undefined") {
  class MinimalCloseEvent extends Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
    constructor(type: string, init: CloseEventInit = {}) {
      super(type);
      this.code = init.code ?? 0;
      this.reason = init.reason ?? "";
      this.wasClean = init.wasClean ?? false;
    }
  }
  Object.assign(globalThis, { CloseEvent: MinimalCloseEvent });
}

const ORIGIN = "http://127.0.0.1:1";
const WS_URL = "ws://127.0.0.1:1/weft/ws";
const SSE_URL = "/weft/sse?l=abc";
const HTTP_URL = "/weft/http?l=abc&n=";

/** A native WebSocket as the simulator uses it (on* handlers), driven by the test. */
class FakeSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onclose: ((e: CloseEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  readyState = 0;
  binaryType: BinaryType = "blob";
  readonly sent: unknown[] = [];
  readonly closeCalls: Array<[number | undefined, string | undefined]> = [];
  constructor(readonly url: string | URL, readonly protocols: string | string[] | undefined, made: FakeSocket[]) {
    super();
    made.push(this);
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closeCalls.push([code, reason]);
    if (this.readyState >= 2) return;
    this.readyState = 2;
    setTimeout(() => this.finish(code ?? 1005, reason ?? "", true), 0);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  message(data: unknown): void {
    this.onmessage?.(new MessageEvent("message", { data }));
  }
  finish(code: number, reason = "", wasClean = false): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent("close", { code, reason, wasClean }));
  }
}

/** A native EventSource, driven by the test. */
class FakeStream extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  onopen: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: Event) => void) | null = null;
  readyState = 0;
  closed = false;
  constructor(readonly url: string, readonly init: EventSourceInit | undefined, made: FakeStream[]) {
    super();
    made.push(this);
  }
  close(): void {
    this.readyState = 2;
    this.closed = true;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event("open"));
  }
  message(data: string, lastEventId = ""): void {
    this.onmessage?.(new MessageEvent("message", { data, lastEventId }));
  }
}

interface FetchCall {
  readonly input: RequestInfo | URL;
  readonly init: RequestInit | undefined;
  resolve(res: Response): void;
  reject(err: unknown): void;
  aborted: boolean;
}

/** A window with fake network objects; `win` is what the page (and the simulator) sees. */
function fakeWindow() {
  const sockets: FakeSocket[] = [];
  const streams: FakeStream[] = [];
  const fetches: FetchCall[] = [];
  const NativeSocket = class extends FakeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, sockets);
    }
  };
  const NativeStream = class extends FakeStream {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(String(url), init, streams);
    }
  };
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      const call: FetchCall = { input, init, resolve, reject, aborted: false };
      init?.signal?.addEventListener("abort", () => {
        call.aborted = true;
        reject(new DOMException("The operation was aborted.", "AbortError"));
      });
      fetches.push(call);
    });
  const raw = { location: { href: `${ORIGIN}/x`, host: "127.0.0.1:1" }, fetch, WebSocket: NativeSocket, EventSource: NativeStream };
  return { raw, win: raw as unknown as typeof globalThis, sockets, streams, fetches, NativeSocket, NativeStream, nativeFetch: fetch };
}

type Fake = ReturnType<typeof fakeWindow>;
type Frame = [dir: string, transport: string, data: unknown];

/** A page's WebSocket with what its handlers were told. */
function pageSocket(w: Fake, url = WS_URL) {
  const ws = new w.win.WebSocket(url);
  const events: string[] = [];
  const got: unknown[] = [];
  ws.onopen = () => events.push("open");
  ws.onerror = () => events.push("error");
  ws.onclose = (e) => events.push(`close ${e.code}`);
  ws.onmessage = (e) => got.push(e.data);
  return { ws, events, got };
}

/** A page's EventSource with what its handlers were told. */
function pageStream(w: Fake, url = SSE_URL) {
  const es = new w.win.EventSource(url);
  const events: string[] = [];
  const got: unknown[] = [];
  es.onopen = () => events.push("open");
  es.onerror = () => events.push(`error ${es.readyState}`);
  es.onmessage = (e) => got.push(e.data);
  return { es, events, got };
}

/** A request the test does not await: its failure (the cut after each test) is expected. */
function quiet(p: Promise<Response>): void {
  p.catch(() => {});
}

/** One turn of the event loop (the simulator tells the page of a close in a task of its own). */
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

let w: Fake;
let control: SimControl;
let frames: Frame[];
let dev: boolean;

beforeEach(() => {
  w = fakeWindow();
  dev = true;
  control = installSim(w.win, () => dev);
  frames = [];
  control.tap = (dir, transport, data) => frames.push([dir, transport, data]);
});

afterEach(() => {
  // Nothing of one test reaches the next: the simulator's links are cut with nothing to delay them.
  dev = true;
  control.sim({});
  control.sim.force();
  control.sim.cut();
});

describe("installSim wraps Weft URLs only", () => {
  it("gives other WebSocket URLs the native object, untouched", () => {
    const other = new w.win.WebSocket(`ws://127.0.0.1:1/other`, "chat");
    assert.ok(other instanceof w.NativeSocket);
    assert.equal((other as unknown as FakeSocket).protocols, "chat");
    const elsewhere = new w.win.WebSocket("ws://example.com/weft/ws"); // the path, but another host
    assert.ok(elsewhere instanceof w.NativeSocket);
    const ours = new w.win.WebSocket(WS_URL);
    assert.ok(!(ours instanceof w.NativeSocket));
    assert.equal(w.sockets.length, 3);
    assert.equal(String(w.sockets[2]!.url), WS_URL);
    assert.deepEqual([w.win.WebSocket.CONNECTING, w.win.WebSocket.OPEN, w.win.WebSocket.CLOSING, w.win.WebSocket.CLOSED], [0, 1, 2, 3]);
    assert.deepEqual([ours.CONNECTING, ours.OPEN, ours.CLOSING, ours.CLOSED], [0, 1, 2, 3]);
    w.sockets[0]!.open();
    w.sockets[0]!.message("not ours");
    assert.deepEqual(frames, []);
  });

  it("gives other EventSource URLs the native object, untouched", () => {
    const init = { withCredentials: true };
    const other = new w.win.EventSource("/other", init);
    assert.ok(other instanceof w.NativeStream);
    assert.equal((other as unknown as FakeStream).init, init);
    const ours = new w.win.EventSource(SSE_URL);
    assert.ok(!(ours instanceof w.NativeStream));
    assert.equal(w.streams[1]!.url, `${ORIGIN}${SSE_URL}`);
    assert.deepEqual([w.win.EventSource.CONNECTING, w.win.EventSource.OPEN, w.win.EventSource.CLOSED], [0, 1, 2]);
    assert.deepEqual([ours.CONNECTING, ours.OPEN, ours.CLOSED], [0, 1, 2]);
  });

  it("passes other fetches to the native fetch with their own arguments", () => {
    const init: RequestInit = { method: "POST", body: "[]" };
    quiet(w.win.fetch("/other", init));
    quiet(w.win.fetch(`${ORIGIN}/weft/httpx`, init));
    quiet(w.win.fetch("http://example.com/weft/http?l=a", init));
    assert.equal(w.fetches.length, 3);
    for (const call of w.fetches) assert.equal(call.init, init);
    assert.deepEqual(frames, []);
  });

  it("wraps fetches of /weft/sse and /weft/http", () => {
    const init: RequestInit = { method: "POST", body: '[{"t":"h"}]' };
    quiet(w.win.fetch(SSE_URL, init));
    quiet(w.win.fetch(HTTP_URL + "0", init));
    quiet(w.win.fetch(new URL(`${ORIGIN}${HTTP_URL}1`)));
    assert.equal(w.fetches.length, 3);
    for (const call of w.fetches) {
      assert.notEqual(call.init, init); // its own signal, so that a cut can end it
      assert.ok(call.init?.signal instanceof AbortSignal);
    }
    assert.equal(w.fetches[0]!.init?.body, init.body);
    assert.deepEqual(frames, [["out", "sse", init.body], ["out", "http", init.body]]);
  });
});

describe("weft.sim settings", () => {
  it("returns the settings, a missing key being 0", () => {
    const { sim } = control;
    assert.deepEqual(sim(), { latencyMs: 0, jitterMs: 0, drop: 0, forced: undefined });
    assert.deepEqual(sim({ latencyMs: 200, jitterMs: 50, drop: 0.05 }), { latencyMs: 200, jitterMs: 50, drop: 0.05, forced: undefined });
    assert.deepEqual(sim(), { latencyMs: 200, jitterMs: 50, drop: 0.05, forced: undefined });
    assert.deepEqual(sim({ jitterMs: 10 }), { latencyMs: 0, jitterMs: 10, drop: 0, forced: undefined });
    sim.force("sse");
    assert.deepEqual(sim({}), { latencyMs: 0, jitterMs: 0, drop: 0, forced: "sse" });
    assert.deepEqual(sim({ latencyMs: 60_000, jitterMs: 60_000, drop: 1 }), { latencyMs: 60_000, jitterMs: 60_000, drop: 1, forced: "sse" });
    sim.force();
    assert.equal(sim()?.forced, undefined);
  });

  it("refuses bad values with a RangeError and changes nothing", () => {
    const { sim } = control;
    const told: unknown[] = [];
    sim({ latencyMs: 10, jitterMs: 5, drop: 0.25 });
    sim.force("http");
    control.onChange = (s, cut) => told.push([s, cut]);
    const before = { ...sim()! };
    const bad: unknown[] = [
      { latencyMs: -1 }, { latencyMs: Number.NaN }, { latencyMs: "5" }, { latencyMs: 60_001 }, { latencyMs: Infinity },
      { jitterMs: -1 }, { jitterMs: 60_001 }, { jitterMs: null }, { drop: 1.5 }, { drop: -0.1 }, { drop: Number.NaN },
      { latencyMs: 5, jitterMs: 5, drop: 2 }, null, 5, "fast", { latency: 50 }, { latencyMs: 5, Drop: 0.1 },
    ];
    for (const b of bad) {
      assert.throws(() => sim(b as SimOptions), (e: unknown) => e instanceof RangeError && e.message.startsWith("weft.sim: "), JSON.stringify(b));
      assert.deepEqual(sim(), before, JSON.stringify(b));
    }
    for (const t of ["carrier-pigeon", "WebSocket", "", null]) {
      assert.throws(() => sim.force(t as SimTransport), (e: unknown) => e instanceof RangeError && e.message.startsWith("weft.sim: "));
      assert.deepEqual(sim(), before);
    }
    assert.deepEqual(told, []);
  });

  it("cannot be changed through the settings it returns", () => {
    const { sim } = control;
    sim({ latencyMs: 10 });
    const s = sim() as { latencyMs: number; forced: string | undefined };
    try {
      s.latencyMs = -5;
      s.forced = "carrier-pigeon";
    } catch {
      // frozen
    }
    assert.deepEqual(sim(), { latencyMs: 10, jitterMs: 0, drop: 0, forced: undefined });
  });

  it("tells onChange of each change and each cut", () => {
    const told: Array<[unknown, boolean]> = [];
    control.onChange = (s, cut) => told.push([s.forced ?? s.latencyMs, cut]);
    control.sim({ latencyMs: 5 });
    control.sim.cut();
    control.sim.force("websocket");
    control.sim.force();
    assert.deepEqual(told, [[5, false], [5, true], ["websocket", true], [5, false]]);
  });
});

describe("weft.sim outside development mode", () => {
  it("only warns: the settings stay, nothing is cut or blocked", async () => {
    const warn = mock.method(console, "warn", () => {});
    try {
      const page = pageSocket(w);
      const native = w.sockets[0]!;
      native.open();
      const stream = pageStream(w);
      w.streams[0]!.open();
      const pending = w.win.fetch(HTTP_URL + "0");
      const told: unknown[] = [];
      control.onChange = (s, cut) => told.push([s, cut]);
      dev = false;
      assert.equal(control.sim({ latencyMs: 100, drop: 1 }), undefined);
      assert.equal(control.sim(), undefined);
      assert.doesNotThrow(() => control.sim({ latencyMs: -1 }));
      control.sim.cut();
      control.sim.force("http");
      control.sim.force();
      assert.equal(warn.mock.callCount(), 6);
      for (const c of warn.mock.calls) assert.deepEqual(c.arguments, ["weft.sim: dev only"]);
      assert.deepEqual(told, []);

      await tick();
      // Nothing was cut: the socket and the stream are open, the request still waits.
      assert.deepEqual(native.closeCalls, []);
      assert.equal(page.ws.readyState, 1);
      assert.deepEqual(page.events, ["open"]);
      assert.equal(w.streams[0]!.closed, false);
      assert.deepEqual(stream.events, ["open"]);
      assert.equal(w.fetches[0]!.aborted, false);
      // Nothing is delayed, dropped or blocked: frames pass at once, a new WebSocket opens.
      native.message("m");
      assert.deepEqual(page.got, ["m"]);
      page.ws.send("s");
      assert.deepEqual(native.sent, ["s"]);
      const next = pageSocket(w);
      assert.equal(w.sockets.length, 2);
      w.sockets[1]!.open();
      assert.deepEqual(next.events, ["open"]);
      w.fetches[0]!.resolve(new Response("{}"));
      await pending;

      dev = true;
      assert.deepEqual(control.sim(), { latencyMs: 0, jitterMs: 0, drop: 0, forced: undefined });
    } finally {
      warn.mock.restore();
    }
  });
});

describe("weft.sim latency", () => {
  it("delays a WebSocket's open and each frame in and out", async () => {
    control.sim({ latencyMs: 20 });
    const page = pageSocket(w);
    const native = w.sockets[0]!;
    native.open();
    assert.equal(page.ws.readyState, 0);
    await until(() => page.ws.readyState === 1, 5_000, "open");
    native.message("a");
    native.message("b");
    assert.deepEqual(page.got, []);
    await until(() => page.got.length === 2, 5_000, "frames in");
    assert.deepEqual(page.got, ["a", "b"]);
    page.ws.send("x");
    page.ws.send("y");
    assert.deepEqual(native.sent, []);
    await until(() => native.sent.length === 2, 5_000, "frames out");
    assert.deepEqual(native.sent, ["x", "y"]);
  });

  it("delays a request and its answer", async () => {
    control.sim({ latencyMs: 20 });
    let answered: Response | undefined;
    quiet(w.win.fetch(HTTP_URL + "0").then((r) => (answered = r)));
    assert.equal(w.fetches.length, 0);
    await until(() => w.fetches.length === 1, 5_000, "request");
    w.fetches[0]!.resolve(new Response('{"n":1,"f":[]}'));
    await tick();
    assert.equal(answered, undefined);
    await until(() => answered !== undefined, 5_000, "answer");
    assert.equal(await answered!.text(), '{"n":1,"f":[]}');
  });

  it("delays each message of an SSE stream", async () => {
    control.sim({ latencyMs: 20 });
    const page = pageStream(w);
    const native = w.streams[0]!;
    native.open();
    native.message("1", "1");
    assert.deepEqual(page.events, []);
    assert.deepEqual(page.got, []);
    await until(() => page.got.length === 1, 5_000, "message");
    assert.deepEqual(page.events, ["open"]);
  });

  it("keeps the order of frames under jitter, in and out", async () => {
    control.sim({ jitterMs: 25 });
    const page = pageSocket(w);
    const native = w.sockets[0]!;
    native.open();
    await until(() => page.ws.readyState === 1, 5_000, "open");
    const stream = pageStream(w);
    const nativeStream = w.streams[0]!;
    nativeStream.open();
    const n = 400;
    const expected: string[] = [];
    for (let i = 0; i < n; i++) {
      expected.push(String(i));
      native.message(String(i));
      page.ws.send(String(i));
      nativeStream.message(String(i), String(i));
      // Frames arrive over many turns of the event loop and many milliseconds, as on a real link.
      if (i % 8 === 7) await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => page.got.length === n && native.sent.length === n && stream.got.length === n, 10_000, "every frame");
    assert.deepEqual(page.got, expected);
    assert.deepEqual(native.sent, expected);
    assert.deepEqual(stream.got, expected);
  });
});

describe("weft.sim.cut", () => {
  it("closes a WebSocket 1006 with an error first, and closes the native socket", async () => {
    const page = pageSocket(w);
    const native = w.sockets[0]!;
    const listened: string[] = [];
    page.ws.addEventListener("close", (e) => listened.push(`close ${(e as CloseEvent).code}`));
    native.open();
    assert.deepEqual(page.events, ["open"]);
    control.sim.cut();
    assert.equal(native.closeCalls.length, 1);
    assert.equal(page.ws.readyState, 3);
    await until(() => page.events.length === 3, 5_000, "close");
    assert.deepEqual(page.events, ["open", "error", "close 1006"]);
    assert.deepEqual(listened, ["close 1006"]);
    // Nothing passes any more, either way.
    native.message("late");
    page.ws.send("late");
    await tick();
    assert.deepEqual(page.got, []);
    assert.deepEqual(native.sent, []);
  });

  it("closes a WebSocket still connecting", async () => {
    const page = pageSocket(w);
    control.sim.cut();
    assert.equal(w.sockets[0]!.closeCalls.length, 1);
    await until(() => page.events.length === 2, 5_000, "close");
    assert.deepEqual(page.events, ["error", "close 1006"]);
  });

  it("closes a WebSocket whose frames are still delayed, and drops them", async () => {
    control.sim({ latencyMs: 30 });
    const page = pageSocket(w);
    const native = w.sockets[0]!;
    native.open();
    await until(() => page.ws.readyState === 1, 5_000, "open");
    native.message("in flight");
    page.ws.send("on its way");
    control.sim.cut();
    await until(() => page.events.includes("close 1006"), 5_000, "close");
    await new Promise((r) => setTimeout(r, 60)); // past the latency: nothing comes late
    assert.deepEqual(page.got, []);
    assert.deepEqual(native.sent, []);
  });

  it("fails requests in flight with a TypeError: a POST's request goes on, a GET's is aborted", async () => {
    const post = w.win.fetch(HTTP_URL + "0", { method: "POST", body: '[{"t":"h"}]' });
    const poll = w.win.fetch(HTTP_URL + "0");
    const ssePost = w.win.fetch(SSE_URL, { method: "post", body: "[]" });
    assert.equal(w.fetches.length, 3);
    control.sim.cut();
    await assert.rejects(post, TypeError);
    await assert.rejects(poll, TypeError);
    await assert.rejects(ssePost, TypeError);
    assert.deepEqual(w.fetches.map((c) => c.aborted), [false, true, false]);
    // The POST's answer is lost.
    w.fetches[0]!.resolve(new Response('{"n":1,"f":[{"t":"h"}]}'));
    await tick();
    assert.deepEqual(frames.filter(([dir]) => dir === "in"), []);
  });

  it("leaves a request that was answered alone", async () => {
    const get = w.win.fetch(HTTP_URL + "0");
    w.fetches[0]!.resolve(new Response("{}"));
    const res = await get;
    control.sim.cut();
    assert.equal(await res.text(), "{}");
  });

  it("drops an SSE stream, which reconnects with its last event id", async () => {
    const page = pageStream(w);
    const first = w.streams[0]!;
    first.open();
    first.message('{"v":1,"q":1}', "7");
    first.message('{"v":1,"q":2}'); // no id: the last one stays
    assert.equal(page.es.readyState, 1);
    control.sim.cut();
    assert.equal(first.closed, true);
    assert.equal(page.es.readyState, 0);
    await until(() => page.events.length === 2, 5_000, "error");
    assert.deepEqual(page.events, ["open", "error 0"]);
    assert.equal(w.streams.length, 1); // not at once: after the retry wait
    await until(() => w.streams.length === 2, 5_000, "reconnect");
    assert.equal(w.streams[1]!.url, `${ORIGIN}${SSE_URL}&last=7`);
    w.streams[1]!.open();
    w.streams[1]!.message('{"v":1,"q":3}', "8");
    assert.deepEqual(page.got, ['{"v":1,"q":1}', '{"v":1,"q":2}', '{"v":1,"q":3}']);
    assert.equal(page.es.readyState, 1);
    first.message("stale"); // the old stream says nothing more
    assert.equal(page.got.length, 3);
  });

  it("drops an SSE stream that has no event id yet, which reconnects with its own URL", async () => {
    const page = pageStream(w);
    w.streams[0]!.open();
    w.streams[0]!.message("hello");
    control.sim.cut();
    await until(() => w.streams.length === 2, 5_000, "reconnect");
    assert.equal(w.streams[1]!.url, `${ORIGIN}${SSE_URL}`);
    page.es.close();
  });

  it("does not reconnect an SSE stream the page closed", async () => {
    const page = pageStream(w);
    w.streams[0]!.open();
    control.sim.cut();
    page.es.close();
    await new Promise((r) => setTimeout(r, 1_200)); // past the retry wait
    assert.equal(w.streams.length, 1);
  });
});

describe("weft.sim.force", () => {
  it("blocks WebSocket and SSE for http, cuts what is open, and lets /weft/http pass", async () => {
    const open = pageSocket(w);
    w.sockets[0]!.open();
    control.sim.force("http");
    assert.equal(w.sockets[0]!.closeCalls.length, 1);
    await until(() => open.events.includes("close 1006"), 5_000, "cut");

    const blocked = pageSocket(w);
    assert.equal(w.sockets.length, 1); // the blocked socket has no native one
    await until(() => blocked.events.length === 2, 5_000, "refused");
    assert.deepEqual(blocked.events, ["error", "close 1006"]);
    assert.equal(blocked.ws.readyState, 3);

    const stream = pageStream(w);
    assert.equal(w.streams.length, 0);
    await until(() => stream.events.length === 1, 5_000, "refused stream");
    assert.deepEqual(stream.events, ["error 2"]);

    await assert.rejects(w.win.fetch(SSE_URL, { method: "POST", body: "[]" }), TypeError);
    await assert.rejects(w.win.fetch(SSE_URL), TypeError);
    assert.equal(w.fetches.length, 0);

    const http = w.win.fetch(HTTP_URL + "0", { method: "POST", body: "[]" });
    assert.equal(w.fetches.length, 1);
    w.fetches[0]!.resolve(new Response('{"n":0,"f":[]}'));
    assert.equal((await http).status, 200);
  });

  it("blocks HTTP and SSE for websocket", async () => {
    control.sim.force("websocket");
    await assert.rejects(w.win.fetch(HTTP_URL + "0"), TypeError);
    await assert.rejects(w.win.fetch(SSE_URL, { method: "POST", body: "[]" }), TypeError);
    const page = pageSocket(w);
    w.sockets[0]!.open();
    assert.deepEqual(page.events, ["open"]);
  });

  it("lifts the block when called without a transport", async () => {
    control.sim.force("sse");
    const blocked = pageSocket(w);
    await until(() => blocked.events.length === 2, 5_000, "refused");
    control.sim.force();
    const page = pageSocket(w);
    assert.equal(w.sockets.length, 1);
    w.sockets[0]!.open();
    assert.deepEqual(page.events, ["open"]);
    quiet(w.win.fetch(HTTP_URL + "0"));
    assert.equal(w.fetches.length, 1);
  });
});

describe("weft.sim drop", () => {
  it("cuts at the first frame in, which is not delivered", async () => {
    const page = pageSocket(w);
    const native = w.sockets[0]!;
    native.open();
    control.sim({ drop: 1 });
    native.message("lost");
    assert.equal(native.closeCalls.length, 1);
    await until(() => page.events.includes("close 1006"), 5_000, "cut");
    assert.deepEqual(page.got, []);
    assert.deepEqual(frames, []);
  });

  it("cuts at the first frame out, which is not sent", async () => {
    const page = pageSocket(w);
    const native = w.sockets[0]!;
    native.open();
    control.sim({ drop: 1 });
    page.ws.send("lost");
    assert.deepEqual(native.sent, []);
    assert.equal(native.closeCalls.length, 1);
    await until(() => page.events.includes("close 1006"), 5_000, "cut");
  });

  it("cuts at the first SSE message and at the first request", async () => {
    const page = pageStream(w);
    w.streams[0]!.open();
    control.sim({ drop: 1 });
    w.streams[0]!.message("lost", "1");
    assert.equal(w.streams[0]!.closed, true);
    await until(() => page.events.includes("error 0"), 5_000, "cut");
    assert.deepEqual(page.got, []);
    await assert.rejects(w.win.fetch(HTTP_URL + "0"), TypeError);
    assert.equal(w.fetches.length, 0);
    page.es.close();
  });

  it("cuts at an answer, which is lost", async () => {
    const get = w.win.fetch(HTTP_URL + "0");
    control.sim({ drop: 1 });
    w.fetches[0]!.resolve(new Response('{"n":1,"f":[]}'));
    await assert.rejects(get, TypeError);
  });
});

describe("the simulator's tap", () => {
  it("sees each Weft frame in and out, on every transport", async () => {
    const page = pageSocket(w);
    w.sockets[0]!.open();
    page.ws.send('{"t":"j","v":1}');
    w.sockets[0]!.message('{"t":"f","v":1,"q":1}');
    const stream = pageStream(w);
    w.streams[0]!.open();
    w.streams[0]!.message('{"v":1,"q":2}', "2");
    const post = w.win.fetch(SSE_URL, { method: "POST", body: '[{"t":"e","v":1,"r":1}]' });
    w.fetches[0]!.resolve(new Response(null, { status: 204 }));
    await post;
    const poll = w.win.fetch(HTTP_URL + "0");
    w.fetches[1]!.resolve(new Response('{"n":1,"f":[{"t":"h"}]}'));
    await poll;
    await until(() => frames.length === 6, 5_000, "frames");
    assert.deepEqual(frames, [
      ["out", "websocket", '{"t":"j","v":1}'],
      ["in", "websocket", '{"t":"f","v":1,"q":1}'],
      ["in", "sse", '{"v":1,"q":2}'],
      ["out", "sse", '[{"t":"e","v":1,"r":1}]'],
      ["in", "sse", ""],
      ["in", "http", '{"n":1,"f":[{"t":"h"}]}'],
    ]);
    assert.deepEqual(stream.got, ['{"v":1,"q":2}']);
    // What the page reads of an answer is whole: the tap read a copy.
    const again = w.win.fetch(HTTP_URL + "1");
    w.fetches[2]!.resolve(new Response('{"n":2,"f":[]}'));
    assert.equal(await (await again).text(), '{"n":2,"f":[]}');
  });
});

describe("the wrapped fetch behaves as the browser's", () => {
  it("leaves no listener on the page's signal once a request is settled (a link's one signal serves every poll)", async () => {
    // Not in this @types/node, but in Node since 15: the listeners of an EventTarget.
    const { getEventListeners } = (await import("node:events")) as unknown as { getEventListeners(t: EventTarget, type: string): unknown[] };
    const link = new AbortController();
    for (let i = 0; i < 5; i++) {
      const p = w.win.fetch(HTTP_URL + i, { signal: link.signal });
      w.fetches[i]!.resolve(new Response('{"n":0,"f":[]}'));
      await p;
    }
    const post = w.win.fetch(SSE_URL, { method: "POST", body: "[]", signal: link.signal });
    control.sim.cut();
    await assert.rejects(post, TypeError);
    assert.equal(getEventListeners(link.signal, "abort").length, 0);
  });

  it("still aborts the native request when the page aborts while its request is delayed", async () => {
    const link = new AbortController();
    control.sim({ latencyMs: 20 });
    const p = w.win.fetch(HTTP_URL + "0", { signal: link.signal });
    await until(() => w.fetches.length === 1, 5_000, "request");
    link.abort();
    await assert.rejects(p, (e: Error) => e.name === "AbortError");
    assert.equal(w.fetches[0]!.aborted, true);
  });

  it("works where the browser has no AbortSignal.any: the page's abort still ends the native request", async () => {
    const any = Object.getOwnPropertyDescriptor(AbortSignal, "any");
    delete (AbortSignal as { any?: unknown }).any;
    try {
      const link = new AbortController();
      const p = w.win.fetch(HTTP_URL + "0", { signal: link.signal });
      assert.equal(w.fetches.length, 1);
      link.abort();
      await assert.rejects(p, (e: Error) => e.name === "AbortError");
      assert.equal(w.fetches[0]!.aborted, true);
    } finally {
      if (any) Object.defineProperty(AbortSignal, "any", any);
    }
  });

  it("uses the signal of a Request the page passes", async () => {
    const mine = new AbortController();
    const p = w.win.fetch(new Request(`${ORIGIN}${HTTP_URL}0`, { signal: mine.signal }));
    mine.abort();
    await assert.rejects(p, (e: Error) => e.name === "AbortError");
    assert.equal(w.fetches.length === 0 || w.fetches[0]!.aborted, true);
  });

  it("sends a keepalive request (the farewell on pagehide) at once, whatever the latency: a timer would not outlive the page", () => {
    control.sim({ latencyMs: 5_000 });
    quiet(w.win.fetch(SSE_URL, { method: "POST", keepalive: true, body: '[{"t":"l","v":1}]' }));
    assert.equal(w.fetches.length, 1);
    assert.deepEqual(frames, [["out", "sse", '[{"t":"l","v":1}]']]);
  });
});

describe("the wrapped WebSocket behaves as the browser's", () => {
  it("still closes when the page's onerror handler throws, and its handlers see the socket as the event's target", async () => {
    const ws = new w.win.WebSocket(WS_URL);
    const seen: string[] = [];
    const thrown: unknown[] = [];
    // Node reports a listener's exception as uncaught, as a browser reports it to window.onerror: caught here, not by the test runner.
    const runners = process.listeners("uncaughtException");
    process.removeAllListeners("uncaughtException");
    process.on("uncaughtException", (err) => thrown.push(err));
    try {
      ws.onopen = (e) => seen.push(`open ${e.target === ws}`);
      ws.onerror = () => {
        throw new Error("page bug");
      };
      ws.onclose = (e) => seen.push(`close ${e.code} ${e.target === ws}`);
      w.sockets[0]!.open();
      await until(() => seen.length === 1, 5_000, "open");
      control.sim.cut();
      await until(() => seen.length === 2, 2_000, "close after a throwing onerror");
      assert.deepEqual(seen, ["open true", "close 1006 true"]);
      await until(() => thrown.length === 1, 2_000, "the page's error reported");
    } finally {
      process.removeAllListeners("uncaughtException");
      for (const l of runners) process.on("uncaughtException", l);
    }
  });

  it("sends what it holds back, and the page's farewell, at once when the page goes away (pagehide), in order", async () => {
    const fake = fakeWindow();
    const events = new EventTarget();
    Object.assign(fake.raw, { addEventListener: events.addEventListener.bind(events) });
    const own = installSim(fake.win, () => true);
    try {
      const ws = new fake.win.WebSocket(WS_URL);
      fake.sockets[0]!.open();
      assert.equal(ws.readyState, 1);
      own.sim({ latencyMs: 5_000 });
      ws.send("event");
      assert.deepEqual(fake.sockets[0]!.sent, []);
      events.dispatchEvent(new Event("pagehide"));
      ws.send("farewell"); // the client's, from its own pagehide listener
      assert.deepEqual(fake.sockets[0]!.sent, ["event", "farewell"]);
      // Back from the back-forward cache: delayed again.
      events.dispatchEvent(new Event("pageshow"));
      ws.send("later");
      assert.deepEqual(fake.sockets[0]!.sent, ["event", "farewell"]);
    } finally {
      own.sim({});
      own.sim.cut();
    }
  });

  it("gives its url as the browser does: absolute, ws: for a relative or http: one", () => {
    assert.equal(new w.win.WebSocket("/weft/ws").url, "ws://127.0.0.1:1/weft/ws");
    assert.equal(new w.win.WebSocket("http://127.0.0.1:1/weft/ws").url, "ws://127.0.0.1:1/weft/ws");
    assert.equal(new w.win.WebSocket(new URL(WS_URL)).url, WS_URL);
  });
});
