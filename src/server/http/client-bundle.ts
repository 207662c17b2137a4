/**
 * The browser client, served at /weft/client.js, kept in memory with its gzip
 * form and a content hash for the ETag.
 *
 * Where it comes from depends on how the server runs:
 * - from the built package (`dist/`, plain `node`): the prebuilt, minified
 *   `dist/client.js` that `npm run build` wrote next to `dist/index.js`; no
 *   bundler is needed at run time (esbuild is a devDependency);
 * - from the TypeScript sources (under tsx, in this repository): built once per
 *   process with esbuild from `src/client/`, so in development it can never be
 *   stale.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** The bundle as served. */
export interface ClientBundle {
  readonly code: Buffer;
  readonly gzip: Buffer;
  /** Content hash: the ETag and the `?v=` of the script URL. */
  readonly hash: string;
}

/**
 * The size budget of the browser client, gzipped (level 9), in bytes: 15 KB.
 * `npm run build` prints the figure against it; a test fails above it.
 */
export const CLIENT_BUDGET = 15_360;

/** The client's entry among the sources (src/client/index.ts). */
const ENTRY = fileURLToPath(new URL("../../client/index.ts", import.meta.url));
/** The prebuilt bundle in the built package: dist/server/http/ → dist/client.js. */
const PREBUILT = fileURLToPath(new URL("../../client.js", import.meta.url));
/** True when this module runs as TypeScript source (tsx), false when built to dist/. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");

let bundle: Promise<ClientBundle> | undefined;

/**
 * Loads (once) and returns the client bundle.
 * @example const { hash } = await clientBundle(); // the `?v=` of /weft/client.js
 */
export function clientBundle(): Promise<ClientBundle> {
  bundle ??= load().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

async function load(): Promise<ClientBundle> {
  const code = Buffer.from(FROM_SOURCES ? await buildClient() : await readPrebuilt());
  const hash = createHash("sha256").update(code).digest("base64url").slice(0, 16);
  return { code, gzip: gzipSync(code, { level: 9 }), hash };
}

async function readPrebuilt(): Promise<Buffer> {
  try {
    return await readFile(PREBUILT);
  } catch (err) {
    // A package built without its client (a broken build or a partial copy of dist/).
    throw new Error(`weft-live: the prebuilt browser client is missing at ${PREBUILT}; rebuild the package (npm run build)`, { cause: err });
  }
}

/**
 * Bundles and minifies the client from its sources with esbuild (a
 * devDependency: only the build and development from sources call this).
 * @example writeFileSync("dist/client.js", await buildClient());
 */
export async function buildClient(): Promise<string> {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    // Browsers of 2020 on (Chrome/Edge 80, Firefox 74, Safari 13.1): `?.` and `??` stay as written.
    target: "es2020",
    // Class fields become assignments in the constructor instead of defineProperty
    // helpers (the client's classes have no subclasses or accessors to tell the two apart).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    write: false,
    legalComments: "none",
  });
  return (out.outputFiles[0] as { text: string }).text;
}
