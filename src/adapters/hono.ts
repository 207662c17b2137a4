/**
 * Weft inside Hono on Node (`@hono/node-server`):
 * `import { weftHono, attachUpgrade } from "weft-live/hono"`.
 *
 * Weft runs on Node's raw request and response, which `@hono/node-server`
 * hands to every handler as `c.env.incoming` / `c.env.outgoing`. Weft reads
 * its POST bodies itself: mount it before any middleware that reads bodies.
 */
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { MiddlewareHandler } from "hono";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { WeftApp } from "../server/app.ts";
import { checkApp, handOver } from "./node-bridge.ts";

export { attachUpgrade, type UpgradeSource } from "./node-bridge.ts";

/**
 * The Hono middleware: serves Weft's view pages, the client and the SSE and
 * HTTP transports; any other request goes on (`next()`) to the app's routes
 * and Hono's 404. The WebSocket transport rides the server's `'upgrade'`
 * event: add it with {@link attachUpgrade} on the server `serve()` returns.
 *
 * @example
 * import { Hono } from "hono";
 * import { serve } from "@hono/node-server";
 * import { createWeft } from "weft-live";
 * import { attachUpgrade, weftHono } from "weft-live/hono";
 *
 * const weft = createWeft({ views: { "/counter": Counter }, secret: process.env.WEFT_SECRET });
 * const hono = new Hono();
 * hono.get("/health", (c) => c.text("ok"));
 * hono.use(weftHono(weft));
 * const server = serve({ fetch: hono.fetch, port: 3000 });
 * attachUpgrade(server, weft);
 */
export function weftHono(app: WeftApp): MiddlewareHandler {
  checkApp(app, "handler");
  return async function weft(c, next) {
    const env = nodeBindings(c.env);
    if (env === undefined) {
      throw new TypeError("weft-live/hono runs on @hono/node-server: c.env.incoming and c.env.outgoing (Node's request and response) are missing");
    }
    // An upgrade that @hono/node-server's own WebSocket support routes
    // through the app has no response: it is not Weft's to answer here (Weft's
    // socket comes through attachUpgrade).
    if (env.outgoing === undefined) return next();
    if (await handOver(app, env.incoming, env.outgoing)) return next();
    return RESPONSE_ALREADY_SENT;
  };
}

/** `c.env` as `@hono/node-server` fills it, or undefined on another runtime. */
function nodeBindings(env: unknown): { incoming: IncomingMessage; outgoing: ServerResponse | undefined } | undefined {
  const e = env as { incoming?: unknown; outgoing?: unknown } | undefined;
  if (typeof e?.incoming !== "object" || e.incoming === null) return undefined;
  return { incoming: e.incoming as IncomingMessage, outgoing: (e.outgoing ?? undefined) as ServerResponse | undefined };
}
