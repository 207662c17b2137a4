import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { limits, oversized } from "./limits.ts";
import { batchSize } from "./transports/post-queue.ts";

const DEFAULT = limits.maxBytes;

describe("limits", () => {
  afterEach(() => {
    limits.maxBytes = DEFAULT;
  });

  it("calls a frame oversized when it would not fit alone in a POST body", () => {
    limits.maxBytes = 12;
    assert.equal(oversized("x".repeat(10)), false); // [xxxxxxxxxx] is 12 bytes
    assert.equal(oversized("x".repeat(11)), true);
    assert.equal(oversized("é".repeat(5)), false); // 10 bytes of UTF-8
    assert.equal(oversized("é".repeat(6)), true);
  });

  it("cuts POST batches to the limit the page announced", () => {
    const f = '{"t":"h"}'; // 9 bytes
    limits.maxBytes = 21; // [f,f] is exactly 21 bytes
    assert.equal(batchSize([f, f, f]), 2);
    limits.maxBytes = 20;
    assert.equal(batchSize([f, f, f]), 1);
  });
});
