// Socket.IO 4.8: a counter per connection; the client emits "inc" with an
// acknowledgement and the server acks with the new count (the equivalent of
// a counter's diff). Args: --transport websocket | polling (the only one the
// server then offers). serveClient off; everything else the default.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { serve } from "./harness.ts";

const transport = process.argv[process.argv.indexOf("--transport") + 1];
if (transport !== "websocket" && transport !== "polling") throw new Error("--transport websocket|polling");

await serve(async () => {
  const http = createServer();
  const io = new Server(http, { transports: [transport], serveClient: false });
  io.on("connection", (socket) => {
    let count = 0;
    socket.on("inc", (ack: unknown) => {
      count++;
      if (typeof ack === "function") ack(count);
    });
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    port: (http.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      io.close(() => r());
      http.closeAllConnections();
    }),
    stats: () => ({ sockets: io.engine.clientsCount }),
  };
});
