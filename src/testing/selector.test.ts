import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { descendants, parseHtml, textOf } from "./dom.ts";
import { selectAll } from "./selector.ts";
import { WeftTestError } from "./test-error.ts";

const page = parseHtml(`<!doctype html><main id="m" class="a b">
  <ul class="list"><li class="x">one</li><li class="x done" data-id="2">two</li></ul>
  <section><div><li class="x">deep</li></div></section>
  <input name="q" value='it&#39;s'><br><img alt="a > b">
  <script>if (a < b && "</li>") {}</script>
  <textarea name="t">&lt;b&gt;</textarea><!-- <li>commented</li> -->
  <p>Tom &amp; Jerry &lt;3 &#x41;</p><svg><path d="M0"/></svg><em>after</em>
</main>`);

const texts = (sel: string): string[] => selectAll(page, sel).map((e) => textOf(e));

describe("selectors", () => {
  it("match by tag, id, class, attribute presence and value, and compounds", () => {
    assert.deepEqual(texts("li"), ["one", "two", "deep"]);
    assert.equal(selectAll(page, "#m").length, 1);
    assert.equal(selectAll(page, "main.a.b").length, 1);
    assert.deepEqual(texts("li.done"), ["two"]);
    assert.deepEqual(texts("[data-id]"), ["two"]);
    assert.deepEqual(texts('li[data-id="2"]'), ["two"]);
    assert.deepEqual(texts("li[data-id=2]"), ["two"]);
    assert.equal(selectAll(page, "input[value=\"it's\"]").length, 1);
  });

  it("tell the child combinator from the descendant one", () => {
    assert.deepEqual(texts("ul > li"), ["one", "two"]);
    assert.deepEqual(texts("main li"), ["one", "two", "deep"]);
    assert.deepEqual(texts("main > li"), []);
    assert.deepEqual(texts("section li"), ["deep"]);
  });

  it("take comma lists in document order", () => {
    assert.deepEqual(texts("em, li.done"), ["two", "after"]);
  });

  it("refuse what is outside the subset with E_TEST_SELECTOR", () => {
    for (const bad of ["li:first-child", "a + b", "a ~ b", "[x^=y]", "> li", "li >", "li,", "", "::before"]) {
      assert.throws(() => selectAll(page, bad), (e: unknown) => e instanceof WeftTestError && e.code === "E_TEST_SELECTOR", bad);
    }
  });
});

describe("parseHtml", () => {
  it("decodes character references in text and attributes", () => {
    assert.equal(texts("p")[0], "Tom & Jerry <3 A");
    assert.equal(selectAll(page, "img")[0]!.attrs.get("alt"), "a > b");
    assert.equal(texts("textarea")[0], "<b>");
  });

  it("reads script bodies as text, skips comments, and closes void and self-closed elements", () => {
    assert.equal(selectAll(page, "li").length, 3); // neither the script's "</li>" nor the comment's <li>
    assert.match(texts("script")[0]!, /"<\/li>"/);
    assert.equal(selectAll(page, "main > em").length, 1); // <input>, <br>, <img>, <path/> closed themselves
  });

  it("never throws on broken HTML", () => {
    for (const junk of ["<", "<div", "<a href='x", "</p></p><b>", "<!--", "<x y=>", "<<<>>>", "<script>"]) {
      const root = parseHtml(junk);
      assert.ok([...descendants(root)].length >= 0);
    }
  });
});
