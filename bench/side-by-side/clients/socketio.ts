// Socket.IO clients (socket.io-client 4.8): one connection each, forced to
// one transport; an event is emit("inc") with an acknowledgement, answered by
// the server's ack. Polling uses engine.io's Fetch transport (Node's fetch,
// keep-alive connections, as a browser's XHR would) rather than the Node
// default, xmlhttprequest-ssl, which opens a new TCP connection per request.
import { Fetch, io } from "socket.io-client";
import { withTimeout } from "../stats.ts";
import type { Connect } from "./types.ts";

function connectOver(transport: "websocket" | "polling"): Connect {
  return async (base) => {
    const options = { forceNew: true, reconnection: false, timeout: 10_000 };
    const socket = transport === "polling" ? io(base, { ...options, transports: [Fetch] }) : io(base, { ...options, transports: ["websocket"] });
    await withTimeout(new Promise<void>((resolve, reject) => {
      socket.once("connect", () => resolve());
      socket.once("connect_error", reject);
    }), 15_000, `socket.io ${transport} connect`);
    return {
      fire: (done) => void socket.emit("inc", () => done()),
      bytesIn: () => NaN, // not measured for Socket.IO
      close: () => void socket.disconnect(),
    };
  };
}

export const socketioWs = connectOver("websocket");
export const socketioPolling = connectOver("polling");
