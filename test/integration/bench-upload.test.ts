/**
 * `npm run bench:upload`, run tiny (1 MB, one measured upload per case) so it
 * never rots: the busboy floor and Weft over WebSocket, SSE and HTTP (each
 * with Weft's default chunk size and a larger one) all take the file and
 * report their figures. Shape only: no assertion on time. Weft runs from the
 * built package (dist/ is built first when missing or stale).
 * And its report: the ratio to the floor, and a run written between its
 * markers of the docs page, the rest untouched.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { renderBlock } from "../../bench/side-by-side/report/docs.ts";
import { uploadGroupTable } from "../../bench/side-by-side/report/tables.ts";
import { Results } from "../../bench/side-by-side/results.ts";
import { uploadTable, writeUpload, type UploadCase, type UploadFile } from "../../bench/side-by-side/upload-report.ts";

it("bench:upload sends a file to the floor and to Weft over every transport and chunk size, and reports each", { timeout: 240_000 }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/upload.ts", "--mb", "1", "--runs", "1", "--no-write"], {
    encoding: "utf8", timeout: 220_000, env: { ...process.env, BENCH_PIN: "0" },
  });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  const run = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as UploadFile;
  assert.equal(run.bytes, 1_000_000);
  assert.match(run.provenance[0]!.mode, /^upload 1 MB × 1/);
  const seen = run.cases.map((c) => c.system);
  assert.deepEqual(seen, ["floor", "websocket", "websocket", "sse", "sse", "http", "http"]);
  for (const t of ["websocket", "sse", "http"]) {
    const sizes = run.cases.filter((c) => c.system === t).map((c) => c.chunkBytes);
    assert.equal(sizes[0], 524_288, `${t}: Weft's default chunk size, from the join answer`);
    assert.ok(sizes[1]! > sizes[0]!, `${t}: a larger chunk size (${sizes.join(", ")})`);
  }
  for (const c of run.cases) {
    for (const k of ["mbPerSecond", "serverCpuMsPerMB", "clientCpuMsPerMB"] as const) {
      assert.ok(c[k].value > 0 && c[k].runs.length === 1, `${c.system} ${c.chunkBytes}: ${k} ${JSON.stringify(c[k])}`);
    }
  }
  assert.match(r.stdout, /Weft WebSocket( \+ bufferutil)?, 512 KiB chunks: [\d.]+× the floor's MB\/s/);
  assert.match(r.stdout, /Weft from dist\//);
});

const s = (value: number) => ({ value, min: value, max: value, runs: [value] });
const c = (system: UploadCase["system"], chunkBytes: number, mbps: number): UploadCase => ({
  system, chunkBytes, mbPerSecond: s(mbps), serverCpuMsPerMB: s(2), clientCpuMsPerMB: s(1), serverBusy: s(90),
});

it("shows each Weft row's throughput against the floor's", () => {
  const t = uploadTable([c("floor", 65_536, 200), c("websocket", 65_536, 150), c("http", 1 << 20, 50)]);
  assert.match(t, /\| Weft WebSocket, 64 KiB chunks +\| 150 +\| 0\.75× +\|/);
  assert.match(t, /\| Weft HTTP, 1 MiB chunks +\| 50 +\| 0\.25× +\|/);
  assert.match(t, /\| floor: node:http \+ busboy, one multipart POST \| 200 +\| +\|/);
});

it("writes a run between its markers of the docs page, the rest untouched", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-upload-report-"));
  try {
    const paths = { results: join(dir, "r.json"), doc: join(dir, "b.md") };
    writeFileSync(paths.doc, "# Before\n<!-- bench-upload:start -->\nold\n<!-- bench-upload:end -->\n## After\n");
    const f: UploadFile = {
      provenance: [{ commit: "abc1234", dirty: false, host: "host-a: 2 cores", date: "2026-12-04T23:00:00.000Z", mode: "upload 50 MB × 5", weft: "dist" }],
      loadAverage: { start: [0.5, 0.6, 0.7], end: [1, 1, 1] }, bytes: 50_000_000, runs: 5,
      cases: [c("floor", 65_536, 200), c("websocket", 65_536, 150)],
    };
    writeUpload(f, true, paths);
    const doc = readFileSync(paths.doc, "utf8");
    assert.match(doc, /^# Before\n<!-- bench-upload:start -->\n/);
    assert.match(doc, /<!-- bench-upload:end -->\n## After\n$/);
    assert.doesNotMatch(doc, /\nold\n/);
    assert.match(doc, /Run: commit abc1234, 2026-12-04 23:00 UTC, upload 50 MB × 5, Weft from dist\//);
    assert.match(doc, /A file of 50 MB \(50,000,000 bytes\), 5 measured uploads per row/);
    assert.equal((JSON.parse(readFileSync(paths.results, "utf8")) as UploadFile).cases.length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("npm run bench's report has an upload group, against the floor, once a run measured uploads", () => {
  const r = new Results();
  assert.doesNotMatch(renderBlock(r, "Run of 2026-12-04."), /Upload of one file/, "no upload table before a run measured uploads");
  r.add("floor", "multipart", "upload-mbps", 200);
  r.add("floor", "multipart", "upload-cpu-mb", 2);
  r.add("weft", "websocket", "upload-mbps", 100);
  r.add("weft", "websocket", "upload-cpu-mb", 8);
  r.add("weft", "websocket", "upload-mbps-1mib", 180);
  r.add("weft", "websocket", "upload-cpu-mb-1mib", 4);
  const t = uploadGroupTable(r);
  assert.match(t, /\| Weft +\| websocket +\| 100 +\| 0\.50× +\| 8 +\| 180 +\| 0\.90× +\| 4 +\|/);
  assert.match(t, /\| floor: node:http \+ busboy \| multipart +\| 200 +\| +\| 2 +\|/);
  assert.match(renderBlock(r, "Run of 2026-12-04."), /Upload of one file[^\n]*\n\n\| system +\| transport +\| MB\/s \(default chunks, 512 KiB\)/);
});
