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

  it("leaves the console log of dev pages (its hints) to the development part", async () => {
    const [main, dev] = await Promise.all([buildClient(), buildClient("dev")]);
    assert.doesNotMatch(main, /hint: |maxMessageBytes/, "the client every page loads carries no dev hints");
    assert.match(dev, /hint: /);
    assert.match(dev, /raise the server's maxMessageBytes/);
  });
});
