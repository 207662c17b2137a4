import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html } from "../index.ts";
import { resolveOptions } from "./options.ts";

const views = { "/": defineView({ mount: () => ({}), render: () => html`<p></p>` }) };
const secret = "options-test-secret-0123456789";

describe("resolveOptions", () => {
  it("gives every numeric limit a finite, positive default", () => {
    const o = resolveOptions({ views, secret });
    const numeric = Object.entries(o).filter(([, v]) => typeof v === "number");
    assert.ok(numeric.length >= 19, `numeric options: ${numeric.map(([k]) => k).join(", ")}`);
    for (const [k, v] of numeric) assert.ok(Number.isFinite(v) && (v as number) > 0, `${k} = ${String(v)}`);
    assert.ok(Number.isFinite(o.rateLimit.perSecond) && Number.isFinite(o.rateLimit.burst));
  });

  it("bounds connections per address and in total, and pending mounts per address, by default", () => {
    const o = resolveOptions({ views, secret });
    assert.deepEqual([o.maxConnectionsPerIp, o.maxConnections, o.maxPendingMountsPerIp], [1_000, 50_000, 256]);
  });

  it("refuses 0 (no limit) and fractions for the connection and pending-mount counts", () => {
    for (const k of ["maxConnectionsPerIp", "maxConnections", "maxPendingMountsPerIp"]) {
      for (const bad of [0, -1, 1.5, Infinity]) assert.throws(() => resolveOptions({ views, secret, [k]: bad }), new RegExp(k));
    }
  });

  it("keeps the offered transports best first whatever order they were given in", () => {
    assert.deepEqual(resolveOptions({ views, secret, transports: ["http", "websocket"] }).transports, ["websocket", "http"]);
    assert.deepEqual(resolveOptions({ views, secret, transports: ["http", "sse", "websocket"] }).transports, ["websocket", "sse", "http"]);
    assert.deepEqual(resolveOptions({ views, secret, transports: ["http", "sse"], useWebSocket: false }).transports, ["sse", "http"]);
  });

  it("refuses a trustProxy list that holds something other than IP addresses", () => {
    assert.throws(() => resolveOptions({ views, secret, trustProxy: ["proxy.internal"] }), /trustProxy/);
    assert.deepEqual(resolveOptions({ views, secret, trustProxy: ["::ffff:10.0.0.2"] }).trustProxy, ["10.0.0.2"]);
  });
});
