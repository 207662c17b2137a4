/** Small response helpers shared by the HTTP handlers. */
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { ERRORS, type ErrorCode } from "../../protocol/errors.ts";

/** Answers with a JSON body, never cached. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(body), "Cache-Control": "no-store" });
  res.end(body);
}

/** Where a response's error codes are counted: set by the app on each request it handles. */
export const COUNT_ERROR = Symbol("weft.countError");

type Counted = ServerResponse & { [COUNT_ERROR]?: (code: ErrorCode) => void };

/**
 * Answers with the registry's status and a JSON body `{ error: { code, message } }`,
 * and counts the code for /weft/metrics.
 */
export function sendError(res: ServerResponse, code: ErrorCode, message: string = ERRORS[code].message): void {
  (res as Counted)[COUNT_ERROR]?.(code);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(ERRORS[code].status || 500, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
}

/**
 * Answers a refused WebSocket handshake with the registry's status and the
 * same JSON body as {@link sendError}, then closes the socket (no WebSocket opens).
 * `retryAfter`: seconds for a Retry-After header (a rate refusal).
 *
 * @example
 * if (refused !== undefined) return refuseUpgrade(socket, refused);
 * refuseUpgrade(socket, "E_RATE_LIMIT", "too many connects: retry later", 1);
 */
export function refuseUpgrade(socket: Duplex, code: ErrorCode, message: string = ERRORS[code].message, retryAfter?: number): void {
  const body = JSON.stringify({ error: { code, message } });
  const retry = retryAfter === undefined ? "" : `Retry-After: ${retryAfter}\r\n`;
  socket.end(`HTTP/1.1 ${ERRORS[code].status || 500} ${code}\r\nConnection: close\r\n${retry}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
