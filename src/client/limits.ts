/**
 * The server's size limit for what the client sends, as the page announces
 * it (`data-max-bytes` on the script tag: the server's `maxMessageBytes`). A
 * view refuses itself an event the server would refuse — over WebSocket a
 * frame far over the limit would close the socket, and the event, resent
 * after each reconnect, would close it again — and POST batches are cut to fit.
 */

/**
 * The limit in bytes of UTF-8: one frame over WebSocket, one POST body over SSE and HTTP.
 *
 * @example
 * limits.maxBytes = Number(script.getAttribute("data-max-bytes")) || limits.maxBytes;
 */
export const limits = { maxBytes: 64 * 1024 };

/**
 * The UTF-8 length of `s`, without encoding it.
 *
 * @example
 * utf8Length("é"); // 2
 */
export function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // U+0080–U+07FF take 2 bytes, the rest of the BMP 3; a surrogate pair (2 units) takes 4.
    if (c > 0x7f) n += c > 0x7ff && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/**
 * True when `frame` (one envelope's JSON) would be refused as too large, sent
 * alone in a POST body (`[frame]`) or as a WebSocket frame. Counts bytes only
 * for frames that could be over (a UTF-16 unit is at most 3 bytes).
 *
 * @example
 * oversized(JSON.stringify(msg)); // false for any ordinary event
 */
export function oversized(frame: string): boolean {
  return frame.length * 3 + 2 > limits.maxBytes && utf8Length(frame) + 2 > limits.maxBytes;
}
