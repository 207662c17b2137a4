// Runs the test suites with the node test runner (TypeScript via tsx).
// Usage: node scripts/run-tests.mjs [unit|examples|integration|fuzz|e2e|package ...]  (default: all)
// Unit tests sit beside the code (src/**/*.test.ts), the demo's views are tested
// with weft-live/testing beside them (examples/**/*.test.ts); integration and e2e tests
// live in test/. Files run one at a time: e2e and integration tests start real
// servers and browsers, and this machine has two cores.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

// package: npm pack, installed into fresh apps outside the repository, run on plain node (test/package).
const SUITES = { unit: "src", examples: "examples", integration: "test/integration", fuzz: "test/fuzz", e2e: "test/e2e", package: "test/package" };
const picked = process.argv.slice(2);
const suites = picked.length > 0 ? picked : Object.keys(SUITES);

function find(dir) {
  let out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out = out.concat(find(p));
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const files = [];
for (const s of suites) {
  if (!(s in SUITES)) {
    console.error(`unknown suite "${s}"; pick from: ${Object.keys(SUITES).join(", ")}`);
    process.exit(2);
  }
  if (existsSync(SUITES[s])) files.push(...find(SUITES[s]).sort());
}
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
