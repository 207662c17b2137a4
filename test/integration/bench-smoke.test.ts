/**
 * The side-by-side benchmark, run tiny (`npm run bench:smoke`): every system
 * starts, is measured and stops — so the benchmark never rots. No assertion on
 * time: the figures of a shared CI machine mean nothing. Weft runs from the
 * built package, as users run it (dist/ is built first when missing or stale:
 * a few seconds).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { it } from "node:test";

it("npm run bench:smoke measures every system and exits cleanly", { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/run.ts", "--smoke"], { encoding: "utf8", timeout: 280_000 });
  assert.equal(r.status, 0, `bench:smoke failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  for (const system of ["Weft", "Socket.IO", "LiveViewJS"]) assert.match(r.stdout, new RegExp(system), `${system} measured`);
  // Weft as users run it: the built package (the run builds dist/ first when it is missing or stale).
  assert.match(r.stdout, /Weft from dist\//, "Weft measured from dist/");
});
