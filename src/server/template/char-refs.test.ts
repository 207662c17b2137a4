import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeAttribute } from "./char-refs.ts";

describe("decodeAttribute", () => {
  it("decodes numeric references with and without `;`, as a browser does in an attribute", () => {
    assert.equal(decodeAttribute("jav&#97;script&#x3A;"), "javascript:");
    assert.equal(decodeAttribute("&#x6A;&#106&#0000000106;"), "jjj");
    assert.equal(decodeAttribute("&#0;&#xD800;&#x110000;"), "\ufffd\ufffd\ufffd");
  });

  it("decodes the named references that give ASCII, &fjlig; included", () => {
    assert.equal(decodeAttribute("javascript&colon;&Tab;&NewLine;&sol;&quest;&num;&fjlig;"), "javascript:\t\n/?#fj");
  });

  it("decodes legacy names without `;` except before `=` or an alphanumeric", () => {
    assert.equal(decodeAttribute("&amp&lt;&gt&QUOT"), `&<>"`);
    assert.equal(decodeAttribute("&ampx&amp=&lt1"), "&ampx&amp=&lt1");
  });

  it("leaves references that give no ASCII, and lone ampersands, as written", () => {
    for (const s of ["&copy;", "&", "&#", "&#x;", "&colon", "a & b", "&unknown;"]) assert.equal(decodeAttribute(s), s);
  });
});
