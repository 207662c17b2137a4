/**
 * The one contract every browser transport implements (WebSocket, SSE, HTTP
 * long-poll). A transport moves whole frames — one JSON envelope per string —
 * and knows nothing of views, seqs or refs: the live socket does. Link seqs (SSE
 * and HTTP) stay inside their transport: frames come out in order, once.
 */

/**
 * Does nothing: a transport's callbacks until its owner sets them (one
 * function for all of them, which the bundle carries once).
 *
 * @example
 * onOpen = noop;
 */
export const noop = (): void => {};

/**
 * A client → server and server → client frame pipe.
 *
 * Invariants: `onOpen` fires at most once per `open()`; `onClose` fires at most
 * once per `open()`, after which the transport is spent (the owner creates a new
 * one to reconnect); after the owner calls `close()` no callback fires at all, so
 * the owner never races its own teardown.
 *
 * @example
 * const t: Transport = webSocketTransport();
 * t.onOpen = () => t.send(JSON.stringify({ t: C.heartbeat }));
 * t.onMessage = (frame) => console.log(frame);
 * t.onClose = () => scheduleReconnect();
 * t.open();
 */
export interface Transport {
  /** Name as in `window.WEFT_TRANSPORT` and the `weft:transport` event: "websocket", "sse", "http". */
  readonly name: string;
  /** Starts connecting. */
  open(): void;
  /** Sends one frame. Only called between `onOpen` and `onClose`. */
  send(frame: string): void;
  /** Tears down without calling back. */
  close(): void;
  /**
   * The page is going away: sends `frames` (the views' leaves) on a request
   * that outlives the page. Best effort, nothing awaited.
   */
  farewell(frames: readonly string[]): void;
  /**
   * Sends bytes `b` of upload entry `ref` of view `v`, which start at byte `o`
   * of its file (docs/uploads.md). Its acknowledgement comes back as a frame
   * like any other (`S.uploadAck`: `{ t: "u", v, d: [ref, received, code?] }`);
   * a chunk lost with the link gets none (the entry resumes after the view's
   * next join). Every transport of Weft has it; optional for test doubles.
   */
  sendChunk?(v: number, ref: string, o: number, b: Blob): void;
  /** The link is up: frames can be sent. */
  onOpen: () => void;
  /** One frame from the server. */
  onMessage: (frame: string) => void;
  /**
   * The link is down (or never came up). `code`: the server refused to open
   * the link, with this error code (an SSE or HTTP link's first request:
   * `E_TOKEN_EXPIRED`, `E_BAD_TOKEN`, `E_LINK_TOKEN` … see docs/transports.md).
   */
  onClose: (code?: string) => void;
}

/**
 * Makes transports of one kind; negotiation picks among these.
 *
 * @example
 * const ws: TransportFactory = { name: "websocket", openMs: 5_000, create: () => webSocketTransport() };
 */
export interface TransportFactory {
  /** The transport's name. */
  readonly name: string;
  /**
   * A transport of this kind that has not called `onOpen` by then has failed
   * (a proxy that holds the request, or buffers the stream's hello).
   */
  readonly openMs: number;
  /**
   * A fresh, unopened transport; `fallback`: opened because a better transport
   * failed (the server counts it); `token`: a view token of the page, which a
   * new SSE or HTTP link must carry on its first request (the server makes no
   * link without one).
   */
  create(fallback?: boolean, token?: string): Transport;
}
