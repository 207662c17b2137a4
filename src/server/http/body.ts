/**
 * Reads a JSON request body with the limits a peer must not exceed: a content
 * type of application/json and at most `limit` bytes (counted as they arrive,
 * so an oversized body is refused without being buffered).
 */
import type { IncomingMessage } from "node:http";
import type { ErrorCode } from "../../protocol/errors.ts";

/** A parsed body, or the error code to answer with. */
export type BodyResult = { ok: true; value: unknown; bytes: number } | { ok: false; code: ErrorCode; message?: string };

export function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const type = String(req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    req.resume();
    return Promise.resolve({ ok: false, code: "E_CONTENT_TYPE" });
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.resolve({ ok: false, code: "E_TOO_LARGE", message: `the body is ${declared} bytes; the limit is ${limit}` });
  }
  return readBody(req, limit).then((body): BodyResult => {
    if (body === undefined) return { ok: false, code: "E_TOO_LARGE", message: `the body is over the limit of ${limit} bytes` };
    if (body === "error") return { ok: false, code: "E_BAD_FRAME", message: "the request failed while reading" };
    try {
      return { ok: true, value: JSON.parse(body.toString("utf8")), bytes: body.length };
    } catch {
      return { ok: false, code: "E_BAD_FRAME", message: "the body is not JSON" };
    }
  });
}

/**
 * Reads a request body, counting bytes as they arrive: undefined as soon as
 * it passes `limit` (the rest is drained, not buffered), "error" when the
 * request fails while reading.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined | "error"> {
  // A promise settles once: whichever of these comes first wins.
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        resolve(undefined);
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", () => resolve("error"));
  });
}
