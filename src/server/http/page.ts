/**
 * Server-rendered pages: GET of a view's path mounts the view, renders it in
 * its root element with the signed join token, and wraps it in the layout.
 * HEAD answers the page's headers only: it never mounts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ATTR, PATHS } from "../../protocol/messages.ts";
import { toHtml } from "../../protocol/tree.ts";
import type { Core } from "../core.ts";
import type { Layout, PageParts } from "../options.ts";
import type { RouteMatch } from "../router.ts";
import { NavigationError } from "../navigation.ts";
import { NavRefusal } from "../live-nav.ts";
import { staticsOf } from "../template/compile.ts";
import { escapeHtml } from "../template/escape.ts";
import { renderView } from "../render-view.ts";
import { pageTitle } from "../page-title.ts";
import { sendErrorFor } from "./error-page.ts";
import { CLIENT_DEV_PATH, CLIENT_MSGPACK_PATH } from "./client-bundle.ts";
import { flashSlot, mergeFlashes, withFlashSlot } from "../flash.ts";
import { clearFlashCookie, flashCookie, readFlashCookie } from "./flash-cookie.ts";

/**
 * The layout used when the app gives none: a minimal HTML5 document.
 * @example createWeft({ views, layout: (p) => defaultLayout({ ...p, title: `${p.title} · Acme` }) })
 */
export const defaultLayout: Layout = (p: PageParts) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
  `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${p.title}</title>${p.script}</head>` +
  `<body>${p.flash}${p.body}</body></html>`;

const PAGE_HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  // The page holds a session token: never cache it, never share it.
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
} as const;

/** Renders a view's page into `res` (for HEAD, its headers only). */
export async function renderPage(core: Core, route: RouteMatch, url: URL, req: IncomingMessage, res: ServerResponse, clientHash: string): Promise<void> {
  // Crawlers and link checkers send HEAD: mounting would run app code and keep
  // a pending mount (and a snapshot) for a page no browser will ever join.
  if (req.method === "HEAD") return void res.writeHead(200, PAGE_HEADERS).end();
  let mounted;
  try {
    mounted = await core.mountPage(route, Object.fromEntries(url.searchParams), req, url.pathname + url.search);
  } catch (err) {
    core.options.onError(err, `mount of ${route.pattern}`);
    return sendErrorFor(core.options, req, res, url.pathname, err instanceof NavigationError || err instanceof NavRefusal ? err.code : "E_MOUNT", undefined, err);
  }
  if (mounted.kind === "denied") return sendErrorFor(core.options, req, res, url.pathname, mounted.code, mounted.message);
  // Flashes of a redirect that led here (a cookie), shown in this page and cleared; a redirect carries them on.
  const carried = readFlashCookie(req, core.options.secrets);
  const secure = core.options.requireTLS || (req.socket as { encrypted?: boolean }).encrypted === true;
  if (mounted.kind === "redirect") {
    const cookie = flashCookie(mergeFlashes(carried ?? [], mounted.flashes), core.options.secrets, secure) ?? (carried !== undefined ? clearFlashCookie(secure) : undefined);
    res.writeHead(302, { Location: mounted.to, "Cache-Control": "no-store", ...(cookie !== undefined ? { "Set-Cookie": cookie } : {}) }).end();
    return;
  }
  const { init, token } = mounted;
  let inner: string;
  let title: string;
  try {
    inner = toHtml(core.children.takePageTree(init) ?? renderView(init.view, init.state, route.pattern, core.children.pageParent(init)), staticsOf);
    title = pageTitle(init.view, init.state, route.pattern);
  } catch (err) {
    core.options.onError(err, `render of ${route.pattern}`);
    return sendErrorFor(core.options, req, res, url.pathname, "E_RENDER", undefined, err);
  }
  const body = `<div ${ATTR.view}="${escapeHtml(route.pattern)}" ${ATTR.token}="${token}">${inner}</div>`;
  // A dev page links the client's development part (the console log) first, so that it hears the client's first errors.
  const devScript = core.options.dev ? `<script src="${CLIENT_DEV_PATH}?v=${clientHash}" defer></script>` : "";
  // With `msgpack`, the codec goes before the client too: it registers itself, and the client's socket offers it.
  const msgpack = core.options.msgpack && core.options.transports.includes("websocket") ? `<script src="${CLIENT_MSGPACK_PATH}?v=${clientHash}" defer></script>` : "";
  const script = `${devScript}${msgpack}<script src="${PATHS.client}?v=${clientHash}" defer data-heartbeat="${core.options.heartbeatMs}" data-transports="${core.options.transports.join(",")}" data-max-bytes="${core.options.maxMessageBytes}" data-title="${escapeHtml(title)}"${core.options.dev ? " data-dev" : ""}></script>`;
  const flashes = mergeFlashes(carried ?? [], mounted.flashes);
  const flash = flashSlot(flashes);
  // Every part is safe to place in text or a quoted attribute: the path keeps `'`, `&` and `=` from the URL.
  let page = (core.options.layout ?? defaultLayout)({ title: escapeHtml(title), body, script, path: escapeHtml(url.pathname), flash, flashes });
  // A layout that placed no slot gets one: the client shows live flashes only in a slot (flash.ts).
  page = withFlashSlot(page, flash);
  const bytes = Buffer.from(page, "utf8");
  res.writeHead(200, { ...PAGE_HEADERS, "Content-Length": bytes.length, ...(carried !== undefined ? { "Set-Cookie": clearFlashCookie(secure) } : {}) });
  res.end(bytes);
}
