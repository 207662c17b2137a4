import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { PATHS } from "../../src/protocol/messages.ts";
import { startApp } from "../support/server.ts";

/** The status and error code a WebSocket handshake to `url` is refused with. */
async function refusedUpgrade(url: string): Promise<{ status: number; code: string }> {
  const { default: WebSocket } = await import("ws");
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once("unexpected-response", (_req, res: IncomingMessage) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(body) as { error: { code: string } }).error.code }));
    });
    ws.once("open", () => reject(new Error("the upgrade was accepted")));
    ws.once("error", (err) => reject(err));
  });
}

describe("a transport turned off", () => {
  it("answers a WebSocket upgrade with 404 E_TRANSPORT_OFF when websocket is off", async () => {
    const { app, base } = await startApp({ useWebSocket: false });
    try {
      assert.deepEqual(await refusedUpgrade(base.replace("http", "ws") + PATHS.socket), { status: 404, code: "E_TRANSPORT_OFF" });
      // Another path is still simply unknown.
      assert.deepEqual(await refusedUpgrade(`${base.replace("http", "ws")}/elsewhere`), { status: 404, code: "E_UNKNOWN_VIEW" });
      // A plain GET of the WebSocket path (an upgrade a proxy dropped) says the same.
      const res = await fetch(`${base}${PATHS.socket}`);
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_TRANSPORT_OFF");
    } finally {
      await app.close();
    }
  });

  it("answers the SSE and HTTP endpoints with 404 E_TRANSPORT_OFF when they are off", async () => {
    const { app, base } = await startApp({ transports: ["websocket"] });
    try {
      for (const path of [PATHS.sse, PATHS.http]) {
        const res = await fetch(`${base}${path}?l=${"a".repeat(22)}`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" });
        assert.equal(res.status, 404, path);
        assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_TRANSPORT_OFF", path);
      }
    } finally {
      await app.close();
    }
  });
});
