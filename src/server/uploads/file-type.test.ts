import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { accepts, extensionOf, sniff, validAcceptEntry } from "./file-type.ts";

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]);

describe("upload file types", () => {
  it("reads a name's extension, lower case, without a leading-dot name", () => {
    assert.equal(extensionOf("Me.PNG"), "png");
    assert.equal(extensionOf(".bashrc"), "");
    assert.equal(extensionOf("archive.tar.gz"), "gz");
    assert.equal(extensionOf("noext"), "");
    assert.equal(extensionOf("trailing."), "");
  });

  it("takes a file only when its name and its declared type fit one accept entry", () => {
    assert.equal(accepts([".png"], "me.png", "image/png"), true);
    assert.equal(accepts([".png"], "me.png", ""), true);
    assert.equal(accepts([".png"], "me.png", "text/html"), false);
    assert.equal(accepts([".png"], "me.jpg", "image/png"), false);
    assert.equal(accepts(["image/jpeg"], "me.jpg", "image/jpeg"), true);
    assert.equal(accepts(["image/jpeg"], "me.html", "image/jpeg"), false);
    assert.equal(accepts(["image/jpeg"], "me", "image/jpeg"), false);
    assert.equal(accepts(["image/*"], "me.webp", "image/webp"), true);
    assert.equal(accepts(["image/*"], "me.pdf", "image/png"), false);
    assert.equal(accepts([".bin", "application/octet-stream"], "data.bin", "application/octet-stream"), true);
    assert.equal(accepts([".PNG"], "ME.png", "IMAGE/PNG"), true);
  });

  it("checks the first bytes against the signatures the name and the declared type imply", () => {
    assert.equal(sniff("me.png", "image/png", PNG), true);
    assert.equal(sniff("me.png", "image/png", JPEG), false);
    assert.equal(sniff("me.png", "", JPEG), false);
    assert.equal(sniff("me.jpg", "image/jpeg", JPEG), true);
    assert.equal(sniff("notes.txt", "text/plain", JPEG), true);
    assert.equal(sniff("me.png", "image/png", PNG.subarray(0, 3)), false);
    assert.equal(sniff("a.webp", "image/webp", Uint8Array.from([..."RIFF"].map((c) => c.charCodeAt(0)).concat([1, 2, 3, 4], [..."WEBP"].map((c) => c.charCodeAt(0))))), true);
  });

  it("knows a well-formed accept entry", () => {
    for (const ok of [".png", "image/png", "image/*", "application/vnd.ms-excel"]) assert.equal(validAcceptEntry(ok), true, ok);
    for (const bad of ["png", "*/*", "image/", "", 5, ".a/b", "image/png; q=1"]) assert.equal(validAcceptEntry(bad), false, String(bad));
  });
});
