/**
 * Development logging: on a page of a server with the `dev` option (which links
 * the client's development part, dev.ts, at /weft/client-dev.js), every
 * `weft:error` is also written to the browser console with its code, its
 * message and a hint, so that a failure is visible even when the page does not
 * listen. Other pages do not load this module: nothing is logged.
 */
import type { ErrorCode } from "../protocol/errors.ts";
import { EVENT_PREFIX, type WeftErrorDetail } from "./dom-events.ts";

/** What to look at first, per code (only codes a page sees; outside the client's size budget, but kept short). */
const HINTS: Partial<Record<ErrorCode, string>> = {
  E_TOO_LARGE: "send less, or raise the server's maxMessageBytes",
  E_UNKNOWN_EVENT: "check the weft-* attribute's event name against the view's events",
  E_INVALID: "the payload does not match the handler's schema",
  E_HANDLER: "the handler threw: the server log has the stack",
  E_RENDER: "render threw: the server log has the stack",
  E_HOT_RELOAD: "fix the module and save it again: the server log has the error",
  E_MOUNT: "mount threw: the server log has the stack",
  E_BAD_TOKEN: "was the page rendered by a server with another secret?",
  E_TOKEN_EXPIRED: "reload the page (tokenMaxAgeMs)",
  E_RATE_LIMIT: "add weft-debounce or weft-throttle to the binding",
  E_ORIGIN: "add this page's origin to the server's allowedOrigins",
  E_TRANSPORT_OFF: "the client tried a transport the server does not offer (transports)",
  E_CLIENT_TRANSPORT: "is the server running? see the Network tab",
  E_CLIENT_PATCH: "did a script change the view's DOM? mark such elements weft-ignore",
  E_CLIENT_JS: "a weft-* value starting with [ is a JS command list: build it with JS.* on the server (docs/client.md)",
};

/**
 * What to look at first for an error `code`, if the development part knows.
 *
 * @example
 * hintOf("E_RATE_LIMIT"); // "add weft-debounce or weft-throttle to the binding"
 */
export function hintOf(code: string): string | undefined {
  return Object.hasOwn(HINTS, code) ? HINTS[code as ErrorCode] : undefined;
}

/**
 * The console line for a `weft:error`: code, message, and a hint when there is one.
 *
 * @example
 * devLine({ code: "E_TOO_LARGE", message: "the message is 70000 bytes", ref: 3, view: 1 });
 * // "weft E_TOO_LARGE: the message is 70000 bytes (view 1, ref 3) — hint: send less, or raise the server's maxMessageBytes"
 */
export function devLine({ code, message, ref, view }: WeftErrorDetail): string {
  const where = [view === undefined ? "" : `view ${view}`, ref === undefined ? "" : `ref ${ref}`].filter(Boolean).join(", ");
  const hint = hintOf(code);
  return `weft ${code}: ${message}${where ? ` (${where})` : ""}${hint ? ` — hint: ${hint}` : ""}`;
}

/**
 * Logs every `weft:error` that reaches `doc` to the console.
 *
 * @example
 * logErrors(document); // dev.ts
 */
export function logErrors(doc: Document): void {
  doc.addEventListener(EVENT_PREFIX + "error", (e) => {
    // A page script may dispatch its own weft:error with any detail.
    const d = (e as CustomEvent<WeftErrorDetail | null>).detail;
    if (d !== null && typeof d === "object") console.error(devLine(d));
  });
}
