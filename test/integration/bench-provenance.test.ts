/**
 * Benchmark results say where they come from: each run's results carry the
 * commit, host and date, and runs of different commits are not merged into
 * one table unless asked to, and then labelled.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { mergeRuns } from "../../bench/side-by-side/merge.ts";
import type { Result } from "../../bench/side-by-side/results.ts";

const fig = (value: number): Result[] => [{ system: "weft", transport: "websocket", metric: "rt-p50", value, unit: "µs" }];
const run = (commit: string, value: number, date = "2026-12-01T10:00:00.000Z") => ({
  provenance: [{ commit, dirty: false, host: "host-a: 2 cores", date, mode: "full" }],
  results: fig(value),
});

it("refuses to merge runs of different commits", () => {
  assert.throws(() => mergeRuns([run("aaaaaaa", 50), run("bbbbbbb", 60), run("aaaaaaa", 55)] as never), /different commits.*aaaaaaa.*bbbbbbb/s);
});

it("keeps each merged run's commit, host and date", () => {
  const m = mergeRuns([run("aaaaaaa", 50, "2026-12-01T10:00:00.000Z"), run("aaaaaaa", 60, "2026-12-02T10:00:00.000Z"), run("aaaaaaa", 55, "2026-12-03T10:00:00.000Z")] as never);
  assert.deepEqual(m.provenance.map((p) => [p.commit, p.host, p.date]), [
    ["aaaaaaa", "host-a: 2 cores", "2026-12-01T10:00:00.000Z"],
    ["aaaaaaa", "host-a: 2 cores", "2026-12-02T10:00:00.000Z"],
    ["aaaaaaa", "host-a: 2 cores", "2026-12-03T10:00:00.000Z"],
  ]);
  assert.equal(m.get("weft", "websocket", "rt-p50")?.value, 55);
});

it("merges runs of different commits when asked, labelled as mixed", () => {
  const m = mergeRuns([run("aaaaaaa", 50), run("bbbbbbb", 60)] as never, { mixed: true });
  assert.equal(m.mixedCommits, true);
  assert.deepEqual(m.provenance.map((p) => p.commit), ["aaaaaaa", "bbbbbbb"]);
});

it("refuses to merge a run that does not say which commit it measured", () => {
  assert.throws(() => mergeRuns([fig(50), run("aaaaaaa", 60)] as never), /no provenance/);
});

it("writes a run's figures with the commit, host and date it ran on (--out)", { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-"));
  try {
    const out = join(dir, "run.json");
    const r = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--smoke", "--only", "floor-ws", "--skip", "idle,fanout,bundle", "--out", out], {
      encoding: "utf8", timeout: 100_000, env: { ...process.env, BENCH_PIN: "0" },
    });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const file = JSON.parse(readFileSync(out, "utf8")) as { provenance: { commit: string; host: string; date: string; mode: string }[]; results: Result[] };
    const head = spawnSync("git", ["rev-parse", "--short=7", "HEAD"], { encoding: "utf8" }).stdout.trim();
    assert.equal(file.provenance.length, 1);
    assert.equal(file.provenance[0]!.commit, head);
    assert.equal(file.provenance[0]!.host.startsWith(`${hostname()}: `), true);
    assert.ok(Math.abs(Date.parse(file.provenance[0]!.date) - Date.now()) < 10 * 60_000, file.provenance[0]!.date);
    assert.match(file.provenance[0]!.mode, /smoke.*floor-ws/);
    assert.ok(file.results.some((x) => x.system === "floor" && x.metric === "rt-p50"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
