/**
 * Uploads under hostile load: a client that declares 1 KB and sends 100 MB,
 * a thousand stalled uploads, temp files at app.close(), and the progress
 * renders' throttle.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { defineView, html, type Uploads, type WeftOptions } from "../../src/index.ts";
import { encodeChunkHeader, kindOf, S } from "../../src/protocol/messages.ts";
import { createHash, pbkdf2 } from "node:crypto";
import { readFile } from "node:fs/promises";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { until, within } from "../support/until.ts";
import { once } from "node:events";
import type { Duplex } from "node:stream";
import { HttpWire, SseWire, TRANSPORTS, type TransportKind } from "../support/wires.ts";
import { ERRORS } from "../../src/protocol/errors.ts";
import { chunk, declare, entryRef, Files, postChunk, shown } from "../support/uploads.ts";

/** One upload that takes up to 1,000 files of 1 MB. */
const Bulk = defineView({
  uploads: { bulk: { accept: [".bin"], maxBytes: 1_000_000, maxFiles: 1_000 } },
  mount: () => ({ uploads: {} as Uploads<"bulk"> }),
  render: (s) => html`<p>${s.uploads.bulk.entries.length}:${s.uploads.bulk.entries.filter((e) => e.errors.length === 0).length}:${s.uploads.bulk.entries.filter((e) => e.errors[0] === "E_UPLOAD_BUDGET").length}:${s.uploads.bulk.entries.filter((e) => e.errors[0] === "E_UPLOAD_IDLE").length}</p>`,
});

const MiB = 1_048_576;

/** One upload of up to 20 files of 10 MiB in chunks of 1 MiB (the largest chunkBytes). */
const Big = defineView({
  uploads: { big: { accept: [".bin"], maxBytes: 10 * MiB, maxFiles: 20, chunkBytes: MiB } },
  mount: () => ({ uploads: {} as Uploads<"big"> }),
  render: (s) => html`<p>${s.uploads.big.entries.map((e) => `${e.ref}:${e.progress}:${e.errors.join(",")}`).join(" ")}</p>`,
});

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const f of cleanups.reverse()) await f();
});

async function setup(opts: Partial<WeftOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "weft-up-limits-"));
  const ctx = await startApp({ views: { "/files": Files, "/bulk": Bulk, "/big": Big }, uploadDir: dir, ...opts });
  let closed = false;
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(async () => {
    if (!closed) await ctx.app.close();
  });
  const files = () => (existsSync(dir) ? readdirSync(dir) : []);
  const bytes = () => files().reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  return { ...ctx, dir, files, bytes, close: async () => { closed = true; await ctx.app.close(); } };
}

async function joined(base: string, transport: TransportKind = "websocket", path = "/files"): Promise<ProtocolClient> {
  const c = await ProtocolClient.connect(base, {}, transport);
  cleanups.push(() => c.close());
  await c.join(1, (await getPage(base, path)).token);
  return c;
}

describe("uploads under hostile load", { timeout: 120_000 }, () => {
  it("cuts off a WebSocket client that declares 1 KB and sends 100 MB: never more than 1 KB on disk, the socket closed", async () => {
    const { base, bytes, files } = await setup({ abuseLimit: 50 });
    const c = await joined(base);
    const ref = entryRef();
    await declare(c, "doc", [[ref, "small.txt", "text/plain", 1000]]);
    const piece = Buffer.alloc(65_536, 97);
    let sent = 0;
    // 100 MB in 64 KiB chunks, sent without waiting for acks, until the server closes the socket.
    for (let i = 0; i < 1600 && !c.closed; i++) {
      const head = Buffer.from(`1,${ref},${i * 65_536}`);
      c.ws.send(Buffer.concat([Buffer.from([head.length]), head, piece]));
      sent += piece.length;
      assert.ok(bytes() <= 1000, `${bytes()} bytes on disk`);
      if (i % 16 === 15) await new Promise((r) => setImmediate(r));
    }
    await until(() => c.closed, 10_000, "the socket closed");
    assert.ok(sent < 100 * 1024 * 1024, "cut off before the 100 MB went");
    assert.ok(bytes() <= 1000);
    await until(() => files().length === 0, 5000, "temp data removed");
  });

  /**
   * Sends `count` chunks of `size` bytes of entry `ref` (declared 1 KB) without waiting for acks — on
   * WebSocket only for the socket to drain, on SSE/HTTP one POST after another — with a heartbeat
   * every `beat` chunks; stops once the link is gone. Resolves with the bytes sent.
   */
  async function flood(c: ProtocolClient, ref: string, size: number, count: number, beat: number): Promise<number> {
    const piece = Buffer.alloc(size, 97);
    let sent = 0;
    for (let i = 0; i < count && !c.closed; i++) {
      if (i % beat === beat - 1) c.send({ t: "h" });
      if (c.wire instanceof SseWire || c.wire instanceof HttpWire) {
        const ack = await postChunk(c.wire, ref, i * size, piece).catch(() => ({ o: -1, c: "network" }));
        sent += size;
        if (ack.c === "E_UNKNOWN_LINK") break;
        continue;
      }
      const head = Buffer.from(`1,${ref},${i * size}`);
      c.ws.send(Buffer.concat([Buffer.from([head.length]), head, piece]));
      sent += size;
      await until(() => c.closed || c.ws.bufferedAmount < 2 * size, 10_000, "the socket drains");
    }
    return sent;
  }

  for (const transport of TRANSPORTS) {
    it(`cuts off a ${transport} client that declares 1 KB and sends 100 MB with a heartbeat between every 20 chunks`, async () => {
      const { base, bytes, files } = await setup({ abuseLimit: 50 });
      const c = await joined(base, transport);
      const ref = entryRef();
      await declare(c, "doc", [[ref, "small.txt", "text/plain", 1000]]);
      const sent = await flood(c, ref, 65_536, 1600, 20);
      assert.ok(sent < 24 * MiB, `${sent} bytes sent before the link was closed`);
      if (transport === "websocket") await until(() => c.closeCode === ERRORS.E_RATE_LIMIT.close, 5000, "the socket closed 4429");
      assert.ok(bytes() <= 1000);
      await until(() => files().length === 0, 5000, "temp data removed");
    });

    it(`cuts off a ${transport} client that sends 100 MB of refused 1 MiB chunks under the default abuseLimit`, async () => {
      const { base, files } = await setup();
      const c = await joined(base, transport, "/big");
      const ref = entryRef();
      await declare(c, "big", [[ref, "small.bin", "", 1000]]);
      const sent = await flood(c, ref, MiB, 100, 1000);
      assert.ok(sent < 24 * MiB, `${sent} bytes sent before the link was closed`);
      if (transport === "websocket") await until(() => c.closeCode === ERRORS.E_RATE_LIMIT.close, 5000, "the socket closed 4429");
      await until(() => files().length === 0, 5000, "temp data removed");
    });
  }

  for (const transport of ["sse", "http"] as const) {
    it(`cuts off a ${transport} POST that declares 1 KB and streams 100 MB: the request stops near the limit, nothing past it on disk`, async () => {
      const { base, bytes, files } = await setup();
      const c = await joined(base, transport);
      const ref = entryRef();
      await declare(c, "doc", [[ref, "small.txt", "text/plain", 1000]]);
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (pulled >= 100 * 1024 * 1024) return ctl.close();
          pulled += 16_384;
          ctl.enqueue(new Uint8Array(16_384).fill(97));
        },
      });
      const ack = await postChunk(c.wire as SseWire | HttpWire, ref, 0, body).catch((err: unknown) => ({ o: -1, c: `network: ${String(err)}` }));
      assert.equal(ack.c, "E_UPLOAD_TOO_LARGE");
      assert.ok(pulled < 20 * 1024 * 1024, `${pulled} bytes pulled from the body`);
      assert.ok(bytes() <= 1000);
      await until(() => files().length === 0, 5000, "temp data removed");
      // A body declared larger than chunkBytes is refused before it is read.
      const ref2 = entryRef();
      await declare(c, "doc", [[ref2, "b.txt", "text/plain", 1000]]);
      const big = await postChunk(c.wire as SseWire | HttpWire, ref2, 0, Buffer.alloc(600_000, 97));
      assert.equal(big.c, "E_UPLOAD_CHUNK");
      assert.equal(big.status, 413);
    });
  }

  it("holds 1,000 concurrent stalled uploads within the node's disk budget and bounded memory, refusing the rest E_UPLOAD_BUDGET, and drops them when idle", async () => {
    const { base, files, bytes } = await setup({ uploadBudget: { perSession: 300_000_000, perNode: 500_000_000 }, uploadIdleMs: 1_500 });
    const clients = await Promise.all([0, 1, 2, 3].map(() => joined(base, "websocket", "/bulk")));
    global.gc?.();
    const before = process.memoryUsage();
    const refs: string[][] = [];
    for (const c of clients) {
      const mine = Array.from({ length: 250 }, () => entryRef());
      refs.push(mine);
      const r = 100 + refs.length;
      c.send({ t: "u", v: 1, r, e: "bulk", d: mine.map((ref, i) => [ref, `f${i}.bin`, "application/octet-stream", 1_000_000]) });
      await c.next((m) => m.r === r);
    }
    const counts = (c: ProtocolClient) => (/<p>(\d+):(\d+):(\d+):(\d+)<\/p>/.exec(c.views.get(1)!.html()) ?? []).slice(1).map(Number);
    // Declared, not sent: none of the node's budget is held, every file is taken.
    assert.deepEqual(clients.map(counts), [[250, 250, 0, 0], [250, 250, 0, 0], [250, 250, 0, 0], [250, 250, 0, 0]]);
    // Each upload of the first two sessions gets one chunk and stalls: 500 MB, the node's budget.
    await Promise.all(clients.slice(0, 2).map(async (c, k) => {
      for (const ref of refs[k]!) assert.equal((await chunk(c, ref, 0, Buffer.alloc(1024, 98))).o, 1024);
    }));
    // The other 500 are refused at their first chunk.
    await Promise.all(clients.slice(2).map(async (c, k) => {
      for (const ref of refs[k + 2]!) assert.equal((await chunk(c, ref, 0, Buffer.alloc(1024, 98))).c, "E_UPLOAD_BUDGET");
    }));
    await until(() => clients.slice(2).every((c) => counts(c)[2] === 250), 5000, "budget refusals shown");
    assert.equal(files().length, 500);
    assert.equal(bytes(), 500 * 1024);
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - before.heapUsed;
    assert.ok(grown < 64 * 1024 * 1024, `heap grew ${grown} bytes for 1,000 stalled uploads`);
    // Stalled past uploadIdleMs: dropped, files removed, budget freed.
    await until(() => clients.slice(0, 2).every((c) => counts(c)[3] === 250), 15_000, "idle entries dropped");
    await until(() => files().length === 0, 5000, "temp data removed");
    const fresh = entryRef();
    await declare(clients[3]!, "bulk", [[fresh, "again.bin", "", 1_000_000]]);
    assert.equal(counts(clients[3]!)[1], 1, "the freed budget takes a new upload");
  });

  it("holds at most a bounded number of WebSocket chunk bytes in memory while they wait for a slow disk (the socket is paused), and the files stay byte-identical", async () => {
    const { base, dir, files } = await setup();
    const c = await joined(base, "websocket", "/big");
    const refs = Array.from({ length: 20 }, () => entryRef());
    await declare(c, "big", refs.map((ref, j) => [ref, `f${j}.bin`, "", 10 * MiB]));
    const acked = () => {
      const top = new Map<string, number>();
      for (const m of c.received) if (m.t === S.uploadAck && Array.isArray(m.d)) top.set(m.d[0] as string, Math.max(top.get(m.d[0] as string) ?? 0, m.d[1] as number));
      return [...top.values()].reduce((a, b) => a + b, 0);
    };
    // A slow disk, nothing stubbed: the thread pool that runs the file writes is kept busy.
    let busy = true;
    const hog = async () => {
      while (busy) await new Promise((r) => pbkdf2(String(Math.random()), "salt", 20_000, 32, "sha256", r));
    };
    const hogs = Array.from({ length: 48 }, hog);
    global.gc?.();
    const mem = () => { const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
    const before = mem();
    let sent = 0;
    let peakHeld = 0;
    let peakMem = 0;
    const sample = setInterval(() => {
      peakHeld = Math.max(peakHeld, sent - c.ws.bufferedAmount - acked());
      peakMem = Math.max(peakMem, mem() - before);
    }, 5);
    const hashes = refs.map(() => createHash("sha256"));
    try {
      // 200 chunks of 1 MiB, 10 for each of 20 entries, never waiting for an ack (only for the socket to take them).
      for (let k = 0; k < 10; k++) {
        for (let j = 0; j < 20; j++) {
          const piece = Buffer.alloc(MiB, (j * 10 + k) % 251);
          piece.writeUInt32BE(j * 1000 + k, 0);
          hashes[j]!.update(piece);
          c.ws.send(Buffer.from(encodeChunkHeader(1, refs[j]!, k * MiB, piece)));
          sent += MiB;
          const sock = (c.ws as unknown as { _socket: Duplex })._socket;
          if (sock.writableNeedDrain) await within(once(sock, "drain"), 20_000, "the socket drains");
        }
      }
      await until(() => acked() === 200 * MiB, 60_000, "every chunk acknowledged");
    } finally {
      clearInterval(sample);
      busy = false;
      await Promise.all(hogs);
    }
    assert.ok(peakHeld < 32 * MiB, `${peakHeld} bytes taken by the server and not yet acknowledged`);
    assert.ok(peakMem < 96 * MiB, `heap and buffers grew ${peakMem} bytes`);
    assert.equal(c.closed, false);
    const onDisk = await Promise.all(files().map(async (f) => createHash("sha256").update(await readFile(join(dir, f))).digest("hex")));
    assert.deepEqual(onDisk.sort(), hashes.map((h) => h.digest("hex")).sort(), "every file byte-identical");
  });

  it("removes every temp file at app.close()", async () => {
    const { base, files, close } = await setup();
    const c = await joined(base);
    for (const name of ["a.txt", "b.txt"]) {
      const ref = entryRef();
      await declare(c, "doc", [[ref, name, "text/plain", 5000]]);
      assert.equal((await chunk(c, ref, 0, Buffer.alloc(100, 97))).o, 100);
    }
    assert.equal(files().length, 2);
    await close();
    assert.deepEqual(files(), []);
  });

  it("renders progress at most about every 100 ms, and always the end", async () => {
    const { base } = await setup();
    const c = await joined(base);
    const ref = entryRef();
    const size = 200 * 1024;
    await declare(c, "doc", [[ref, "p.txt", "text/plain", size]]);
    const from = c.received.length;
    const t0 = Date.now();
    for (let at = 0; at < size; at += 1024) assert.equal((await chunk(c, ref, at, Buffer.alloc(1024, 97))).c, undefined);
    const elapsed = Date.now() - t0;
    await until(() => shown(c, "doc").entries[0]?.done === true, 5000, "done rendered");
    const renders = c.received.slice(from).filter((m) => m.v === 1 && kindOf(m) === S.diff).length;
    assert.ok(renders <= Math.ceil(elapsed / 100) + 2, `${renders} renders in ${elapsed} ms for 200 chunks`);
  });
});
