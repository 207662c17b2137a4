import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readResume } from "./index.ts";

describe("readResume", () => {
  it("reads `<sid>.<seq>` of a view stream's Last-Event-ID", () => {
    assert.deepEqual(readResume("AAAAAAAAAAAAAAAAAAAA_-.42"), { sid: "AAAAAAAAAAAAAAAAAAAA_-", seq: 42 });
    assert.deepEqual(readResume("AAAAAAAAAAAAAAAAAAAAAA.0"), { sid: "AAAAAAAAAAAAAAAAAAAAAA", seq: 0 });
  });

  it("takes nothing else: a fresh mount follows", () => {
    for (const id of [undefined, "", "42", "short.1", "AAAAAAAAAAAAAAAAAAAAAA.", "AAAAAAAAAAAAAAAAAAAAAA.-1", "AAAAAAAAAAAAAAAAAAAAAA.1.2", "AAAAAAAAAAAAAAAAAAAAAA.1e3", "AAAAAAAAAAAAAAAAAAAAAA.9999999999999999", "AAAAAAAAAAAAAAAAAAAAA=.1", " AAAAAAAAAAAAAAAAAAAAAA.1"]) {
      assert.equal(readResume(id), undefined, String(id));
    }
  });
});
