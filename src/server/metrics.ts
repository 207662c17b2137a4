/**
 * Prometheus metrics for one Weft app, in a registry of its own.
 *
 * What is counted (all names start with `weft_`):
 * - `weft_events_total`, `weft_event_duration_seconds`: client events handled, and
 *   the time from an event's arrival to its answer being written ({@link WeftMetrics.event}).
 * - `weft_messages_out_total{transport}`, `weft_bytes_out_total{transport}`: server
 *   messages written to clients and their size in bytes ({@link WeftMetrics.out}).
 * - `weft_reconnects_total{transport}`: a view rejoined a session that still existed.
 * - `weft_fallbacks_total{to}`: a client fell back from WebSocket to SSE, or to HTTP.
 * - `weft_errors_total{code}`: error codes sent to clients (label bounded, see below).
 * - `weft_broadcast_failures_total`, `weft_snapshot_failures_total`: pub/sub
 *   publishes and session-store writes that failed.
 * - `weft_info_dropped_total`: info messages dropped by a full session queue
 *   (`maxQueuedPerSession`, {@link WeftMetrics.infoDropped}).
 * - `weft_forwarded_requests_total{kind}`: requests routed to another node.
 * - `weft_malformed_messages_total{source}`: messages read from Redis (a topic, a
 *   presence diff or entry, the node channel) that were not Weft's and were dropped;
 *   read from the backends' own counters at scrape time.
 * - `weft_sessions`, `weft_connections{transport}`: gauges read from a callback at
 *   scrape time, so the hot path never touches them.
 * - `weft_uptime_seconds`: seconds since this instance was made.
 *
 * Why a private `Registry`: several apps may live in one process, and the global
 * default registry would make their counters collide (prom-client throws on a
 * second registration of one name) or mix. Default process metrics are left out
 * on purpose: `collectDefaultMetrics` starts timers that would keep running.
 *
 * Hot path: every counting method only adds to plain numbers in fields of this
 * object (per-transport records, a Float64Array of bucket counts, a Map from a
 * bounded label to a slot). Nothing is allocated, hashed or validated by prom-client
 * per call. The prom-client metrics get their values at scrape time: each Counter's
 * `collect` resets it and adds the current totals, and the latency histogram is a
 * small registry-compatible metric of its own ({@link FixedHistogram}) that renders
 * its cumulative buckets from the counts. Label values a peer might influence
 * (`code`, `kind`) are bounded in shape and in count, so no input can grow the
 * number of series without limit.
 *
 * Because the totals live in this object, `registry.resetMetrics()` does not zero
 * them: the next scrape reads them back.
 */
import { Counter, Gauge, Registry, type Histogram } from "prom-client";
import { ERRORS } from "../protocol/errors.ts";
import type { TransportName } from "./options.ts";

/** Where a malformed message read from Redis came from. */
export type MalformedSource = "pubsub" | "presence" | "cluster";

/** The counts {@link WeftMetrics} reads at scrape time for its gauges. */
export interface WeftGaugeSnapshot {
  /** Live sessions (views with server state) on this node. */
  readonly sessions: number;
  /** Open client connections on this node, by transport. */
  readonly connections: Readonly<Record<TransportName, number>>;
  /** Malformed messages dropped so far, by source (all 0 without Redis). Default: none. */
  readonly malformed?: Readonly<Record<MalformedSource, number>>;
}

const MALFORMED_SOURCES: readonly MalformedSource[] = ["pubsub", "presence", "cluster"];

/** Histogram buckets for event latency, in seconds: 50 µs … 1 s. */
export const EVENT_BUCKETS: readonly number[] = Object.freeze([
  0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
]);

/** The `code` label every rejected or surplus error code is counted under. */
export const OTHER_ERROR_CODE = "E_OTHER";
/** The `kind` label every rejected or surplus forwarded-request kind is counted under. */
export const OTHER_KIND = "other";

// Bounds on open-ended labels. Each distinct value is one time series forever, so
// both the shape and the number of values are capped.
const CODE_PATTERN = /^[A-Z0-9_]{1,64}$/;
/** Codes outside the error registry that may get a series of their own. */
const MAX_EXTRA_CODES = 32;
const KIND_PATTERN = /^[a-z0-9_-]{1,32}$/;
const MAX_KINDS = 32;

const TRANSPORTS: readonly TransportName[] = ["websocket", "sse", "http"];

/** What one transport has carried, counted on the hot path. */
interface TransportCounts {
  messages: number;
  bytes: number;
  reconnects: number;
}

/**
 * Counts under one open-ended label: values matching `pattern` get a slot of their
 * own until `max` of them exist; anything else counts in the `other` slot. Rejected
 * values are not cached, so hostile input cannot grow the Map either.
 */
class BoundedCounts {
  readonly #pattern: RegExp;
  /** Label value → its slot in {@link BoundedCounts.#counts}. Slot 0 is `other`. */
  readonly #slots = new Map<string, number>();
  /** Slot → label value. */
  readonly #labels: string[];
  readonly #counts: Float64Array;
  #room: number;

  constructor(pattern: RegExp, max: number, other: string, seed: readonly string[] = []) {
    this.#pattern = pattern;
    this.#room = max;
    this.#labels = [other];
    for (const value of seed) {
      if (value === other || this.#slots.has(value)) continue;
      this.#slots.set(value, this.#labels.length);
      this.#labels.push(value);
    }
    this.#counts = new Float64Array(this.#labels.length + max);
  }

  inc(value: string): void {
    const slot = this.#slots.get(value) ?? this.#admit(value);
    this.#counts[slot]!++;
  }

  #admit(value: string): number {
    if (this.#room <= 0 || typeof value !== "string" || !this.#pattern.test(value)) return 0;
    this.#room--;
    const slot = this.#labels.length;
    this.#slots.set(value, slot);
    this.#labels.push(value);
    return slot;
  }

  /** Sets `counter` to these counts: one series per value counted at least once, `other` last. */
  copyTo(counter: Counter<string>, label: string): void {
    const counts = this.#counts;
    const labels = this.#labels;
    for (let i = 1; i <= labels.length; i++) {
      const slot = i === labels.length ? 0 : i;
      const n = counts[slot]!;
      if (n > 0) counter.inc({ [label]: labels[slot]! }, n);
    }
  }
}

/** One sample of {@link FixedHistogram.get}, in prom-client's shape. */
interface Sample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * An unlabelled histogram over fixed buckets whose hot path is a short linear scan
 * and three additions on plain numbers. It has the shape a prom-client `Registry`
 * reads (`name`, `help`, `type`, `aggregator`, `get()`, `reset()`; prom-client's own
 * cluster aggregator registers such objects too), so it is exported with the rest.
 * `get()` builds the cumulative `_bucket{le}` series, `+Inf`, `_sum` and `_count`.
 */
class FixedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #bounds: Float64Array;
  /** Per bucket, not cumulative; the last slot holds values above every bound. */
  readonly #counts: Float64Array;
  readonly #bucketName: string;
  readonly #le: readonly Readonly<Record<string, string>>[];
  #sum = 0;
  #count = 0;

  constructor(name: string, help: string, bounds: readonly number[]) {
    this.name = name;
    this.help = help;
    this.#bounds = Float64Array.from(bounds);
    this.#counts = new Float64Array(bounds.length + 1);
    this.#bucketName = `${name}_bucket`;
    this.#le = [...bounds.map(String), "+Inf"].map((le) => Object.freeze({ le }));
  }

  /** Counts `value`, which the caller has checked is finite and not negative. */
  observe(value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.#counts[i]!++;
    this.#sum += value;
    this.#count++;
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    const counts = this.#counts;
    let cumulative = 0;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i]!;
      values.push({ metricName: this.#bucketName, labels: this.#le[i]!, value: cumulative });
    }
    values.push(
      { metricName: `${this.name}_sum`, labels: {}, value: this.#sum },
      { metricName: `${this.name}_count`, labels: {}, value: this.#count },
    );
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Does nothing, like the counters: the counts belong to {@link WeftMetrics}. */
  reset(): void {}
}

/**
 * Prometheus metrics for one Weft app. Each instance owns its own prom-client
 * `Registry`, so two apps in one process never share a counter.
 *
 * @example
 * ```ts
 * const metrics = new WeftMetrics(() => ({
 *   sessions: sessions.size,
 *   connections: { websocket: ws.size, sse: sse.size, http: polls.size },
 * }));
 * metrics.event(0.0004);
 * metrics.out("websocket", 35);
 * res.setHeader("content-type", metrics.contentType);
 * res.end(await metrics.text());
 * ```
 */
export class WeftMetrics {
  /** The registry holding every metric of this instance; merge it to export elsewhere. */
  readonly registry: Registry = new Registry();
  /** The `Content-Type` of {@link WeftMetrics.text}'s output. */
  readonly contentType: string = this.registry.contentType;

  // The hot path's totals. Only plain numbers: prom-client reads them at scrape time.
  #events = 0;
  readonly #latency: FixedHistogram;
  readonly #transports: Readonly<Record<TransportName, TransportCounts>> = {
    websocket: { messages: 0, bytes: 0, reconnects: 0 },
    sse: { messages: 0, bytes: 0, reconnects: 0 },
    http: { messages: 0, bytes: 0, reconnects: 0 },
  };
  readonly #fallbacks: Record<"sse" | "http", number> = { sse: 0, http: 0 };
  readonly #errors = new BoundedCounts(CODE_PATTERN, MAX_EXTRA_CODES, OTHER_ERROR_CODE, Object.keys(ERRORS));
  #broadcastFailures = 0;
  #snapshotFailures = 0;
  #infoDropped = 0;
  readonly #forwarded = new BoundedCounts(KIND_PATTERN, MAX_KINDS, OTHER_KIND);

  /**
   * @param gauges Called at every scrape (once per gauge that needs it) for the
   *   live counts; it should be cheap and must not throw, or the scrape fails.
   * @example
   * ```ts
   * const metrics = new WeftMetrics(() => ({ sessions: 0, connections: { websocket: 0, sse: 0, http: 0 } }));
   * ```
   */
  constructor(gauges: () => WeftGaugeSnapshot) {
    const registers = [this.registry];
    // Each counter is refilled from the totals when scraped: reset, then add them.
    // Known label values are always written, zero or not, so rate() and absent-series
    // alerts work from the first scrape rather than from the first increment.
    const counter = (name: string, help: string, labelNames: string[], fill: (c: Counter<string>) => void): void => {
      new Counter({ name, help, labelNames, registers, collect() { this.reset(); fill(this); } });
    };
    const perTransport = (name: string, help: string, field: keyof TransportCounts): void =>
      counter(name, help, ["transport"], (c) => {
        for (const t of TRANSPORTS) c.inc({ transport: t }, this.#transports[t][field]);
      });

    counter("weft_events_total", "Client events handled.", [], (c) => c.inc(this.#events));
    this.#latency = new FixedHistogram(
      "weft_event_duration_seconds",
      "Time from a client event's arrival to its answer being written, in seconds.",
      EVENT_BUCKETS,
    );
    // Not a prom-client class, but it has the shape the Registry reads (see FixedHistogram).
    this.registry.registerMetric(this.#latency as unknown as Histogram);
    perTransport("weft_messages_out_total", "Server messages written to clients.", "messages");
    perTransport("weft_bytes_out_total", "Bytes of server messages written to clients.", "bytes");
    perTransport("weft_reconnects_total", "Views that rejoined an existing session.", "reconnects");
    counter("weft_fallbacks_total", "Clients that fell back to a lesser transport.", ["to"], (c) => {
      c.inc({ to: "sse" }, this.#fallbacks.sse);
      c.inc({ to: "http" }, this.#fallbacks.http);
    });
    counter("weft_errors_total", "Error codes sent to clients.", ["code"], (c) => this.#errors.copyTo(c, "code"));
    counter("weft_broadcast_failures_total", "Pub/sub publishes that failed.", [], (c) => c.inc(this.#broadcastFailures));
    counter("weft_snapshot_failures_total", "Session snapshots the store failed to write.", [], (c) => c.inc(this.#snapshotFailures));
    counter("weft_info_dropped_total", "Info messages (timers, broadcasts) dropped because their session's queue was full (maxQueuedPerSession).", [], (c) => c.inc(this.#infoDropped));
    counter("weft_forwarded_requests_total", "Requests routed to another node.", ["kind"], (c) => this.#forwarded.copyTo(c, "kind"));
    this.#registerGauges(gauges, registers);
  }

  #registerGauges(gauges: () => WeftGaugeSnapshot, registers: Registry[]): void {
    const started = performance.now();
    new Gauge({
      name: "weft_sessions", help: "Live sessions on this node.", registers,
      collect() { this.set(gauges().sessions); },
    });
    new Gauge({
      name: "weft_connections", help: "Open client connections on this node.", labelNames: ["transport"], registers,
      collect() {
        const { connections } = gauges();
        for (const t of TRANSPORTS) this.labels(t).set(connections[t]);
      },
    });
    new Counter({
      name: "weft_malformed_messages_total", help: "Messages read from Redis that were not Weft's, dropped.", labelNames: ["source"], registers,
      collect() {
        this.reset();
        const counts = gauges().malformed;
        for (const source of MALFORMED_SOURCES) this.inc({ source }, counts?.[source] ?? 0);
      },
    });
    new Gauge({
      name: "weft_uptime_seconds", help: "Seconds since these metrics were created.", registers,
      collect() { this.set((performance.now() - started) / 1000); },
    });
  }

  /**
   * Counts one handled client event and observes its latency. A negative or
   * non-finite `seconds` still counts the event but is kept out of the histogram.
   * @param seconds Time from the event's arrival to its answer being written.
   * @example
   * ```ts
   * const t0 = performance.now();
   * // … handle, render, write …
   * metrics.event((performance.now() - t0) / 1000);
   * ```
   */
  event(seconds: number): void {
    this.#events++;
    if (seconds >= 0 && seconds < Infinity) this.#latency.observe(seconds);
  }

  /**
   * Counts one server message written to a client, and its size.
   * @param transport The transport that carried it.
   * @param bytes Its encoded size; negative or non-finite sizes are not added.
   * @example
   * ```ts
   * metrics.out("sse", Buffer.byteLength(frame));
   * ```
   */
  out(transport: TransportName, bytes: number): void {
    const counts = this.#transports[transport];
    counts.messages++;
    if (bytes > 0 && bytes < Infinity) counts.bytes += bytes;
  }

  /**
   * Counts a view that rejoined a session that still existed.
   * @example
   * ```ts
   * metrics.reconnect("websocket");
   * ```
   */
  reconnect(transport: TransportName): void {
    this.#transports[transport].reconnects++;
  }

  /**
   * Counts a client that fell back to a lesser transport.
   * @param to The transport it fell back to.
   * @example
   * ```ts
   * metrics.fallback("http");
   * ```
   */
  fallback(to: "sse" | "http"): void {
    this.#fallbacks[to]++;
  }

  /**
   * Counts an error code sent to a client. Registered codes always get their own
   * series; other codes matching `[A-Z0-9_]{1,64}` do too, up to 32 of them; any
   * other string is counted as `E_OTHER`.
   * @example
   * ```ts
   * metrics.error("E_RATE_LIMIT");
   * ```
   */
  error(code: string): void {
    this.#errors.inc(code);
  }

  /**
   * Counts a pub/sub publish (a broadcast to other nodes) that failed.
   * @example
   * ```ts
   * pubsub.publish(topic, msg).catch(() => metrics.broadcastFailed());
   * ```
   */
  broadcastFailed(): void {
    this.#broadcastFailures++;
  }

  /**
   * Counts a session snapshot the store failed to write.
   * @example
   * ```ts
   * store.save(id, snapshot).catch(() => metrics.snapshotFailed());
   * ```
   */
  snapshotFailed(): void {
    this.#snapshotFailures++;
  }

  /**
   * Counts an info message dropped because its session's queue was full.
   * @example
   * if (queue.length >= maxQueued) metrics.infoDropped();
   */
  infoDropped(): void {
    this.#infoDropped++;
  }

  /**
   * Counts a request routed to another node. `kind` values matching
   * `[a-z0-9_-]{1,32}` get their own series, up to 32 of them; anything else is
   * counted as `other`.
   * @example
   * ```ts
   * metrics.forwarded("event");
   * ```
   */
  forwarded(kind: string): void {
    this.#forwarded.inc(kind);
  }

  /**
   * Every metric of this instance in the Prometheus text format; the gauges'
   * callback runs now.
   * @example
   * ```ts
   * res.writeHead(200, { "content-type": metrics.contentType }).end(await metrics.text());
   * ```
   */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
