import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { safeTarget } from "./navigation.ts";

const HERE = "https://app.example/todos";

describe("client navigation check", () => {
  it("follows same-origin targets", () => {
    assert.equal(safeTarget({ to: "/todos?page=2", kind: "patch" }, HERE)?.href, "https://app.example/todos?page=2");
    assert.equal(safeTarget({ to: "https://app.example/x", kind: "redirect" }, HERE)?.href, "https://app.example/x");
  });

  it("refuses javascript:, data: and other origins the server did not mark external", () => {
    for (const to of ["javascript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)", "data:text/html,x", "//evil.example/", "/\\evil.example", "https://evil.example/"]) {
      assert.equal(safeTarget({ to, kind: "redirect" }, HERE), undefined, to);
      assert.equal(safeTarget({ to, kind: "patch" }, HERE), undefined, to);
    }
  });

  it("leaves the origin only for an external redirect, and only over http(s)", () => {
    assert.equal(safeTarget({ to: "https://example.com/", kind: "redirect", external: true }, HERE)?.href, "https://example.com/");
    assert.equal(safeTarget({ to: "https://example.com/", kind: "patch", external: true }, HERE), undefined);
    assert.equal(safeTarget({ to: "javascript:alert(1)", kind: "redirect", external: true }, HERE), undefined);
  });
});
