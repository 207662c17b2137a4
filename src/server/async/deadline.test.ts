import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HandlerTimeout, withinLimit } from "./deadline.ts";

describe("handler time limit", () => {
  it("settles as the handler does when it is in time", async () => {
    assert.equal(await withinLimit(Promise.resolve(5), 1_000), 5);
    await assert.rejects(withinLimit(Promise.reject(new Error("boom")), 1_000), /boom/);
  });

  it("rejects with HandlerTimeout when the handler has not settled in time, and ignores its late outcome", async () => {
    let late!: (v: number) => void;
    const slow = new Promise<number>((r) => (late = r));
    await assert.rejects(withinLimit(slow, 20), (e: unknown) => e instanceof HandlerTimeout && e.ms === 20);
    late(1); // nothing to observe: the limit's promise has settled already

    let fail!: (e: Error) => void;
    const failing = new Promise<number>((_, rej) => (fail = rej));
    await assert.rejects(withinLimit(failing, 20), HandlerTimeout);
    fail(new Error("late failure")); // handled: no unhandled rejection
    await new Promise((r) => setImmediate(r));
  });
});
