import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { applyTitle, forgetTitleDress, titleDress } from "./page-title.ts";

/** An element whose ancestors hold a view root when `nested`. */
function root(nested: boolean): Element {
  const outer = nested ? ({ tagName: "DIV" } as unknown as Element) : null;
  const parent = { closest: (sel: string) => (sel === "[weft-view]" ? outer : null) };
  return { parentElement: parent } as unknown as Element;
}

const g = globalThis as unknown as { document?: { title: string; querySelector: (sel: string) => unknown } };

/** A document served with `title`, its script tag naming the view's own title `own` (none when undefined). */
function page(title: string, own?: string): { title: string; querySelector: (sel: string) => unknown } {
  return { title, querySelector: (sel) => (sel === "script[data-title]" && own !== undefined ? { dataset: { title: own } } : null) };
}

describe("client page title", () => {
  afterEach(() => {
    delete g.document;
    forgetTitleDress();
  });

  it("sets document.title from the page's outermost view root", () => {
    g.document = page("before", "before");
    applyTitle(root(false), "Inbox (2)");
    assert.equal(g.document.title, "Inbox (2)");
  });

  it("leaves document.title alone for a view nested in another view's root", () => {
    g.document = page("parent's", "parent's");
    applyTitle(root(true), "child's");
    assert.equal(g.document.title, "parent's");
  });

  it("keeps what the layout put around the view's title, for every later title", () => {
    g.document = page("Acme — Inbox · 2026", "Inbox");
    applyTitle(root(false), "Inbox (3)");
    assert.equal(g.document.title, "Acme — Inbox (3) · 2026");
    applyTitle(root(false), "Settings");
    assert.equal(g.document.title, "Acme — Settings · 2026");
  });

  it("sets the title bare when the served title does not hold the view's", () => {
    g.document = page("Something else", "Inbox");
    applyTitle(root(false), "Inbox (3)");
    assert.equal(g.document.title, "Inbox (3)");
  });

  it("finds the dress around an empty view title, and none without a script tag", () => {
    assert.deepEqual(titleDress(" · Acme", ""), ["", " · Acme"]);
    assert.deepEqual(titleDress("Inbox · Acme", undefined), ["", ""]);
  });
});
