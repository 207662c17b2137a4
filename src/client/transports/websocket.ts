/**
 * The WebSocket transport: one socket per page at PATHS.socket, text frames —
 * or MessagePack ones when the page loaded the codec and the server chose it.
 */
import { encodeChunkHeader, PATHS } from "../../protocol/messages.ts";
import { noop, type Transport } from "./types.ts";

/**
 * The MessagePack codec a page loaded (/weft/client-msgpack.js, msgpack.ts),
 * at `window.weftMsgpack`. With it the socket offers its subprotocol; when the
 * server chooses it, frames are converted here, at the socket's edge.
 *
 * @example
 * const k = (window as { weftMsgpack?: MsgpackCodec }).weftMsgpack;
 * new WebSocket(url, k?.n); // MessagePack if the server chooses n[0]
 */
export interface MsgpackCodec {
  /** The subprotocols offered: MSGPACK_PROTOCOL, then JSON_PROTOCOL (what a server without `msgpack` chooses). */
  n: string[];
  /** One JSON frame as MessagePack. */
  p(frame: string): Uint8Array;
  /** One binary frame as JSON text ("" when it does not decode). */
  u(data: ArrayBuffer): string;
  /** The head of an upload chunk's envelope, whose `n` bytes follow it. */
  c(v: number, ref: string, o: number, n: number): Uint8Array;
}

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
  /** The codec, once the server chose MessagePack for this socket. */
  private k: MsgpackCodec | undefined;

  /** @param url defaults to the page's host, `wss:` on an https page. */
  constructor(private readonly url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${PATHS.socket}`) {}

  open(): void {
    let ws: WebSocket;
    const k = (window as { weftMsgpack?: MsgpackCodec }).weftMsgpack;
    try {
      ws = new WebSocket(this.url, k?.n);
    } catch {
      // A bad URL or a blocked scheme throws synchronously; report it like a failed connect.
      setTimeout(() => this.closed || this.onClose(), 0);
      return;
    }
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.k = k?.n[0] === ws.protocol ? k : undefined;
      this.onOpen();
    };
    ws.onmessage = (e: MessageEvent) => {
      const d = e.data;
      if (typeof d === "string") this.onMessage(d);
      else if (this.k) this.onMessage(this.k.u(d));
    };
    // `error` is always followed by `close`; one place handles both.
    ws.onclose = () => {
      this.ws = undefined;
      this.onClose();
    };
  }

  send(frame: string | Blob): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(this.k && typeof frame === "string" ? (this.k.p(frame) as Uint8Array<ArrayBuffer>) : frame);
  }

  /** One binary frame: the chunk's head, then its bytes (a Blob is sent in order with the text frames). */
  sendChunk(v: number, ref: string, o: number, b: Blob): void {
    this.send(new Blob([(this.k ? this.k.c(v, ref, o, b.size) : encodeChunkHeader(v, ref, o, new Uint8Array())) as Uint8Array<ArrayBuffer>, b]));
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
