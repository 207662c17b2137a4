/**
 * Upload chunks on the SSE and HTTP transports: `POST <link path>?l=LINK&v=VIEW&u=REF&o=OFFSET`
 * with `Content-Type: application/octet-stream` and the chunk's bytes as the
 * body, written to the entry's temp file as they arrive. Answered
 * `200 {"o": bytesReceived}`, or the refusal's status and `{ error: { code, message } }`.
 * A body that passes the upload's chunkBytes is cut off there (E_UPLOAD_CHUNK)
 * and its connection closed: nothing past the limit is read into memory or written.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { isId } from "../connection.ts";
import { sendError, sendJson } from "../http/respond.ts";
import { ENTRY_REF } from "../uploads/frames.ts";
import type { BufferedLink } from "./buffered-link.ts";

/**
 * True for a chunk POST: an octet-stream body and an entry ref in the query.
 *
 * @example if (isChunkPost(req, url)) return postChunk(req, res, link, url);
 */
export function isChunkPost(req: IncomingMessage, url: URL): boolean {
  return url.searchParams.has("u") && String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase() === "application/octet-stream";
}

/**
 * Feeds a chunk POST to `link`'s connection and answers it.
 *
 * @example await postChunk(req, res, link, new URL(req.url!, "http://x")); // 200 {"o":65536}
 */
export async function postChunk(req: IncomingMessage, res: ServerResponse, link: BufferedLink, url: URL): Promise<void> {
  const q = url.searchParams;
  const v = Number(q.get("v"));
  const ref = q.get("u") ?? "";
  const o = q.get("o") ?? "";
  if (!isId(v) || !ENTRY_REF.test(ref) || !/^\d{1,16}$/.test(o) || !Number.isSafeInteger(Number(o))) {
    return stop(req, res, "E_BAD_FRAME", "a chunk POST needs v (view id), u (entry ref) and o (offset) in its query");
  }
  link.lastActive = Date.now();
  const declared = Number(req.headers["content-length"]);
  // destroyOnReturn false: a refusal stops reading, and the answer still goes out.
  const body = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
  const ack = await link.conn.chunk(v, ref, Number(o), body, Number.isFinite(declared) ? declared : undefined);
  link.lastActive = Date.now();
  if (ack.c === undefined) return sendJson(res, 200, { o: ack.o });
  stop(req, res, ack.c);
}

/** Answers a refusal; a body not read to its end is not read further: the connection closes after the answer. */
function stop(req: IncomingMessage, res: ServerResponse, code: Parameters<typeof sendError>[1], message?: string): void {
  if (!req.readableEnded) res.setHeader("Connection", "close");
  sendError(res, code, message);
}
