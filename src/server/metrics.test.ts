import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { register as globalRegistry, Registry } from "prom-client";
import { ERRORS } from "../protocol/errors.ts";
import { EVENT_BUCKETS, OTHER_ERROR_CODE, WeftMetrics, type WeftGaugeSnapshot } from "./metrics.ts";

const idle = (): WeftGaugeSnapshot => ({ sessions: 0, connections: { websocket: 0, sse: 0, http: 0 } });

/** The samples of a Prometheus text exposition, keyed by `name{labels}` exactly as written. */
async function scrape(metrics: WeftMetrics): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await metrics.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const cut = line.lastIndexOf(" ");
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

/** The label values of every sample of `name` for label `label`. */
function labelValues(samples: Map<string, number>, name: string, label: string): string[] {
  const re = new RegExp(`^${name}\\{${label}="((?:[^"\\\\]|\\\\.)*)"\\}$`);
  return [...samples.keys()].flatMap((k) => re.exec(k)?.[1] ?? []);
}

describe("WeftMetrics", () => {
  it("counts events and fills the latency histogram's buckets, count and sum", async () => {
    const m = new WeftMetrics(idle);
    m.event(0.00004);
    m.event(0.0003);
    m.event(0.0003);
    m.event(2);
    const s = await scrape(m);
    assert.equal(s.get("weft_events_total"), 4);
    assert.equal(s.get('weft_event_duration_seconds_bucket{le="0.00005"}'), 1);
    assert.equal(s.get('weft_event_duration_seconds_bucket{le="0.0001"}'), 1);
    assert.equal(s.get('weft_event_duration_seconds_bucket{le="0.0005"}'), 3);
    assert.equal(s.get('weft_event_duration_seconds_bucket{le="1"}'), 3);
    assert.equal(s.get('weft_event_duration_seconds_bucket{le="+Inf"}'), 4);
    assert.equal(s.get("weft_event_duration_seconds_count"), 4);
    assert.ok(Math.abs((s.get("weft_event_duration_seconds_sum") ?? 0) - 2.00064) < 1e-9);
  });

  it("renders the latency histogram as cumulative Prometheus text, le inclusive", async () => {
    const m = new WeftMetrics(idle);
    // Several buckets, a value on a bound (le is "less or equal"), the first and last bounds, and beyond.
    const seen = [0, 0.00005, 0.00007, 0.0003, 0.0003, 0.004, 0.07, 0.9, 1, 5, 120];
    for (const s of seen) m.event(s);
    const name = "weft_event_duration_seconds";
    const text = await m.text();
    const from = text.indexOf(`# HELP ${name} `);
    assert.ok(from >= 0);
    const block = text.slice(from, text.indexOf("\n\n", from)).split("\n");
    assert.equal(block[1], `# TYPE ${name} histogram`);
    const les = [...EVENT_BUCKETS.map(String), "+Inf"];
    assert.equal(block.length, 2 + les.length + 2, "HELP, TYPE, every bucket, _sum, _count and nothing else");
    let previous = 0;
    les.forEach((le, i) => {
      const match = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`).exec(block[2 + i]!);
      assert.ok(match, `bucket line ${block[2 + i]}`);
      assert.equal(match[1], le, "buckets in increasing order of le");
      const value = Number(match[2]);
      const bound = le === "+Inf" ? Infinity : Number(le);
      assert.equal(value, seen.filter((s) => s <= bound).length, `le=${le} counts every observation <= ${le}`);
      assert.ok(value >= previous, "cumulative");
      previous = value;
    });
    assert.equal(previous, seen.length, "+Inf holds every observation");
    const sum = /^weft_event_duration_seconds_sum (\S+)$/.exec(block.at(-2)!);
    assert.ok(sum && Math.abs(Number(sum[1]) - seen.reduce((a, b) => a + b, 0)) < 1e-9, `sum line ${block.at(-2)}`);
    assert.equal(block.at(-1), `${name}_count ${seen.length}`);
  });

  it("exports every metric through its registry, merged or reset", async () => {
    const m = new WeftMetrics(idle);
    m.event(0.002);
    m.error("E_HANDLER");
    const expected = {
      weft_events_total: "counter", weft_event_duration_seconds: "histogram",
      weft_messages_out_total: "counter", weft_bytes_out_total: "counter", weft_reconnects_total: "counter",
      weft_fallbacks_total: "counter", weft_errors_total: "counter", weft_broadcast_failures_total: "counter",
      weft_snapshot_failures_total: "counter", weft_info_dropped_total: "counter", weft_forwarded_requests_total: "counter",
      weft_malformed_messages_total: "counter",
      weft_sessions: "gauge", weft_connections: "gauge", weft_uptime_seconds: "gauge",
    };
    const types = (text: string) => Object.fromEntries(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, n, t]) => [n, t]),
    );
    assert.deepEqual(types(await m.registry.metrics()), expected);
    const merged = await Registry.merge([m.registry, new Registry()]).metrics();
    assert.deepEqual(types(merged), expected);
    assert.match(merged, /^weft_event_duration_seconds_bucket\{le="0\.0025"\} 1$/m);
    const json = await m.registry.getMetricsAsJSON();
    assert.deepEqual(Object.fromEntries(json.map((j) => [j.name, String(j.type)])), expected);
    // The totals belong to WeftMetrics: a registry reset neither throws nor loses them.
    m.registry.resetMetrics();
    const s = await scrape(m);
    assert.equal(s.get("weft_events_total"), 1);
    assert.equal(s.get("weft_event_duration_seconds_count"), 1);
    assert.equal(s.get('weft_errors_total{code="E_HANDLER"}'), 1);
  });

  it("keeps impossible durations and sizes out of the sums without throwing", async () => {
    const m = new WeftMetrics(idle);
    for (const bad of [NaN, -1, Infinity]) {
      m.event(bad);
      m.out("http", bad);
    }
    const s = await scrape(m);
    assert.equal(s.get("weft_events_total"), 3);
    assert.equal(s.get("weft_event_duration_seconds_count"), 0);
    assert.equal(s.get('weft_messages_out_total{transport="http"}'), 3);
    assert.equal(s.get('weft_bytes_out_total{transport="http"}'), 0);
  });

  it("counts messages and sums bytes per transport", async () => {
    const m = new WeftMetrics(idle);
    m.out("websocket", 35);
    m.out("websocket", 35);
    m.out("sse", 100);
    const s = await scrape(m);
    assert.equal(s.get('weft_messages_out_total{transport="websocket"}'), 2);
    assert.equal(s.get('weft_bytes_out_total{transport="websocket"}'), 70);
    assert.equal(s.get('weft_messages_out_total{transport="sse"}'), 1);
    assert.equal(s.get('weft_bytes_out_total{transport="sse"}'), 100);
    assert.equal(s.get('weft_messages_out_total{transport="http"}'), 0, "known series start at zero");
  });

  it("counts reconnects, fallbacks, failures and forwarded requests under their labels", async () => {
    const m = new WeftMetrics(idle);
    m.reconnect("sse");
    m.fallback("http");
    m.fallback("http");
    m.broadcastFailed();
    m.snapshotFailed();
    m.snapshotFailed();
    m.forwarded("event");
    const s = await scrape(m);
    assert.equal(s.get('weft_reconnects_total{transport="sse"}'), 1);
    assert.equal(s.get('weft_reconnects_total{transport="websocket"}'), 0);
    assert.equal(s.get('weft_fallbacks_total{to="http"}'), 2);
    assert.equal(s.get('weft_fallbacks_total{to="sse"}'), 0);
    assert.equal(s.get("weft_broadcast_failures_total"), 1);
    assert.equal(s.get("weft_snapshot_failures_total"), 2);
    assert.equal(s.get('weft_forwarded_requests_total{kind="event"}'), 1);
  });

  it("gives each instance its own counters and leaves the global registry alone", async () => {
    const a = new WeftMetrics(idle);
    const b = new WeftMetrics(idle);
    a.event(0.001);
    a.error("E_HANDLER");
    const sb = await scrape(b);
    assert.equal(sb.get("weft_events_total"), 0);
    assert.equal(sb.get('weft_errors_total{code="E_HANDLER"}'), undefined);
    assert.equal((await scrape(a)).get("weft_events_total"), 1);
    assert.doesNotMatch(await globalRegistry.metrics(), /weft_/);
  });

  it("reads the gauges from the callback at scrape time, not before", async () => {
    let calls = 0;
    let live: WeftGaugeSnapshot = { sessions: 3, connections: { websocket: 2, sse: 1, http: 0 } };
    const m = new WeftMetrics(() => (calls++, live));
    m.event(0.001);
    m.out("websocket", 10);
    assert.equal(calls, 0, "neither construction nor the hot path calls it");
    let s = await scrape(m);
    assert.equal(s.get("weft_sessions"), 3);
    assert.equal(s.get('weft_connections{transport="websocket"}'), 2);
    assert.equal(s.get('weft_connections{transport="sse"}'), 1);
    assert.equal(s.get('weft_connections{transport="http"}'), 0);
    live = { sessions: 7, connections: { websocket: 0, sse: 0, http: 5 } };
    s = await scrape(m);
    assert.equal(s.get("weft_sessions"), 7);
    assert.equal(s.get('weft_connections{transport="websocket"}'), 0);
    assert.equal(s.get('weft_connections{transport="http"}'), 5);
    assert.ok(calls >= 2);
  });

  it("reads the malformed-message counts by source at scrape time, zero when absent", async () => {
    let malformed = { pubsub: 2, presence: 0, cluster: 5 };
    const m = new WeftMetrics(() => ({ ...idle(), malformed }));
    let s = await scrape(m);
    assert.equal(s.get('weft_malformed_messages_total{source="pubsub"}'), 2);
    assert.equal(s.get('weft_malformed_messages_total{source="presence"}'), 0);
    assert.equal(s.get('weft_malformed_messages_total{source="cluster"}'), 5);
    malformed = { pubsub: 3, presence: 1, cluster: 5 };
    s = await scrape(m);
    assert.equal(s.get('weft_malformed_messages_total{source="pubsub"}'), 3, "not added twice");
    assert.equal(s.get('weft_malformed_messages_total{source="presence"}'), 1);
    assert.equal((await scrape(new WeftMetrics(idle))).get('weft_malformed_messages_total{source="cluster"}'), 0);
  });

  it("reports a non-negative uptime and a Prometheus content type", async () => {
    const m = new WeftMetrics(idle);
    const up = (await scrape(m)).get("weft_uptime_seconds");
    assert.ok(up !== undefined && up >= 0 && up < 60, `uptime ${up}`);
    assert.match(m.contentType, /^text\/plain; version=0\.0\.4/);
  });

  it("counts registered and well-formed error codes under their own label", async () => {
    const m = new WeftMetrics(idle);
    m.error("E_RATE_LIMIT");
    m.error("E_RATE_LIMIT");
    m.error("E_FUTURE_CODE_2");
    const s = await scrape(m);
    assert.equal(s.get('weft_errors_total{code="E_RATE_LIMIT"}'), 2);
    assert.equal(s.get('weft_errors_total{code="E_FUTURE_CODE_2"}'), 1);
  });

  it("counts hostile error codes as E_OTHER", async () => {
    const m = new WeftMetrics(idle);
    const hostile = [
      "", "e_lower", "E-DASH", 'E_X"} 1\nweft_sessions 999', "E_\u00c9", "__proto__", "toString",
      "E_".padEnd(65, "A"), "E_BAD FRAME", "E_BAD_FRAME\n",
    ];
    for (const code of hostile) m.error(code);
    m.error(42 as unknown as string);
    const s = await scrape(m);
    assert.deepEqual(labelValues(s, "weft_errors_total", "code"), [OTHER_ERROR_CODE]);
    assert.equal(s.get(`weft_errors_total{code="${OTHER_ERROR_CODE}"}`), hostile.length + 1);
    assert.equal(s.get("weft_sessions"), 0, "no injected sample");
  });

  it("caps the number of error-code series yet still counts every error and every registered code", async () => {
    const m = new WeftMetrics(idle);
    for (let i = 0; i < 1000; i++) m.error(`E_FLOOD_${i}`);
    m.error("E_INTERNAL");
    const s = await scrape(m);
    const codes = labelValues(s, "weft_errors_total", "code");
    assert.equal(codes.length, 1 + 32 + 1, "E_INTERNAL, 32 admitted codes, E_OTHER");
    assert.ok(codes.includes("E_INTERNAL"), "registered codes keep their series after the cap");
    const total = codes.reduce((sum, c) => sum + (s.get(`weft_errors_total{code="${c}"}`) ?? 0), 0);
    assert.equal(total, 1001);
    assert.ok(Object.keys(ERRORS).length > 20, "the registry is seeded, not counted against the cap");
  });

  it("bounds forwarded-request kinds in shape and in number", async () => {
    const m = new WeftMetrics(idle);
    m.forwarded("Event\n");
    for (let i = 0; i < 500; i++) m.forwarded(`k${i}`);
    const kinds = labelValues(await scrape(m), "weft_forwarded_requests_total", "kind");
    assert.ok(kinds.length <= 33, `${kinds.length} series`);
    assert.ok(kinds.includes("other"));
    assert.ok(kinds.every((k) => /^[a-z0-9_-]{1,32}$/.test(k)));
  });
});
