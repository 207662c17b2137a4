/**
 * The MessagePack codec of the browser client, a bundle of its own
 * (/weft/client-msgpack.js) that only pages of an app with the `msgpack`
 * option load, before the client. It registers itself as
 * `window.weftMsgpack`; the WebSocket transport (transports/websocket.ts)
 * then offers the subprotocol, and when the server chooses it, converts
 * each frame at the socket's edge. Inside the client frames stay JSON text,
 * so every other part (the live socket, the probe, the views) is unchanged.
 */
import { Packr, Unpackr } from "msgpackr";
import { C, JSON_PROTOCOL, MSGPACK_PROTOCOL } from "../protocol/messages.ts";
import type { MsgpackCodec } from "./transports/websocket.ts";

// Plain MessagePack maps (no records), sized to their content.
const packr = new Packr({ useRecords: false, variableMapSize: true });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

const codec: MsgpackCodec = {
  n: [MSGPACK_PROTOCOL, JSON_PROTOCOL],
  p: (frame) => packr.pack(JSON.parse(frame)),
  // A frame that does not decode becomes "": the live socket reports an unreadable frame.
  u: (data) => {
    try {
      return JSON.stringify(unpackr.unpack(new Uint8Array(data)));
    } catch {
      return "";
    }
  },
  c: (v, ref, o, n) => {
    // The envelope with an empty bin last (c4 00), its bin header then set for the n bytes that follow it.
    const h = packr.pack({ t: C.chunk, v, d: [ref, o, new Uint8Array(0)] });
    const len = n < 256 ? [0xc4, n] : n < 65536 ? [0xc5, n >> 8, n & 255] : [0xc6, n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255];
    return Uint8Array.from([...h.subarray(0, h.length - 2), ...len]);
  },
};

(window as { weftMsgpack?: MsgpackCodec }).weftMsgpack = codec;
