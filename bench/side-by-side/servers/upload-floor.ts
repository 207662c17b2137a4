// The upload floor (bench/upload.ts): a bare `node:http` server and `busboy`,
// the multipart parser most Node upload middleware stands on. `POST /upload`
// with a multipart/form-data body: each file part is streamed to a fresh temp
// file (a server-chosen name) through an fs write stream, and the answer, once
// every part is parsed and its file closed, is 200 `{"bytes": n}` (the bytes
// written). No framework, no session, no progress: the least a server can do
// to take a file, and what Weft's uploads are measured against.
// Files stay until the server closes (its temp directory is removed then), so
// no unlink lands in a measured window.
import busboy from "busboy";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "./harness.ts";

/** The largest file taken (the benchmark sends 50 MB). */
const MAX_BYTES = 1 << 30;

await serve(async () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-floor-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  let uploads = 0;
  let errors = 0;
  const server = createServer((req, res) => {
    if (req.method !== "POST" || req.url !== "/upload") return void res.writeHead(404).end();
    const fail = (status: number, why: string) => {
      errors++;
      if (!res.headersSent) res.writeHead(status, { "Content-Type": "text/plain" }).end(why);
      req.resume();
    };
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { fileSize: MAX_BYTES, files: 1 } });
    } catch (err) {
      return fail(400, String(err));
    }
    let bytes = 0;
    const written: Promise<void>[] = [];
    bb.on("file", (_field, file) => {
      const out = createWriteStream(join(dir, randomBytes(12).toString("hex")));
      written.push(new Promise((resolve, reject) => {
        out.once("close", resolve);
        out.once("error", reject);
      }));
      file.on("data", (c: Buffer) => (bytes += c.length));
      file.once("limit", () => fail(413, "too large"));
      file.pipe(out);
    });
    bb.once("error", (err) => fail(400, String(err)));
    bb.once("close", () => {
      Promise.all(written).then(() => {
        uploads++;
        const body = JSON.stringify({ bytes });
        res.writeHead(200, { "Content-Type": "application/json", "Content-Length": body.length }).end(body);
      }, (err: unknown) => fail(500, String(err)));
    });
    req.pipe(bb);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
    stats: () => ({ uploads, errors }),
  };
});
