// Client bundles, minified and gzipped (level 9), each built the way its
// users ship it:
//   weft:     what /weft/client.js serves (client-bundle.ts's clientBundle()): the prebuilt
//             dist/client.js of the package (src/ with --src: esbuild's build of the sources);
//   phoenix:  `phoenix` + `phoenix_live_view` bundled and minified with esbuild
//             from an entry that starts a LiveSocket (the app.js of a new Phoenix app, less the app);
//   htmx:     `htmx.org` 2 (dist/htmx.js) followed by `htmx-ext-ws` (dist/ws.js), minified with esbuild.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { weftModule } from "../../weft-build.ts";

// The client as the server serves it: from dist/ the prebuilt dist/client.js, from src/ (--src) built by esbuild.
const { clientBundle } = await weftModule<typeof import("../../../src/server/http/client-bundle.ts")>("server/http/client-bundle");

export interface Bundle {
  system: string;
  what: string;
  min: number;
  gzip: number;
}

const require = createRequire(import.meta.url);
const gz = (code: string) => gzipSync(Buffer.from(code), { level: 9 }).length;
const sized = (system: string, what: string, code: string): Bundle => ({ system, what, min: Buffer.byteLength(code), gzip: gz(code) });

async function phoenix(): Promise<string> {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    stdin: {
      contents: 'import { Socket } from "phoenix"; import { LiveSocket } from "phoenix_live_view";\n' +
        'const csrf = document.querySelector("meta[name=csrf-token]").getAttribute("content");\n' +
        'const liveSocket = new LiveSocket("/live", Socket, { params: { _csrf_token: csrf } }); liveSocket.connect(); window.liveSocket = liveSocket;',
      resolveDir: process.cwd(),
      loader: "js",
    },
    bundle: true, minify: true, format: "iife", target: "es2019", write: false, legalComments: "none",
  });
  return out.outputFiles[0]!.text;
}

async function htmx(): Promise<string> {
  const esbuild = await import("esbuild");
  const files = ["htmx.org/dist/htmx.js", "htmx-ext-ws/dist/ws.js"];
  const parts = await Promise.all(files.map(async (f) => (await esbuild.transform(readFileSync(require.resolve(f), "utf8"), { minify: true, target: "es2019", legalComments: "none" })).code));
  return parts.join("\n");
}

export async function bundles(): Promise<Bundle[]> {
  return [
    sized("weft", "/weft/client.js", (await clientBundle()).code.toString("utf8")),
    sized("phoenix", "phoenix + phoenix_live_view", await phoenix()),
    sized("htmx", "htmx.org 2 + htmx-ext-ws", await htmx()),
  ];
}
