/**
 * `npm run bench:hot -- --wire` measures the security checks through a real
 * Connection over a real WebSocket, with and without the payload schema. Run
 * tiny here so the mode never rots; no assertion on time.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { it } from "node:test";

it("bench:hot --wire measures round trips through the wire with and without the schema, and each check alone", { timeout: 120_000 }, () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "bench/hot-path.ts", "--wire", "--events", "200", "--pairs", "1", "--calls", "10000"], {
    encoding: "utf8", timeout: 100_000, env: { ...process.env, BENCH_PIN: "0" },
  });
  assert.equal(r.status, 0, `${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  for (const check of ["token bucket", "payload walk", "payload schema"]) assert.match(r.stdout, new RegExp(check));
  const last = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { wire: { variant: string; p50: number; cpu: number }[] };
  assert.deepEqual(last.wire.map((x) => x.variant).sort(), ["no schema", "schema"]);
  for (const x of last.wire) assert.ok(x.p50 > 0 && x.cpu > 0, JSON.stringify(x));
});
