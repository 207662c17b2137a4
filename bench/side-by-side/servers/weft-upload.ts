// Weft as bench/upload.ts serves it: one view, `/upload`, that declares one
// upload, `file` (any `.bin` of type application/octet-stream, up to 100 MB,
// one file at a time), shows each entry's progress as the page would, and
// whose `keep` event consumes the finished file (ctx.consumeUploads: the temp
// file removed after). All three transports on.
// Args: --chunk N sets the upload's chunkBytes (default: Weft's own default).
// The options are BENCH_OPTIONS (servers/weft-app.ts: the rate limit raised,
// every security check on), and an uploadDir of its own, removed at exit.
// Weft comes from the built package (dist/) unless the run says --src.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Uploads } from "../../../src/index.ts";
import { WEFT_BUILD, weft } from "../../weft-build.ts";
import { serve } from "./harness.ts";
import { BENCH_OPTIONS } from "./weft-app.ts";

const { createWeft, defineView, html } = weft;

/**
 * How this process's `ws` unmasks client frames: natively (Node's own
 * `http.websocketMask`, or the optional `bufferutil` package where `ws` finds
 * it) or in a JavaScript loop (ws/lib/buffer-util.js, the same checks in the same order).
 */
function unmasking(): "node:http" | "bufferutil" | "javascript" {
  const wsRequire = createRequire(createRequire(import.meta.url).resolve("ws"));
  if (typeof (wsRequire("http") as { websocketMask?: unknown }).websocketMask === "function") return "node:http";
  if (process.env.WS_NO_BUFFER_UTIL) return "javascript";
  try {
    wsRequire("bufferutil");
    return "bufferutil";
  } catch {
    return "javascript";
  }
}

/** The largest file the view takes: the benchmark sends 50 MB (at most 100). */
export const MAX_UPLOAD_BYTES = 100_000_000;

const at = process.argv.indexOf("--chunk");
const chunkBytes = at > 0 ? Number(process.argv[at + 1]) : undefined;
if (chunkBytes !== undefined && !Number.isInteger(chunkBytes)) throw new Error("--chunk N: chunkBytes, an integer");

interface State {
  uploads: Uploads;
  kept: number;
}

const Upload = defineView({
  uploads: { file: { accept: [".bin", "application/octet-stream"], maxBytes: MAX_UPLOAD_BYTES, maxFiles: 1, ...(chunkBytes === undefined ? {} : { chunkBytes }) } },
  mount: (): State => ({ uploads: {} as Uploads, kept: 0 }),
  events: {
    keep: async (s: State, _p: unknown, ctx) => {
      const kept = await ctx.consumeUploads("file", async ({ size }) => size);
      return { ...s, kept: s.kept + kept.length };
    },
  },
  render: (s: State) => html`<form weft-submit="keep"><label>File <input type="file" name="file" weft-upload="file"></label>
<ul>${s.uploads.file?.entries.map((e) => html`<li>${e.name}: ${e.progress}%${e.done ? " done" : ""}${e.errors.join(", ")}</li>`)}</ul>
<p>Kept: ${s.kept}</p><button>Keep</button></form>`,
});

await serve(async () => {
  const uploadDir = mkdtempSync(join(tmpdir(), "weft-bench-uploads-"));
  process.once("exit", () => rmSync(uploadDir, { recursive: true, force: true }));
  let errors = 0;
  const app = createWeft({
    views: { "/upload": Upload },
    secret: "bench-side-by-side-secret-0123456789abcdef",
    ...BENCH_OPTIONS,
    uploadDir,
    onError: (err, where) => {
      if (++errors <= 5) console.error(`[weft] ${where}:`, err);
    },
  });
  const { port } = await app.listen(0, "127.0.0.1");
  return { port, close: () => app.close(), stats: () => ({ errors, build: WEFT_BUILD, unmask: unmasking() }) };
});
