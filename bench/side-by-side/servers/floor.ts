// The floor: what a round trip costs with no framework at all, on the same
// libraries Weft stands on (`ws`, `node:http`). Args: --kind ws | sse | http.
//   ws:   a `ws` server that echoes every message;
//   sse:  GET /sse?c=ID opens an event stream; POST /post?c=ID answers 204
//         and writes its body as one event on that client's stream;
//   http: POST /echo answers 200 with its body (keep-alive).
// A POST body is a JSON array of frames, batched by the client as Weft's
// clients batch theirs (clients/floor.ts); the floor relays the batch whole,
// the least any server could do with it.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { WebSocketServer } from "ws";
import { serve } from "./harness.ts";

const kind = process.argv[process.argv.indexOf("--kind") + 1];
if (kind !== "ws" && kind !== "sse" && kind !== "http") throw new Error("--kind ws|sse|http");

/** Reads a request body (bounded: 64 KiB). */
function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > 65_536) return req.destroy(new Error("too large"));
      chunks.push(c);
    });
    req.on("end", () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

await serve(async () => {
  const streams = new Map<string, ServerResponse>();
  // POSTs answered (a test checks that clients batch frames per POST).
  let posts = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const c = url.searchParams.get("c") ?? "";
    if (kind === "sse" && req.method === "GET" && url.pathname === "/sse") {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.socket?.setNoDelay(true);
      res.write(": hi\n\n");
      streams.set(c, res);
      res.once("close", () => streams.delete(c));
      return;
    }
    if (req.method !== "POST") return void res.writeHead(404).end();
    posts++;
    body(req).then((b) => {
      if (kind === "http" && url.pathname === "/echo") {
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": b.length }).end(b);
      } else if (kind === "sse" && url.pathname === "/post") {
        const s = streams.get(c);
        if (s === undefined) return void res.writeHead(404).end();
        s.write(`data: ${b.toString()}\n\n`);
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    }, () => res.destroy());
  });
  const wss = kind === "ws" ? new WebSocketServer({ server, maxPayload: 65_536 }) : undefined;
  wss?.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary })));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise<void>((r) => {
      for (const ws of wss?.clients ?? []) ws.terminate();
      for (const s of streams.values()) s.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
    stats: () => ({ streams: streams.size, posts }),
  };
});
