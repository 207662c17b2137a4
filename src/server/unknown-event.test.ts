import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { unknownEventMessage } from "./unknown-event.ts";

const noop = (): void => {};

describe("unknownEventMessage", () => {
  it("names the event, the closest event and the view's events in development", () => {
    assert.equal(unknownEventMessage("incr", { inc: noop, dec: noop }, true), 'the view has no handler "incr" — did you mean "inc"? (its events: inc, dec)');
  });

  it("lists the view's events without a guess when none is close", () => {
    assert.equal(unknownEventMessage("explode", { inc: noop, dec: noop }, true), 'the view has no handler "explode" (its events: inc, dec)');
    assert.equal(unknownEventMessage("x", {}, true), 'the view has no handler "x" (it has no events)');
  });

  it("names only the event in production", () => {
    assert.equal(unknownEventMessage("incr", { inc: noop }, false), 'the view has no handler "incr"');
  });

  it("keeps long names and long lists short", () => {
    const events = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`e${i}`, noop]));
    const m = unknownEventMessage("y".repeat(500), events, true);
    assert.ok(m.length < 400, m);
    assert.match(m, /e19, …\)$/);
  });
});
