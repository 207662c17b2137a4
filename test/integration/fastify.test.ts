import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import { WebSocketServer } from "ws";
import { weftFastify, type WeftFastifyOptions } from "../../src/adapters/fastify.ts";
import { createWeft, type WeftOptions } from "../../src/index.ts";
import { protocolConformance } from "../support/conformance.ts";
import { assertSharedUpgrades, fastifyHost } from "../support/hosts.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { assertHtmxUpgrade, HtmxCount } from "../support/htmx-upgrade.ts";
import { TEST_SECRET } from "../support/server.ts";
import { within } from "../support/until.ts";
import { Counter } from "../support/views.ts";

protocolConformance(fastifyHost);

describe("the Fastify plugin", () => {
  /** Weft behind the plugin on a server whose other 'upgrade' listener serves /other; `check` runs against its base URL. */
  async function withOtherListener(options: WeftOptions, check: (base: string) => Promise<void>): Promise<void> {
    const weft = createWeft(options);
    const fastify = Fastify();
    await fastify.register(weftFastify, { app: weft });
    const other = new WebSocketServer({ noServer: true });
    fastify.server.on("upgrade", (req, socket, head) => {
      if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("other endpoint"));
    });
    try {
      await fastify.listen({ port: 0, host: "127.0.0.1" });
      await check(`http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`);
    } finally {
      other.close();
      await fastify.close();
    }
  }

  it("leaves WebSocket upgrades on other paths to the server's other listeners", async () => {
    await withOtherListener({ views: { "/counter": Counter }, secret: TEST_SECRET }, assertSharedUpgrades);
  });

  it("passes htmx WebSocket upgrades (/weft/htmx/…) to Weft beside the server's other listeners", async () => {
    await withOtherListener({ views: { "/counter": Counter, "/count": HtmxCount }, htmx: { views: ["/count"] }, secret: TEST_SECRET }, async (base) => {
      await assertHtmxUpgrade(base);
      await assertSharedUpgrades(base);
    });
  });

  it("closes the Weft app with Fastify, so that open sockets and streams do not hold the close", async () => {
    const weft = createWeft({ views: { "/counter": Counter }, secret: TEST_SECRET });
    const fastify = Fastify();
    await fastify.register(weftFastify, { app: weft });
    await fastify.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(fastify.server.address() as { port: number }).port}`;
    const ws = await ProtocolClient.connect(base);
    await ws.join(1, (await getPage(base, "/counter")).token);
    const sse = await ProtocolClient.connect(base, {}, "sse");
    await sse.join(1, (await getPage(base, "/counter")).token);
    assert.equal(weft.stats().sessions, 2);
    try {
      await within(fastify.close(), 10_000, "fastify.close() with a socket and a stream open");
      assert.equal(weft.stats().sessions, 0);
    } finally {
      await weft.close(); // lets a held fastify.close() finish when the test fails
      await Promise.all([ws.close(), sse.close()]);
    }
  });

  it("refuses to register without a Weft app, naming what it got", async () => {
    const fastify = Fastify();
    await assert.rejects(
      async () => {
        await fastify.register(weftFastify, { app: { views: {} } } as unknown as WeftFastifyOptions);
      },
      /expected the app that createWeft\(\) returns, got an object with keys \[views\]/,
    );
    await fastify.close();
  });
});
