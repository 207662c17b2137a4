/**
 * The one contract every host adapter maps onto: Weft runs on Node's raw
 * request and response (`WeftApp.handler`, which calls `next` for requests
 * that are not Weft's) and on the server's `'upgrade'` event
 * (`WeftApp.upgrade`). An adapter only finds the raw objects in its framework
 * and says what "pass it on" means there.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { PATHS } from "../protocol/messages.ts";
import type { WeftApp } from "../server/app.ts";
import { HTMX_PREFIX } from "../server/htmx/index.ts";

/** A Node `'upgrade'` listener. */
export type UpgradeListener = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * What a server needs for Weft's WebSocket upgrade: an `http.Server` or
 * `https.Server`, or the server `@hono/node-server`'s `serve()` returns.
 */
export interface UpgradeSource {
  on(event: "upgrade", listener: UpgradeListener): unknown;
  off(event: "upgrade", listener: UpgradeListener): unknown;
  listenerCount(event: "upgrade"): number;
}

/**
 * Adds Weft's WebSocket upgrade to `server` and returns a function that takes
 * it away again. Weft takes the upgrades for its socket path (`/weft/ws`)
 * and for its htmx endpoints (`/weft/htmx/…`, the `htmx` option; without it
 * Weft refuses them 404); upgrades for other paths are left to the server's other `'upgrade'`
 * listeners (another WebSocket endpoint of the app), or refused by Weft with
 * a 404 when it is the only listener, so that no socket is left hanging.
 *
 * @example
 * const server = serve({ fetch: hono.fetch, port: 3000 });
 * const detach = attachUpgrade(server, weft);
 */
export function attachUpgrade(server: UpgradeSource, app: Pick<WeftApp, "upgrade">): () => void {
  checkApp(app, "upgrade");
  const listener: UpgradeListener = function weftUpgrade(req, socket, head) {
    if (isWeftSocket(req.url) || server.listenerCount("upgrade") === 1) app.upgrade(req, socket, head);
  };
  server.on("upgrade", listener);
  return () => {
    server.off("upgrade", listener);
  };
}

/**
 * Runs Weft's handler on a raw request. Resolves `true` when Weft passed the
 * request on (it wrote nothing: the host answers it), `false` once Weft has
 * answered it and the response is over. A stream (SSE, a held long-poll)
 * resolves when it ends.
 *
 * @example
 * if (await handOver(weft, c.env.incoming, c.env.outgoing)) return next();
 */
export function handOver(app: Pick<WeftApp, "handler">, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const over = (): void => resolve(false);
    res.once("close", over);
    app.handler(req, res, () => {
      res.off("close", over);
      resolve(true);
    });
  });
}

/**
 * Throws a clear error at set-up when `app` is not a Weft app (a common slip:
 * passing the options, or the host framework's app, instead).
 *
 * @example
 * checkApp(options.app, "handler");
 */
export function checkApp(app: unknown, ...needs: ("handler" | "upgrade")[]): void {
  for (const need of needs) {
    if (typeof (app as Record<string, unknown> | undefined)?.[need] !== "function") {
      throw new TypeError(`weft-live adapter: expected the app that createWeft() returns, got ${describe(app)} (no ${need} function)`);
    }
  }
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  return typeof value === "object" ? `an object with keys [${Object.keys(value).slice(0, 5).join(", ")}]` : typeof value;
}

/** Whether a request target names Weft's WebSocket endpoint or one of its htmx endpoints (query ignored). */
function isWeftSocket(target: string | undefined): boolean {
  if (target === undefined) return false;
  const q = target.indexOf("?");
  const path = q < 0 ? target : target.slice(0, q);
  return path === PATHS.socket || path.startsWith(HTMX_PREFIX);
}
