/**
 * Serves the client bundle with an ETag. A URL carrying the current hash
 * (`?v=…`, as pages link it) is immutable and cached for a year; any other is
 * revalidated on each use.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ClientBundle } from "./client-bundle.ts";

/**
 * Answers a GET or HEAD of /weft/client.js (or, with `"dev"`, of its
 * development part /weft/client-dev.js; with `"msgpack"`, of its MessagePack
 * codec /weft/client-msgpack.js): 304 on a matching `If-None-Match`,
 * gzip when accepted, `immutable` for the hashed URL.
 * @example if (url.pathname === "/weft/client.js") return serveClient(req, res, url, await clientBundle());
 */
export function serveClient(req: IncomingMessage, res: ServerResponse, url: URL, b: ClientBundle, part: "main" | "dev" | "msgpack" = "main"): void {
  const file = part === "main" ? b : b[part];
  const etag = `"${b.hash}"`;
  const headers: Record<string, string | number> = {
    "Content-Type": "text/javascript; charset=utf-8",
    ETag: etag,
    "Cache-Control": url.searchParams.get("v") === b.hash ? "public, max-age=31536000, immutable" : "no-cache",
    Vary: "Accept-Encoding",
    "X-Content-Type-Options": "nosniff",
  };
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, headers).end();
    return;
  }
  const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  const body = gzip ? file.gzip : file.code;
  if (gzip) headers["Content-Encoding"] = "gzip";
  headers["Content-Length"] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}
