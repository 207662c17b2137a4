import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { appFixture } from "../support/server.ts";

/** The value of one sample line (`name{labels} value`) in Prometheus text. */
function sample(text: string, line: string): number {
  const m = text.split("\n").find((l) => l.startsWith(`${line} `));
  return m === undefined ? NaN : Number(m.slice(line.length + 1));
}

describe("health and metrics", () => {
  const fx = appFixture("websocket");

  it("GET /weft/metrics counts events, latency, bytes out, reconnects and errors by code", async () => {
    const base = fx.ctx.base;
    const c = await fx.connect();
    const page = await getPage(base, "/counter");
    await c.join(1, page.token);
    for (let i = 0; i < 5; i++) await c.event(1, "inc");
    await c.event(1, "nope");
    c.sendRaw("not json");
    await c.next((m) => m.c === "E_BAD_FRAME");
    const lastSeq = Math.max(...c.received.map((m) => m.q ?? 0), 0);
    const again = await ProtocolClient.connect(base);
    fx.clients.push(again);
    await again.join(1, page.token, lastSeq);
    await fetch(`${base}/weft/sse?l=short`);
    const res = await fetch(`${base}/weft/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.ok(sample(text, "weft_events_total") >= 6, text);
    assert.ok(sample(text, "weft_event_duration_seconds_count") >= 6);
    assert.ok(sample(text, 'weft_messages_out_total{transport="websocket"}') >= 7);
    assert.ok(sample(text, 'weft_bytes_out_total{transport="websocket"}') > 100);
    assert.equal(sample(text, 'weft_reconnects_total{transport="websocket"}'), 1);
    assert.equal(sample(text, 'weft_errors_total{code="E_UNKNOWN_EVENT"}'), 1);
    assert.equal(sample(text, 'weft_errors_total{code="E_BAD_FRAME"}'), 1);
    assert.equal(sample(text, 'weft_errors_total{code="E_BAD_LINK"}'), 1, "HTTP errors count too");
    assert.ok(sample(text, "weft_sessions") >= 1);
    assert.equal(sample(text, 'weft_connections{transport="websocket"}'), 2);
  });

  it("GET /weft/health reports status, uptime, sessions, connections per transport and the backend", async () => {
    const res = await fetch(`${fx.ctx.base}/weft/health`);
    assert.equal(res.status, 200);
    const h = (await res.json()) as Record<string, unknown>;
    assert.equal(h.status, "ok");
    assert.equal(typeof h.uptimeSeconds, "number");
    assert.deepEqual(Object.keys(h.connections as object).sort(), ["http", "sse", "websocket"]);
    assert.deepEqual(h.backend, { pubsub: "memory", store: "none" });
  });
});
