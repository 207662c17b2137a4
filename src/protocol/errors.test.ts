import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ERRORS, isErrorCode } from "./errors.ts";

describe("error registry", () => {
  it("matches the table in docs/errors.md row for row", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    const rows = [...doc.matchAll(/^\| `(E_[A-Z_]+)` \| (\S+) \| (\S+) \| (.+) \|$/gm)].map((m) => [m[1], m[2], m[3], m[4]]);
    const expected = Object.entries(ERRORS).map(([c, s]) => [c, s.status ? String(s.status) : "—", s.close ? String(s.close) : "—", s.message]);
    assert.deepEqual(rows, expected, "docs/errors.md is out of date: run npm run docs:errors");
  });

  it("uses close codes in the application range or none", () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      assert.ok(spec.close === 0 || (spec.close >= 4000 && spec.close <= 4999), code);
    }
  });

  it("recognises only its own codes, never inherited keys", () => {
    assert.equal(isErrorCode("E_BAD_FRAME"), true);
    assert.equal(isErrorCode("toString"), false);
    assert.equal(isErrorCode("__proto__"), false);
  });
});
