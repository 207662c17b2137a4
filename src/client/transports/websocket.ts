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
 * WebSocket transport. `url` defaults to the page's host, `wss:` on an https page.
 *
 * @example
 * const t = webSocketTransport(); // ws(s)://<this host>/weft/ws
 * t.onMessage = handle;
 * t.open();
 */
export function webSocketTransport(url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${PATHS.socket}`): Transport {
  let ws: WebSocket | undefined;
  let closed = false;
  /** The codec, once the server chose MessagePack for this socket. */
  let k: MsgpackCodec | undefined;
  const send = (frame: string | Blob): void => {
    if (ws?.readyState === WebSocket.OPEN) ws.send(k && typeof frame === "string" ? (k.p(frame) as Uint8Array<ArrayBuffer>) : frame);
  };
  const t: Transport = {
    name: "websocket",
    onOpen: noop,
    onMessage: noop,
    onClose: noop,
    open() {
      let s: WebSocket;
      const c = (window as { weftMsgpack?: MsgpackCodec }).weftMsgpack;
      try {
        s = new WebSocket(url, c?.n);
      } catch {
        // A bad URL or a blocked scheme throws synchronously; report it like a failed connect.
        setTimeout(() => closed || t.onClose(), 0);
        return;
      }
      ws = s;
      s.binaryType = "arraybuffer";
      s.onopen = () => {
        k = c?.n[0] === s.protocol ? c : undefined;
        t.onOpen();
      };
      s.onmessage = (e: MessageEvent) => {
        const d = e.data;
        if (typeof d === "string") t.onMessage(d);
        else if (k) t.onMessage(k.u(d));
      };
      // `error` is always followed by `close`; one place handles both.
      s.onclose = () => {
        ws = undefined;
        t.onClose();
      };
    },
    send,
    sendChunk(v, ref, o, b) {
      send(new Blob([(k ? k.c(v, ref, o, b.size) : encodeChunkHeader(v, ref, o, new Uint8Array())) as Uint8Array<ArrayBuffer>, b]));
    },
    farewell(frames) {
      for (const f of frames) send(f);
    },
    close() {
      const s = ws;
      ws = undefined;
      closed = true;
      if (s === undefined) return;
      s.onopen = s.onmessage = s.onclose = null;
      s.close();
    },
  };
  return t;
}
