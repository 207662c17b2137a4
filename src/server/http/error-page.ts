/**
 * Error pages: a page request (GET or HEAD of a view path, or of an unknown
 * path outside `/weft/`) that fails gets an HTML page — a person is reading
 * it — while `/weft/*` and requests that accept JSON keep the JSON body of
 * respond.ts. The default page shows the status, the registry's message and
 * the code, never a stack trace or a thrown error's message (those go to
 * `onError`); the `errorPage` option replaces it.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import { ERRORS, type ErrorCode } from "../../protocol/errors.ts";
import { escapeHtml } from "../template/escape.ts";
import { COUNT_ERROR, sendError } from "./respond.ts";

/** What an error page is told about the error. */
export interface PageError {
  /** The registry's code (docs/errors.md), e.g. `E_UNKNOWN_VIEW`. */
  readonly code: ErrorCode;
  /** A message safe to show (not escaped: escape it in your HTML). */
  readonly message: string;
  /** The error thrown by app code (a 500 from a failed mount or render), for logs or a development page. */
  readonly cause?: unknown;
}

/**
 * Builds an error page's HTML: `(status, error, req) => string`. The string is
 * sent as it is, so escape what it shows.
 *
 * @example
 * errorPage: (status, e) => `<!doctype html><title>${status}</title><h1>${escapeHtml(e.message)}</h1>`
 */
export type ErrorPage = (status: number, error: PageError, req: IncomingMessage) => string | Promise<string>;

/** What sending an error page needs from the app's options. */
export interface ErrorPageOptions {
  readonly errorPage: ErrorPage | undefined;
  readonly onError: (err: unknown, where: string) => void;
}

const HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
} as const;

/** The default page loads nothing and runs nothing. */
const DEFAULT_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/**
 * True when a failed request to `path` should get an HTML page: a GET or
 * HEAD outside `/weft/` whose Accept header does not ask for JSON (or asks
 * for HTML as well, as browsers' navigation requests do).
 *
 * @example wantsHtml(req, "/missing") // true for a browser's GET
 */
export function wantsHtml(req: IncomingMessage, path: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  if (path === "/weft" || path.startsWith("/weft/")) return false;
  const accept = req.headers.accept ?? "";
  return !accept.includes("application/json") || accept.includes("text/html");
}

/**
 * The default error page: status, reason, message and code, every part
 * HTML-escaped; no stack trace, no script, no external resource.
 *
 * @example defaultErrorPage(404, { code: "E_UNKNOWN_VIEW", message: "no page at /x" })
 */
export function defaultErrorPage(status: number, error: PageError): string {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>` +
    `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}code{color:#666}</style></head>` +
    `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(error.message)}</p><p><code>${escapeHtml(error.code)}</code></p></body></html>`;
}

/**
 * Answers a failed request with error `code`: an HTML page when
 * {@link wantsHtml}, else the JSON body `{ error: { code, message } }`.
 * `path` is the request's path (or its raw target when that is not a URL).
 */
export async function sendErrorFor(options: ErrorPageOptions, req: IncomingMessage, res: ServerResponse, path: string, code: ErrorCode, message?: string, cause?: unknown): Promise<void> {
  if (!wantsHtml(req, path)) return sendError(res, code, message);
  (res as ServerResponse & { [COUNT_ERROR]?: (code: ErrorCode) => void })[COUNT_ERROR]?.(code);
  if (res.headersSent) return void res.destroy();
  const status = ERRORS[code].status || 500;
  const error: PageError = cause === undefined ? { code, message: message ?? ERRORS[code].message } : { code, message: message ?? ERRORS[code].message, cause };
  const custom = options.errorPage === undefined ? undefined : await customPage(options, status, error, req);
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(custom ?? defaultErrorPage(status, error), "utf8");
  res.writeHead(status, custom === undefined ? { ...HEADERS, "Content-Security-Policy": DEFAULT_CSP, "Content-Length": body.length } : { ...HEADERS, "Content-Length": body.length });
  res.end(body);
}

/** The app's page, or undefined (the default is sent) when its errorPage throws or returns no string. */
async function customPage(options: ErrorPageOptions, status: number, error: PageError, req: IncomingMessage): Promise<string | undefined> {
  try {
    const html = await options.errorPage!(status, error, req);
    if (typeof html === "string") return html;
    throw new TypeError(`errorPage must return an HTML string, returned ${typeof html}`);
  } catch (err) {
    options.onError(err, `errorPage(${status})`);
    return undefined;
  }
}
