/**
 * Weft inside Fastify 5, as a plugin: `import { weftFastify } from "weft-live/fastify"`.
 *
 * Weft answers its requests (view pages, `/weft/*`) in an `onRequest` hook,
 * before Fastify parses a body: Weft reads its POST bodies raw, with its own
 * size limits. Every other request goes on through Fastify untouched (its
 * routes, its body parsing, its 404).
 */
import type { FastifyPluginCallback } from "fastify";
import type { WeftApp } from "../server/app.ts";
import { attachUpgrade, checkApp } from "./node-bridge.ts";

/** Options of the {@link weftFastify} plugin. */
export interface WeftFastifyOptions {
  /** The app that `createWeft()` returns. */
  app: WeftApp;
  /**
   * Close the Weft app (its sessions, streams and sockets) when Fastify closes,
   * so that `fastify.close()` does not wait on open streams. Default `true`.
   */
  closeApp?: boolean;
}

/**
 * The Fastify plugin: serves Weft's view pages, the client, the SSE and HTTP
 * transports and the WebSocket upgrade (`/weft/ws`) on Fastify's server.
 * Register it at the root (it applies to the whole server, like
 * `fastify-plugin`).
 *
 * @example
 * import Fastify from "fastify";
 * import { createWeft } from "weft-live";
 * import { weftFastify } from "weft-live/fastify";
 *
 * const weft = createWeft({ views: { "/counter": Counter }, secret: process.env.WEFT_SECRET });
 * const fastify = Fastify();
 * fastify.get("/health", async () => "ok");
 * await fastify.register(weftFastify, { app: weft });
 * await fastify.listen({ port: 3000 });
 */
export const weftFastify: FastifyPluginCallback<WeftFastifyOptions> = function weftFastify(fastify, options, done) {
  const app = options?.app;
  try {
    checkApp(app, "handler", "upgrade");
  } catch (err) {
    done(err as Error);
    return;
  }
  // Weft's handler calls `next` only for requests that are not its own; for
  // its own it writes the response itself and Fastify's lifecycle stops here
  // (no body parsing, no route handler, no 404).
  fastify.addHook("onRequest", function weftOnRequest(request, reply, next) {
    app.handler(request.raw, reply.raw, () => next());
  });
  const detach = attachUpgrade(fastify.server, app);
  fastify.addHook("preClose", async function weftPreClose() {
    detach();
    if (options.closeApp !== false) await app.close();
  });
  done();
};

// What `fastify-plugin` sets: the hook applies to the whole server, not only
// to the plugin's own encapsulated context.
Object.assign(weftFastify, {
  [Symbol.for("skip-override")]: true,
  [Symbol.for("fastify.display-name")]: "weft-live",
  [Symbol.for("plugin-meta")]: { name: "weft-live", fastify: "5.x" },
});
