import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectRate } from "./connect-rate.ts";

describe("ConnectRate", () => {
  it("lets a burst through per address, then refuses that address only", () => {
    const rate = new ConnectRate({ perSecond: 0.001, burst: 3 });
    assert.deepEqual([1, 2, 3, 4].map(() => rate.take("1.1.1.1")), [true, true, true, false]);
    assert.ok(rate.take("2.2.2.2"));
  });

  it("keeps at most `max` addresses, dropping the least recently used", () => {
    const rate = new ConnectRate({ perSecond: 0.001, burst: 1 }, 100);
    for (let i = 0; i < 1000; i++) rate.take(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(rate.size, 100);
  });

  it("keeps a recently used address over older ones", () => {
    const rate = new ConnectRate({ perSecond: 0.001, burst: 1 }, 2);
    rate.take("a");
    rate.take("b");
    rate.take("a"); // a is refused, and now the most recent
    rate.take("c"); // drops b
    assert.equal(rate.take("a"), false);
  });
});
