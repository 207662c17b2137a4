import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { NavigationError, navTarget } from "./navigation.ts";

const HOSTILE = [
  "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "\tjavascript:alert(1)", "java\nscript:alert(1)",
  "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "//evil.example/", "///evil.example", "/\\evil.example",
  "\\\\evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "https://evil.example/", "http:evil.example",
  "evil.example", "todos", "", " /todos", "\u0000/x",
];

describe("navigation targets", () => {
  it("passes same-origin paths, normalised", () => {
    assert.equal(navTarget("/todos?page=2#top", false), "/todos?page=2#top");
    assert.equal(navTarget("/a/../b", false), "/b");
    assert.equal(navTarget("/a b", false), "/a%20b");
  });

  it("refuses other hosts and every scheme without external", () => {
    for (const to of HOSTILE) assert.throws(() => navTarget(to, false), NavigationError, JSON.stringify(to));
    assert.throws(() => navTarget(42, false), NavigationError);
  });

  it("passes absolute http(s) URLs with external, never another scheme", () => {
    assert.equal(navTarget("https://example.com/x?y=1", true), "https://example.com/x?y=1");
    assert.equal(navTarget("/todos", true), "/todos");
    for (const to of ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "vbscript:x", "ftp://example.com/", "blob:https://example.com/x", "evil.example"]) {
      assert.throws(() => navTarget(to, true), NavigationError, JSON.stringify(to));
    }
  });

  it("never returns a target that leaves the origin or carries a control character", () => {
    const base = "https://app.example";
    fc.assert(fc.property(fc.oneof(fc.string(), fc.constantFrom(...HOSTILE).chain((h) => fc.tuple(fc.string(), fc.string()).map(([a, b]) => a + h + b)), fc.string().map((s) => `/${s}`)), (to) => {
      let out: string;
      try {
        out = navTarget(to, false);
      } catch (err) {
        assert.ok(err instanceof NavigationError);
        return;
      }
      assert.ok(out.startsWith("/") && !out.startsWith("//"), out);
      assert.equal(new URL(out, base).origin, base, out);
      assert.doesNotMatch(out, /[\u0000-\u001f\u007f\s]/, out);
    }), { numRuns: 2000, seed: 11 });
  });
});
