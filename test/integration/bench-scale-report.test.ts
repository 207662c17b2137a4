/**
 * bench:scale's report: growth is shown against the first size with idle
 * sessions of the same shape (never the baseline without them), and a run is
 * written into its block of the docs page with its provenance and load
 * average, the rest of the page untouched.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { scaleTable, writeScale, type ScaleCase, type ScaleFile } from "../../bench/side-by-side/scale-report.ts";

const s = (value: number) => ({ value, min: value, max: value, runs: [value] });
const none = { value: NaN, min: NaN, max: NaN, runs: [] };
const c = (transport: ScaleCase["transport"], sessions: number, viewsPerSocket: number, rt: number, heap: number): ScaleCase => ({
  transport, sessions, viewsPerSocket, links: sessions / viewsPerSocket, connectSeconds: 1, heapPerSession: sessions > 0 ? heap : NaN, rssPerSession: 0,
  idleCpuPerSecond: 100, rtP50: s(rt), rtP99: s(rt * 2), cpuPerEvent: s(rt / 2), cpuPerEventNet: s(rt / 2), events: 1_000, slow: { count: 0, bursts: 0 }, gc: { count: 3, major: 1, totalMs: 4, maxMs: 2 },
  broadcastLast: sessions > 0 ? s(sessions / 100) : none, broadcastP50: sessions > 0 ? s(sessions / 200) : none, broadcastMissing: 0,
});

const row = (table: string, label: string) => table.split("\n").find((l) => l.startsWith(`| ${label} `)) ?? assert.fail(`no row ${label}:\n${table}`);

it("shows growth against the first size with idle sessions of the same transport and views per socket", () => {
  const t = scaleTable([c("websocket", 0, 1, 50, 0), c("websocket", 1_000, 1, 100, 4_000), c("websocket", 10_000, 1, 110, 4_000), c("websocket", 10_000, 5, 130, 2_000), c("websocket", 50_000, 5, 260, 2_200), c("sse", 1_000, 1, 300, 9_000)]);
  assert.match(row(t, "WebSocket 10,000"), /\| 110 \(1\.10×\) +\|/);
  assert.match(row(t, "WebSocket 50,000 (5 per socket)"), /\| 260 \(2\.00×\) +\|.*\| 2,200 \(1\.10×\) +\|/);
  assert.doesNotMatch(row(t, "WebSocket 1,000"), /×/);
  assert.doesNotMatch(row(t, "SSE 1,000"), /×/);
  assert.match(row(t, "WebSocket 0 (baseline)"), /\| – +\|/);
});

it("writes the run between its markers with provenance and load average, and leaves the rest of the page alone", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-scale-report-"));
  try {
    const paths = { results: join(dir, "r.json"), doc: join(dir, "b.md"), chart: join(dir, "c.svg") };
    writeFileSync(paths.doc, "# Before\n<!-- bench-scale:start -->\nold\n<!-- bench-scale:end -->\n## After\n");
    const f: ScaleFile = {
      provenance: [{ commit: "abc1234", dirty: false, host: "host-a: 2 cores", date: "2026-12-04T18:00:00.000Z", mode: "full", weft: "dist" }],
      loadAverage: { start: [0.5, 0.6, 0.7], end: [1, 1, 1] }, fdLimit: "20000 soft, 20000 hard",
      cases: [c("websocket", 1_000, 1, 100, 4_000)],
    };
    writeScale(f, true, paths);
    const doc = readFileSync(paths.doc, "utf8");
    assert.match(doc, /^# Before\n<!-- bench-scale:start -->\n/);
    assert.match(doc, /<!-- bench-scale:end -->\n## After\n$/);
    assert.doesNotMatch(doc, /\nold\n/);
    assert.equal(doc.split("<!-- bench-scale:start -->").length, 2);
    assert.equal(doc.split("<!-- bench-scale:end -->").length, 2);
    assert.match(doc, /Run: commit abc1234, 2026-12-04 18:00 UTC, full, Weft from dist\//);
    assert.match(doc, /Load average \(1, 5, 15 min\) at the start: 0\.50, 0\.60, 0\.70/);
    assert.equal((JSON.parse(readFileSync(paths.results, "utf8")) as ScaleFile).provenance[0]!.commit, "abc1234");
    assert.match(readFileSync(paths.chart, "utf8"), /^<svg [^>]*>[\s\S]*WebSocket 1,000[\s\S]*<\/svg>\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
