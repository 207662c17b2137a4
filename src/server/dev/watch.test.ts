import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { watchFiles } from "./watch.ts";

/** Waits until `cond` holds (bounded). */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("file watching for hot reload", () => {
  it("debounces a burst of writes into one batch, sees new sub-folders, and ignores editor and dot files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-watch-"));
    const batches: string[][] = [];
    const w = watchFiles([dir], 60, (files) => batches.push(files.sort()), (err) => assert.fail(String(err)));
    try {
      await new Promise((r) => setTimeout(r, 100)); // the recursive watch is set up asynchronously
      for (let i = 0; i < 5; i++) writeFileSync(join(dir, "a.ts"), `export const a = ${i};\n`);
      writeFileSync(join(dir, "a.ts~"), "");
      writeFileSync(join(dir, ".a.ts.swp"), "");
      await until(() => batches.length >= 1);
      assert.deepEqual(batches[0], [join(dir, "a.ts")]);
      mkdirSync(join(dir, "sub"));
      await new Promise((r) => setTimeout(r, 100));
      writeFileSync(join(dir, "sub", "b.css"), "p{}");
      await until(() => batches.some((b) => b.includes(join(dir, "sub", "b.css"))));
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("watches a single file through its folder (an editor that replaces the file is still seen)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-watch-"));
    const file = join(dir, "app.css");
    writeFileSync(file, "p{}");
    const batches: string[][] = [];
    const w = watchFiles([file], 20, (files) => batches.push(files), () => {});
    try {
      writeFileSync(join(dir, "other.css"), "x");
      writeFileSync(file + ".new", "p{color:red}");
      rmSync(file);
      writeFileSync(file, "p{color:red}");
      await until(() => batches.length >= 1);
      assert.ok(batches.flat().every((f) => f === file), "only the watched file");
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
