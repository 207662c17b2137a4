import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SmallMap } from "./small-map.ts";

test("SmallMap behaves as a Map under any sequence of set/delete/clear", () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant("set" as const), key: fc.integer({ min: 0, max: 4 }), value: fc.integer() }),
    fc.record({ k: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ k: fc.constant("clear" as const) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
    const real = new Map<number, number>();
    const small = new SmallMap<number, number>();
    for (const o of ops) {
      if (o.k === "set") {
        real.set(o.key, o.value);
        small.set(o.key, o.value);
      } else if (o.k === "delete") assert.equal(small.delete(o.key), real.delete(o.key));
      else {
        real.clear();
        small.clear();
      }
      assert.equal(small.size, real.size);
      for (let key = 0; key <= 4; key++) assert.equal(small.get(key), real.get(key));
      // Same entries (the inline one may come first, so compare sorted).
      const sort = (xs: [number, number][]) => xs.sort((a, b) => a[0] - b[0]);
      assert.deepEqual(sort([...small]), sort([...real]));
      assert.deepEqual([...small.values()].sort(), [...real.values()].sort());
    }
  }), { numRuns: 500 });
});

test("SmallMap keeps a key that is undefined-valued distinct from a missing one", () => {
  const m = new SmallMap<number, undefined>();
  m.set(1, undefined);
  assert.equal(m.size, 1);
  assert.equal(m.delete(1), true);
  assert.equal(m.delete(1), false);
  assert.equal(m.size, 0);
});
