import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import type { WeftOptions } from "../../src/index.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { until } from "../support/until.ts";
import { WIRES, wireOptions, type WireKind } from "../support/wires.ts";
import { cancel, chunk, declare, entryRef, event, Files, pngBytes, postChunk, saved, sha, shown } from "../support/uploads.ts";

const apps: { close(): Promise<void> }[] = [];
const dirs: string[] = [];
after(async () => {
  for (const a of apps) await a.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An app with the Files view and an uploadDir of its own; a client joined to it as view 1. */
async function setup(transport: WireKind, opts: Partial<WeftOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "weft-up-test-"));
  dirs.push(dir);
  const ctx = await startApp({ views: { "/files": Files }, uploadDir: dir, ...wireOptions(transport), ...opts });
  apps.push(ctx.app);
  const c = await joined(ctx.base, transport);
  return { ...ctx, dir, c, files: () => (existsSync(dir) ? readdirSync(dir) : []) };
}

async function joined(base: string, transport: WireKind, v = 1): Promise<ProtocolClient> {
  const c = await ProtocolClient.connect(base, {}, transport);
  apps.push({ close: () => c.close() });
  const { token } = await getPage(base, "/files");
  const a = await c.join(v, token);
  assert.equal(a.t, S.rendered);
  return c;
}

for (const transport of WIRES) {
  // A socket: WebSocket, with JSON or MessagePack frames (chunks as binary frames, acks as frames).
  const socket = transport === "websocket" || transport === "msgpack";
  describe(`uploads over ${transport}`, () => {
    it("gives the page each upload's settings at its join", async () => {
      const { base } = await setup(transport);
      const c = await ProtocolClient.connect(base, {}, transport);
      apps.push({ close: () => c.close() });
      const a = await c.join(1, (await getPage(base, "/files")).token);
      assert.deepEqual(a.u, { avatar: [1024, 1, 4096, 2, [".png", "image/jpeg"]], doc: [524288, 0, 10_000_000, 3, [".txt", ".bin"]] });
    });

    it("receives a file chunk by chunk, shows progress and done, and consumeUploads hands it over byte for byte, then removes it", async () => {
      const { c, files, dir } = await setup(transport);
      const ref = entryRef();
      const bytes = pngBytes(3000);
      await declare(c, "avatar", [[ref, "me.png", "image/png", 3000]]);
      assert.deepEqual(shown(c, "avatar").entries, [{ ref, name: "me.png", type: "image/png", size: 3000, progress: 0, done: false, errors: [] }]);
      assert.deepEqual(await chunk(c, ref, 0, bytes.subarray(0, 1024)), { o: 1024, ...(socket ? {} : { status: 200 }) });
      assert.equal((await chunk(c, ref, 1024, bytes.subarray(1024, 2048))).o, 2048);
      assert.equal((await chunk(c, ref, 2048, bytes.subarray(2048))).o, 3000);
      await until(() => shown(c, "avatar").entries[0]?.done === true, 5000, "done entry");
      assert.equal(shown(c, "avatar").entries[0]!.progress, 100);
      assert.equal(files().length, 1);
      await event(c, "save");
      const [s] = saved(c);
      assert.deepEqual([s!.name, s!.size, s!.sha], ["me.png", 3000, sha(bytes)]);
      assert.ok(s!.path.startsWith(dir) && !s!.path.includes("me.png"), s!.path);
      assert.deepEqual(shown(c, "avatar").entries, []);
      await until(() => files().length === 0, 5000, "temp file removed after consume");
    });

    it("re-acknowledges a chunk sent again after a lost ack without writing it twice", async () => {
      const { c } = await setup(transport);
      const ref = entryRef();
      const bytes = pngBytes(2500);
      await declare(c, "avatar", [[ref, "a.png", "image/png", 2500]]);
      assert.equal((await chunk(c, ref, 0, bytes.subarray(0, 1024))).o, 1024);
      // The same chunk again (its ack was lost): acknowledged, nothing written.
      assert.equal((await chunk(c, ref, 0, bytes.subarray(0, 1024))).o, 1024);
      // A chunk that overlaps what arrived: only its new tail is written.
      assert.equal((await chunk(c, ref, 512, bytes.subarray(512, 1536))).o, 1536);
      assert.equal((await chunk(c, ref, 1536, bytes.subarray(1536))).o, 2500);
      await until(() => shown(c, "avatar").entries[0]?.done === true);
      await event(c, "save");
      assert.equal(saved(c)[0]!.sha, sha(bytes));
      assert.equal(saved(c)[0]!.size, 2500);
    });

    it("resumes an upload on a new link after the old one dropped, from the last acknowledged byte", async () => {
      const { c, base } = await setup(transport);
      const ref = entryRef();
      const bytes = pngBytes(3500);
      await declare(c, "avatar", [[ref, "r.png", "image/png", 3500]]);
      assert.equal((await chunk(c, ref, 0, bytes.subarray(0, 1024))).o, 1024);
      assert.equal((await chunk(c, ref, 1024, bytes.subarray(1024, 2048))).o, 2048);
      const seq = c.views.get(1)!.seq;
      const token = c.views.get(1)!.token;
      await c.close();
      // The browser comes back on a new link and rejoins the same session.
      const d = await ProtocolClient.connect(base, {}, transport);
      apps.push({ close: () => d.close() });
      d.views.set(1, c.views.get(1)!);
      await d.join(1, token, seq);
      // Its last ack was lost: it resends the second chunk; the server re-acknowledges it.
      assert.equal((await chunk(d, ref, 1024, bytes.subarray(1024, 2048))).o, 2048);
      assert.equal((await chunk(d, ref, 2048, bytes.subarray(2048, 3072))).o, 3072);
      assert.equal((await chunk(d, ref, 3072, bytes.subarray(3072))).o, 3500);
      await until(() => shown(d, "avatar").entries[0]?.done === true, 5000, "done after the resume");
      await event(d, "save");
      assert.equal(saved(d)[0]!.sha, sha(bytes));
    });

    it("refuses a chunk out of order, marks the entry and removes its temp data", async () => {
      const { c, files } = await setup(transport);
      const ref = entryRef();
      const bytes = pngBytes(3000);
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      await chunk(c, ref, 0, bytes.subarray(0, 1024));
      assert.equal(files().length, 1);
      assert.equal((await chunk(c, ref, 2048, bytes.subarray(2048))).c, "E_UPLOAD_ORDER");
      await until(() => shown(c, "avatar").entries[0]?.errors[0] === "E_UPLOAD_ORDER");
      await until(() => files().length === 0, 5000, "temp data removed");
      // Nothing more is taken for it.
      assert.equal((await chunk(c, ref, 1024, bytes.subarray(1024, 2048))).c, "E_UPLOAD_ORDER");
    });

    it("refuses chunks for an unknown ref and for another session's entry", async () => {
      const { c, base, files } = await setup(transport);
      assert.equal((await chunk(c, entryRef(), 0, Buffer.from("x"))).c, "E_UPLOAD_UNKNOWN");
      const other = await joined(base, transport);
      const ref = entryRef();
      await declare(other, "avatar", [[ref, "a.png", "image/png", 100]]);
      assert.equal((await chunk(c, ref, 0, pngBytes(100))).c, "E_UPLOAD_UNKNOWN");
      assert.equal(files().length, 0);
      // The owner's entry is untouched.
      assert.equal((await chunk(other, ref, 0, pngBytes(100))).o, 100);
    });

    it("refuses a chunk larger than chunkBytes", async () => {
      const { c, files } = await setup(transport);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      assert.equal((await chunk(c, ref, 0, pngBytes(1025))).c, "E_UPLOAD_CHUNK");
      await until(() => shown(c, "avatar").entries[0]?.errors[0] === "E_UPLOAD_CHUNK");
      assert.equal(files().length, 0);
      if (transport === "sse" || transport === "http") {
        // A streamed body (no Content-Length) is counted while it is read, and cut off past chunkBytes.
        const ref2 = entryRef();
        await declare(c, "avatar", [[ref2, "b.png", "image/png", 3000]]);
        const bytes = pngBytes(1500);
        const body = new ReadableStream<Uint8Array>({ start(ctl) { ctl.enqueue(bytes.subarray(0, 1000)); ctl.enqueue(bytes.subarray(1000)); ctl.close(); } });
        assert.equal((await postChunk(c.wire as Parameters<typeof postChunk>[0], ref2, 0, body)).c, "E_UPLOAD_CHUNK");
        await until(() => files().length === 0, 5000, "temp data removed");
      }
    });

    it("cuts a file off at its declared size: never more bytes on disk, the entry refused and removed", async () => {
      const { c, files, dir } = await setup(transport);
      const ref = entryRef();
      await declare(c, "doc", [[ref, "a.txt", "text/plain", 1000]]);
      assert.equal((await chunk(c, ref, 0, Buffer.alloc(600, 97))).o, 600);
      const size = () => files().reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      assert.equal(size(), 600);
      // 100 MB declared as 1 KB: the first chunk past the size is refused before a byte of it is written.
      assert.equal((await chunk(c, ref, 600, Buffer.alloc(65_536, 97))).c, "E_UPLOAD_TOO_LARGE");
      assert.ok(size() <= 1000);
      await until(() => files().length === 0, 5000, "temp data removed");
      for (let i = 0; i < 5; i++) assert.notEqual((await chunk(c, ref, 600 + i * 65_536, Buffer.alloc(65_536, 97))).c, undefined);
      assert.equal(files().length, 0);
      assert.deepEqual(shown(c, "doc").entries[0]!.errors, ["E_UPLOAD_TOO_LARGE"]);
    });

    it("refuses chunks after a cancel, and the entry and its temp data go", async () => {
      const { c, files } = await setup(transport);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      await chunk(c, ref, 0, pngBytes(1024));
      assert.equal(files().length, 1);
      await cancel(c, "avatar", ref);
      assert.deepEqual(shown(c, "avatar").entries, []);
      await until(() => files().length === 0, 5000, "temp data removed");
      assert.equal((await chunk(c, ref, 1024, pngBytes(1024))).c, "E_UPLOAD_CANCELLED");
      // ctx.cancelUpload from a handler does the same.
      const ref2 = entryRef();
      await declare(c, "avatar", [[ref2, "b.png", "image/png", 3000]]);
      await chunk(c, ref2, 0, pngBytes(1024));
      await event(c, "cancel", { upload: "avatar", ref: ref2 });
      assert.deepEqual(shown(c, "avatar").entries, []);
      await until(() => files().length === 0, 5000, "temp data removed");
      assert.equal((await chunk(c, ref2, 1024, pngBytes(1024))).c, "E_UPLOAD_CANCELLED");
    });

    it("refuses files past maxFiles, and files whose name or declared type the upload does not accept", async () => {
      const { c } = await setup(transport);
      const [a, b, x] = [entryRef(), entryRef(), entryRef()];
      await declare(c, "avatar", [[a, "a.png", "image/png", 10], [b, "b.jpg", "image/jpeg", 10], [x, "c.png", "image/png", 10]]);
      const s = shown(c, "avatar");
      assert.deepEqual(s.entries.map((e) => e.errors), [[], [], ["E_UPLOAD_FILES"]]);
      assert.deepEqual(s.errors, ["E_UPLOAD_FILES"]);
      const refs = [entryRef(), entryRef(), entryRef(), entryRef()];
      await declare(c, "doc", [[refs[0]!, "notes.exe", "text/plain", 10], [refs[1]!, "notes.txt", "image/png", 10], [refs[2]!, "big.txt", "text/plain", 10_000_001], [refs[3]!, "ok.txt", "", 10]]);
      assert.deepEqual(shown(c, "doc").entries.map((e) => e.errors), [["E_UPLOAD_TYPE"], ["E_UPLOAD_TYPE"], ["E_UPLOAD_TOO_LARGE"], []]);
      assert.equal((await chunk(c, refs[0]!, 0, Buffer.alloc(10))).c, "E_UPLOAD_TYPE");
    });

    it("refuses a .png that is not a PNG by its first bytes", async () => {
      const { c, files } = await setup(transport);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "evil.png", "image/png", 2000]]);
      assert.equal((await chunk(c, ref, 0, Buffer.from("<html><script>alert(1)</script>".padEnd(1024, " ")))).c, "E_UPLOAD_TYPE");
      await until(() => shown(c, "avatar").entries[0]?.errors[0] === "E_UPLOAD_TYPE");
      assert.equal(files().length, 0);
    });

    it("stores a file named ../../etc/passwd or with control characters under a server-chosen name in uploadDir, and shows only its last part", async () => {
      const { c, dir, files } = await setup(transport);
      const [a, b] = [entryRef(), entryRef()];
      await declare(c, "doc", [[a, "../../etc/passwd.txt", "text/plain", 5], [b, "x\u0000\u001b[31m\u202eevil\r\n.txt", "text/plain", 5]]);
      assert.equal((await chunk(c, a, 0, Buffer.from("hello"))).o, 5);
      assert.equal((await chunk(c, b, 0, Buffer.from("world"))).o, 5);
      await until(() => shown(c, "doc").entries.every((e) => e.done));
      assert.deepEqual(shown(c, "doc").entries.map((e) => e.name), ["passwd.txt", "x[31mevil.txt"]);
      for (const f of files()) assert.match(f, /^weft-[A-Za-z0-9_-]{24}\.part$/);
      assert.equal(files().length, 2);
      await event(c, "save", { upload: "doc" });
      assert.deepEqual(saved(c).map((s) => s.name), ["passwd.txt", "x[31mevil.txt"]);
      for (const s of saved(c)) assert.equal(join(dir, s.path.slice(dir.length + 1)), s.path);
      assert.ok(!existsSync(join(dir, "..", "..", "etc", "passwd.txt")));
    });

    it("drops an upload that stalls past uploadIdleMs, with E_UPLOAD_IDLE, and removes its temp data", async () => {
      const { c, files } = await setup(transport, { uploadIdleMs: 200 });
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      await chunk(c, ref, 0, pngBytes(1024));
      await until(() => shown(c, "avatar").entries[0]?.errors[0] === "E_UPLOAD_IDLE", 5000, "idle entry");
      // The page is told at once; the file goes once the entry's pending write has settled.
      await until(() => files().length === 0, 5000, "temp data removed");
      assert.equal((await chunk(c, ref, 1024, pngBytes(1024))).c, "E_UPLOAD_IDLE");
    });

    it("reserves the session's budget at a declaration and the node's at the first chunk (a file declared and never sent holds none of it)", async () => {
      const { c, base } = await setup(transport, { uploadBudget: { perSession: 1500, perNode: 2500 } });
      const [a, b] = [entryRef(), entryRef()];
      await declare(c, "doc", [[a, "a.txt", "", 1000], [b, "b.txt", "", 1000]]);
      assert.deepEqual(shown(c, "doc").entries.map((e) => e.errors), [[], ["E_UPLOAD_BUDGET"]]);
      const other = await joined(base, transport);
      const [d, e] = [entryRef(), entryRef()];
      await declare(other, "doc", [[d, "d.txt", "", 1000], [e, "e.txt", "", 1000]]);
      assert.deepEqual(shown(other, "doc").entries.map((x) => x.errors), [[], ["E_UPLOAD_BUDGET"]]);
      // Three sessions declare 3,000 bytes of the node's 2,500: nothing is held until chunks come.
      const third = await joined(base, transport);
      const g = entryRef();
      await declare(third, "doc", [[g, "g.txt", "", 1000]]);
      assert.deepEqual(shown(third, "doc").entries.map((x) => x.errors), [[]]);
      assert.equal((await chunk(third, g, 0, Buffer.alloc(100, 97))).o, 100);
      assert.equal((await chunk(other, d, 0, Buffer.alloc(100, 97))).o, 100);
      // The node's budget is taken: the first chunk of a third 1,000 is refused, and the page shows why.
      assert.equal((await chunk(c, a, 0, Buffer.alloc(100, 97))).c, "E_UPLOAD_BUDGET");
      await until(() => shown(c, "doc").entries[0]?.errors[0] === "E_UPLOAD_BUDGET", 5000, "budget refusal shown");
      // What goes frees it.
      await cancel(third, "doc", g);
      const f = entryRef();
      await declare(c, "doc", [[f, "f.txt", "", 400]]);
      assert.equal((await chunk(c, f, 0, Buffer.alloc(400, 97))).o, 400);
    });

    it("gives the node's budget back on every way out of an entry", async () => {
      // perNode fits one 1,000-byte file: after each way out, another session's 1,000 bytes must fit.
      const { c, base, files } = await setup(transport, { uploadBudget: { perNode: 1000 }, uploadIdleMs: 1000, uploadKeepMs: 1500 });
      const probe = await joined(base, transport);
      const bytes = pngBytes(1000);
      const exits: [string, (ref: string) => Promise<unknown>][] = [
        ["cancel", async (ref) => cancel(c, "avatar", ref)],
        ["a refused chunk", async (ref) => chunk(c, ref, 999, bytes.subarray(0, 10))],
        ["idle", async (ref) => until(() => shown(c, "avatar").entries.find((e) => e.ref === ref)?.errors[0] === "E_UPLOAD_IDLE", 5000, "idle")],
        ["keep time", async (ref) => { await chunk(c, ref, 500, bytes.subarray(500)); await until(() => shown(c, "avatar").entries.find((e) => e.ref === ref)?.errors[0] === "E_UPLOAD_IDLE", 5000, "kept"); }],
        ["consume", async (ref) => { await chunk(c, ref, 500, bytes.subarray(500)); await event(c, "save"); }],
        ["consume that throws", async (ref) => { await chunk(c, ref, 500, bytes.subarray(500)); assert.equal((await event(c, "boom")).c, "E_HANDLER"); }],
        ["session end", async () => c.send({ t: "l", v: 1 })],
      ];
      for (const [how, exit] of exits) {
        const ref = entryRef();
        await declare(c, "avatar", [[ref, "a.png", "image/png", 1000]]);
        assert.equal((await chunk(c, ref, 0, bytes.subarray(0, 500))).o, 500, how);
        // Held: the probe's first chunk does not fit.
        const p = entryRef();
        await declare(probe, "avatar", [[p, "p.png", "image/png", 1000]]);
        assert.equal((await chunk(probe, p, 0, bytes.subarray(0, 100))).c, "E_UPLOAD_BUDGET", how);
        await cancel(probe, "avatar", p);
        await exit(ref);
        await until(() => files().length === 0, 5000, `${how}: temp data removed`);
        const q = entryRef();
        await declare(probe, "avatar", [[q, "q.png", "image/png", 1000]]);
        assert.equal((await chunk(probe, q, 0, bytes.subarray(0, 100))).o, 100, `${how}: budget given back`);
        await cancel(probe, "avatar", q);
        if (how !== "session end") await cancel(c, "avatar", ref);
      }
    });

    it("keeps a finished file that is not consumed for uploadKeepMs, then removes it (E_UPLOAD_IDLE)", async () => {
      const { c, files } = await setup(transport, { uploadKeepMs: 300 });
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 1000]]);
      await chunk(c, ref, 0, pngBytes(1000));
      await until(() => shown(c, "avatar").entries[0]?.done === true, 5000, "done");
      assert.equal(files().length, 1);
      await until(() => shown(c, "avatar").entries[0]?.errors[0] === "E_UPLOAD_IDLE", 5000, "dropped after the keep time");
      assert.equal(shown(c, "avatar").entries[0]!.done, false);
      await until(() => files().length === 0, 5000, "file removed");
      await event(c, "save");
      assert.deepEqual(saved(c), []);
    });

    it("consumeUploads from a background task (outside a handler) removes the entry from the page", async () => {
      const { c, files } = await setup(transport);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 1000]]);
      await chunk(c, ref, 0, pngBytes(1000));
      await until(() => shown(c, "avatar").entries[0]?.done === true, 5000, "done");
      await event(c, "later");
      await until(() => shown(c, "avatar").entries.length === 0, 5000, "entry gone from the page");
      await until(() => files().length === 0, 5000, "file removed");
    });

    it("a consumeUploads callback that throws: the handler answers E_HANDLER, the file and the entry go", async () => {
      const { c, files } = await setup(transport);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 1000]]);
      await chunk(c, ref, 0, pngBytes(1000));
      await until(() => shown(c, "avatar").entries[0]?.done === true, 5000, "done");
      assert.equal((await event(c, "boom")).c, "E_HANDLER");
      await until(() => shown(c, "avatar").entries.length === 0, 5000, "entry gone from the page");
      await until(() => files().length === 0, 5000, "file removed");
    });

    it("removes the temp data of a session that ends", async () => {
      const { c, files, base } = await setup(transport, { sessionGraceMs: 100 });
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      await chunk(c, ref, 0, pngBytes(1024));
      const other = await joined(base, transport);
      const r2 = entryRef();
      await declare(other, "avatar", [[r2, "b.png", "image/png", 3000]]);
      await chunk(other, r2, 0, pngBytes(1024));
      assert.equal(files().length, 2);
      // The browser leaves (its page went away): the session ends now.
      c.send({ t: "l", v: 1 });
      await until(() => files().length === 1, 5000, "the ended session's file removed");
      // A link that drops ends its session after sessionGraceMs.
      if (socket) {
        await other.close();
        await until(() => files().length === 0, 5000, "the dropped session's file removed");
      }
    });
  });
}

describe("uploads: bad frames", () => {
  it("answers a malformed declaration or cancel with E_BAD_FRAME and an unknown upload with E_UPLOAD_UNKNOWN, changing nothing", async () => {
    const { c } = await setup("websocket");
    const bad: unknown[] = [
      { t: "u", v: 1, r: 50, e: "avatar", d: "x" },
      { t: "u", v: 1, r: 51, e: "avatar", d: [["short", "a.png", "image/png", 1]] },
      { t: "u", v: 1, r: 52, e: "avatar", d: [[entryRef(), "a.png", "image/png", -1]] },
      { t: "u", v: 1, r: 53, e: "avatar", d: [[entryRef(), 5, "image/png", 1]] },
      { t: "u", v: 1, r: 54, e: 7, d: [[entryRef(), "a.png", "image/png", 1]] },
      { t: "c", v: 1, r: 55, e: "avatar", d: 42 },
      { t: "u", v: 1, e: "avatar", d: [[entryRef(), "a.png", "image/png", 1]] },
    ];
    for (const f of bad) {
      c.sendRaw(JSON.stringify(f));
      assert.equal((await c.next((m) => m.t === S.error)).c, "E_BAD_FRAME", JSON.stringify(f));
    }
    c.sendRaw(JSON.stringify({ t: "u", v: 1, r: 60, e: "nope", d: [[entryRef(), "a.png", "image/png", 1]] }));
    const m = await c.next((x) => x.t === S.error);
    assert.deepEqual([m.c, m.r], ["E_UPLOAD_UNKNOWN", 60]);
    assert.deepEqual(shown(c, "avatar").entries, []);
    assert.equal(c.closed, false);
  });

  it("answers a malformed binary frame with E_BAD_FRAME and keeps the socket open", async () => {
    const { c } = await setup("websocket");
    for (const bad of [Buffer.from([3, 0x61, 0x2c, 0x62]), Buffer.from([200, 1, 2]), Buffer.from([5, ...Buffer.from("1,x,0")]), Buffer.alloc(0)]) {
      c.sendRaw(bad);
      assert.equal((await c.next((m) => m.t === S.error)).c, "E_BAD_FRAME");
    }
    assert.equal(c.closed, false);
    assert.equal((await event(c, "save")).t === S.error, false);
  });

  it("applies a declaration once: the same ref sent again is answered, not applied again", async () => {
    const { c } = await setup("websocket");
    const ref = entryRef();
    c.send({ t: "u", v: 1, r: 70, e: "avatar", d: [[ref, "a.png", "image/png", 10]] });
    await c.next((m) => m.r === 70);
    c.send({ t: "u", v: 1, r: 70, e: "avatar", d: [[entryRef(), "b.png", "image/png", 10]] });
    await c.next((m) => m.r === 70);
    assert.deepEqual(shown(c, "avatar").entries.map((e) => e.ref), [ref]);
  });
});
