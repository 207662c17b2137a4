/**
 * A rejoin compares who is signed in, not the bytes of the session data:
 * a refreshed timestamp or another key order keeps the view; another user
 * gets E_FORBIDDEN.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { IncomingMessage } from "node:http";
import { S } from "../../src/protocol/messages.ts";
import type { WeftApp, WeftOptions } from "../../src/index.ts";
import { ProtocolClient } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";

const userOf = (req: IncomingMessage) => /user=(\w+)/.exec(req.headers.cookie ?? "")?.[1] ?? "nobody";

describe("rejoin identity", () => {
  const apps: WeftApp[] = [];
  after(async () => {
    for (const a of apps) await a.close();
  });

  /** Renders /counter as `page` user, then joins over a WebSocket as `join` user: the join's answer. */
  async function rejoin(opts: Partial<WeftOptions>, page: string, join: string) {
    const { app, base } = await startApp(opts);
    apps.push(app);
    const html = await (await fetch(`${base}/counter`, { headers: { cookie: `user=${page}` } })).text();
    const token = /weft-token="([^"]+)"/.exec(html)?.[1] ?? "";
    assert.ok(token, html.slice(0, 200));
    const c = await ProtocolClient.connect(base, { cookie: `user=${join}` });
    try {
      return await c.join(1, token);
    } finally {
      await c.close();
    }
  }

  it("keeps the view when the session data carries the same id and a new timestamp", async () => {
    let n = 0;
    const authorize = (req: IncomingMessage) => ({ id: userOf(req), at: ++n });
    assert.equal((await rejoin({ authorize }, "ada", "ada")).t, S.rendered);
    assert.equal((await rejoin({ authorize }, "ada", "bob")).c, "E_FORBIDDEN");
  });

  it("keeps the view when session data without an id comes back in another key order", async () => {
    let n = 0;
    const authorize = (req: IncomingMessage) => (++n % 2 === 1 ? { user: userOf(req), role: "dev" } : { role: "dev", user: userOf(req) });
    assert.equal((await rejoin({ authorize }, "ada", "ada")).t, S.rendered);
    assert.equal((await rejoin({ authorize }, "ada", "bob")).c, "E_FORBIDDEN");
  });

  it("compares what the identity option picks", async () => {
    let n = 0;
    const authorize = (req: IncomingMessage) => ({ userId: userOf(req), loginAt: ++n });
    const identity = (s: Record<string, unknown>) => s.userId;
    assert.equal((await rejoin({ authorize, identity }, "ada", "ada")).t, S.rendered);
    assert.equal((await rejoin({ authorize, identity }, "ada", "bob")).c, "E_FORBIDDEN");
    // Without the option the login time is part of the identity (no `id`): the view is refused.
    assert.equal((await rejoin({ authorize }, "ada", "ada")).c, "E_FORBIDDEN");
  });
});
