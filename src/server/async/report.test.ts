import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jsonProblem, MAX_JSON_DEPTH, resumedReports, toJson, withReports, type AsyncReport } from "./report.ts";

const running: AsyncReport = { status: "running", progress: 40, result: null, error: null };
const ok: AsyncReport = { status: "ok", progress: 100, result: { n: 1 }, error: null };

describe("async reports in the state", () => {
  it("writes reports into a new state.async, keeping the other keys and reports", () => {
    const s = { count: 2, async: { a: ok } };
    const next = withReports(s, new Map([["b", running]]));
    assert.deepEqual(next, { count: 2, async: { a: ok, b: running } });
    assert.notEqual(next, s);
    assert.deepEqual(s.async, { a: ok }, "the old state is untouched");
  });

  it("replaces a value at async that is not an object", () => {
    assert.deepEqual(withReports({ async: "mine" }, new Map([["a", ok]])), { async: { a: ok } });
    assert.deepEqual(withReports({ async: [1] }, new Map([["a", ok]])), { async: { a: ok } });
  });

  it("refuses a state that is not an object", () => {
    assert.throws(() => withReports(null, new Map()), /state must be an object .* got null/);
    assert.throws(() => withReports([], new Map()), /got an array/);
  });

  it("turns a snapshot's running tasks into cancelled ones, keeping their progress", () => {
    const s = { n: 1, async: { a: running, b: ok } };
    assert.deepEqual(resumedReports(s), { n: 1, async: { a: { ...running, status: "cancelled" }, b: ok } });
    const none = { n: 1, async: { b: ok } };
    assert.equal(resumedReports(none), none, "nothing running: the same state");
    for (const odd of [null, 5, "x", { async: 3 }, { async: { a: null } }]) assert.equal(resumedReports(odd), odd);
  });
});

describe("jsonProblem", () => {
  it("accepts plain JSON, and undefined object properties (JSON drops them)", () => {
    for (const v of [null, true, 0, -1.5, "", [], {}, { a: [1, "x", null, { b: false }] }, Object.create(null), { a: undefined }]) {
      assert.equal(jsonProblem(v), undefined, JSON.stringify(v));
    }
  });

  it("names what is not JSON and where", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
    const cases: [unknown, string][] = [
      [undefined, "undefined at the top"],
      [NaN, "NaN at the top"],
      [{ a: Infinity }, "Infinity at .a"],
      [[1, undefined], "undefined at [1]"],
      [{ f: () => 1 }, "a function at .f"],
      [{ s: Symbol("x") }, "a symbol at .s"],
      [{ b: 1n }, "a bigint at .b"],
      [{ d: new Date(0) }, "a Date at .d"],
      [{ m: new Map() }, "a Map at .m"],
      [cyclic, "a cycle at .self"],
      [deep, `nesting deeper than ${MAX_JSON_DEPTH} at ${"[0]".repeat(MAX_JSON_DEPTH)}`],
    ];
    for (const [v, want] of cases) assert.equal(jsonProblem(v), want);
  });

  it("copies a value (no reference into the state) or throws a TypeError starting with what", () => {
    const v = { rows: [1, 2], skip: undefined };
    const c = toJson(v, "result");
    assert.deepEqual(c, { rows: [1, 2] });
    assert.notEqual((c as { rows: number[] }).rows, v.rows);
    assert.throws(() => toJson({ d: new Date(0) }, "result"), (e: unknown) => e instanceof TypeError && e.message === "result is not JSON: a Date at .d");
  });
});
