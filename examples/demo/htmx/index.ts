/**
 * The demo's htmx pages: five patterns and a view over SSE, served to
 * unmodified htmx 2 and htmx 4 pages (docs/htmx.md), from Weft views and topics.
 *
 * - /htmx: the index of the pages;
 * - /htmx/2/<page>, /htmx/4/<page>: a page for each generation (pages below);
 * - /htmx/demo.js: the pages' script (client.ts);
 * - /vendor/htmx2/…, /vendor/htmx4/…: htmx itself, from node_modules (vendor.ts).
 *
 * The views behind the pages live at /hx/… (listed in `htmx.views`, so
 * /weft/htmx/ws/hx/… and /weft/htmx/sse/hx/… serve them); the topics the
 * pages subscribe to are in `htmx.topics`.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { escapeHtml, type HtmxOptions, type Next, type WeftApp } from "../../../src/index.ts";
import { chatPage, HxChat } from "./chat.ts";
import { clockPage, HxClock } from "./clock.ts";
import { PAGE_SCRIPT, PAGE_SCRIPT_PATH } from "./client.ts";
import { GENERATIONS } from "./generation.ts";
import { documentOf, renderPage, type HtmxPage } from "./page.ts";
import { HxProgress, progressPage, progressTopic } from "./progress.ts";
import { HxStatus, statusPage, statusTopic } from "./status.ts";
import { HxSubscribe, subscribePage } from "./subscribe.ts";
import { HxTimeline, timelinePage, timelineTopic } from "./timeline.ts";
import { serveVendor } from "./vendor.ts";

/** The views the htmx pages talk to, by path (added to the demo's `views`; not Weft-client pages). */
export const HTMX_VIEWS = {
  "/hx/progress": HxProgress,
  "/hx/timeline": HxTimeline,
  "/hx/chat/:room": HxChat,
  "/hx/status": HxStatus,
  "/hx/subscribe": HxSubscribe,
  "/hx/clock": HxClock,
} as const;

/** The demo's `htmx` option: those views, and the topics the pages subscribe to. */
export const HTMX_OPTIONS: HtmxOptions = {
  views: Object.keys(HTMX_VIEWS),
  topics: { "jobs:*": progressTopic, timeline: timelineTopic, status: statusTopic },
};

/** The pages, in the index's order (one per pattern, and a view over SSE). */
const HTMX_PAGES: readonly HtmxPage[] = [progressPage, timelinePage, chatPage, statusPage, subscribePage, clockPage];

/** Every page's path, for both generations (the tests visit each). */
export const HTMX_PAGE_PATHS: readonly string[] = HTMX_PAGES.flatMap((p) => [`/htmx/2/${p.slug}`, `/htmx/4/${p.slug}`]);

function send(req: IncomingMessage, res: ServerResponse, type: string, body: string, cache = "no-store"): void {
  res.writeHead(200, { "content-type": type, "cache-control": cache, "x-content-type-options": "nosniff" });
  res.end(req.method === "HEAD" ? undefined : body);
}

function indexPage(): string {
  const rows = HTMX_PAGES.map((p) => `<li><strong>${escapeHtml(p.title)}</strong> — ${escapeHtml(p.summary)}<br>
    <a href="/htmx/2/${p.slug}">htmx 2</a> · <a href="/htmx/4/${p.slug}">htmx 4</a></li>`).join("\n");
  return documentOf({
    title: "htmx pages · Weft demo",
    css: " .demos li { margin-bottom: .6rem; }",
    main: `<h1>htmx pages</h1>
<p>Weft views and topics serving unmodified htmx pages: htmx 2 with its ws and sse extensions, and htmx 4 with hx-ws and hx-sse.
No Weft client runs on these pages. Each pattern has a page for each generation.</p>
<ul class="demos">
${rows}
</ul>
<p class="muted">The wire is documented in docs/htmx.md.</p>`,
  });
}

/**
 * `app` with the htmx pages served beside it, by its handler (its `listen`
 * is the app's: wrap the result in withAssets, whose server takes this
 * handler); every other request goes to the app.
 *
 * @example
 * const app = withHtmxPages(createWeft({ views: { ...HTMX_VIEWS }, htmx: HTMX_OPTIONS }));
 */
export function withHtmxPages<A extends WeftApp>(app: A): A {
  const handler = (req: IncomingMessage, res: ServerResponse, next?: Next): void => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const read = req.method === "GET" || req.method === "HEAD";
    if (!read || !(path === "/htmx" || path.startsWith("/htmx/") || path.startsWith("/vendor/"))) return app.handler(req, res, next);
    if (serveVendor(req, res, path)) return;
    if (path === "/htmx") return send(req, res, "text/html; charset=utf-8", indexPage());
    if (path === PAGE_SCRIPT_PATH) return send(req, res, "text/javascript; charset=utf-8", PAGE_SCRIPT, "public, max-age=60");
    const m = /^\/htmx\/([24])\/([a-z]+)$/.exec(path);
    const gen = m === null ? undefined : GENERATIONS[m[1]!];
    const page = m === null ? undefined : HTMX_PAGES.find((p) => p.slug === m[2]);
    if (gen === undefined || page === undefined) return app.handler(req, res, next);
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    // This browser's CSRF token (app.htmxToken sets the `weft_htmx` cookie when it is missing).
    const token = app.htmxToken(req, res);
    send(req, res, "text/html; charset=utf-8", renderPage(page, { gen, token, query }));
  };
  return { ...app, handler };
}
