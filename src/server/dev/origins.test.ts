import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { defineComponent } from "../components/define.ts";
import { html } from "../template/html.ts";
import { defineView } from "../view.ts";
import { callerFile, isDefinition, latest, originOf, sameLineage, succeed } from "./origins.ts";

const OWN = fileURLToPath(new URL("../view.ts", import.meta.url));

describe("definition origins", () => {
  it("finds the first frame outside Weft's server folder, as a path without a reload's query", () => {
    const stack = ["Error", `    at noteOrigin (${OWN}:1:1)`, `    at defineView (file://${OWN}:2:2)`, "    at node:internal/modules/esm:3:3",
      "    at file:///app/views/counter.ts?weft-hot=4:3:17", "    at /app/other.ts:1:1"].join("\n");
    assert.equal(callerFile(stack), "/app/views/counter.ts");
    assert.equal(callerFile(["Error", "    at Module.load (/app/x.ts:5:1)"].join("\n")), "/app/x.ts");
    assert.equal(callerFile("Error\n    at <anonymous>\n    at node:internal/x:1:1"), undefined);
  });

  it("notes each view and component with the module that defined it", () => {
    const V = defineView({ mount: () => ({}), render: () => html`<p></p>` });
    const C = defineComponent({ mount: () => ({}), render: () => html`<p></p>` });
    assert.ok(isDefinition(V) && isDefinition(C));
    assert.ok(!isDefinition({}) && !isDefinition(null));
    // Defined in Weft's own folder (this file): its frames are skipped like Weft's, so it is not an app module.
    assert.notEqual(originOf(V), fileURLToPath(import.meta.url));
  });

  it("follows a definition's successors to the newest, and tells a lineage from a stranger", () => {
    const a = {}, b = {}, c = {}, d = {};
    succeed(a, b);
    succeed(b, c);
    assert.equal(latest(a), c);
    assert.equal(latest(c), c);
    assert.ok(sameLineage(a, c) && sameLineage(b, c));
    assert.ok(!sameLineage(c, a), "not backwards");
    assert.ok(!sameLineage(a, d));
    succeed(d, d);
    assert.equal(latest(d), d, "a definition never succeeds itself");
  });
});
