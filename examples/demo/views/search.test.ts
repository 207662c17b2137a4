// The demo's search page (cached pure events), tested with weft-live/testing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mountView } from "../../../src/testing/index.ts";
import { cacheTable } from "../../../src/server/event-cache.ts";
import { Search } from "./search.ts";

describe("demo: Search", () => {
  it("filters by the typed query and the tab, and lists both events as cacheable", async () => {
    const v = await mountView(Search);
    assert.equal(v.text("#count"), "49 matches");
    await v.input("#q", "berry");
    assert.equal(v.text("#count"), "4 matches");
    await v.click("button[weft-value-kind=nut]");
    assert.equal(v.text("#count"), "0 matches");
    await v.input("#q", "nut");
    assert.equal(v.text("#results"), "chestnuthazelnutpeanutwalnut");
    assert.equal(v.attr("button[weft-value-kind=nut]", "aria-pressed"), "true");
    await v.input("#q", "an");
    assert.equal(v.text("#count"), "2 matches", "peanut, pecan");
    await v.click("button[weft-value-kind=fruit]");
    assert.equal(v.text("#results"), "bananamangoorange");
    assert.deepEqual(cacheTable(Search as never), { search: [300_000, ["q"]], tab: [300_000, ["kind"]] });
  });

  it("treats an unknown tab as all and clips a long query", async () => {
    const v = await mountView(Search);
    await v.event("tab", { kind: "constructor" });
    assert.equal(v.attr("button[weft-value-kind=all]", "aria-pressed"), "true");
    await v.event("search", { q: "x".repeat(500) });
    assert.equal(v.attr("#q", "value")?.length, 40);
  });
});
