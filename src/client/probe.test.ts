import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { createNegotiator } from "./negotiate.ts";
import { createProber } from "./probe.ts";
import type { Transport, TransportFactory } from "./transports/types.ts";

/** How a fake transport behaves: opens and answers, opens and stays silent, or never opens (a black-holed upgrade). */
type Behaviour = "works" | "silent" | "held";

/** Fake transports that record what was made of them. */
function fakes(behaviours: Record<string, Behaviour>) {
  const made: (Transport & { closed: boolean })[] = [];
  const factory = (name: string, openMs: number): TransportFactory => ({
    name,
    openMs,
    create: () => {
      const t = {
        name,
        closed: false,
        onOpen: () => {},
        onMessage: (_f: string) => {},
        onClose: () => {},
        open() {
          if (behaviours[name] !== "held") setTimeout(() => t.closed || t.onOpen(), 1);
        },
        send(frame: string) {
          if (behaviours[name] === "works") setTimeout(() => t.closed || t.onMessage(frame), 1);
        },
        close() {
          t.closed = true;
        },
        farewell() {},
      };
      made.push(t);
      return t;
    },
  });
  return { made, transports: [factory("websocket", 5_000), factory("sse", 2_500), factory("http", 10_000)] };
}

describe("Prober", () => {
  it("probes WebSocket at once while the page runs on HTTP, and hands it over once a heartbeat round trip works", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { made, transports } = fakes({ websocket: "works", sse: "works" });
      const n = createNegotiator({ transports });
      const proven: string[] = [];
      const prober = createProber(n, (t) => proven.push(t.name));
      prober.schedule();
      mock.timers.tick(0);
      assert.equal(prober.probing, "websocket", "the probe is outstanding while the page works on");
      mock.timers.tick(1); // opened: heartbeat sent
      mock.timers.tick(1); // answered
      assert.deepEqual(proven, ["websocket"]);
      assert.equal(prober.probing, undefined);
      assert.equal(made[0]?.closed, false, "the proven transport is handed over open");
    } finally {
      mock.timers.reset();
    }
  });

  it("moves on to SSE when the WebSocket upgrade is never answered, without touching the page's link", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { made, transports } = fakes({ websocket: "held", sse: "works" });
      const n = createNegotiator({ transports });
      const proven: string[] = [];
      const prober = createProber(n, (t) => proven.push(t.name));
      prober.schedule();
      mock.timers.tick(0);
      mock.timers.tick(4_999);
      assert.equal(prober.probing, "websocket");
      assert.deepEqual(proven, []);
      mock.timers.tick(1); // the 5 s open limit: the held upgrade is given up
      assert.equal(made[0]?.closed, true);
      assert.equal(prober.probing, "sse");
      mock.timers.tick(1);
      mock.timers.tick(1);
      assert.deepEqual(proven, ["sse"]);
    } finally {
      mock.timers.reset();
    }
  });

  it("gives up a transport that opens but never answers (a buffered stream), and backs off 10 s before the next round", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { made, transports } = fakes({ websocket: "silent", sse: "held" });
      const n = createNegotiator({ transports });
      const prober = createProber(n, () => assert.fail("nothing proved itself"));
      prober.schedule();
      mock.timers.tick(0);
      mock.timers.tick(1); // websocket opened; its heartbeat goes unanswered for 5 s
      mock.timers.tick(5_000);
      assert.equal(prober.probing, "sse");
      mock.timers.tick(2_500);
      assert.equal(prober.probing, undefined, "the round is over");
      assert.ok(made.every((t) => t.closed), "every probe is closed");
      mock.timers.tick(9_999);
      assert.equal(made.length, 2, "the next round waits 10 s");
      mock.timers.tick(1);
      assert.equal(prober.probing, "websocket");
      prober.stop();
      assert.equal(prober.probing, undefined);
      assert.equal(made[2]?.closed, true, "stop closes the running probe");
    } finally {
      mock.timers.reset();
    }
  });

  it("probes the transport this tab remembers first", () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const { transports } = fakes({ websocket: "held", sse: "works" });
      const items = new Map([["weft:transport", "sse"]]);
      const n = createNegotiator({ transports, storage: { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => void items.set(k, v) } });
      const proven: string[] = [];
      const prober = createProber(n, (t) => proven.push(t.name));
      prober.schedule();
      mock.timers.tick(0);
      assert.equal(prober.probing, "sse");
      mock.timers.tick(1);
      mock.timers.tick(1);
      assert.deepEqual(proven, ["sse"]);
    } finally {
      mock.timers.reset();
    }
  });
});
