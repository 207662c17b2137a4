/** The cluster's options are validated once, at start-up, with messages that show the right call. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html } from "../../index.ts";
import { resolveOptions } from "../options.ts";
import { MemoryStore } from "../store/memory.ts";

const views = { "/": defineView({ mount: () => ({}), render: () => html`<p></p>` }) };
const secret = "cluster-options-secret-0123456789";

describe("cluster options", () => {
  it("refuses a custom store without redis, showing the right call", () => {
    assert.throws(() => resolveOptions({ views, secret, store: new MemoryStore() }), (err: unknown) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, /custom `store` needs `redis`/);
      assert.match(err.message, /redis: process\.env\.REDIS_URL, store: myStore/);
      return true;
    });
  });

  it("has finite handover bounds by default, and refuses a join wait that does not exceed the handover wait", () => {
    const o = resolveOptions({ views, secret });
    assert.equal(o.handoverWaitMs, 1_000);
    assert.equal(o.handoffTimeoutMs, 2_000);
    assert.equal(resolveOptions({ views, secret, handoverWaitMs: 50, handoffTimeoutMs: 500 }).handoverWaitMs, 50);
    assert.throws(() => resolveOptions({ views, secret, handoverWaitMs: 3_000 }), /`handoffTimeoutMs` \(2000\) must exceed `handoverWaitMs` \(3000\)/);
    assert.throws(() => resolveOptions({ views, secret, handoverWaitMs: 0 }), /`handoverWaitMs` must be a positive number/);
    assert.throws(() => resolveOptions({ views, secret, handoffTimeoutMs: Infinity }), /`handoffTimeoutMs` must be a positive number/);
  });

  it("accepts a custom store together with redis", () => {
    const o = resolveOptions({ views, secret, store: new MemoryStore(), redis: "redis://127.0.0.1:1" });
    assert.ok(o.store instanceof MemoryStore);
  });
});
