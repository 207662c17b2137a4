// bench:scale's results: the file (bench/results-scale.json, with the run's
// provenance), the markdown table, the SVG chart (docs/benchmarks-scale.svg)
// and the generated block of docs/benchmarks.md between
// <!-- bench-scale:start --> and <!-- bench-scale:end --> (the rest untouched).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { provenanceLine, type Provenance } from "./provenance.ts";
import { stackedChart } from "./report/chart.ts";
import { num, replaceBlock, table } from "./report/format.ts";
import type { Spread } from "./stats.ts";

/** One measured size of one transport. */
export interface ScaleCase {
  transport: "websocket" | "sse" | "http";
  /** Idle sessions (joined views) held open besides the measuring client. */
  sessions: number;
  /** Views joined on each idle WebSocket (1 for SSE and HTTP: one link per session). */
  viewsPerSocket: number;
  /** Sockets (WebSocket) or links (SSE, HTTP) the idle sessions use. */
  links: number;
  /** Seconds to open them all. */
  connectSeconds: number;
  /** Server heap and RSS growth per idle session, bytes (after forced GCs). */
  heapPerSession: number;
  rssPerSession: number;
  /** Server CPU while nothing but the idle sessions happens, µs per second. */
  idleCpuPerSecond: number;
  /** Measuring client: round trip p50 and p99 (µs), server CPU per event (µs), raw and net of the idle CPU over the same time. */
  rtP50: Spread;
  rtP99: Spread;
  cpuPerEvent: Spread;
  cpuPerEventNet: Spread;
  events: number;
  /** Round trips over 1 ms, and the bursts they came in (50 ms or more apart). */
  slow: { count: number; bursts: number };
  /** Garbage collections in the server during the measured events: pauses, how many were major, total and longest pause (ms). */
  gc: { count: number; major: number; totalMs: number; maxMs: number };
  /** A broadcast to every idle session: ms from app.broadcast() to the last and the median delivery (median over rounds). */
  broadcastLast: Spread;
  broadcastP50: Spread;
  /** Diffs that did not arrive within the round's time limit (summed over rounds). */
  broadcastMissing: number;
}

/** The results file. */
export interface ScaleFile {
  provenance: Provenance[];
  /** os.loadavg() (1, 5, 15 min) when the run started and when it ended. */
  loadAverage: { start: number[]; end: number[] };
  /** The per-process open-file limit the run had (soft, hard). */
  fdLimit: string;
  cases: ScaleCase[];
}

const ROOT = new URL("../../", import.meta.url);

/** Where a run is written: the results file, the docs page holding the block, the chart. */
export interface ScalePaths {
  results: string;
  doc: string;
  chart: string;
}

export const SCALE_PATHS: ScalePaths = {
  results: fileURLToPath(new URL("bench/results-scale.json", ROOT)),
  doc: fileURLToPath(new URL("docs/benchmarks.md", ROOT)),
  chart: fileURLToPath(new URL("docs/benchmarks-scale.svg", ROOT)),
};
const START = "<!-- bench-scale:start -->";
const END = "<!-- bench-scale:end -->";

const NAME = { websocket: "WebSocket", sse: "SSE", http: "HTTP" } as const;

/** "WebSocket 50,000 (5 per socket)". */
export function caseLabel(c: Pick<ScaleCase, "transport" | "sessions" | "viewsPerSocket">): string {
  if (c.sessions === 0) return `${NAME[c.transport]} 0 (baseline)`;
  return `${NAME[c.transport]} ${num(c.sessions)}${c.viewsPerSocket > 1 ? ` (${c.viewsPerSocket} per socket)` : ""}`;
}

/**
 * What growth is measured against: the first case with idle sessions of the
 * same transport and views per socket (the target is flat from 1k up); the
 * baseline without idle sessions is shown on its own.
 */
function baseOf(cases: readonly ScaleCase[], c: ScaleCase): ScaleCase {
  if (c.sessions === 0) return c;
  return cases.find((b) => b.sessions > 0 && b.transport === c.transport && b.viewsPerSocket === c.viewsPerSocket) ?? c;
}

/** `value` against the base case's as "1.04×" (empty for the base case itself). */
export function ratio(v: number, base: number, isBase: boolean): string {
  return isBase || !(base > 0) ? "" : ` (${(v / base).toFixed(2)}×)`;
}

/** The markdown table: one row per case, growth against the first size of the same shape in brackets. */
export function scaleTable(cases: readonly ScaleCase[]): string {
  const head = ["idle sessions", "sockets / links", "round trip p50 µs", "p99 µs", "server CPU per event µs", "net of idle", "idle CPU µs/s", "GC during the events: pauses (major), longest ms", "heap per session B", "RSS per session B", "broadcast: last ms", "p50 ms"];
  const rows = cases.map((c) => {
    const b = baseOf(cases, c);
    const is = b === c;
    return [
      caseLabel(c), num(c.links),
      num(c.rtP50.value) + ratio(c.rtP50.value, b.rtP50.value, is),
      num(c.rtP99.value) + ratio(c.rtP99.value, b.rtP99.value, is),
      num(c.cpuPerEvent.value) + ratio(c.cpuPerEvent.value, b.cpuPerEvent.value, is),
      num(c.cpuPerEventNet.value) + ratio(c.cpuPerEventNet.value, b.cpuPerEventNet.value, is),
      num(c.idleCpuPerSecond),
      `${c.gc.count} (${c.gc.major}), ${num(c.gc.maxMs)}`,
      num(c.heapPerSession) + ratio(c.heapPerSession, b.heapPerSession, is),
      num(c.rssPerSession),
      num(c.broadcastLast.value) + (c.broadcastMissing > 0 ? ` (${c.broadcastMissing} missing)` : ""),
      num(c.broadcastP50.value),
    ];
  });
  return table(head, rows);
}

// --- Chart ----------------------------------------------------------------------

const W = 820;
const LABEL_W = 250;
const BAR_MAX = 420;
const ROW = 20;
const COLOR = { websocket: "#2f6fdd", sse: "#e0803a", http: "#8a5cc2" } as const;
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

interface Panel {
  title: string;
  value: (c: ScaleCase) => number;
  /** Shown with its growth against the base case (per-session figures and per-event figures). */
  growth: boolean;
}

const PANELS: Panel[] = [
  { title: "Round trip p50 of one active client (µs; flat is the target)", value: (c) => c.rtP50.value, growth: true },
  { title: "Server CPU per event (µs; flat is the target)", value: (c) => c.cpuPerEvent.value, growth: true },
  { title: "Server heap per idle session (bytes; flat per session = linear in total)", value: (c) => c.heapPerSession, growth: true },
  { title: "Broadcast to all idle sessions, last delivery (ms; grows with the sessions)", value: (c) => c.broadcastLast.value, growth: false },
];

function panel(cases: readonly ScaleCase[], p: Panel, y0: number): { svg: string; height: number } {
  const max = Math.max(1, ...cases.map(p.value).filter(Number.isFinite));
  const out = [`<text x="10" y="${y0 + 16}" class="h">${esc(p.title)}</text>`];
  cases.forEach((c, i) => {
    const y = y0 + 26 + i * ROW;
    const v = p.value(c);
    const b = baseOf(cases, c);
    out.push(`<text x="10" y="${y + 13}" class="l">${esc(caseLabel(c))}</text>`);
    if (!Number.isFinite(v)) return void out.push(`<text x="${LABEL_W}" y="${y + 13}" class="v">–</text>`);
    const w = Math.max(1, (v / max) * BAR_MAX);
    out.push(`<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${COLOR[c.transport]}"/>`);
    const label = num(v) + (p.growth ? ratio(v, p.value(b), b === c) : "");
    out.push(`<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 13}" class="v">${esc(label)}</text>`);
  });
  return { svg: out.join("\n"), height: 26 + cases.length * ROW + 12 };
}

/** The chart: one panel per figure, one bar per case, growth against the first size of each shape. */
export function scaleChart(cases: readonly ScaleCase[], caption: readonly [string, string]): string {
  return stackedChart(W, caption, PANELS.map((p) => (y0: number) => panel(cases, p, y0)));
}

// --- Files ---------------------------------------------------------------------------

const fmtLoad = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(", ");

/** The generated block of docs/benchmarks.md. */
export function scaleBlock(f: ScaleFile): string {
  return [
    START,
    "<!-- generated by `npm run bench:scale` from bench/results-scale.json; edits here are overwritten -->",
    "",
    provenanceLine(f.provenance),
    `Load average (1, 5, 15 min) at the start: ${fmtLoad(f.loadAverage.start)}; at the end: ${fmtLoad(f.loadAverage.end)}. Open-file limit per process: ${f.fdLimit}.`,
    "",
    scaleTable(f.cases),
    "",
    "![Round trip, CPU per event, heap per session and broadcast time as the idle sessions grow](benchmarks-scale.svg)",
    END,
  ].join("\n");
}

/** Writes the results file; with `docs`, also the docs block (between its markers, the rest of the page untouched) and the chart. */
export function writeScale(f: ScaleFile, docs: boolean, paths: ScalePaths = SCALE_PATHS): void {
  writeFileSync(paths.results, `${JSON.stringify(f, null, 2)}\n`);
  if (!docs) return;
  replaceBlock(paths.doc, START, END, scaleBlock(f));
  const p = f.provenance[0];
  writeFileSync(paths.chart, scaleChart(f.cases, [`Weft: cost as the idle sessions grow — ${p?.mode ?? ""} run of ${p?.date.slice(0, 10) ?? "?"}`, `${p?.host ?? ""}; load average at start ${fmtLoad(f.loadAverage.start)}`]));
}
