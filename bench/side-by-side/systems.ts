// The systems measured side by side: each names its server (a script under
// servers/ with its arguments) and the client that speaks to it.
import { floorHttp, floorSse, floorWs } from "./clients/floor.ts";
import { liveviewjsWs } from "./clients/liveviewjs.ts";
import { socketioPolling, socketioWs } from "./clients/socketio.ts";
import type { Connect, ViewName } from "./clients/types.ts";
import { weftHttp, weftSse, weftWs, weftWsMsgpack } from "./clients/weft.ts";
import type { Metric } from "./results.ts";

/** The metric that each wire view's bytes per update are recorded under. */
export const WIRE_METRIC: Readonly<Record<ViewName, Metric>> = {
  counter: "bytes-counter",
  table: "bytes-table-cell",
  list: "bytes-list-append",
  "keyed-delete": "bytes-keyed-delete",
  "keyed-move": "bytes-keyed-move",
};

export interface SystemSpec {
  /** Short id for --only: "weft-ws", "floor-sse", … */
  readonly id: string;
  readonly system: "weft" | "floor" | "socket.io" | "liveviewjs";
  /** "websocket+msgpack": WebSocket with MessagePack frames (the msgpack option). */
  readonly transport: "websocket" | "websocket+msgpack" | "sse" | "http" | "polling";
  readonly script: string;
  readonly args: readonly string[];
  readonly connect: Connect;
  /** Views whose updates are measured in bytes on the wire (none: not measured). */
  readonly wire: readonly ViewName[];
  /** Most idle sessions this system is measured with, and why (fewer than the plan's). */
  readonly idleCap?: { readonly sessions: number; readonly why: string };
}

export const SYSTEMS: readonly SystemSpec[] = [
  { id: "floor-ws", system: "floor", transport: "websocket", script: "floor", args: ["--kind", "ws"], connect: floorWs, wire: [] },
  { id: "weft-ws", system: "weft", transport: "websocket", script: "weft", args: [], connect: weftWs, wire: ["counter", "table", "list", "keyed-delete", "keyed-move"] },
  { id: "weft-ws-msgpack", system: "weft", transport: "websocket+msgpack", script: "weft", args: ["--msgpack"], connect: weftWsMsgpack, wire: ["counter", "table", "list", "keyed-delete", "keyed-move"] },
  { id: "socketio-ws", system: "socket.io", transport: "websocket", script: "socketio", args: ["--transport", "websocket"], connect: socketioWs, wire: [] },
  { id: "liveviewjs-ws", system: "liveviewjs", transport: "websocket", script: "liveviewjs", args: [], connect: liveviewjsWs, wire: ["counter"] },
  { id: "floor-sse", system: "floor", transport: "sse", script: "floor", args: ["--kind", "sse"], connect: floorSse, wire: [] },
  { id: "weft-sse", system: "weft", transport: "sse", script: "weft", args: [], connect: weftSse, wire: ["counter", "table", "list", "keyed-delete", "keyed-move"] },
  { id: "floor-http", system: "floor", transport: "http", script: "floor", args: ["--kind", "http"], connect: floorHttp, wire: [] },
  { id: "weft-http", system: "weft", transport: "http", script: "weft", args: [], connect: weftHttp, wire: ["counter", "table", "list", "keyed-delete", "keyed-move"] },
  {
    id: "socketio-polling", system: "socket.io", transport: "polling", script: "socketio", args: ["--transport", "polling"], connect: socketioPolling, wire: [],
    idleCap: { sessions: 2_000, why: "beyond a few thousand idle polling clients, new ones miss Socket.IO's 10 s connect timeout from one load generator" },
  },
];
