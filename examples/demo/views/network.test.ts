// The demo's network page (examples/demo/views/network.ts), tested with weft-live/testing:
// the server's side of it, the count; the page script is exercised in Chromium.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mountView } from "../../../src/testing/index.ts";
import { BENCH_BYTES, Network } from "./network.ts";

describe("demo: Network", () => {
  it("counts each +1 once", async () => {
    const v = await mountView(Network);
    assert.equal(v.text("#net-count"), "0");
    for (let i = 0; i < 3; i++) await v.click("#net-inc");
    assert.equal(v.text("#net-count"), "3");
    assert.deepEqual(v.errors, []);
  });

  it("refuses a +1 carrying values (E_INVALID) and keeps the count", async () => {
    const v = await mountView(Network);
    await v.click("#net-inc");
    for (const bad of [{ by: 1000 }, { count: -5 }, [] as never]) await v.event("inc", bad);
    assert.deepEqual(v.errors.map((e) => e.code), ["E_INVALID", "E_INVALID", "E_INVALID"]);
    assert.equal(v.text("#net-count"), "1");
  });

  it("shows the benchmark figures it compares with, and the simulator's controls, labelled", async () => {
    const v = await mountView(Network);
    assert.match(v.text(".net-bytes"), new RegExp(`${BENCH_BYTES.weft} bytes.*${BENCH_BYTES.phoenix} bytes`));
    assert.equal(v.count("[data-force]"), 4);
    assert.equal(v.attr("#net-nodev", "hidden"), "");
    assert.equal(v.count("label > select"), 2);
  });
});
