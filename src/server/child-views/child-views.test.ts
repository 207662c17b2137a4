import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { html } from "../template/html.ts";
import { defineView } from "../view.ts";
import { renderView } from "../render-view.ts";
import { ChildViewError, liveView, type LiveViewRef } from "./live-view.ts";
import { ChildScope, type ChildEntry, type ChildMinter, type ChildParent } from "./scope.ts";

const Child = defineView({ mount: () => ({}), render: () => html`<p>child</p>` });
const Other = defineView({ mount: () => ({}), render: () => html`<p>other</p>` });

/** A minter that hands out numbered sessions and records endings. */
function minter() {
  const ended: [string, boolean][] = [];
  let n = 0;
  const m: ChildMinter & { pathOf(ref: LiveViewRef): string } = {
    pathOf: (ref) => (ref.view === Child ? "/child" : ref.view === Other ? "/other" : (() => { throw new ChildViewError("unregistered"); })()),
    mint: (_p, ref): ChildEntry => ({ id: ref.id, sid: `s${++n}`, path: m.pathOf(ref), token: `t${n}` }),
    end: (e, committed) => { ended.push([e.sid, committed]); },
  };
  return { m, ended };
}

function parent(m: ChildMinter): ChildParent {
  return { sid: "p", path: "/p", ctx: { session: {} }, children: undefined, childHub: m };
}

describe("liveView", () => {
  it("refuses a bad id, a bad session and a non-view with a ChildViewError", () => {
    assert.throws(() => liveView(Child, { id: "" }), ChildViewError);
    assert.throws(() => liveView(Child, { id: "1abc" }), /`id` must be a letter/);
    assert.throws(() => liveView(Child, { id: "a\"b" }), ChildViewError);
    assert.throws(() => liveView(Child, { id: "x".repeat(65) }), ChildViewError);
    assert.throws(() => liveView(Child, { id: "ok", session: [] as never }), /plain object/);
    assert.throws(() => liveView({} as never, { id: "ok" }), /defineView/);
    assert.throws(() => liveView(Child, undefined as never), ChildViewError);
  });

  it("fails loudly in an attribute instead of printing [object Object]", () => {
    const P = defineView({ mount: () => ({}), render: () => html`<p title=${liveView(Child, { id: "c" }) as never}></p>` });
    const { m } = minter();
    assert.throws(() => renderView(P, {}, "/p", parent(m)), /text position/);
  });
});

describe("a parent's child table", () => {
  const view = (ids: [string, typeof Child][]) => defineView<unknown>({ mount: () => ({}), render: () => html`<div>${ids.map(([id, v]) => html`<section>${liveView(v, { id })}</section>`)}</div>` });

  it("keeps a child across renders, ends the ones a render drops, and mints anew for another view under the same id", () => {
    const { m, ended } = minter();
    const p = parent(m);
    const first = JSON.stringify(renderView(view([["a", Child], ["b", Child]]), {}, "/p", p));
    assert.match(first, /id=\\"a\\" weft-view=\\"\/child\\" weft-token=\\"t1\\"/);
    assert.equal(JSON.stringify(renderView(view([["a", Child], ["b", Child]]), {}, "/p", p)), first, "same children, same HTML");
    renderView(view([["a", Child]]), {}, "/p", p);
    assert.deepEqual(ended, [["s2", true]]);
    renderView(view([["a", Other]]), {}, "/p", p);
    assert.deepEqual(ended, [["s2", true], ["s1", true]]);
    assert.deepEqual(p.children!.records().map((r) => [r.id, r.sid, r.path]), [["a", "s3", "/other"]]);
  });

  it("fails a render with duplicate ids, naming each once, and leaves the table as it was", () => {
    const { m, ended } = minter();
    const p = parent(m);
    renderView(view([["a", Child]]), {}, "/p", p);
    assert.throws(() => renderView(view([["a", Child], ["n", Child], ["a", Child], ["n", Child], ["a", Child]]), {}, "/p", p), (err: Error) => {
      assert.ok(err instanceof ChildViewError);
      assert.match(err.message, /with the id "a", "n"; each child's id must be unique/);
      return true;
    });
    // "n" was minted by the failed render: forgotten, never committed; "a" stays.
    assert.deepEqual(ended, [["s2", false]]);
    assert.deepEqual(p.children!.records().map((r) => r.sid), ["s1"]);
  });

  it("restores a table from records and ends every child with endAll", () => {
    const { m, ended } = minter();
    const scope = new ChildScope(m, [{ id: "a", sid: "x1", path: "/child", token: "tk" }]);
    const p = { ...parent(m), children: scope };
    assert.match(JSON.stringify(renderView(view([["a", Child]]), {}, "/p", p)), /weft-token=\\"tk\\"/);
    scope.endAll();
    assert.deepEqual(ended, [["x1", true]]);
  });

  it("refuses a liveView rendered with no parent (the test kit)", () => {
    assert.throws(() => renderView(view([["a", Child]]), {}, "/p"), /outside a live view/);
  });
});
