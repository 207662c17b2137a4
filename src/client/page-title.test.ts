import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { applyTitle } from "./page-title.ts";

/** An element whose ancestors hold a view root when `nested`. */
function root(nested: boolean): Element {
  const outer = nested ? ({ tagName: "DIV" } as unknown as Element) : null;
  const parent = { closest: (sel: string) => (sel === "[weft-view]" ? outer : null) };
  return { parentElement: parent } as unknown as Element;
}

const g = globalThis as unknown as { document?: { title: string } };

describe("client page title", () => {
  afterEach(() => {
    delete g.document;
  });

  it("sets document.title from the page's outermost view root", () => {
    g.document = { title: "before" };
    applyTitle(root(false), "Inbox (2)");
    assert.equal(g.document.title, "Inbox (2)");
  });

  it("leaves document.title alone for a view nested in another view's root", () => {
    g.document = { title: "parent's" };
    applyTitle(root(true), "child's");
    assert.equal(g.document.title, "parent's");
  });
});
