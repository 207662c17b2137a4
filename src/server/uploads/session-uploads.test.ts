import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { until } from "../../../test/support/until.ts";
import { UploadNode } from "./node.ts";
import { SessionUploads } from "./session-uploads.ts";
import type { Uploads } from "./types.ts";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3, 4]);
const REF = (n: number) => `ref-${String(n).padStart(12, "0")}`;

function make(o: { perSession?: number; perNode?: number; idleMs?: number; keepMs?: number; prior?: unknown; dir?: string } = {}) {
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), "weft-su-"));
  dirs.push(dir);
  const errors: unknown[] = [];
  const node = new UploadNode({ dir, perSession: o.perSession ?? 1e9, perNode: o.perNode ?? 1e9, idleMs: o.idleMs ?? 60_000, keepMs: o.keepMs, onError: (e) => errors.push(e) });
  let refreshes = 0;
  const u = new SessionUploads(node, { pic: { accept: [".png"], maxBytes: 100, maxFiles: 2, chunkBytes: 1024, autoUpload: true }, doc: { accept: [".txt"], maxBytes: 10_000, maxFiles: 5 } }, o.prior, (run) => {
    refreshes++;
    run();
  });
  const state = () => (u.overlay({ uploads: {} }) as { uploads: Uploads }).uploads;
  const files = () => (existsSync(dir) ? readdirSync(dir) : []);
  return { u, node, dir, errors, state, files, refreshes: () => refreshes };
}

describe("a session's uploads", () => {
  it("overlays state.uploads with every declared upload, and leaves non-object states alone", () => {
    const { u, state } = make();
    assert.deepEqual(state(), { pic: { entries: [], errors: [] }, doc: { entries: [], errors: [] } });
    assert.equal(u.overlay(5), 5);
    assert.deepEqual(u.configs.pic, [1024, 1, 100, 2, [".png"]]);
  });

  it("writes chunks in order to a random-named temp file, skips bytes sent twice, and finishes the entry", async () => {
    const { u, state, files, dir } = make();
    u.declare("pic", [[REF(1), "a.png", "image/png", 16]]);
    assert.deepEqual(await u.chunk(REF(1), 0, PNG.subarray(0, 10)), { o: 10 });
    assert.deepEqual(await u.chunk(REF(1), 0, PNG.subarray(0, 10)), { o: 10 });
    assert.deepEqual(await u.chunk(REF(1), 5, PNG.subarray(5)), { o: 16 });
    const e = state().pic!.entries[0]!;
    assert.deepEqual([e.done, e.progress], [true, 100]);
    assert.deepEqual(readFileSync(join(dir, files()[0]!)), PNG);
    const got = await u.consume("pic", (f) => ({ ...f }));
    assert.equal(got[0]!.name, "a.png");
    assert.ok(got[0]!.path.startsWith(dir));
    assert.deepEqual(state().pic!.entries, []);
    await until(() => files().length === 0);
  });

  it("handles an entry's chunks one after another, in arrival order", async () => {
    const { u } = make();
    u.declare("doc", [[REF(2), "a.txt", "", 3000]]);
    const acks = await Promise.all([0, 1000, 2000].map((at) => u.chunk(REF(2), at, Buffer.alloc(1000, 97))));
    assert.deepEqual(acks, [{ o: 1000 }, { o: 2000 }, { o: 3000 }]);
  });

  it("refuses at declaration what the upload does not accept, and past maxFiles and the budgets", () => {
    const { u, state, node } = make({ perSession: 150, perNode: 1000 });
    u.declare("pic", [[REF(3), "a.jpg", "image/jpeg", 10], [REF(4), "b.png", "image/png", 101], [REF(5), "c.png", "image/png", 90], [REF(6), "d.png", "image/png", 90], [REF(7), "e.png", "image/png", 10], [REF(8), "f.png", "image/png", 10]]);
    assert.deepEqual(state().pic!.entries.map((e) => e.errors), [["E_UPLOAD_TYPE"], ["E_UPLOAD_TOO_LARGE"], [], ["E_UPLOAD_BUDGET"], [], ["E_UPLOAD_FILES"]]);
    assert.deepEqual(state().pic!.errors, ["E_UPLOAD_FILES"]);
    // Declared, not sent: the node's budget is not held yet.
    assert.equal(node.used, 0);
    assert.equal(u.declare("nope", []), "E_UPLOAD_UNKNOWN");
  });

  it("holds the node's budget from an entry's first chunk, not its declaration, and refuses a chunk past it (E_UPLOAD_BUDGET)", async () => {
    const { u, state, node, files } = make({ perNode: 150 });
    u.declare("doc", [[REF(80), "a.txt", "", 100], [REF(81), "b.txt", "", 100]]);
    assert.deepEqual(state().doc!.entries.map((e) => e.errors), [[], []]);
    // Without autoUpload a declared entry waits for its form: no budget, no idle watch.
    assert.deepEqual([node.used, node.watching], [0, 0]);
    assert.deepEqual(await u.chunk(REF(80), 0, Buffer.alloc(10, 97)), { o: 10 });
    assert.equal(node.used, 100);
    assert.deepEqual(await u.chunk(REF(81), 0, Buffer.alloc(10, 97)), { o: 0, c: "E_UPLOAD_BUDGET" });
    assert.deepEqual(state().doc!.entries.map((e) => e.errors), [[], ["E_UPLOAD_BUDGET"]]);
    assert.equal(node.used, 100);
    assert.equal(files().length, 1);
    // What could not fit the node now is refused at its declaration.
    u.declare("doc", [[REF(82), "c.txt", "", 60], [REF(83), "d.txt", "", 50]]);
    assert.deepEqual(state().doc!.entries.slice(2).map((e) => e.errors), [["E_UPLOAD_BUDGET"], []]);
  });

  it("drops a finished file not consumed within keepMs (E_UPLOAD_IDLE): its file and budget go", async () => {
    const { u, state, files, node } = make({ keepMs: 60 });
    u.declare("doc", [[REF(90), "a.txt", "", 10]]);
    await u.chunk(REF(90), 0, Buffer.alloc(10, 97));
    assert.equal(state().doc!.entries[0]!.done, true);
    assert.deepEqual([node.used, files().length, node.watching], [10, 1, 1]);
    await until(() => state().doc!.entries[0]!.errors[0] === "E_UPLOAD_IDLE", 2000, "kept entry dropped");
    assert.equal(state().doc!.entries[0]!.done, false);
    assert.deepEqual([node.used, node.watching], [0, 0]);
    await until(() => files().length === 0);
    assert.deepEqual(await u.consume("doc", (f) => f), []);
  });

  it("does not remove a file while consume's callback runs past keepMs", async () => {
    const { u, node } = make({ keepMs: 40 });
    u.declare("doc", [[REF(95), "a.txt", "", 10]]);
    await u.chunk(REF(95), 0, Buffer.alloc(10, 97));
    const got = await u.consume("doc", async (f) => {
      await new Promise((r) => setTimeout(r, 150));
      return readFileSync(f.path).length;
    });
    assert.deepEqual(got, [10]);
    assert.equal(node.used, 0);
  });

  it("removes the file when consume's callback throws, rethrows, and re-renders the entries without it", async () => {
    const { u, state, files, node, refreshes } = make();
    u.declare("doc", [[REF(96), "a.txt", "", 10], [REF(97), "b.txt", "", 10]]);
    await u.chunk(REF(96), 0, Buffer.alloc(10, 97));
    await u.chunk(REF(97), 0, Buffer.alloc(10, 98));
    const before = refreshes();
    await assert.rejects(u.consume("doc", () => {
      throw new Error("copy failed");
    }), /copy failed/);
    // The first entry went; the second stays done (kept again), for a later consume.
    assert.deepEqual(state().doc!.entries.map((e) => [e.ref, e.done]), [[REF(97), true]]);
    assert.ok(refreshes() > before, "consume re-renders (also outside a handler)");
    assert.equal(node.used, 10);
    assert.equal(node.watching, 1);
    await until(() => files().length === 1);
    assert.deepEqual(await u.consume("doc", (f) => f.name), ["b.txt"]);
    assert.equal(node.used, 0);
  });

  it("gives every budget back on every way out of an entry", async () => {
    const paths: [string, (x: ReturnType<typeof make>) => Promise<unknown>][] = [
      ["cancel mid-upload", async ({ u }) => u.cancel("doc", REF(100))],
      ["cancel when finished", async ({ u }) => { await u.chunk(REF(100), 10, Buffer.alloc(90)); u.cancel("doc", REF(100)); }],
      ["a refused chunk", async ({ u }) => u.chunk(REF(100), 50, Buffer.alloc(10))],
      ["idle", async ({ state }) => until(() => state().doc!.entries[0]?.errors[0] === "E_UPLOAD_IDLE", 2000)],
      ["keep time", async ({ u, state }) => { await u.chunk(REF(100), 10, Buffer.alloc(90)); await until(() => state().doc!.entries[0]?.errors[0] === "E_UPLOAD_IDLE", 2000); }],
      ["consume", async ({ u }) => { await u.chunk(REF(100), 10, Buffer.alloc(90)); await u.consume("doc", (f) => f); }],
      ["consume that throws", async ({ u }) => { await u.chunk(REF(100), 10, Buffer.alloc(90)); await u.consume("doc", () => { throw new Error("x"); }).catch(() => {}); }],
      ["session end", async ({ u }) => u.close()],
    ];
    for (const [how, exit] of paths) {
      const x = make({ idleMs: 60, keepMs: 60 });
      x.u.declare("doc", [[REF(100), "a.txt", "", 100], [REF(101), "never-sent.txt", "", 100]]);
      await x.u.chunk(REF(100), 0, Buffer.alloc(10));
      assert.equal(x.node.used, 100, how);
      await exit(x);
      assert.equal(x.node.used, 0, how);
      assert.equal(x.node.watching, 0, how);
      await x.node.close();
      assert.deepEqual(x.files(), [], how);
      x.u.close();
    }
  });

  it("refuses a chunk that would pass the declared size, out of order, too large, or of the wrong type, and frees what it held", async () => {
    const { u, state, node, files } = make();
    u.declare("doc", [[REF(10), "a.txt", "", 100], [REF(11), "b.txt", "", 100], [REF(12), "c.txt", "", 5000]]);
    u.declare("pic", [[REF(13), "d.png", "image/png", 50]]);
    assert.equal((await u.chunk(REF(10), 0, Buffer.alloc(101))).c, "E_UPLOAD_TOO_LARGE");
    assert.equal((await u.chunk(REF(11), 1, Buffer.alloc(10))).c, "E_UPLOAD_ORDER");
    assert.equal((await u.chunk(REF(12), 0, Buffer.alloc(524_289))).c, "E_UPLOAD_CHUNK");
    assert.equal((await u.chunk(REF(13), 0, Buffer.from("GIF89a-not-a-png"))).c, "E_UPLOAD_TYPE");
    assert.deepEqual([...state().doc!.entries, ...state().pic!.entries].map((e) => e.errors[0]), ["E_UPLOAD_TOO_LARGE", "E_UPLOAD_ORDER", "E_UPLOAD_CHUNK", "E_UPLOAD_TYPE"]);
    assert.equal(node.used, 0);
    assert.deepEqual(files(), []);
    assert.equal((await u.chunk("unknown-ref-000000", 0, Buffer.alloc(1))).c, "E_UPLOAD_UNKNOWN");
  });

  it("refuses chunks of a cancelled entry with E_UPLOAD_CANCELLED, after removing its file", async () => {
    const { u, files, node } = make();
    u.declare("doc", [[REF(20), "a.txt", "", 100]]);
    await u.chunk(REF(20), 0, Buffer.alloc(10));
    assert.equal(files().length, 1);
    u.cancel("doc", REF(20));
    assert.equal(node.used, 0);
    await until(() => files().length === 0);
    assert.equal((await u.chunk(REF(20), 10, Buffer.alloc(10))).c, "E_UPLOAD_CANCELLED");
  });

  it("drops an entry idle past idleMs with E_UPLOAD_IDLE", async () => {
    const { u, state, files, node } = make({ idleMs: 40 });
    u.declare("pic", [[REF(30), "a.png", "image/png", 50]]);
    await u.chunk(REF(30), 0, PNG);
    await until(() => state().pic!.entries[0]!.errors[0] === "E_UPLOAD_IDLE", 2000);
    await until(() => files().length === 0);
    assert.equal(node.watching, 0);
  });

  it("brings a snapshot's entries back failed (E_UPLOAD_UNKNOWN): their files stayed on the node that had them", async () => {
    const prior = { pic: { entries: [{ ref: REF(40), name: "a.png", type: "image/png", size: 50, progress: 40, done: false, errors: [] }], errors: [] } };
    const { u, state } = make({ prior });
    assert.deepEqual(state().pic!.entries.map((e) => [e.ref, e.errors]), [[REF(40), ["E_UPLOAD_UNKNOWN"]]]);
    assert.equal((await u.chunk(REF(40), 20, PNG)).c, "E_UPLOAD_UNKNOWN");
  });

  it("adopts a handed-over session's temp file from a shared uploadDir: renamed, cut back to the bytes counted, budget held, a duplicate re-acked, the rest appended", async () => {
    const a = make();
    a.u.declare("pic", [[REF(41), "a.png", "image/png", 50]]);
    const bytes = Buffer.concat([PNG, PNG, PNG, PNG.subarray(0, 2)]);
    assert.deepEqual(await a.u.chunk(REF(41), 0, bytes.subarray(0, 30)), { o: 30 });
    const snap = JSON.parse(JSON.stringify(a.u.saved({ uploads: {} }))) as { uploads: unknown };
    const [old] = a.files();
    // The old node wrote past what the snapshot counts: cut back on adoption.
    writeFileSync(join(a.dir, old!), Buffer.concat([bytes.subarray(0, 30), Buffer.alloc(25, 0xee)]));
    a.u.handOver();
    a.u.close();
    const b = make({ dir: a.dir, prior: snap.uploads });
    assert.equal(b.node.used, 50);
    assert.deepEqual(b.state().pic!.entries.map((e) => [e.ref, e.progress, e.errors]), [[REF(41), 60, []]]);
    assert.deepEqual(await b.u.chunk(REF(41), 20, bytes.subarray(20, 30)), { o: 30 });
    assert.ok(!b.files().includes(old!), "renamed");
    assert.deepEqual(await b.u.chunk(REF(41), 30, bytes.subarray(30)), { o: 50 });
    const [f] = await b.u.consume("pic", (x) => readFileSync(x.path));
    assert.deepEqual(f, bytes);
    assert.equal(b.node.used, 0);
    // The old node's removal after its grace finds nothing to remove.
    await a.node.close();
    await b.node.close();
    assert.deepEqual(b.files(), []);
  });

  it("checks an adopted file's type from its first bytes on disk when it moved before enough of them arrived", async () => {
    const a = make();
    a.u.declare("pic", [[REF(45), "a.png", "image/png", 40], [REF(46), "b.png", "image/png", 40]]);
    await a.u.chunk(REF(45), 0, PNG.subarray(0, 6));
    await a.u.chunk(REF(46), 0, PNG.subarray(0, 6));
    const snap = JSON.parse(JSON.stringify(a.u.saved({ uploads: {} }))) as { uploads: { pic: { entries: { f: string }[] } } };
    // b.png's bytes on disk were not a PNG's after all.
    writeFileSync(join(a.dir, snap.uploads.pic.entries[1]!.f), Buffer.alloc(6));
    a.u.handOver();
    a.u.close();
    const b = make({ dir: a.dir, prior: snap.uploads });
    assert.deepEqual(await b.u.chunk(REF(45), 6, Buffer.concat([PNG.subarray(6), Buffer.alloc(24)])), { o: 40 });
    assert.equal((await b.u.chunk(REF(46), 6, Buffer.concat([PNG.subarray(6), Buffer.alloc(24)]))).c, "E_UPLOAD_TYPE");
    await a.node.close();
    await b.node.close();
  });

  it("refuses a snapshot's file that is shorter than counted, or named anything but a temp name (E_UPLOAD_UNKNOWN), touching nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-su-"));
    writeFileSync(join(dir, "weft-AAAAAAAAAAAAAAAAAAAAAAAA.part"), PNG.subarray(0, 10));
    writeFileSync(join(dir, "keep.part"), "x");
    const entry = (n: number, f: string) => ({ ref: REF(n), name: "a.png", type: "image/png", size: 50, progress: 0, done: false, errors: [], f, o: 12 });
    const prior = { pic: { entries: [entry(42, "weft-AAAAAAAAAAAAAAAAAAAAAAAA.part"), entry(43, "keep.part")], errors: [] } };
    const { u, state, node, files } = make({ dir, prior });
    assert.deepEqual(state().pic!.entries[1]!.errors, ["E_UPLOAD_UNKNOWN"]);
    assert.equal((await u.chunk(REF(42), 12, PNG)).c, "E_UPLOAD_UNKNOWN");
    assert.deepEqual(state().pic!.entries.map((e) => e.errors), [["E_UPLOAD_UNKNOWN"], ["E_UPLOAD_UNKNOWN"]]);
    assert.equal(node.used, 0);
    await until(() => files().length === 1);
    assert.deepEqual(files(), ["keep.part"]);
  });

  it("drops an adopted file the browser does not go on with (E_UPLOAD_IDLE), also of an upload sent on submit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-su-"));
    writeFileSync(join(dir, "weft-BBBBBBBBBBBBBBBBBBBBBBBB.part"), "hello");
    const prior = { doc: { entries: [{ ref: REF(47), name: "a.txt", type: "text/plain", size: 50, progress: 10, done: false, errors: [], f: "weft-BBBBBBBBBBBBBBBBBBBBBBBB.part", o: 5 }], errors: [] } };
    const { state, files, node } = make({ dir, prior, idleMs: 40 });
    await until(() => state().doc!.entries[0]!.errors[0] === "E_UPLOAD_IDLE", 2000);
    await until(() => files().length === 0);
    assert.equal(node.used, 0);
  });

  it("keeps the temp files of a session handed over until the grace ends (or the node closes), then removes them", async () => {
    const { u, files, node } = make();
    u.declare("doc", [[REF(44), "a.txt", "", 100]]);
    await u.chunk(REF(44), 0, Buffer.alloc(10));
    u.handOver();
    u.close();
    assert.equal(node.used, 0);
    await until(() => node.lingeringFiles === 1);
    assert.equal(files().length, 1);
    await node.close();
    assert.deepEqual(files(), []);
  });

  it("removes every temp file and frees its budget when the session ends", async () => {
    const { u, files, node } = make();
    u.declare("doc", [[REF(50), "a.txt", "", 100], [REF(51), "b.txt", "", 10]]);
    await u.chunk(REF(50), 0, Buffer.alloc(10));
    await u.chunk(REF(51), 0, Buffer.alloc(10));
    assert.equal(files().length, 2);
    u.close();
    assert.equal(node.used, 0);
    await node.close();
    assert.deepEqual(files(), []);
  });

  it("makes an empty file's temp file at its declaration and finishes it at once", async () => {
    const { u, state, files } = make();
    u.declare("doc", [[REF(60), "empty.txt", "", 0]]);
    await until(() => state().doc!.entries[0]!.done);
    assert.equal(files().length, 1);
    const [f] = await u.consume("doc", (x) => x);
    assert.equal(f!.size, 0);
  });

  it("re-renders at most once per PROGRESS_MS for progress, at once for the end", async () => {
    const { u, refreshes, state } = make();
    u.declare("doc", [[REF(70), "a.txt", "", 5000]]);
    const before = refreshes();
    for (let at = 0; at < 5000; at += 100) await u.chunk(REF(70), at, Buffer.alloc(100));
    assert.equal(state().doc!.entries[0]!.done, true);
    assert.ok(refreshes() - before <= 3, `${refreshes() - before} refreshes for 50 chunks`);
  });
});
