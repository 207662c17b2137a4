/**
 * The browser client, served at /weft/client.js. Built once per process with
 * esbuild from the sources (so it can never be stale), kept in memory with its
 * gzip form and a content hash for the ETag.
 */
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** The bundle as served. */
export interface ClientBundle {
  readonly code: Buffer;
  readonly gzip: Buffer;
  /** Content hash: the ETag and the `?v=` of the script URL. */
  readonly hash: string;
}

const ENTRY = fileURLToPath(new URL("../../client/index.ts", import.meta.url));

let bundle: Promise<ClientBundle> | undefined;

/** Builds (once) and returns the client bundle. */
export function clientBundle(): Promise<ClientBundle> {
  bundle ??= load().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

async function load(): Promise<ClientBundle> {
  const code = Buffer.from(await buildClient());
  const hash = createHash("sha256").update(code).digest("base64url").slice(0, 16);
  return { code, gzip: gzipSync(code, { level: 9 }), hash };
}

/** Bundles and minifies the client with esbuild. */
export async function buildClient(): Promise<string> {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    target: "es2019",
    write: false,
    legalComments: "none",
  });
  return (out.outputFiles[0] as { text: string }).text;
}
