import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defineView, html } from "../../index.ts";
import { checkUploads, resolveUpload, resolveUploadOptions, uploadConfig } from "./config.ts";
import { cleanName } from "./session-uploads.ts";

describe("upload options", () => {
  it("resolves an upload over its defaults and gives the page its settings", () => {
    const r = resolveUpload({ accept: [".png"] });
    assert.deepEqual({ ...r }, { accept: [".png"], maxBytes: 8_000_000, maxFiles: 1, chunkBytes: 524_288, autoUpload: false });
    assert.deepEqual(uploadConfig(resolveUpload({ accept: ["image/*"], maxBytes: 10, maxFiles: 2, chunkBytes: 2048, autoUpload: true })), [2048, 1, 10, 2, ["image/*"]]);
  });

  it("refuses a view whose uploads are malformed, naming the upload and the right call", () => {
    const bad: [unknown, RegExp][] = [
      [[], /`uploads` must be an object/],
      [{ avatar: { maxBytes: 10 } }, /uploads\.avatar\.accept must be a non-empty list/],
      [{ avatar: { accept: ["png"] } }, /accept must be/],
      [{ avatar: { accept: [".png"], chunkBytes: 2 * 1024 * 1024 } }, /chunkBytes must be a whole number from 1024 to 1048576/],
      [{ avatar: { accept: [".png"], maxFiles: 0 } }, /maxFiles/],
      [{ avatar: { accept: [".png"], maxBytes: 1.5 } }, /maxBytes/],
      [{ avatar: { accept: [".png"], autoUpload: "yes" } }, /autoUpload must be true or false/],
      [{ avatar: { accept: [".png"], maxbytes: 10 } }, /unknown key `maxbytes`/],
      [{ "bad name": { accept: [".png"] } }, /upload name "bad name"/],
    ];
    for (const [uploads, re] of bad) assert.throws(() => checkUploads("defineView", uploads), re, JSON.stringify(uploads));
    assert.throws(() => defineView({ uploads: { a: { accept: [] } }, mount: () => ({}), render: () => html`` }), /defineView: uploads\.a\.accept/);
    assert.doesNotThrow(() => defineView({ uploads: { a: { accept: [".png"], maxBytes: 10 } }, mount: () => ({}), render: () => html`` }));
  });

  it("resolves the app's upload options and refuses bad ones", () => {
    const r = resolveUploadOptions({}, "/tmp/x");
    assert.deepEqual(r, { uploadDir: "/tmp/x", uploadBudget: { perSession: 256_000_000, perNode: 4_000_000_000 }, uploadIdleMs: 60_000, uploadKeepMs: 600_000 });
    assert.equal(resolveUploadOptions({ uploadBudget: { perNode: 10 } }, "/d").uploadBudget.perNode, 10);
    assert.throws(() => resolveUploadOptions({ uploadBudget: { perSesion: 1 } }, "/d"), /uploadBudget/);
    assert.throws(() => resolveUploadOptions({ uploadBudget: { perSession: 0 } }, "/d"), /perSession/);
    assert.throws(() => resolveUploadOptions({ uploadIdleMs: 0 }, "/d"), /uploadIdleMs/);
    assert.throws(() => resolveUploadOptions({ uploadKeepMs: -1 }, "/d"), /uploadKeepMs/);
    assert.equal(resolveUploadOptions({ uploadKeepMs: 5000 }, "/d").uploadKeepMs, 5000);
    assert.throws(() => resolveUploadOptions({ uploadDir: "" }, "/d"), /uploadDir/);
  });

  it("cleans a file name for display: control and bidi characters out, 255 characters at most", () => {
    assert.equal(cleanName("a\u0000b\u001b[1m\u202e.txt\r\n"), "ab[1m.txt");
    assert.equal(cleanName("x".repeat(300)).length, 255);
    assert.equal(cleanName("😀".repeat(300)), "😀".repeat(255));
  });

  it("keeps only the part of a name after its last / or \\ (browsers send no paths)", () => {
    assert.equal(cleanName("../../etc/passwd.txt"), "passwd.txt");
    assert.equal(cleanName("..\\..\\win\\a.png"), "a.png");
    assert.equal(cleanName("a\\b/c\u0000.txt"), "c.txt");
    assert.equal(cleanName("dir/"), "");
  });
});
