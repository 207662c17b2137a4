/**
 * A client that resets its connection in the middle of a WebSocket handshake
 * Weft refuses (unknown path, a topic no pattern allows) or is still admitting
 * (an async authorize) must not crash the server: Node hands 'upgrade' a socket
 * without its own error listener, so an ECONNRESET there would be an uncaught
 * exception that ends the process. The server answers the next request as before.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { createWeft, defineView, html, type WeftApp } from "../../src/index.ts";
import { TEST_SECRET } from "../support/server.ts";
import { until } from "../support/until.ts";

const View = defineView({ mount: () => ({}), render: () => html`<p id="a">here</p>` });

describe("handshakes reset by the client", () => {
  let app: WeftApp;
  let server: Server;
  let port: number;
  const uncaught: unknown[] = [];
  const record = (err: unknown) => uncaught.push(err);
  /** Admission waits for this gate, opened once every client has reset: each reset lands while its handshake waits. */
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  /** authorize calls not yet answered. */
  let waiting = 0;

  before(async () => {
    process.on("uncaughtException", record);
    app = createWeft({
      views: { "/v": View },
      htmx: { views: ["/v"], topics: { news: { json: true } } },
      secret: TEST_SECRET,
      authorize: async () => {
        waiting++;
        await gate;
        waiting--;
        return {};
      },
    });
    server = createServer(app.handler).on("upgrade", app.upgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as net.AddressInfo).port;
  });

  after(async () => {
    process.off("uncaughtException", record);
    open();
    await app.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("neither refused nor waiting handshakes crash the server when the client resets", async () => {
    const paths = ["/weft/nope", "/weft/htmx/topic/not-allowed", "/weft/htmx/topic/news", "/weft/htmx/ws/v", "/weft/ws"];
    let closed = 0;
    const total = paths.length * 12;
    for (const path of paths) {
      for (let i = 0; i < 12; i++) {
        const s = net.connect(port, "127.0.0.1", () => {
          s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
          setTimeout(() => s.resetAndDestroy(), i % 4);
        });
        s.on("error", () => {});
        s.on("close", () => closed++);
      }
    }
    await until(() => closed === total, 10_000, "every client socket closed");
    // The waiting handshakes go on now, on sockets their clients reset: the server's writes to them fail.
    open();
    const connections = () => new Promise<number>((r) => server.getConnections((_err, n) => r(n)));
    await until(async () => waiting === 0 && (await connections()) === 0, 10_000, "every admission answered and every server-side socket closed");
    assert.deepEqual(uncaught.map(String), []);
    const res = await fetch(`http://127.0.0.1:${port}/v`);
    assert.equal(res.status, 200);
  });
});
