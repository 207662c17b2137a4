/**
 * What differs between htmx 2 (htmx.org 2 + htmx-ext-ws / htmx-ext-sse) and
 * htmx 4 (hx-ws / hx-sse) on a demo page: the scripts, the attributes that
 * open a socket or a stream, and where the CSRF token goes. Every page of
 * the htmx demo is written once against this interface and served for both.
 */
import { escapeHtml } from "../../../src/index.ts";

/** How a page's CSRF token reaches Weft with every frame. */
export type TokenIn =
  /** htmx 2: `hx-headers` on the socket's element (ext-ws sends it as a header); htmx 4: `hx-vals:inherited` (hx-ws sends no hx-headers). */
  | "attributes"
  /** A hidden `<input name="weft-csrf">` in each ws-send form (the same on both generations). */
  | "field";

/** One htmx generation, as a demo page uses it. */
export interface Generation {
  /** 2 or 4: also the URL segment (/htmx/2/…, /htmx/4/…). */
  readonly n: 2 | 4;
  /** Its name on the page. */
  readonly label: string;
  /** The vendor scripts a page loads, in order (served by vendor.ts). */
  readonly scripts: readonly string[];
  /**
   * The attributes (escaped) of the element that opens the WebSocket `url`
   * and carries the CSRF `token` when `tokenIn` is "attributes".
   */
  ws(url: string, token: string, tokenIn: TokenIn): string;
  /** The attribute that makes a form or a button send over the closest socket. */
  readonly send: string;
  /**
   * The attributes (escaped) of the element that opens the SSE stream `url`
   * and swaps the OOB fragments of its unnamed events (a view's stream).
   */
  sse(url: string): string;
}

/** `{"name":"value"}` escaped for an attribute value. */
function jsonAttr(name: string, value: string): string {
  return escapeHtml(JSON.stringify({ [name]: value }));
}

const HTMX2: Generation = {
  n: 2,
  label: "htmx 2",
  scripts: ["/vendor/htmx2/htmx.min.js", "/vendor/htmx2/ext/ws.js", "/vendor/htmx2/ext/sse.js"],
  ws: (url, token, tokenIn) =>
    `hx-ext="ws" ws-connect="${escapeHtml(url)}"` + (tokenIn === "attributes" ? ` hx-headers="${jsonAttr("X-Weft-CSRF", token)}"` : ""),
  send: "ws-send",
  // The unnamed events ("message") go to sse-swap="message"; hx-swap="none" keeps the element's own content,
  // and the OOB fragments are swapped by id.
  sse: (url) => `hx-ext="sse" sse-connect="${escapeHtml(url)}" sse-swap="message" hx-swap="none"`,
};

const HTMX4: Generation = {
  n: 4,
  label: "htmx 4",
  scripts: ["/vendor/htmx4/htmx.min.js", "/vendor/htmx4/ext/hx-ws.js", "/vendor/htmx4/ext/hx-sse.js"],
  // hx-ws does not send hx-headers: the token travels as a value, inherited by every hx-ws:send inside.
  ws: (url, token, tokenIn) =>
    `hx-ws:connect="${escapeHtml(url)}"` + (tokenIn === "attributes" ? ` hx-vals:inherited="${jsonAttr("weft-csrf", token)}"` : ""),
  send: "hx-ws:send",
  // An unnamed event is swapped into this element: an OOB-only message leaves it alone (swapEmpty:false).
  sse: (url) => `hx-sse:connect="${escapeHtml(url)}" hx-swap="none"`,
};

/** The generations, by URL segment. */
export const GENERATIONS: Readonly<Record<string, Generation>> = { "2": HTMX2, "4": HTMX4 };
