/**
 * Uploads on two nodes with one Redis: chunks POSTed to the node that does
 * not hold the SSE link are forwarded to the link's node intact (bytes, not
 * text); a session handed over mid-upload goes on on the new node, which
 * adopts the temp files from the shared uploadDir (unfinished or finished),
 * and with separate uploadDirs shows them failed (E_UPLOAD_UNKNOWN) while the
 * old node removes its files after the grace period; a forged snapshot file
 * name touches nothing outside uploadDir.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import type { WeftApp } from "../../src/index.ts";
import { S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { HANDOVER_GRACE_MS } from "../../src/server/uploads/node.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { clusterFixture, startApp, TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";
import { SseWire, TRANSPORTS } from "../support/wires.ts";
import { chunk, declare, entryRef, event, Files, pngBytes, postChunk, saved, sha, shown } from "../support/uploads.ts";

const skip = redisSkipReason();
const dir = mkdtempSync(join(tmpdir(), "weft-up-cluster-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const files = () => (existsSync(dir) ? readdirSync(dir) : []);

describe("uploads across two nodes", { skip, timeout: 60_000 }, () => {
  const cluster = clusterFixture({ views: { "/files": Files }, uploadDir: dir }, { untilUp: true });
  const { nodes } = cluster;

  it("forwards chunks POSTed to the other node to the SSE link's node: the file arrives complete and byte-identical", async () => {
    const [a, b] = nodes;
    const c = await ProtocolClient.connect(a!.base, {}, "sse");
    try {
      assert.equal((await c.join(1, (await getPage(a!.base, "/files")).token)).t, S.rendered);
      const w = c.wire as SseWire;
      // The same link, its requests sent to B.
      const viaB = Object.assign(Object.create(Object.getPrototypeOf(w) as object) as SseWire, w, { url: w.url.replace(a!.base, b!.base) });
      const ref = entryRef();
      // Every byte value, so a text round trip would show.
      const bytes = Buffer.alloc(200_000);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
      await declare(c, "doc", [[ref, "all-bytes.bin", "application/octet-stream", bytes.length]]);
      for (let at = 0; at < bytes.length; at += 65_536) {
        const ack = await postChunk(viaB, ref, at, bytes.subarray(at, at + 65_536));
        assert.deepEqual(ack, { o: Math.min(at + 65_536, bytes.length), status: 200 });
      }
      // A chunk over the largest chunkBytes is refused on B, before it travels.
      assert.equal((await postChunk(viaB, entryRef(), 0, Buffer.alloc((1 << 20) + 1))).c, "E_UPLOAD_CHUNK");
      assert.ok(b!.app.stats().cluster!.forwarded >= 4);
      await until(() => shown(c, "doc").entries[0]?.done === true, 5000, "done entry");
      await event(c, "save", { upload: "doc" });
      assert.deepEqual(saved(c).map((s) => [s.name, s.size, s.sha]), [["all-bytes.bin", bytes.length, sha(bytes)]]);
      await until(() => files().length === 0, 5000, "temp file removed");
    } finally {
      await c.close();
    }
  });

  /** A chunk's answer without the POST's status. */
  const ack = ({ o, c }: { o: number; c?: string }) => (c === undefined ? { o } : { o, c });

  /** Joins `token` on `d` (another node): the session is taken over from `c`'s node. */
  async function takeOver(c: ProtocolClient, d: ProtocolClient, token: string): Promise<void> {
    const answer = await d.join(1, token, c.views.get(1)!.seq);
    assert.ok(answer.t === S.rendered || answer.t === S.reply, JSON.stringify(answer).slice(0, 200));
    if (answer.t === S.reply) d.views.set(1, c.views.get(1)!);
  }

  for (const transport of TRANSPORTS) it(`goes on with an upload begun on A once B takes the session over (a shared uploadDir, ${transport}): from the acked byte, a duplicate re-acked, the file byte-identical and consumed on B, no temp file left`, async () => {
    const [a, b] = nodes;
    const { token } = await getPage(a!.base, "/files");
    const c = await ProtocolClient.connect(a!.base, {}, transport);
    const d = await ProtocolClient.connect(b!.base, {}, transport);
    try {
      await c.join(1, token);
      const ref = entryRef();
      const bytes = pngBytes(3000);
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      assert.equal((await chunk(c, ref, 0, bytes.subarray(0, 1024))).o, 1024);
      assert.equal((await chunk(c, ref, 1024, bytes.subarray(1024, 2048))).o, 2048);
      const before = files();
      assert.equal(before.length, 1);
      // The browser comes back through B: B takes the session over and adopts the file under a new name.
      await takeOver(c, d, token);
      // The last chunk sent again (its ack was lost with the link): acknowledged, not written twice.
      assert.deepEqual(ack(await chunk(d, ref, 1024, bytes.subarray(1024, 2048))), { o: 2048 });
      assert.deepEqual(files().filter((f) => before.includes(f)), [], "renamed on adoption");
      assert.deepEqual(ack(await chunk(d, ref, 2048, bytes.subarray(2048))), { o: 3000 });
      await until(() => shown(d, "avatar").entries[0]?.done === true, 5000, "done on B");
      await event(d, "save");
      assert.deepEqual(saved(d).map((x) => [x.name, x.size, x.sha]), [["a.png", 3000, sha(bytes)]]);
      assert.deepEqual(shown(d, "avatar").entries, []);
      await until(() => files().length === 0, 5000, "no temp file on either node");
    } finally {
      await c.close();
      await d.close();
    }
  });

  it("keeps a finished, unconsumed file across the move: done on B and consumed there", async () => {
    const [a, b] = nodes;
    const { token } = await getPage(a!.base, "/files");
    const c = await ProtocolClient.connect(a!.base);
    const d = await ProtocolClient.connect(b!.base);
    try {
      await c.join(1, token);
      const ref = entryRef();
      const bytes = pngBytes(2000);
      await declare(c, "avatar", [[ref, "b.png", "image/png", 2000]]);
      assert.equal((await chunk(c, ref, 0, bytes.subarray(0, 1024))).o, 1024);
      assert.equal((await chunk(c, ref, 1024, bytes.subarray(1024))).o, 2000);
      await until(() => shown(c, "avatar").entries[0]?.done === true, 5000, "done on A");
      await takeOver(c, d, token);
      await event(d, "save");
      assert.deepEqual(saved(d).map((x) => [x.name, x.size, x.sha]), [["b.png", 2000, sha(bytes)]]);
      await until(() => files().length === 0, 5000, "no temp file on either node");
    } finally {
      await c.close();
      await d.close();
    }
  });

  it("refuses a stored snapshot whose file name is a path (\"../x\", absolute): E_UPLOAD_UNKNOWN, nothing outside uploadDir touched", async () => {
    const [a, b] = nodes;
    const victim = mkdtempSync(join(tmpdir(), "weft-victim-"));
    after(() => rmSync(victim, { recursive: true, force: true }));
    writeFileSync(join(victim, "x"), "keep me");
    writeFileSync(join(tmpdir(), `${basename(victim)}.part`), "keep me too");
    after(() => rmSync(join(tmpdir(), `${basename(victim)}.part`), { force: true }));
    // A page mounted on A: its snapshot is in Redis before any join.
    const { token } = await getPage(a!.base, "/files");
    const sid = (new TokenSigner([TEST_SECRET]).verify(token) as { sid: string }).sid;
    const redis = new Redis(cluster.redis.url);
    try {
      const key = `weft:s:${sid}`;
      const snap = JSON.parse((await redis.get(key))!) as { state: Record<string, unknown> };
      const entry = (ref: string, f: string) => ({ ref, name: "a.png", type: "image/png", size: 3000, progress: 34, done: false, errors: [], f, o: 1024 });
      const r1 = entryRef();
      const r2 = entryRef();
      snap.state.uploads = { avatar: { entries: [entry(r1, `../${basename(victim)}.part`), entry(r2, join(victim, "x"))], errors: [] } };
      await redis.set(key, JSON.stringify(snap), "PX", 60_000);
      const d = await ProtocolClient.connect(b!.base);
      try {
        assert.equal((await d.join(1, token)).t, S.rendered);
        assert.deepEqual(shown(d, "avatar").entries.map((e) => [e.ref, e.errors]), [[r1, ["E_UPLOAD_UNKNOWN"]], [r2, ["E_UPLOAD_UNKNOWN"]]]);
        assert.equal((await chunk(d, r1, 1024, pngBytes(1024))).c, "E_UPLOAD_UNKNOWN");
        assert.equal((await chunk(d, r2, 1024, pngBytes(1024))).c, "E_UPLOAD_UNKNOWN");
      } finally {
        await d.close();
      }
      assert.equal(readFileSync(join(victim, "x"), "utf8"), "keep me");
      assert.equal(readFileSync(join(tmpdir(), `${basename(victim)}.part`), "utf8"), "keep me too");
      assert.deepEqual(files(), []);
    } finally {
      redis.disconnect();
    }
  });
});

describe("uploads across two nodes with separate uploadDirs", { skip, timeout: 60_000 }, () => {
  const redis = new RedisServer();
  const nodes: { app: WeftApp; base: string }[] = [];
  const dirA = mkdtempSync(join(tmpdir(), "weft-up-a-"));
  const dirB = mkdtempSync(join(tmpdir(), "weft-up-b-"));
  const list = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  before(async () => {
    await redis.start();
    for (const uploadDir of [dirA, dirB]) nodes.push(await startApp({ views: { "/files": Files }, uploadDir, redis: redis.url }));
    await until(async () => (await Promise.all(nodes.map(async (n) => ((await (await fetch(`${n.base}/weft/health`)).json()) as { backend?: { redis?: string } }).backend?.redis === "up"))).every(Boolean), 5000, "every node on Redis");
  });
  after(async () => {
    for (const n of nodes) await n.app.close();
    await redis.close();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  });

  it("marks the entries of a session handed over mid-upload E_UPLOAD_UNKNOWN on B (the file is not on its disk), and A removes its temp file after the grace period", async () => {
    const [a, b] = nodes;
    const { token } = await getPage(a!.base, "/files");
    const c = await ProtocolClient.connect(a!.base);
    const d = await ProtocolClient.connect(b!.base);
    try {
      await c.join(1, token);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      assert.equal((await chunk(c, ref, 0, pngBytes(1024))).o, 1024);
      assert.equal(list(dirA).length, 1);
      const answer = await d.join(1, token, c.views.get(1)!.seq);
      assert.ok(answer.t === S.rendered || answer.t === S.reply, JSON.stringify(answer).slice(0, 200));
      if (answer.t === S.reply) d.views.set(1, c.views.get(1)!);
      await event(d, "save");
      assert.deepEqual(shown(d, "avatar").entries.map((e) => [e.ref, e.errors]), [[ref, ["E_UPLOAD_UNKNOWN"]]]);
      assert.equal((await chunk(d, ref, 1024, pngBytes(1024))).c, "E_UPLOAD_UNKNOWN");
      // Kept a while for a node that could adopt it, then removed.
      assert.equal(list(dirA).length, 1);
      await until(() => list(dirA).length === 0, HANDOVER_GRACE_MS + 5000, "A's temp file removed after the grace period");
      assert.deepEqual(list(dirB), []);
      // The page restarts it as a new entry, on B.
      const again = entryRef();
      await declare(d, "avatar", [[again, "a.png", "image/png", 100]]);
      assert.equal((await chunk(d, again, 0, pngBytes(100))).o, 100);
    } finally {
      await c.close();
      await d.close();
    }
  });
});
