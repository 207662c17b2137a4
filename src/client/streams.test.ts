import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StreamOp } from "../protocol/messages.ts";
import { morphExts } from "./dom-patch.ts";
import { applyStreams } from "./streams.ts";

/**
 * Just enough of an element for applyStreams, without a DOM: children are a
 * live array (as an HTMLCollection is), innerHTML parses `<tag id="x">text</tag>`.
 */
class El {
  id = "";
  text = "";
  parentElement: El | null = null;
  readonly children: El[] = [];
  constructor(readonly tag: string, readonly attrs: Record<string, string> = {}) {}
  getAttribute(n: string): string | null { return this.attrs[n] ?? null; }
  hasAttribute(n: string): boolean { return n in this.attrs; }
  querySelectorAll(sel: string): El[] {
    const name = sel === "*" ? undefined : /^\[([\w-]+)\]$/.exec(sel)![1]!;
    const out: El[] = [];
    const walk = (e: El): void => { for (const c of e.children) { if (name === undefined || c.hasAttribute(name)) out.push(c); walk(c); } };
    walk(this);
    return out;
  }
  closest(sel: string): El | null {
    const name = /^\[([\w-]+)\]$/.exec(sel)![1]!;
    return this.hasAttribute(name) ? this : (this.parentElement?.closest(sel) ?? null);
  }
  append(...els: El[]): this { for (const e of els) this.insertBefore(e, null); return this; }
  insertBefore(e: El, ref: El | null): void {
    e.remove();
    e.parentElement = this;
    this.children.splice(ref === null ? this.children.length : this.children.indexOf(ref), 0, e);
  }
  remove(): void {
    const p = this.parentElement;
    if (p !== null) p.children.splice(p.children.indexOf(this), 1);
    this.parentElement = null;
  }
  replaceChildren(): void { for (const c of [...this.children]) c.remove(); }
  cloneNode(): El { return new El(this.tag, { ...this.attrs }); }
  set innerHTML(html: string) {
    this.replaceChildren();
    const m = /^<(\w+) id="([^"]*)">(.*)<\/\1>$/.exec(html);
    if (m === null) return;
    const e = new El(m[1]!);
    e.id = m[2]!;
    e.text = m[3]!;
    this.append(e);
  }
  get firstElementChild(): El | null { return this.children[0] ?? null; }
}

/** A view root holding a stream container "rows", and a nested view with a container of the same name. */
function page(): { root: El; box: El; nestedBox: El } {
  const root = new El("div", { "weft-view": "/feed" });
  const box = new El("ul", { "weft-stream": "rows" });
  const nested = new El("div", { "weft-view": "/child" });
  const nestedBox = new El("ul", { "weft-stream": "rows" });
  root.append(box, nested.append(nestedBox));
  return { root, box, nestedBox };
}

const li = (id: string, text = id): string => `<li id="${id}">${text}</li>`;
const morphs: [string, string][] = [];
const morph = (from: Element, to: Element): void => {
  morphs.push([from.id, (to as unknown as El).text]);
  (from as unknown as El).text = (to as unknown as El).text;
};
const apply = (root: El, ops: StreamOp[]): void => applyStreams(root as unknown as Element, ops, morph);
const ids = (box: El): string[] => box.children.map((c) => c.id);

describe("client streams", () => {
  it("inserts at the end, the start and an index, and past the end at the end", () => {
    const { root, box } = page();
    apply(root, [["rows", "a", -1, li("a")], ["rows", "b", -1, li("b")], ["rows", "c", 0, li("c")], ["rows", "d", 1, li("d")], ["rows", "e", 2 ** 31 - 1, li("e")]]);
    assert.deepEqual(ids(box), ["c", "d", "a", "b", "e"]);
  });

  it("updates an item whose dom id is there in place (morphed, not moved), so the last of a batch wins", () => {
    const { root, box } = page();
    morphs.length = 0;
    apply(root, [["rows", "a", -1, li("a")], ["rows", "b", -1, li("b")], ["rows", "a", 0, li("a", "first")], ["rows", "a", 0, li("a", "last")]]);
    assert.deepEqual(ids(box), ["a", "b"]);
    assert.equal(box.children[0]!.text, "last");
    assert.deepEqual(morphs, [["a", "first"], ["a", "last"]]);
  });

  it("deletes by dom id, prunes beyond a limit (positive from the end, negative from the start) and resets", () => {
    const { root, box } = page();
    apply(root, [["rows", "a", -1, li("a")], ["rows", "b", -1, li("b")], ["rows", "c", -1, li("c")], ["rows", "b"], ["rows", "gone"]]);
    assert.deepEqual(ids(box), ["a", "c"]);
    apply(root, [["rows", "d", -1, li("d"), -2]]);
    assert.deepEqual(ids(box), ["c", "d"]);
    apply(root, [["rows", "e", 0, li("e"), 2]]);
    assert.deepEqual(ids(box), ["e", "c"]);
    apply(root, [["rows"], ["rows", "f", -1, li("f")]]);
    assert.deepEqual(ids(box), ["f"]);
  });

  it("leaves a nested view's container of the same name, and skips a stream that is not on the page", () => {
    const { root, box, nestedBox } = page();
    apply(root, [["rows", "a", -1, li("a")], ["other", "x", -1, li("x")]]);
    assert.deepEqual(ids(box), ["a"]);
    assert.deepEqual(ids(nestedBox), []);
  });

  it("shows the morph's extensions each new item, not the items of a frame that resets the stream nor one updated in place", () => {
    const { root } = page();
    const added: string[] = [];
    const ext = { added: (el: Element) => void added.push(el.id) };
    morphExts.push(ext);
    try {
      apply(root, [["rows", "a", -1, li("a")], ["rows", "b", -1, li("b")]]);
      assert.deepEqual(added, ["a", "b"]);
      // A full render's refill: the reset removes a and b, which come back with c.
      apply(root, [["rows"], ["rows", "a", -1, li("a")], ["rows", "b", -1, li("b")], ["rows", "c", -1, li("c")]]);
      apply(root, [["rows", "c", -1, li("c", "c2")], ["rows", "d", 0, li("d")]]);
      assert.deepEqual(added, ["a", "b", "d"]);
    } finally {
      morphExts.splice(morphExts.indexOf(ext), 1);
    }
  });
});
