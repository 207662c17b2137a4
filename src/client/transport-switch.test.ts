// The live socket's switch up to a proven transport, in Node: fake transports
// (HTTP answered by the test, WebSocket echoing the probe's heartbeat), fake
// timers, and a fake root and document. A view that is down — its join refused
// and waiting to retry, or refused with a code that is not retried — has nothing
// in flight, so it must not keep the page on HTTP; a join in flight still holds
// the switch until it is answered.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { C, S, type Envelope } from "../protocol/messages.ts";
import { liveSocket, type LiveSocket } from "./live-socket.ts";
import { createNegotiator } from "./negotiate.ts";
import type { Transport, TransportFactory } from "./transports/types.ts";
import { createView } from "./view.ts";

interface Fake extends Transport {
  sent: Envelope[];
  closed: boolean;
}

/** HTTP that opens and leaves the answers to the test; WebSocket that opens and echoes every frame (the probe's heartbeat). */
function fakes(): { made: Fake[]; transports: TransportFactory[] } {
  const made: Fake[] = [];
  const factory = (name: string, echo: boolean): TransportFactory => ({
    name,
    openMs: 5_000,
    create: () => {
      const t: Fake = {
        name,
        sent: [],
        closed: false,
        onOpen: () => {},
        onMessage: () => {},
        onClose: () => {},
        open: () => void setTimeout(() => t.closed || t.onOpen(), 1),
        send(frame) {
          t.sent.push(JSON.parse(frame) as Envelope);
          if (echo) setTimeout(() => t.closed || t.onMessage(frame), 1);
        },
        close: () => void (t.closed = true),
        farewell: () => {},
      };
      made.push(t);
      return t;
    },
  });
  return { made, transports: [factory("websocket", true), factory("http", false)] };
}

/** A root with attributes and a class list; events dispatched on it are dropped. */
function fakeRoot(): HTMLElement {
  const attrs = new Map<string, string>();
  const classes = new Set<string>();
  return {
    isConnected: true,
    classList: { toggle: (c: string, on: boolean) => (on ? classes.add(c) : classes.delete(c)), contains: (c: string) => classes.has(c) },
    getAttribute: (n: string) => attrs.get(n) ?? null,
    setAttribute: (n: string, v: string) => attrs.set(n, v),
    removeAttribute: (n: string) => attrs.delete(n),
    dispatchEvent: () => true,
  } as unknown as HTMLElement;
}

Object.assign(globalThis, { location: { href: "http://localhost/flaky" }, document: { dispatchEvent: () => true } });

/** A page on HTTP (WebSocket offered, so probed) with one view, its join sent over HTTP. */
function page(): { socket: LiveSocket; http: Fake; made: Fake[] } {
  const { made, transports } = fakes();
  const socket = liveSocket(30_000, createNegotiator({ offered: "websocket,http", transports }));
  socket.views.set(1, createView(1, fakeRoot(), socket));
  socket.connect();
  mock.timers.tick(1); // HTTP open: the join goes out, the first probe round is scheduled
  const http = made[0]!;
  assert.equal(http.name, "http");
  assert.equal(socket.transportName, "http");
  assert.deepEqual(http.sent.map((m) => m.t), [C.join]);
  return { socket, http, made };
}

const serve = (t: Fake, m: Envelope): void => t.onMessage(JSON.stringify(m));
const refusal = (c: string): Envelope => ({ t: S.error, v: 1, c, m: c });
/** Runs the probe: opened after 1 ms, its heartbeat echoed 1 ms later. */
const probeRound = (): void => {
  mock.timers.tick(0);
  mock.timers.tick(1);
  mock.timers.tick(1);
};

describe("LiveSocket: switching up to a proven transport", () => {
  beforeEach(() => mock.timers.enable({ apis: ["setTimeout", "setInterval"] }));
  afterEach(() => mock.timers.reset());

  it("moves to a proven WebSocket while its only view is refused E_MOUNT and waits to retry, a click queued", () => {
    const { socket, http, made } = page();
    serve(http, refusal("E_MOUNT")); // the view is down now, its retry 0.5–1 s away
    socket.views.get(1)!.push("inc", {}, []); // a click while down: queued for the join answer, not in flight
    probeRound();
    const ws = made[1]!;
    assert.equal(ws.name, "websocket");
    assert.equal(socket.transportName, "websocket", "a view between retries kept the page on HTTP");
    assert.equal(http.closed, true);
    assert.deepEqual(ws.sent.map((m) => m.t), [C.heartbeat, C.join], "the switch rejoins the down view over the new link");
  });

  it("moves to a proven WebSocket once a join in flight is refused with a code that is not retried", () => {
    const { socket, http, made } = page();
    probeRound(); // proven while the join is unanswered: it waits
    assert.equal(socket.transportName, "http", "switched with a join in flight");
    assert.equal(made[1]?.closed, false, "the proven probe is kept for later");
    serve(http, refusal("E_TOO_MANY_CONNECTIONS"));
    assert.equal(socket.transportName, "websocket", "a view refused for good kept the page on HTTP");
  });

  it("waits for a join in flight, and switches once it is answered", () => {
    const { socket, http } = page();
    probeRound();
    assert.equal(socket.transportName, "http");
    serve(http, { t: S.rendered, v: 1, q: 1, k: "token", d: "x" });
    assert.equal(socket.transportName, "websocket");
  });
});
