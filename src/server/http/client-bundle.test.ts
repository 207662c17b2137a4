import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { buildClient, CLIENT_BUDGET } from "./client-bundle.ts";

describe("browser client bundle", () => {
  it(`stays within its budget of ${CLIENT_BUDGET} bytes gzipped, every feature in`, async () => {
    const code = await buildClient();
    const gzipped = gzipSync(code, { level: 9 }).length;
    assert.ok(gzipped <= CLIENT_BUDGET, `the client is ${gzipped} bytes gzipped, over its budget of ${CLIENT_BUDGET}: cut before adding`);
  });
});
