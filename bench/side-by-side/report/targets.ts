// The targets of issue 6 (item 4), checked against one run's results: each
// as a ratio to its reference from the same run, or an absolute limit.
import type { Metric, Results } from "../results.ts";
import { num } from "./format.ts";

export interface Check {
  target: string;
  /** Weft's figure and the reference's, as shown. */
  figures: string;
  /** Weft ÷ reference (ratio targets), or the figure itself (limits). */
  ratio: number | undefined;
  /** The bound a ratio is held to. */
  bound?: number;
  limit: string;
  met: boolean | undefined;
}

type Key = [system: string, transport: string, metric: Metric];

const WS = "websocket";

/** Weft's figure over a reference's, against a bound (`max`: at most, `min`: at least). */
function ratio(results: Results, target: string, weft: Key, ref: Key, bound: number, kind: "max" | "min"): Check {
  const a = results.get(...weft)?.value;
  const b = results.get(...ref)?.value;
  const r = a !== undefined && b !== undefined && b > 0 ? a / b : undefined;
  const unit = results.get(...weft)?.unit ?? "";
  return {
    target,
    figures: `${num(a)} vs ${num(b)} ${unit}`,
    ratio: r,
    bound,
    limit: `${kind === "max" ? "≤" : "≥"} ${bound}×`,
    met: r === undefined ? undefined : kind === "max" ? r <= bound : r >= bound,
  };
}

function limit(results: Results, target: string, key: Key, max: number, strict = false): Check {
  const r = results.get(...key);
  const v = r?.value;
  return {
    target,
    figures: `${num(v)} ${r?.unit ?? ""}`,
    ratio: undefined,
    limit: `${strict ? "<" : "≤"} ${num(max)} ${r?.unit ?? ""}`,
    met: v === undefined ? undefined : strict ? v < max : v <= max,
  };
}

/** 15 KB, read as 15,000 bytes (the stricter reading). */
export const BUNDLE_LIMIT = 15_000;

export function checkTargets(results: Results): Check[] {
  const checks = [
    ratio(results, "WebSocket round trip p50 ≤ 1.5× bare ws", ["weft", WS, "rt-p50"], ["floor", WS, "rt-p50"], 1.5, "max"),
    ratio(results, "WebSocket round trip p99 ≤ 2× bare ws", ["weft", WS, "rt-p99"], ["floor", WS, "rt-p99"], 2, "max"),
    ratio(results, "server CPU per event ≤ 1.5× bare ws", ["weft", WS, "cpu-per-event"], ["floor", WS, "cpu-per-event"], 1.5, "max"),
    ratio(results, "SSE round trip p50 ≤ 1.3× bare SSE + POST", ["weft", "sse", "rt-p50"], ["floor", "sse", "rt-p50"], 1.3, "max"),
    ratio(results, "HTTP round trip p50 ≤ 1.3× bare HTTP POST", ["weft", "http", "rt-p50"], ["floor", "http", "rt-p50"], 1.3, "max"),
    ratio(results, "50-client throughput ≥ 0.75× bare ws", ["weft", WS, "tput-50x1"], ["floor", WS, "tput-50x1"], 0.75, "min"),
    ratio(results, "50-client throughput ≥ 1.5× LiveViewJS", ["weft", WS, "tput-50x1"], ["liveviewjs", WS, "tput-50x1"], 1.5, "min"),
    ratio(results, "heap per idle session ≤ 2× a bare ws connection", ["weft", WS, "heap-per-session"], ["floor", WS, "heap-per-session"], 2, "max"),
    limit(results, "counter update over WebSocket ≤ 40 bytes down", ["weft", WS, "bytes-counter"], 40),
    ratio(results, "counter update ≤ the Phoenix encoding", ["weft", WS, "bytes-counter"], ["phoenix", WS, "bytes-counter"], 1, "max"),
    ratio(results, "table cell update ≤ the Phoenix encoding", ["weft", WS, "bytes-table-cell"], ["phoenix", WS, "bytes-table-cell"], 1, "max"),
    ratio(results, "list append ≤ the Phoenix encoding", ["weft", WS, "bytes-list-append"], ["phoenix", WS, "bytes-list-append"], 1, "max"),
    limit(results, "deleting the first of 1,000 keyed items ≤ 60 bytes down", ["weft", WS, "bytes-keyed-delete"], 60),
    limit(results, "moving 1 of 1,000 keyed items ≤ 60 bytes down", ["weft", WS, "bytes-keyed-move"], 60),
    limit(results, "fan-out to 10,000 sessions < 200 ms", ["weft", WS, "fanout-last"], 200, true),
    limit(results, "client bundle ≤ 15 KB gzipped", ["weft", "-", "bundle-gzip"], BUNDLE_LIMIT),
  ];
  return checks;
}

export function verdict(c: Check): string {
  return c.met === undefined ? "not measured" : c.met ? "met" : "MISSED";
}
