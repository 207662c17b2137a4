/**
 * The shell of every htmx demo page: a plain HTML document with no Weft
 * client, only htmx (the generation's scripts from /vendor/…) and the
 * page script (client.ts). The body is the page's own (its module's
 * HtmxPage: progress.ts, chat.ts, …).
 */
import { escapeHtml } from "../../../src/index.ts";
import { CSS } from "../layout.ts";
import { DEMO_CSS } from "../assets.ts";
import { PAGE_SCRIPT_PATH } from "./client.ts";
import type { Generation } from "./generation.ts";

/** What a page's body is made from. */
export interface PageInput {
  /** The generation the page is served for. */
  readonly gen: Generation;
  /** The CSRF token of this browser (app.htmxToken): every frame sent carries it. */
  readonly token: string;
  /** The page URL's query. */
  readonly query: URLSearchParams;
}

/** One page of the htmx demo, served at /htmx/2/SLUG and /htmx/4/SLUG. */
export interface HtmxPage {
  readonly slug: string;
  readonly title: string;
  /** One line for the index. */
  readonly summary: string;
  /** The page's main content (HTML; every interpolated value escaped). */
  body(input: PageInput): string;
}

/** CSS of the htmx pages, after the demo's. Colours keep WCAG AA contrast on white. */
const HTMX_CSS = `
.conn { font-size: .875rem; color: var(--muted); margin: .25rem 0 .75rem; }
.conn [data-state=live], .conn [data-state=open] { color: var(--ok); }
.conn [data-state=closed], .conn [data-state=reconnecting] { color: var(--bad); }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 999px; border: 1px solid var(--line); font-size: .875rem; }
.badge[data-status=running] { border-color: var(--accent); color: #1f4f9e; }
.badge[data-status=done] { border-color: var(--ok); color: var(--ok); }
progress { width: 100%; height: 1rem; }
.panel { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; margin-bottom: 1rem; }
.panel h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
#weft-error:empty { display: none; }
#weft-error { color: var(--bad); border: 1px solid var(--bad); border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
#status-text[data-level=ok] { color: var(--ok); } #status-text[data-level=down] { color: var(--bad); }
.steps li { padding: .15rem 0; }
select { font: inherit; padding: .4rem; border: 1px solid var(--line); border-radius: 6px; }
`;

/** The error element Weft's error fragments replace (id = htmx.errorId, "weft-error"). */
export const ERROR_SLOT = `<div id="weft-error" role="alert"></div>`;

/** A socket's or stream's state line, filled by the page script: `name` matches the connect element's data-live. */
export function connLine(name: string, what: string): string {
  return `<p class="conn">${escapeHtml(what)}: <span id="${escapeHtml(name)}-conn" data-state="connecting">connecting…</span></p>`;
}

/** What a demo document is made of besides the shell every htmx demo document shares. */
export interface DocumentParts {
  /** The document's title (escaped here). */
  readonly title: string;
  /** More CSS after the demo's. */
  readonly css?: string;
  /** More of the head (scripts), as HTML. */
  readonly head?: string;
  /** Attributes of `<body>`, as HTML. */
  readonly bodyAttributes?: string;
  /** Links after the header's "Weft" and "htmx demos", as HTML. */
  readonly links?: string;
  /** The `<main>` content, as HTML. */
  readonly main: string;
  /** The footer's content, as HTML; none when absent. */
  readonly footer?: string;
}

/**
 * An htmx demo document: the demo's CSS and stylesheet, the header's links
 * (home, the htmx index, then `links`), `main` and the footer.
 *
 * @example
 * documentOf({ title: "htmx pages · Weft demo", main: "<h1>htmx pages</h1>" });
 */
export function documentOf(d: DocumentParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(d.title)}</title>
<style>${CSS}${d.css ?? ""}</style>
<link rel="stylesheet" href="${DEMO_CSS.href}">
${d.head ?? ""}
</head>
<body${d.bodyAttributes === undefined ? "" : ` ${d.bodyAttributes}`}>
<header><strong><a href="/">Weft</a></strong><a href="/htmx">htmx demos</a>${d.links ?? ""}</header>
<main>
${d.main}
</main>
${d.footer === undefined ? "" : `<footer>${d.footer}</footer>\n`}</body>
</html>`;
}

/** The whole document for `page` on `gen`. */
export function renderPage(page: HtmxPage, input: PageInput): string {
  const { gen } = input;
  const other = gen.n === 2 ? 4 : 2;
  return documentOf({
    title: `${page.title} · ${gen.label} · Weft demo`,
    css: HTMX_CSS,
    head: [...gen.scripts.map((s) => `<script src="${s}"></script>`), `<script src="${PAGE_SCRIPT_PATH}" defer></script>`].join("\n"),
    bodyAttributes: `data-htmx="${gen.n}"`,
    links: `<a href="/htmx/${other}/${page.slug}">This page on htmx ${other}</a>`,
    main: `<h1>${escapeHtml(page.title)} <small class="muted">${gen.label}</small></h1>\n${page.body(input)}`,
    footer: `An unmodified ${gen.label} page: no Weft client, only htmx and its ${gen.n === 2 ? "ws / sse extensions" : "hx-ws / hx-sse extensions"}, served from node_modules.`,
  });
}
