/**
 * The demo's static file: /demo.css, read from examples/demo/demo.css at each
 * request (no-store), so an edit shows at the next fetch (under `npm run dev`,
 * hot reload makes open pages fetch it again). Everything else goes to Weft.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Next, WeftApp } from "../../src/index.ts";

/** The stylesheet file, and where pages link it. */
export const DEMO_CSS = { file: new URL("./demo.css", import.meta.url), href: "/demo.css" } as const;

/** `app` with /demo.css served beside it, by its handler and by the server its `listen` starts. */
export function withAssets<A extends WeftApp>(app: A): A {
  const handler = (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    if (req.method !== "GET" || req.url?.split("?")[0] !== DEMO_CSS.href) return app.handler(req, res, next);
    readFile(DEMO_CSS.file).then((css) => {
      res.writeHead(200, { "content-type": "text/css; charset=utf-8", "cache-control": "no-store" });
      res.end(css);
    }, () => res.writeHead(404).end());
  };
  let server: Server | undefined;
  return {
    ...app,
    handler,
    listen(port = 0, host = "127.0.0.1") {
      return new Promise<AddressInfo>((resolve, reject) => {
        const s = (server = createServer(handler));
        s.on("upgrade", app.upgrade);
        s.once("error", reject);
        s.listen(port, host, () => resolve(s.address() as AddressInfo));
      });
    },
    async close() {
      const s = server;
      server = undefined;
      const stopped = s === undefined ? Promise.resolve() : new Promise<void>((resolve) => s.close(() => resolve()));
      await app.close();
      s?.closeAllConnections();
      await stopped;
    },
  };
}
