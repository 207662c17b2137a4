/**
 * The template phase of the fuzzer, CI size: 3,000 seeded random call sites
 * (every hole family of template-sites.ts) with hostile values, each output
 * read back with parse5. `npm run fuzz` runs more (--template-runs).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runTemplateFuzz } from "./template-fuzz.ts";

describe("hostile values in random template call sites, 3,000 seeded inputs", () => {
  it("refuses each value or renders only the structure the template wrote, with safe URLs and unchanged script bodies", () => {
    const report = runTemplateFuzz({ runs: 3_000, seed: 0x7e3a, timeLimitMs: 60_000 });
    assert.equal(report.total, 3_000, report.summary());
    assert.ok(report.ok, report.summary());
    // Both outcomes occur: the generator reaches escaping and refusing positions.
    assert.ok(report.rendered > 500 && report.refused > 500, report.summary());
  });
});
