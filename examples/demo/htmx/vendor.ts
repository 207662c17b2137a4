/**
 * The htmx files the demo's htmx pages load, served from node_modules (no
 * CDN): a fixed table from URL path to package file, resolved once through
 * the module resolver. No part of a request's URL reaches the filesystem:
 * a path that is not a key of the table is not served.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

const require = createRequire(import.meta.url);

/** A package's directory (from its package.json, which every package exports or has). */
function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/** URL path → [package, file in it]. htmx 4 is installed under the alias `htmx4`. */
const FILES: Readonly<Record<string, readonly [string, string]>> = {
  "/vendor/htmx2/htmx.min.js": ["htmx.org", "dist/htmx.min.js"],
  "/vendor/htmx2/ext/ws.js": ["htmx-ext-ws", "ws.js"],
  "/vendor/htmx2/ext/sse.js": ["htmx-ext-sse", "sse.js"],
  "/vendor/htmx4/htmx.min.js": ["htmx4", "dist/htmx.min.js"],
  "/vendor/htmx4/ext/hx-ws.js": ["htmx4", "dist/ext/hx-ws.js"],
  "/vendor/htmx4/ext/hx-sse.js": ["htmx4", "dist/ext/hx-sse.js"],
};

/** The URL paths served. */
export const VENDOR_PATHS: readonly string[] = Object.keys(FILES);

/** Each file's contents, read once on first use. */
const cache = new Map<string, Promise<Buffer>>();

function load(path: string): Promise<Buffer> | undefined {
  const entry = Object.hasOwn(FILES, path) ? FILES[path] : undefined;
  if (entry === undefined) return undefined;
  let p = cache.get(path);
  if (p === undefined) {
    p = readFile(join(packageDir(entry[0]), entry[1]));
    // A failed read is tried again at the next request.
    p.catch(() => cache.delete(path));
    cache.set(path, p);
  }
  return p;
}

/**
 * Answers GET/HEAD of one of {@link VENDOR_PATHS}; false (nothing written)
 * for any other request.
 *
 * @example
 * if (serveVendor(req, res, url.pathname)) return;
 */
export function serveVendor(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const file = load(path);
  if (file === undefined) return false;
  file.then(
    (body) => {
      res.writeHead(200, {
        "content-type": "text/javascript; charset=utf-8",
        "content-length": body.length,
        "cache-control": "public, max-age=3600",
        "x-content-type-options": "nosniff",
      });
      res.end(req.method === "HEAD" ? undefined : body);
    },
    () => res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not installed"),
  );
  return true;
}
