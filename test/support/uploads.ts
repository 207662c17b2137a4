/**
 * Uploads in the integration tests: a view that declares two uploads, and a
 * client helper that declares files, sends chunks over any transport (a
 * binary WebSocket frame, an octet-stream POST on SSE and HTTP) and reads
 * the entries the page shows.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { defineView, html, type UploadedFile, type Uploads } from "../../src/index.ts";
import { C, encodeChunkHeader, S, type Envelope } from "../../src/protocol/messages.ts";
import type { ProtocolClient } from "./protocol-client.ts";
import { pack } from "msgpackr";
import { HttpWire, SseWire, WsWire } from "./wires.ts";

/** A PNG's first bytes (its signature and the start of an IHDR chunk). */
export const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** `size` bytes that start like a PNG. */
export function pngBytes(size: number): Buffer {
  const b = randomBytes(size);
  PNG_HEAD.copy(b, 0, 0, Math.min(size, PNG_HEAD.length));
  return b;
}

export const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex").slice(0, 16);

/**
 * A consumeUploads callback that keeps each file's bytes in `got` by its name
 * and returns the name.
 *
 * @example
 * const names = await ctx.consumeUploads("files", keepIn(got));
 */
export function keepIn(got: Map<string, Buffer>): (f: UploadedFile) => Promise<string> {
  return async ({ path, name }) => {
    got.set(name, await readFile(path));
    return name;
  };
}

interface Saved {
  name: string;
  size: number;
  sha: string;
  path: string;
}

/** `avatar`: PNG or JPEG, ≤ 4 KiB, 2 files, 1 KiB chunks, auto; `doc`: .txt/.bin, ≤ 10 MB, 64 KiB chunks. */
export const Files = defineView({
  uploads: {
    avatar: { accept: [".png", "image/jpeg"], maxBytes: 4096, maxFiles: 2, chunkBytes: 1024, autoUpload: true },
    doc: { accept: [".txt", ".bin"], maxBytes: 10_000_000, maxFiles: 3 },
  },
  mount: () => ({ uploads: {} as Uploads, saved: [] as Saved[] }),
  events: {
    save: async (s, p, ctx) => {
      const name = p.upload === "doc" ? "doc" : "avatar";
      const got = await ctx.consumeUploads(name, async (f) => ({ name: f.name, size: f.size, sha: sha(await readFile(f.path)), path: f.path }));
      return { ...s, saved: [...s.saved, ...got] };
    },
    cancel: (s, p, ctx) => {
      ctx.cancelUpload(String(p.upload), String(p.ref));
      return s;
    },
    boom: async (_s, _p, ctx) => {
      await ctx.consumeUploads("avatar", () => {
        throw new Error("boom");
      });
    },
    // Consumes outside any handler: in a background task that goes on (until its session ends) after it.
    later: (s, _p, ctx) => {
      ctx.startAsync("later", async ({ signal }) => {
        const n = (await ctx.consumeUploads("avatar", (f) => f.name)).length;
        await new Promise((done) => signal.addEventListener("abort", done, { once: true }));
        return n;
      });
      return s;
    },
  },
  render: (s) => html`<ul>${Object.entries(s.uploads).map(([n, u]) => html`<li>${n}:${u.errors.join(",")}<ol>${u.entries.map((e) => html`<li>${e.ref}|${e.name}|${e.type}|${e.size}|${e.progress}|${e.done ? "done" : ""}|${e.errors.join(",")}</li>`)}</ol></li>`)}</ul><p>${s.saved.map((x) => html`<b>${x.name}|${x.size}|${x.sha}|${x.path}</b>`)}</p>`,
});

/** One entry as the page shows it. */
export interface ShownEntry {
  ref: string;
  name: string;
  type: string;
  size: number;
  progress: number;
  done: boolean;
  errors: string[];
}

/** The entries of upload `name` in view `v`'s HTML, and the upload's own errors. */
export function shown(c: ProtocolClient, name: string, v = 1): { entries: ShownEntry[]; errors: string[] } {
  const h = c.views.get(v)?.html() ?? "";
  const m = new RegExp(`<li>${name}:([^<]*)<ol>(.*?)</ol>`).exec(h);
  if (m === null) return { entries: [], errors: [] };
  const entries = [...m[2]!.matchAll(/<li>(.*?)<\/li>/g)].map((x) => {
    const [ref, nm, type, size, progress, done, errors] = x[1]!.split("|");
    return { ref: ref!, name: nm!, type: type!, size: Number(size), progress: Number(progress), done: done === "done", errors: errors ? errors.split(",") : [] };
  });
  return { entries, errors: m[1] ? m[1].split(",") : [] };
}

/** The files the view's `save` consumed: name, size, sha, temp path. */
export function saved(c: ProtocolClient, v = 1): Saved[] {
  const h = c.views.get(v)?.html() ?? "";
  return [...h.matchAll(/<b>(.*?)<\/b>/g)].map((x) => {
    const [name, size, s, path] = x[1]!.split("|");
    return { name: name!, size: Number(size), sha: s!, path: path! };
  });
}

let refs = 0;
/** A fresh entry ref (20 characters, as the browser makes them). */
export function entryRef(): string {
  return `e${String(++refs).padStart(4, "0")}${randomBytes(12).toString("base64url")}`.slice(0, 20);
}

let nextRef = 1_000;
/** Declares files for upload `name` of view `v`; resolves with the answer to its ref. */
export function declare(c: ProtocolClient, name: string, files: [ref: string, name: string, type: string, size: number][], v = 1): Promise<Envelope> {
  const r = ++nextRef;
  c.send({ t: C.upload, v, r, e: name, d: files });
  return c.next((m) => m.v === v && m.r === r);
}

/** Cancels entry `ref`; resolves with the answer. */
export function cancel(c: ProtocolClient, name: string, ref: string, v = 1): Promise<Envelope> {
  const r = ++nextRef;
  c.send({ t: C.uploadCancel, v, r, e: name, d: ref });
  return c.next((m) => m.v === v && m.r === r);
}

/** Sends an event with a fresh ref. */
export function event(c: ProtocolClient, name: string, payload: Record<string, unknown> = {}, v = 1): Promise<Envelope> {
  return c.event(v, name, payload, ++nextRef);
}

/** A chunk's answer, whatever the transport: bytes received, and the refusal's code. */
export interface Ack {
  o: number;
  c?: string;
  status?: number;
}

/**
 * Sends one chunk of entry `ref` at `offset` over the client's transport:
 * a binary frame on WebSocket — the `k` envelope on a MessagePack socket —
 * (resolves with its S.uploadAck), an
 * octet-stream POST on SSE and HTTP (resolves with its answer).
 */
export async function chunk(c: ProtocolClient, ref: string, offset: number, bytes: Uint8Array, v = 1): Promise<Ack> {
  const w = c.wire;
  if (w instanceof SseWire || w instanceof HttpWire) {
    const res = await postChunk(w, ref, offset, bytes, v);
    return res;
  }
  if (w instanceof WsWire && w.packed) c.sendRaw(pack({ t: C.chunk, v, d: [ref, offset, bytes] }));
  else c.sendRaw(Buffer.from(encodeChunkHeader(v, ref, offset, bytes)));
  const m = await c.next((x) => x.t === S.uploadAck && Array.isArray(x.d) && x.d[0] === ref);
  const d = m.d as [string, number, string?];
  return d[2] === undefined ? { o: d[1] } : { o: d[1], c: d[2] };
}

/** POSTs a chunk on an SSE or HTTP link (its cookie), with a body of any kind. */
export async function postChunk(w: SseWire | HttpWire, ref: string, offset: number, body: BodyInit | Uint8Array, v = 1, extra = ""): Promise<Ack> {
  const res = await w.jar.fetch(`${w.url}&v=${v}&u=${ref}&o=${offset}${extra}`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: body as BodyInit, duplex: "half" } as RequestInit);
  const text = await res.text();
  const j = JSON.parse(text) as { o?: number; error?: { code: string } };
  return res.ok ? { o: j.o!, status: res.status } : { o: -1, c: j.error?.code, status: res.status };
}

/** Sends `bytes` in chunks of `size`, each after the previous one's ack; resolves with the last ack. */
export async function sendAll(c: ProtocolClient, ref: string, bytes: Uint8Array, size: number, v = 1): Promise<Ack> {
  let ack: Ack = { o: 0 };
  for (let at = 0; at < bytes.length; at += size) {
    ack = await chunk(c, ref, at, bytes.subarray(at, at + size), v);
    if (ack.c !== undefined) return ack;
  }
  return ack;
}
