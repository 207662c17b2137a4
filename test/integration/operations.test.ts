import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { defineView, html } from "../../src/index.ts";
import { HEADERS } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { appFixture, appsFixture, startApp } from "../support/server.ts";
import { Counter } from "../support/views.ts";
import { until } from "../support/until.ts";
import { Jar, newLinkId } from "../support/wires.ts";

const app = appsFixture();

/** Every sample of a scrape, keyed by `name{labels}` as written. */
async function scrape(base: string, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  const res = await fetch(`${base}/weft/metrics`, { headers });
  assert.equal(res.status, 200);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

/** Spins the CPU for `ms` (a render that takes time, without timers). */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const RENDER_MS = 20;
/** A view whose render (after the first) takes RENDER_MS: an event's latency must include it. */
const SlowRender = defineView({
  mount: () => ({ n: 0 }),
  events: { inc: (s) => ({ n: s.n + 1 }) },
  render: (s) => {
    if (s.n > 0) spin(RENDER_MS);
    return html`<p>${s.n}</p>`;
  },
});

/** A view that listens on topic "ops" (for the malformed-message counters). */
const Listener = defineView({
  mount: (_p, ctx) => {
    ctx.subscribe("ops");
    return { last: "" };
  },
  info: { note: (s, p) => ({ last: String(p) }) },
  render: (s) => html`<p>${s.last}</p>`,
});

/** A raw WebSocket client that records every frame and its size as received. */
async function rawClient(base: string): Promise<{ ws: WebSocket; frames: string[]; bytes: () => number; next: (pred: (f: string) => boolean) => Promise<string> }> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/weft/ws`);
  const frames: string[] = [];
  let sizes = 0;
  ws.on("message", (data: Buffer) => {
    frames.push(data.toString("utf8"));
    sizes += data.length;
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const next = async (pred: (f: string) => boolean): Promise<string> => {
    await until(() => frames.some(pred), 5000, "a frame");
    return frames.find(pred)!;
  };
  return { ws, frames, bytes: () => sizes, next };
}

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

describe("metrics from real traffic", () => {
  it("measures an event from its arrival to its written frame, render and diff included", async () => {
    const { base } = await app({ views: { "/slow": SlowRender } });
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/slow")).token);
    const before = await scrape(base);
    for (let i = 0; i < 3; i++) await c.event(1, "inc");
    const after = await scrape(base);
    const count = after.get("weft_event_duration_seconds_count")! - before.get("weft_event_duration_seconds_count")!;
    const sum = after.get("weft_event_duration_seconds_sum")! - before.get("weft_event_duration_seconds_sum")!;
    assert.equal(count, 3);
    assert.equal(after.get("weft_events_total")! - before.get("weft_events_total")!, 3);
    // Each render spins RENDER_MS: a latency that ends before the render is about a thousand times smaller.
    assert.ok(sum >= (3 * RENDER_MS * 0.9) / 1000, `sum ${sum}s for 3 events of ${RENDER_MS} ms renders`);
    assert.equal(after.get('weft_event_duration_seconds_bucket{le="0.01"}')! - before.get('weft_event_duration_seconds_bucket{le="0.01"}')!, 0, "none under 10 ms");
    await c.close();
  });

  it("counts exactly the frames and bytes the client received, and each error code sent", async () => {
    const { base } = await app();
    const c = await rawClient(base);
    const page = await getPage(base, "/counter");
    c.ws.send(JSON.stringify({ t: "j", v: 1, d: { k: page.token } }));
    await c.next((f) => f.includes('"k":'));
    for (let r = 1; r <= 4; r++) c.ws.send(JSON.stringify({ t: "e", v: 1, r, e: "inc", d: {} }));
    c.ws.send(JSON.stringify({ t: "e", v: 1, r: 5, e: "nope", d: {} }));
    c.ws.send("not json");
    await c.next((f) => f.includes("E_BAD_FRAME"));
    await c.next((f) => f.includes("E_UNKNOWN_EVENT"));
    const s = await scrape(base);
    assert.equal(c.frames.length, 7, "join answer, 4 diffs, 2 errors");
    assert.equal(s.get('weft_messages_out_total{transport="websocket"}'), c.frames.length);
    assert.equal(s.get('weft_bytes_out_total{transport="websocket"}'), c.bytes());
    assert.equal(s.get('weft_errors_total{code="E_UNKNOWN_EVENT"}'), 1);
    assert.equal(s.get('weft_errors_total{code="E_BAD_FRAME"}'), 1);
    assert.equal(s.get("weft_events_total"), 5);
    assert.equal(s.get('weft_connections{transport="websocket"}'), 1);
    assert.equal(s.get("weft_sessions"), 1);
    c.ws.close();
  });

  it("counts a link opened after a fallback, by the transport it fell back to", async () => {
    const { base } = await app();
    const page = await getPage(base, "/counter");
    const jar = new Jar();
    const l = newLinkId();
    const res = await jar.fetch(`${base}/weft/http?l=${l}&n=0&fb=1`, { headers: { [HEADERS.token]: page.token } });
    assert.equal(res.status, 200);
    const join = await jar.fetch(`${base}/weft/http?l=${l}&n=0`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ t: "j", v: 1, d: { k: page.token } }]) });
    assert.match(await join.text(), /"k":/, "the view joined over the fallback link");
    const s = await scrape(base);
    assert.equal(s.get('weft_fallbacks_total{to="http"}'), 1);
    assert.equal(s.get('weft_fallbacks_total{to="sse"}'), 0);
  });

  it("counts malformed messages from Redis under weft_malformed_messages_total", { skip: redisSkipReason() }, async () => {
    const redis = new RedisServer();
    await redis.start();
    const raw = new Redis(redis.url);
    const { base, app: a } = await startApp({ redis: redis.url, views: { "/listen": Listener } });
    try {
      const c = await ProtocolClient.connect(base);
      await c.join(1, (await getPage(base, "/listen")).token);
      assert.equal((await scrape(base)).get('weft_malformed_messages_total{source="pubsub"}'), 0, "the series exists from the start");
      await until(async () => (await raw.publish("weft:t:ops", "not a broadcast")) > 0, 5000, "the node to subscribe");
      await until(async () => (await scrape(base)).get('weft_malformed_messages_total{source="pubsub"}') === 1, 5000, "the malformed count");
      await a.broadcast("ops", "note", "fine");
      await until(() => c.views.get(1)!.html() === "<p>fine</p>", 5000, "the next good broadcast");
      await c.close();
    } finally {
      await a.close();
      raw.disconnect();
      await redis.close();
    }
  });
});

describe("health and metrics access", () => {
  const TOKEN = "ops-token-0123456789abcdef";

  it("serves both publicly by default", async () => {
    const { base } = await app();
    assert.equal((await fetch(`${base}/weft/health`)).status, 200);
    assert.equal((await fetch(`${base}/weft/metrics`)).status, 200);
  });

  it("requires the bearer token when one is set, compared exactly", async () => {
    const { base } = await app({ health: { token: TOKEN }, metrics: { token: TOKEN } });
    for (const path of ["/weft/health", "/weft/metrics"]) {
      const anon = await fetch(`${base}${path}`);
      assert.equal(anon.status, 401, path);
      assert.equal(((await anon.json()) as { error: { code: string } }).error.code, "E_ENDPOINT_TOKEN");
      assert.match(anon.headers.get("www-authenticate") ?? "", /^Bearer/);
      for (const wrong of [`Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, TOKEN, `Basic ${TOKEN}`, "Bearer "]) {
        assert.equal((await fetch(`${base}${path}`, { headers: { authorization: wrong } })).status, 401, `${path} ${wrong}`);
      }
      assert.equal((await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, path);
    }
  });

  it("applies requireTLS to both", async () => {
    const { base } = await app({ requireTLS: true, health: { token: TOKEN } });
    for (const path of ["/weft/health", "/weft/metrics"]) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 403, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_TLS_REQUIRED");
    }
  });

  it("does not serve an endpoint that is turned off", async () => {
    const { base } = await app({ health: false, metrics: false });
    assert.equal((await fetch(`${base}/weft/health`)).status, 404);
    assert.equal((await fetch(`${base}/weft/metrics`)).status, 404);
  });

  it("refuses a token option that is too short, at construction", async () => {
    await assert.rejects(startApp({ metrics: { token: "short" } }), /`metrics` must be true, false or \{ token \}/);
    await assert.rejects(startApp({ health: { token: 42 } as never }), /`health` must be true, false or \{ token \}/);
  });
});
