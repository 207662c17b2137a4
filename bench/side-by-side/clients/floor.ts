// Clients of the floor servers (servers/floor.ts). Each event is a message the
// size of a Weft counter event; the answer is its echo. Answers come back in
// order on one connection (FIFO); with several POSTs in flight over SSE and
// HTTP (up to six sockets, as a browser) any answer completes the oldest.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { withTimeout } from "../stats.ts";
import { HttpPeer, sseParser } from "./http.ts";
import { Fifo, type BenchClient, type Connect } from "./types.ts";

/** As long as Weft's counter event with a 4-digit ref. */
const EVENT = '{"t":"e","v":1,"e":"inc","d":{},"r":1000}';

export const floorWs: Connect = async (base) => {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/`, { headers: { origin: base } });
  let socket: { bytesRead: number } | undefined;
  ws.on("upgrade", (res) => (socket = res.socket));
  await withTimeout(new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  }), 10_000, "floor ws open");
  const fifo = new Fifo();
  ws.on("message", () => fifo.shift());
  ws.on("error", () => {});
  return {
    fire: (done) => (fifo.push(done), ws.send(EVENT)),
    bytesIn: () => socket?.bytesRead ?? 0,
    close: () => ws.terminate(),
  };
};

export const floorSse: Connect = async (base) => {
  const peer = new HttpPeer(base);
  const c = randomBytes(16).toString("base64url");
  const fifo = new Fifo();
  let opened: () => void = () => {};
  const first = new Promise<void>((r) => (opened = r));
  const parse = sseParser(() => fifo.shift());
  const res = await peer.stream(`/sse?c=${c}`, { accept: "text/event-stream" }, (chunk) => {
    opened();
    parse(chunk);
  }, () => {});
  if (res.statusCode !== 200) throw new Error(`floor sse: ${res.statusCode}`);
  await withTimeout(first, 10_000, "floor sse open");
  const client: BenchClient = {
    fire: (done) => {
      fifo.push(done);
      peer.fetch("POST", `/post?c=${c}`, EVENT, { "content-type": "application/json" }).then((r) => {
        if (r.status !== 204) throw new Error(`floor sse POST: ${r.status}`);
      }, (err: unknown) => !peer.isClosed && console.error("floor sse POST:", err));
    },
    bytesIn: () => peer.bytesIn(),
    close: () => peer.close(),
  };
  return client;
};

export const floorHttp: Connect = async (base) => {
  const peer = new HttpPeer(base);
  const hello = await peer.fetch("POST", "/echo", EVENT, { "content-type": "application/json" });
  if (hello.status !== 200) throw new Error(`floor http: ${hello.status}`);
  return {
    fire: (done) => {
      peer.fetch("POST", "/echo", EVENT, { "content-type": "application/json" }).then(() => done(), (err: unknown) => !peer.isClosed && console.error("floor http POST:", err));
    },
    bytesIn: () => peer.bytesIn(),
    close: () => peer.close(),
  };
};
