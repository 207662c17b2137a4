import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createNegotiator, REMEMBER_KEY, TRANSPORTS } from "./negotiate.ts";
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

  it("offers all three, best first, and starts on HTTP, when the script tag says nothing", () => {
    for (const offered of [undefined, null, "", "carrier-pigeon"]) {
      const n = createNegotiator({ offered, transports });
      assert.deepEqual(names(n.order), ["websocket", "sse", "http"]);
      assert.equal(n.current.name, "http");
    }
  });

  it("follows the server's offer in its own order, skipping names it does not know, and starts on the most permissive", () => {
    const n = createNegotiator({ offered: "http, sse,smoke", transports });
    assert.deepEqual(names(n.order), ["sse", "http"]);
    assert.equal(n.current.name, "http");
    assert.equal(createNegotiator({ offered: "websocket", transports }).current.name, "websocket");
  });

  it("starts on HTTP and probes WebSocket whatever the offer's order", () => {
    for (const offered of ["http,websocket", "websocket,http"]) {
      const n = createNegotiator({ offered, transports });
      assert.equal(n.current.name, "http", offered);
      assert.deepEqual(names(n.better()), ["websocket"], offered);
    }
    const all = createNegotiator({ offered: "http,sse,websocket", transports });
    assert.equal(all.current.name, "http");
    assert.deepEqual(names(all.better()), ["websocket", "sse"]);
  });

  it("starts on HTTP even when the tab remembers a better transport, and probes that one first", () => {
    const n = createNegotiator({ offered: "websocket,sse,http", storage: storage({ [REMEMBER_KEY]: "sse" }), transports });
    assert.equal(n.current.name, "http");
    assert.deepEqual(names(n.better()), ["sse", "websocket"]);
  });

  it("probes the better transports best first when the remembered one is not offered", () => {
    const n = createNegotiator({ offered: "websocket,http", storage: storage({ [REMEMBER_KEY]: "sse" }), transports });
    assert.deepEqual(names(n.better()), ["websocket"]);
  });

  it("probes at once from the start, so the page never waits on a probe", () => {
    const n = createNegotiator({ transports });
    assert.equal(n.current.name, "http");
    assert.deepEqual(names(n.better()), ["websocket", "sse"]);
    assert.equal(n.probeDelay(), 0);
  });

  it("falls back at once from a failed start to the others, best first, then waits a backoff and starts over", () => {
    const n = createNegotiator({ transports });
    assert.equal(n.failed(), true);
    assert.equal(n.current.name, "websocket");
    assert.equal(n.failed(), true);
    assert.equal(n.current.name, "sse");
    assert.equal(n.failed(), false, "every transport failed: wait before starting over");
    assert.equal(n.current.name, "http");
    assert.equal(n.failed(), true, "the next round falls back again");
    assert.equal(n.current.name, "websocket");
  });

  it("reconnects a dropped link on the start transport and probes again at once", () => {
    const n = createNegotiator({ transports });
    n.use("websocket");
    assert.equal(n.current.name, "websocket");
    n.restart();
    assert.equal(n.current.name, "http");
    assert.equal(n.probeDelay(), 0);
    assert.deepEqual(names(n.better()), ["websocket", "sse"]);
  });

  it("uses a forced transport alone: no fallback, no probing, not even the remembered one", () => {
    const n = createNegotiator({ offered: "websocket,sse", forced: "sse", storage: storage({ [REMEMBER_KEY]: "websocket" }), transports });
    assert.equal(n.forced, true);
    assert.deepEqual(names(n.order), ["sse"]);
    assert.equal(n.current.name, "sse");
    assert.deepEqual(n.better(), []);
    assert.equal(n.failed(), false);
    assert.equal(n.current.name, "sse");
  });

  it("ignores a forced name it does not know", () => {
    const n = createNegotiator({ forced: "smoke", transports });
    assert.equal(n.forced, false);
    assert.equal(n.current.name, "http");
  });

  it("remembers a better transport that worked, but not the start transport", () => {
    const s = storage();
    const n = createNegotiator({ storage: s, transports });
    n.worked("http");
    assert.equal(s.items.get(REMEMBER_KEY), undefined);
    n.use("sse");
    n.worked("sse");
    assert.equal(s.items.get(REMEMBER_KEY), "sse");
  });

  it("works without storage, and with storage that throws", () => {
    for (const st of [undefined, throwing]) {
      const n = createNegotiator({ storage: st, transports });
      assert.equal(n.current.name, "http");
      assert.deepEqual(names(n.better()), ["websocket", "sse"]);
      n.worked("websocket");
    }
  });

  it("probes only what is better than the transport in use, and nothing from the best", () => {
    const n = createNegotiator({ transports });
    n.use("sse");
    assert.equal(n.current.name, "sse");
    assert.deepEqual(names(n.better()), ["websocket"]);
    n.use("websocket");
    assert.deepEqual(names(n.better()), []);
  });

  it("probes at once, then after 10 s, backing off ×2 per failed round to 5 minutes; 10 s after a switch", () => {
    const n = createNegotiator({ transports });
    const delays = [];
    for (let i = 0; i < 8; i++) {
      delays.push(n.probeDelay());
      n.probeFailed();
    }
    assert.deepEqual(delays, [0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    n.use("sse");
    assert.equal(n.probeDelay(), 10_000);
  });
});
