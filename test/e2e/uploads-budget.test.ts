/**
 * Upload budgets in Chromium, on every transport: a file picked and not sent
 * (no autoUpload, its form not submitted) holds none of the node's budget, so
 * another page uploads beside it; a file whose first chunk finds the node's
 * budget taken fails with E_UPLOAD_BUDGET (the page shows it, `weft:error`,
 * its submit goes on); and files consumed in a background task
 * (`ctx.startAsync`, outside any handler) leave the page at once and give the
 * budget back.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { defineView, html, type Uploads } from "../../src/index.ts";
import { browserSkipReason, e2eApp } from "../support/browser.ts";
import { keepIn } from "../support/uploads.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 60_000 };
const SIZE = 300_000;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const png = (n: number): Buffer => Buffer.concat([PNG, randomBytes(n - PNG.length)]);

/** What the handlers and tasks consumed, by file name. */
const got = new Map<string, Buffer>();

interface State {
  uploads: Uploads<"files">;
  saved: string[];
}

/** One upload `files`; Save consumes in the handler, Archive in a background task that goes on afterwards. */
function view(autoUpload: boolean) {
  return defineView<State>({
    uploads: { files: { accept: [".png"], maxBytes: 1_000_000, maxFiles: 2, chunkBytes: 65_536, autoUpload } },
    mount: () => ({ uploads: {} as Uploads<"files">, saved: [] }),
    events: {
      save: async (s, _p, ctx) => {
        const saved = await ctx.consumeUploads("files", keepIn(got));
        return { ...s, saved: [...s.saved, ...saved] };
      },
      archive: (s, _p, ctx) => {
        ctx.startAsync("archive", async ({ signal }) => {
          const names = await ctx.consumeUploads("files", keepIn(got));
          // Still running after the consume: the page must not wait for the task's end to see the entries go.
          await new Promise((done) => signal.addEventListener("abort", done, { once: true }));
          return names;
        });
        return s;
      },
    },
    render: (s) => html`<form weft-submit="save">
      <label>Files <input type="file" id="files" weft-upload="files" multiple></label>
      <ul id="entries">${s.uploads.files.entries.map((e) => html`<li data-name=${e.name} data-done=${String(e.done)} data-errors=${e.errors.join(",")}>${e.name}</li>`)}</ul>
      <button id="save">Save</button>
    </form><button type="button" id="archive" weft-click="archive">Archive</button><p id="saved">${s.saved.join(",")}</p>`,
  });
}

const uploadDir = mkdtempSync(join(tmpdir(), "weft-e2e-budget-"));
const views = { "/auto": view(true), "/manual": view(false) };

async function watch(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { errs: string[] };
    w.errs = [];
    document.addEventListener("weft:error", (e) => w.errs.push((e as CustomEvent<{ code: string }>).detail.code));
  });
}

for (const transport of TRANSPORTS) {
  describe(`upload budgets in Chromium over ${transport}`, { skip }, () => {
    // The node holds one 300 KB file at a time.
    const fx = e2eApp({ weft: { views, secret: "uploads-budget-e2e-secret-0123456789", uploadDir, uploadBudget: { perNode: 400_000 } }, wait: WAIT, warmClient: true });
    const open = (path: string) => fx.open(transport, path, { setup: watch });

    it("a file picked and not sent holds none of the node's budget; a first chunk past it fails E_UPLOAD_BUDGET; a background task's consume frees it and the page sees the entry go", T, async () => {
      got.clear();
      const [a, b, c] = [png(SIZE), png(SIZE), png(SIZE)];
      // A picks a file and does not submit: declared, nothing sent.
      const pa = await open("/manual");
      await pa.setInputFiles("#files", [{ name: "a.png", mimeType: "image/png", buffer: a }]);
      await pa.waitForSelector('#entries li[data-name="a.png"][data-errors=""]');
      // B uploads and saves beside it.
      const pb = await open("/manual");
      await pb.setInputFiles("#files", [{ name: "b.png", mimeType: "image/png", buffer: b }]);
      await pb.click("#save");
      await pb.waitForFunction(() => document.getElementById("saved")!.textContent === "b.png");
      assert.ok(got.get("b.png")?.equals(b), "b.png saved byte for byte");
      // C uploads and keeps its file: the node's budget is taken.
      const pc = await open("/auto");
      await pc.setInputFiles("#files", [{ name: "c.png", mimeType: "image/png", buffer: c }]);
      await pc.waitForSelector('#entries li[data-name="c.png"][data-done="true"]');
      // A submits now: its first chunk is refused, the page shows why, the submit goes on without the file.
      await pa.click("#save");
      await pa.waitForSelector('#entries li[data-name="a.png"][data-errors="E_UPLOAD_BUDGET"]');
      await pa.waitForFunction(() => (window as unknown as { errs: string[] }).errs.includes("E_UPLOAD_BUDGET"));
      assert.equal(got.has("a.png"), false);
      // C archives in a background task that is still running: its entry leaves the page.
      await pc.click("#archive");
      await pc.waitForSelector("#entries li", { state: "detached" });
      assert.ok(got.get("c.png")?.equals(c), "c.png consumed byte for byte");
      // The budget is back: A's file, picked again on a new page, uploads and is saved.
      const pa2 = await open("/manual");
      await pa2.setInputFiles("#files", [{ name: "a.png", mimeType: "image/png", buffer: a }]);
      await pa2.click("#save");
      await pa2.waitForFunction(() => document.getElementById("saved")!.textContent === "a.png");
      assert.ok(got.get("a.png")?.equals(a), "a.png saved byte for byte");
      for (const p of [pa, pb, pc, pa2]) await p.close();
    });
  });
}
