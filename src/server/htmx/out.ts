/**
 * What every htmx stream sends, whatever carries it: one message of text
 * (HTML fragments or JSON) with, on SSE, its event name and id. A WebSocket
 * sends `data` as one text frame; an SSE response writes `event:`/`id:`/`data:`
 * lines (transport files: htmx/ws.ts, htmx/sse-stream.ts).
 */

/** One message to an htmx client. */
export interface HtmxOut {
  /** The text: HTML (top-level elements with `id` and `hx-swap-oob`) or JSON. */
  readonly data: string;
  /** SSE only: the event name (`event:` line); absent → the default "message". */
  readonly event?: string | undefined;
  /** SSE only: the event id (`id:` line), sent back by the browser as Last-Event-ID. */
  readonly id?: string | undefined;
}

/** Where one htmx stream's messages go: a WebSocket or an SSE response. */
export interface HtmxSender {
  /** "websocket" or "sse". */
  readonly kind: "websocket" | "sse";
  /** Sends one message (dropped once closed). */
  send(out: HtmxOut): void;
  /**
   * Ends the stream. `code` is a WebSocket close code (1012 at app.close(),
   * an error's close code, 1008 for policy); an SSE response just ends.
   */
  close(code: number, reason: string): void;
  /** Called once when the stream ends, from either side. */
  onClose(fn: () => void): void;
}
