import assert from "node:assert/strict";
import { once } from "node:events";
import type { Server } from "node:http";
import { describe, it } from "node:test";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { WebSocketServer } from "ws";
import { attachUpgrade, weftHono } from "../../src/adapters/hono.ts";
import { createWeft, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { protocolConformance } from "../support/conformance.ts";
import { assertSharedUpgrades, honoHost } from "../support/hosts.ts";
import { assertHtmxUpgrade, HtmxCount } from "../support/htmx-upgrade.ts";
import { TEST_SECRET } from "../support/server.ts";
import { Counter } from "../support/views.ts";

protocolConformance(honoHost);

describe("the Hono middleware", () => {
  /**
   * Weft behind the middleware, its upgrades attached, on a server whose other
   * 'upgrade' listener serves /other; `check` runs against its base URL.
   */
  async function withOtherListener(options: WeftOptions, check: (base: string, server: Server, detach: () => void) => Promise<void>): Promise<void> {
    const weft = createWeft(options);
    const hono = new Hono();
    hono.use(weftHono(weft));
    const server = serve({ fetch: hono.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    const other = new WebSocketServer({ noServer: true });
    server.on("upgrade", (req, socket, head) => {
      if (req.url === "/other") other.handleUpgrade(req, socket, head, (ws) => ws.send("other endpoint"));
    });
    const detach = attachUpgrade(server, weft);
    try {
      await once(server, "listening");
      await check(`http://127.0.0.1:${(server.address() as { port: number }).port}`, server, detach);
    } finally {
      other.close();
      await weft.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }

  it("leaves WebSocket upgrades on other paths to the server's other listeners", async () => {
    await withOtherListener({ views: { "/counter": Counter }, secret: TEST_SECRET }, async (base, server, detach) => {
      await assertSharedUpgrades(base);
      detach();
      assert.equal(server.listenerCount("upgrade"), 1, "detach takes Weft's listener away");
    });
  });

  it("passes htmx WebSocket upgrades (/weft/htmx/…) to Weft beside the server's other listeners", async () => {
    await withOtherListener({ views: { "/counter": Counter, "/count": HtmxCount }, htmx: { views: ["/count"] }, secret: TEST_SECRET }, async (base) => {
      await assertHtmxUpgrade(base);
      await assertSharedUpgrades(base);
    });
  });

  it("answers a clear error, not a crash, when it runs without @hono/node-server", async () => {
    const weft = createWeft({ views: { "/counter": Counter }, secret: TEST_SECRET });
    const hono = new Hono();
    hono.use(weftHono(weft));
    const seen: string[] = [];
    hono.onError((err, c) => {
      seen.push(err.message);
      return c.text("error", 500);
    });
    try {
      const res = await hono.request("/counter");
      assert.equal(res.status, 500);
      assert.match(seen[0] ?? "", /runs on @hono\/node-server: c\.env\.incoming and c\.env\.outgoing .* are missing/);
    } finally {
      await weft.close();
    }
  });

  it("refuses to be made without a Weft app, naming what it got", () => {
    assert.throws(() => weftHono(undefined as unknown as WeftApp), /expected the app that createWeft\(\) returns, got undefined/);
    assert.throws(() => attachUpgrade({} as Server, new Hono() as unknown as WeftApp), /expected the app that createWeft\(\) returns, got an object/);
  });
});
