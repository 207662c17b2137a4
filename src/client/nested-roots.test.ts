import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { keepsNestedRoot, nodeKey } from "./nested-roots.ts";

/** Just enough of an Element for these functions. */
function el(attrs: Record<string, string>): Element {
  return {
    id: attrs.id ?? "",
    getAttribute: (n: string) => attrs[n] ?? null,
    hasAttribute: (n: string) => n in attrs,
  } as unknown as Element;
}

describe("nested view roots in a parent's patch", () => {
  it("keys a nested root by its id and token, any other element by its id", () => {
    assert.equal(nodeKey(el({ id: "chat", "weft-view": "/chat", "weft-token": "T1" })), "chat T1");
    assert.equal(nodeKey(el({ id: "row-1" })), "row-1");
    assert.equal(nodeKey(el({})), undefined);
    assert.equal(nodeKey({ nodeType: 3 } as unknown as Node), undefined, "a text node");
  });

  it("keeps a nested root with the same token as it is, and lets another token through", () => {
    const from = el({ id: "chat", "weft-view": "/chat", "weft-token": "T1", class: "weft-connected" });
    assert.equal(keepsNestedRoot(from, el({ id: "chat", "weft-view": "/chat", "weft-token": "T1" })), true);
    assert.equal(keepsNestedRoot(from, el({ id: "chat", "weft-view": "/chat", "weft-token": "T2" })), false);
    assert.equal(keepsNestedRoot(el({ id: "x" }), el({ id: "x" })), false, "not a view root");
  });
});
