// Clients of the floor servers (servers/floor.ts). Each event is a message the
// size of a Weft counter event; the answer is its echo. Answers come back in
// order on one connection (FIFO). Over SSE and HTTP the frames go out as Weft's
// clients send theirs: through the browser client's own PostQueue, one POST in
// flight and what queued meanwhile in the next (a JSON array of frames, at most
// 256 per POST); the answer (the stream event, the echoed body) is that array,
// and each of its frames answers the oldest event waiting.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { PostQueue } from "../../../src/client/transports/post-queue.ts";
import { withTimeout } from "../stats.ts";
import { HttpPeer, sseParser } from "./http.ts";
import { Fifo, type BenchClient, type Connect } from "./types.ts";

/** As long as Weft's counter event with a 4-digit ref. */
const EVENT = '{"t":"e","v":1,"e":"inc","d":{},"r":1000}';

/** Completes one waiting event per frame of an answer (a JSON array of frames). */
function answerBatch(fifo: Fifo, batch: string): void {
  const n = (JSON.parse(batch) as unknown[]).length;
  for (let i = 0; i < n; i++) fifo.shift();
}

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
  const parse = sseParser((batch) => answerBatch(fifo, batch));
  const res = await peer.stream(`/sse?c=${c}`, { accept: "text/event-stream" }, (chunk) => {
    opened();
    parse(chunk);
  }, () => {});
  if (res.statusCode !== 200) throw new Error(`floor sse: ${res.statusCode}`);
  await withTimeout(first, 10_000, "floor sse open");
  const out = new PostQueue(async (body) => {
    const r = await peer.fetch("POST", `/post?c=${c}`, body, { "content-type": "application/json" });
    if (r.status !== 204) throw new Error(`floor sse POST: ${r.status}`);
  }, () => !peer.isClosed && console.error("floor sse: a POST failed"));
  const client: BenchClient = {
    fire: (done) => (fifo.push(done), out.push(EVENT)),
    bytesIn: () => peer.bytesIn(),
    close: () => (out.close(), peer.close()),
  };
  return client;
};

export const floorHttp: Connect = async (base) => {
  const peer = new HttpPeer(base);
  const hello = await peer.fetch("POST", "/echo", `[${EVENT}]`, { "content-type": "application/json" });
  if (hello.status !== 200) throw new Error(`floor http: ${hello.status}`);
  const fifo = new Fifo();
  const out = new PostQueue(async (body) => {
    const r = await peer.fetch("POST", "/echo", body, { "content-type": "application/json" });
    if (r.status !== 200) throw new Error(`floor http POST: ${r.status}`);
    answerBatch(fifo, r.body);
  }, () => !peer.isClosed && console.error("floor http: a POST failed"));
  return {
    fire: (done) => (fifo.push(done), out.push(EVENT)),
    bytesIn: () => peer.bytesIn(),
    close: () => (out.close(), peer.close()),
  };
};
