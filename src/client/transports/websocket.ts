/**
 * The WebSocket transport: one socket per page at PATHS.socket, text frames.
 */
import { encodeChunkHeader, PATHS } from "../../protocol/messages.ts";
import { noop, type Transport } from "./types.ts";

/**
 * WebSocket transport.
 *
 * @example
 * const t = new WebSocketTransport(); // ws(s)://<this host>/weft/ws
 * t.onMessage = handle;
 * t.open();
 */
export class WebSocketTransport implements Transport {
  readonly name = "websocket";
  onOpen = noop;
  onMessage: (frame: string) => void = noop;
  onClose = noop;
  private ws: WebSocket | undefined;
  private closed = false;

  /** @param url defaults to the page's host, `wss:` on an https page. */
  constructor(private readonly url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${PATHS.socket}`) {}

  open(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch {
      // A bad URL or a blocked scheme throws synchronously; report it like a failed connect.
      setTimeout(() => this.closed || this.onClose(), 0);
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.onOpen();
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === "string") this.onMessage(e.data);
    };
    // `error` is always followed by `close`; one place handles both.
    ws.onclose = () => {
      this.ws = undefined;
      this.onClose();
    };
  }

  send(frame: string | Blob): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  /** One binary frame: the chunk's head, then its bytes (a Blob is sent in order with the text frames). */
  sendChunk(v: number, ref: string, o: number, b: Blob): void {
    this.send(new Blob([encodeChunkHeader(v, ref, o, new Uint8Array()) as Uint8Array<ArrayBuffer>, b]));
  }

  farewell(frames: readonly string[]): void {
    for (const f of frames) this.send(f);
  }

  close(): void {
    const ws = this.ws;
    this.ws = undefined;
    this.closed = true;
    if (ws === undefined) return;
    ws.onopen = ws.onmessage = ws.onclose = null;
    ws.close();
  }
}
