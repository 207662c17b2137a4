/**
 * The DOM events the client dispatches for the page to listen to. All bubble, so
 * one listener on `document` sees every view's events.
 */
import type { ErrorCode } from "../protocol/errors.ts";

/**
 * Prefix of every client event name: `weft:error`, `weft:transport`, `weft:NAME` (pushEvent).
 *
 * @example
 * root.addEventListener(EVENT_PREFIX + "saved", onSaved);
 */
export const EVENT_PREFIX = "weft:";

/**
 * `detail` of a `weft:error` event.
 *
 * @example
 * document.addEventListener("weft:error", (e) => {
 *   const { code, message } = (e as CustomEvent<WeftErrorDetail>).detail;
 * });
 */
export interface WeftErrorDetail {
  /** A registered error code (protocol/errors.ts). */
  code: string;
  /** Human-readable message. */
  message: string;
  /** The event ref the error answers, when one caused it. */
  ref: number | undefined;
  /** The view id (`v` on the wire), when a view is concerned. */
  view: number | undefined;
}

/**
 * Dispatches `weft:NAME` on `target` with `detail`, bubbling.
 *
 * @example
 * emit(root, "saved", { id: 1 }); // page sees a "weft:saved" event
 */
export function emit(target: EventTarget, name: string, detail: unknown): void {
  target.dispatchEvent(new CustomEvent(EVENT_PREFIX + name, { detail, bubbles: true }));
}

/**
 * The registry's message (protocol/errors.ts) of the codes the client may
 * report without a message of its own: the server's error frames and refusals
 * carry theirs (`m`), so the bundle holds only these few (a test keeps them
 * equal to the registry); any other code without a message reads as itself.
 */
export const CLIENT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  E_CLIENT_TRANSPORT: "the browser could not reach the server",
  E_CLIENT_PATCH: "the browser could not apply an update; it rejoins",
};

/**
 * Reports a failure as a `weft:error` event instead of throwing.
 *
 * @example
 * reportError(document, "E_CLIENT_TRANSPORT");
 */
export function reportError(target: EventTarget, code: string, message?: string, ref?: number, view?: number): void {
  // typeof: a code such as "constructor" must not read Object.prototype's.
  const known = CLIENT_MESSAGES[code as ErrorCode];
  const detail: WeftErrorDetail = { code, message: message ?? (typeof known === "string" ? known : code), ref, view };
  emit(target, "error", detail);
}

/**
 * Wraps a callback so that nothing it throws escapes into the browser's event
 * loop: the failure becomes a `weft:error` with `code` on `document` (by
 * default E_CLIENT_TRANSPORT, the code every caller of the client has).
 *
 * @example
 * ws.onmessage = guard((e) => handle(e.data));
 */
export function guard<A extends unknown[]>(fn: (...args: A) => void, code: ErrorCode = "E_CLIENT_TRANSPORT"): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (err) {
      try {
        reportError(document, code, err instanceof Error ? err.message : String(err));
      } catch {
        // Nowhere left to report; the client keeps running.
      }
    }
  };
}
