import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describe as describeValue, didYouMean, rejectUnknownKeys } from "./startup-checks.ts";

describe("didYouMean", () => {
  it("suggests the known word one or two edits away", () => {
    assert.equal(didYouMean("evnets", ["mount", "events", "render"]), "events");
    assert.equal(didYouMean("rendr", ["mount", "events", "render"]), "render");
    assert.equal(didYouMean("ONERROR", ["onError", "layout"]), "onError");
  });

  it("suggests nothing when no known word is close", () => {
    assert.equal(didYouMean("template", ["mount", "events", "render"]), undefined);
    assert.equal(didYouMean("ab", ["cd"]), undefined);
  });
});

describe("rejectUnknownKeys", () => {
  it("passes known keys and names the first unknown one", () => {
    rejectUnknownKeys("f", { alpha: 1 }, ["alpha", "beta"]);
    assert.throws(() => rejectUnknownKeys("f", { alpha: 1, betta: 2 }, ["alpha", "beta"]), (e: Error) => e instanceof TypeError && e.message === "f: unknown key `betta` — did you mean `beta`?");
  });
});

describe("describe", () => {
  it("says what a value is, briefly", () => {
    assert.equal(describeValue(undefined), "undefined");
    assert.equal(describeValue("x".repeat(50)), `a string ("${"x".repeat(40)}…")`);
    assert.equal(describeValue([]), "an array");
    assert.equal(describeValue(Promise.resolve()), "an object (Promise)");
    assert.equal(describeValue(3), "number 3");
  });
});
