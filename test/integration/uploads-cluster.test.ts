/**
 * Uploads on two nodes with one Redis: chunks POSTed to the node that does
 * not hold the SSE link are forwarded to the link's node intact (bytes, not
 * text), and a session handed over mid-upload shows its unfinished entries
 * failed on the new node (their temp data was on the old one, and is removed there).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";
import { until } from "../support/until.ts";
import { SseWire } from "../support/wires.ts";
import { chunk, declare, entryRef, event, Files, pngBytes, postChunk, saved, sha, shown } from "../support/uploads.ts";

const skip = redisSkipReason();
const dir = mkdtempSync(join(tmpdir(), "weft-up-cluster-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const files = () => (existsSync(dir) ? readdirSync(dir) : []);

describe("uploads across two nodes", { skip, timeout: 60_000 }, () => {
  const { nodes } = clusterFixture({ views: { "/files": Files }, uploadDir: dir }, { untilUp: true });

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

  it("marks the unfinished entries of a session handed over mid-upload E_UPLOAD_UNKNOWN on the new node, and the old node removes their temp data", async () => {
    const [a, b] = nodes;
    const { token } = await getPage(a!.base, "/files");
    const c = await ProtocolClient.connect(a!.base);
    const d = await ProtocolClient.connect(b!.base);
    try {
      await c.join(1, token);
      const ref = entryRef();
      await declare(c, "avatar", [[ref, "a.png", "image/png", 3000]]);
      assert.equal((await chunk(c, ref, 0, pngBytes(1024))).o, 1024);
      assert.equal(files().length, 1);
      // The browser comes back through B: B takes the session over.
      const answer = await d.join(1, token, c.views.get(1)!.seq);
      assert.ok(answer.t === S.rendered || answer.t === S.reply, JSON.stringify(answer).slice(0, 200));
      if (answer.t === S.reply) d.views.set(1, c.views.get(1)!);
      await until(() => shown(d, "avatar").entries[0]?.errors[0] === "E_UPLOAD_UNKNOWN" || d.received.length > 0, 5000, "the entry failed on B");
      await event(d, "save");
      assert.deepEqual(shown(d, "avatar").entries.map((e) => [e.ref, e.errors]), [[ref, ["E_UPLOAD_UNKNOWN"]]]);
      assert.equal((await chunk(d, ref, 1024, pngBytes(1024))).c, "E_UPLOAD_UNKNOWN");
      await until(() => files().length === 0, 5000, "the old node's temp data removed");
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
