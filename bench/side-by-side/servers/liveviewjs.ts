// LiveViewJS 0.8.1 with @liveviewjs/express: a counter LiveView, its page
// served by Express (the express 4 that @liveviewjs/express depends on, with
// express-session), driven over its Phoenix-protocol WebSocket at
// /live/websocket.
//
// liveviewjs fetches a MIME database from a CDN when its module loads. Nothing
// may leave loopback, so fetch is patched before the import: that URL is
// answered from the `mime-db` package, and any other non-loopback fetch throws.
// The server refuses to start unless the MIME table loaded from that answer.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { WebSocketServer } from "ws";
import { serve } from "./harness.ts";

const require = createRequire(import.meta.url);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
let mimeAnswered = 0;

/** Answers the MIME database request locally; refuses anything off loopback. */
function patchFetch(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname.endsWith("/mime-db@master/db.json") || url.pathname.endsWith("/mime-db/db.json")) {
      mimeAnswered++;
      const db: unknown = require("mime-db/db.json");
      return new Response(JSON.stringify(db), { status: 200, headers: { "content-type": "application/json" } });
    }
    if (!LOOPBACK.test(url.hostname)) throw new Error(`bench: fetch of ${url.href} refused (loopback only)`);
    return realFetch(input, init);
  };
}

/** The parts of liveviewjs used here (its typings cannot be resolved through its package exports). */
interface LiveViewSocket<C> {
  context: C;
  assign(c: Partial<C>): void;
}
interface LiveViewJs {
  mime: { loaded: boolean };
  html(strings: TemplateStringsArray, ...values: unknown[]): unknown;
  safe(x: unknown): unknown;
  createLiveView<C, E>(p: {
    mount: (socket: LiveViewSocket<C>) => void;
    handleEvent: (event: E, socket: LiveViewSocket<C>) => void;
    render: (ctx: C) => unknown;
  }): unknown;
}
interface LiveViewJsExpress {
  NodeExpressLiveViewServer: new (router: Record<string, unknown>, page: unknown, title: { title: string }, options: { serDeSigningSecret: string }) => {
    httpMiddleware(): import("express").RequestHandler;
    wsMiddleware(): (wss: WebSocketServer) => Promise<void>;
  };
}

/** A dynamic import typed by hand (the specifier is a variable, so TypeScript does not look for typings). */
const load = <T>(specifier: string): Promise<T> => import(specifier) as Promise<T>;

await serve(async () => {
  patchFetch();
  const lv = await load<LiveViewJs>("liveviewjs");
  const { NodeExpressLiveViewServer } = await load<LiveViewJsExpress>("@liveviewjs/express");
  // The express (4.x) and express-session that @liveviewjs/express itself depends on.
  const fromAdapter = createRequire(require.resolve("@liveviewjs/express"));
  const express = fromAdapter("express") as typeof import("express");
  const session = fromAdapter("express-session") as (o: Record<string, unknown>) => import("express").RequestHandler;

  for (let i = 0; i < 200 && !lv.mime.loaded; i++) await new Promise((r) => setTimeout(r, 10));
  if (!lv.mime.loaded || mimeAnswered === 0) throw new Error("liveviewjs: the MIME database did not load from the local answer");

  const Counter = lv.createLiveView<{ count: number }, { type: "inc" }>({
    mount: (socket) => socket.assign({ count: 0 }),
    handleEvent: (event, socket) => {
      if (event.type === "inc") socket.assign({ count: socket.context.count + 1 });
    },
    render: (ctx) => lv.html`<div><p>Count: <b>${ctx.count}</b></p><button phx-click="inc">+</button></div>`,
  });
  const page = (_title: unknown, csrfToken: string, content: unknown) =>
    lv.html`<!DOCTYPE html><html><head><meta name="csrf-token" content="${csrfToken}" /></head><body>${lv.safe(content)}</body></html>`;
  const server = new NodeExpressLiveViewServer({ "/counter": Counter }, page, { title: "bench" }, {
    serDeSigningSecret: "bench-side-by-side-secret-0123456789abcdef",
  });

  const app = express();
  app.use(session({ secret: "bench-session-secret", resave: false, saveUninitialized: true }));
  app.use(server.httpMiddleware());
  const http = createServer(app);
  const wss = new WebSocketServer({ server: http, path: "/live/websocket" });
  await server.wsMiddleware()(wss);
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    port: (http.address() as { port: number }).port,
    close: () => new Promise<void>((r) => {
      for (const c of wss.clients) c.terminate();
      http.closeAllConnections();
      http.close(() => r());
    }),
    stats: () => ({ sockets: wss.clients.size, mimeAnswered }),
  };
});
