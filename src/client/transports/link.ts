/**
 * What the request-based transports (SSE, HTTP long-poll) share: the link id
 * that names the page's connection, and one fetch with the status policy of
 * docs/transports.md.
 */
import { HEADERS, S } from "../../protocol/messages.ts";
import { reportError } from "../dom-events.ts";
import { noop } from "./types.ts";

/**
 * Answers that refuse the frames themselves (400 not JSON, 413 too large, 415
 * wrong type): sending them again would be refused again, so they are reported
 * and dropped while the link stays up. Every other failure — 404/410 (the
 * server does not know the link), 5xx, a network error — ends the link: the
 * live socket opens a new one and each view rejoins from its own seq.
 */
const REFUSED = [400, 413, 415];

/**
 * POSTs `frames` to `url` on a request that outlives the page (`keepalive`),
 * as the page goes away. Best effort: nothing is awaited or reported.
 *
 * @example
 * farewell(`${PATHS.sse}?l=${link}`, ['{"t":"l","v":1}']);
 */
export function farewell(url: string, frames: readonly string[]): void {
  if (frames.length === 0) return;
  fetch(url, { method: "POST", keepalive: true, cache: "no-store", headers: { "Content-Type": "application/json" }, body: `[${frames.join(",")}]` }).catch(() => {});
}

/**
 * A fresh link id: 15 random bytes, base64url (20 characters of
 * `[A-Za-z0-9_-]`: a multiple of 3 bytes leaves no `=` padding to strip).
 *
 * @example
 * newLinkId(); // "q5mF0Jm3tUeZ2c8xR1o9"
 */
export function newLinkId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(15));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * The headers of a link's first request: the view token that admits it
 * (none when the page has no view to give one; the server then refuses).
 *
 * @example
 * opening("eyJ…"); // { "x-weft-token": "eyJ…" }
 */
export function opening(token: string | false | undefined): Record<string, string> {
  return token ? { [HEADERS.token]: token } : {};
}

/** Told the code and message of a POST the server refused as a whole. */
export type OnRefused = (code: string, message: string | undefined) => void;

const reportRefused: OnRefused = (code, message) => reportError(document, code, message);

/**
 * GETs `url`, or POSTs `body` (a JSON array of frames) to it, with `headers`.
 * Resolves with the response when it is 2xx, with undefined when the server
 * refused the posted frames (handed to `refused`; by default reported as
 * `weft:error`); rejects when the link is gone (or was never admitted): the
 * error's message is Weft's code when the answer carried one (`E_TOKEN_EXPIRED`
 * for a link opened with an expired view token), else `HTTP <status>`.
 *
 * @example
 * const res = await request(`${PATHS.sse}?l=${link}`, abort.signal, "[{\"t\":\"h\"}]");
 */
export async function request(url: string, signal: AbortSignal, body?: string, headers: Record<string, string> = {}, refused = reportRefused): Promise<Response | undefined> {
  const init: RequestInit = { cache: "no-store", signal, headers };
  if (body !== undefined) Object.assign(init, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body });
  const res = await fetch(url, init);
  if (res.ok) return res;
  // Weft says why in `{"error":{"code","message"}}` (a proxy's error page does not).
  const e = ((await res.json().catch(noop)) as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (body === undefined || !REFUSED.includes(res.status)) throw Error(e?.code ?? `HTTP ${res.status}`);
  refused(e?.code ?? "E_BAD_FRAME", e?.message);
  return undefined;
}

/**
 * POSTs upload chunk `b` (entry `ref` of view `v`, from byte `o`) to the
 * link's URL as `application/octet-stream`, and hands its answer to `deliver`
 * as the frame a WebSocket would have brought: `{"o": n}` becomes
 * `{ t: "u", v, d: [ref, n, 0] }`, a refusal `{ d: [ref, undefined, code] }`
 * (an answer that is not Weft's — a proxy's error page, any body without a
 * byte count — reads E_CLIENT_TRANSPORT). A request that fails on the way (the link is going
 * down, or was closed: `signal`) delivers nothing: the entry resumes after
 * the view's next join.
 *
 * @example
 * postChunk(`${PATHS.sse}?l=${link}`, abort.signal, 1, ref, 0, file.slice(0, 65_536), onFrame);
 */
export function postChunk(url: string, signal: AbortSignal, v: number, ref: string, o: number, b: Blob, deliver: (frame: string) => void): void {
  fetch(`${url}&v=${v}&u=${ref}&o=${o}`, { method: "POST", cache: "no-store", signal, headers: { "Content-Type": "application/octet-stream" }, body: b })
    .then((res) => res.json().catch(noop))
    // Not `{"o": n}`: Weft's refusal code, or E_CLIENT_TRANSPORT for an answer that is not Weft's.
    .then((a?: { o?: number; error?: { code?: string } }) => deliver(JSON.stringify({ t: S.uploadAck, v, d: [ref, a?.o, a?.o! >= 0 ? 0 : a?.error?.code || "E_CLIENT_TRANSPORT"] })), noop);
}
