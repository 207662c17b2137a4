import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Negotiator, REMEMBER_KEY, TRANSPORTS } from "./negotiate.ts";
import type { Transport, TransportFactory } from "./transports/types.ts";

const fake = (name: string): TransportFactory => ({ name, openMs: 1, create: () => ({ name }) as Transport });
const transports = [fake("websocket"), fake("sse"), fake("http")];

/** A sessionStorage stand-in. */
function storage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { items, getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v) };
}

const throwing = {
  getItem: (): string | null => {
    throw new Error("SecurityError");
  },
  setItem: (): void => {
    throw new Error("QuotaExceededError");
  },
};

const names = (fs: readonly TransportFactory[]) => fs.map((f) => f.name);

describe("Negotiator", () => {
  it("has websocket, sse and http, best first, with a 2.5 s hello limit for SSE", () => {
    assert.deepEqual(names(TRANSPORTS), ["websocket", "sse", "http"]);
    assert.equal(TRANSPORTS.find((t) => t.name === "sse")?.openMs, 2_500);
  });

  it("offers all three, best first, when the script tag says nothing", () => {
    for (const offered of [undefined, null, "", "carrier-pigeon"]) {
      const n = new Negotiator({ offered, transports });
      assert.deepEqual(names(n.order), ["websocket", "sse", "http"]);
      assert.equal(n.current.name, "websocket");
    }
  });

  it("follows the server's offer and its order, skipping names it does not know", () => {
    const n = new Negotiator({ offered: "http, sse,smoke", transports });
    assert.deepEqual(names(n.order), ["http", "sse"]);
    assert.equal(n.current.name, "http");
  });

  it("starts with the transport remembered for this tab when it is offered", () => {
    const n = new Negotiator({ offered: "websocket,sse,http", storage: storage({ [REMEMBER_KEY]: "sse" }), transports });
    assert.equal(n.current.name, "sse");
  });

  it("starts with the first offered when the remembered one is not offered", () => {
    const n = new Negotiator({ offered: "websocket,http", storage: storage({ [REMEMBER_KEY]: "sse" }), transports });
    assert.equal(n.current.name, "websocket");
  });

  it("falls back at once to the next transport, and wraps around with a backoff", () => {
    const n = new Negotiator({ transports });
    assert.equal(n.failed(), true);
    assert.equal(n.current.name, "sse");
    assert.equal(n.failed(), true);
    assert.equal(n.current.name, "http");
    assert.equal(n.failed(), false, "every transport failed: wait before starting over");
    assert.equal(n.current.name, "websocket");
  });

  it("wraps from a remembered lesser transport to the best one", () => {
    const n = new Negotiator({ storage: storage({ [REMEMBER_KEY]: "http" }), transports });
    assert.equal(n.failed(), false);
    assert.equal(n.current.name, "websocket");
  });

  it("uses a forced transport alone: no fallback, no probing, not even the remembered one", () => {
    const n = new Negotiator({ offered: "websocket,sse", forced: "http", storage: storage({ [REMEMBER_KEY]: "sse" }), transports });
    assert.equal(n.forced, true);
    assert.deepEqual(names(n.order), ["http"]);
    assert.equal(n.failed(), false);
    assert.equal(n.current.name, "http");
    assert.deepEqual(n.better(), []);
  });

  it("ignores a forced name it does not know", () => {
    const n = new Negotiator({ forced: "smoke", transports });
    assert.equal(n.forced, false);
    assert.equal(n.current.name, "websocket");
  });

  it("remembers the transport whose join was answered", () => {
    const s = storage();
    const n = new Negotiator({ storage: s, transports });
    n.failed();
    n.worked(n.current.name);
    assert.equal(s.items.get(REMEMBER_KEY), "sse");
  });

  it("works without storage, and with storage that throws", () => {
    for (const st of [undefined, throwing]) {
      const n = new Negotiator({ storage: st, transports });
      assert.equal(n.current.name, "websocket");
      n.worked("websocket");
    }
  });

  it("probes the better transports, best first, and none from the best", () => {
    const n = new Negotiator({ transports });
    assert.deepEqual(names(n.better()), []);
    n.failed();
    n.failed();
    assert.deepEqual(names(n.better()), ["websocket", "sse"]);
    n.use("sse");
    assert.equal(n.current.name, "sse");
    assert.deepEqual(names(n.better()), ["websocket"]);
  });

  it("probes after 10 s, backs off ×2 per failed round to 5 minutes, and starts over after a switch", () => {
    const n = new Negotiator({ storage: storage({ [REMEMBER_KEY]: "http" }), transports });
    const delays = [];
    for (let i = 0; i < 8; i++) {
      delays.push(n.probeDelay());
      n.probeFailed();
    }
    assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    n.use("sse");
    assert.equal(n.probeDelay(), 10_000);
  });
});
