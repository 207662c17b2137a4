// Which Weft the benchmarks run. By default the built package, dist/ (what
// `npm run build` emits and users install): under tsx every named closure of
// the sources gets its `name` redefined (esbuild's keepNames), which costs
// 256 B of property store per closure and moves heap and CPU figures. dist/'s
// .js files are plain ESM that tsx leaves untouched (the package is
// "type": "module"), so a bench process may itself run under tsx and still
// load the library as `node` would.
//
// `--src` on the command line (or WEFT_BENCH_SOURCE=src) runs the TypeScript
// sources through tsx instead, for comparing the two.
//
// The first bench process builds dist/ when it is missing or older than src/
// (or the build's own scripts), then copies it to a private snapshot under
// node_modules/.cache/weft-bench/<pid>/ that its server children share
// (WEFT_BENCH_DIST): a build started elsewhere during a run (`npm pack` empties
// dist/ first) cannot change or break the code under measurement. The snapshot
// is removed when that process exits.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as WeftIndex from "../src/index.ts";
import { ensureDist } from "./dist-check.ts";

/** "dist": the built package (default); "src": the TypeScript sources through tsx. */
export type WeftBuild = "dist" | "src";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DIST = join(ROOT, "dist");

/** The build this process (and the children it starts, through the environment) measures. */
export const WEFT_BUILD: WeftBuild = process.argv.includes("--src") || process.env.WEFT_BENCH_SOURCE === "src" ? "src" : "dist";
process.env.WEFT_BENCH_SOURCE = WEFT_BUILD;

/** Copies dist/ to this process's snapshot directory and returns it (removed when this process exits). */
function snapshotDist(): string {
  const dir = join(ROOT, "node_modules", ".cache", "weft-bench", String(process.pid), "dist");
  for (let attempt = 1; ; attempt++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      cpSync(DIST, dir, { recursive: true });
    } catch {
      // dist/ was being rebuilt elsewhere while we copied; the check below decides.
    }
    if (["index.js", "client.js", "client-dev.js", "client-msgpack.js"].every((f) => existsSync(join(dir, f)))) break;
    if (attempt === 3) throw new Error(`bench: could not copy a complete dist/ (is a build running?)`);
    spawnSync("sleep", ["3"]);
    ensureDist();
  }
  // Its own package scope, so that .js stays ESM (and untouched by tsx) wherever it lives.
  writeFileSync(join(dir, "..", "package.json"), '{ "type": "module", "private": true }\n');
  process.once("exit", () => rmSync(join(dir, ".."), { recursive: true, force: true }));
  return dir;
}

/** The directory of the built package this process loads (the shared snapshot). */
function distDir(): string {
  const inherited = process.env.WEFT_BENCH_DIST;
  if (inherited !== undefined && existsSync(join(inherited, "index.js"))) return inherited;
  ensureDist();
  const dir = snapshotDist();
  process.env.WEFT_BENCH_DIST = dir;
  return dir;
}

/**
 * A module of the library, by its path under src/ without the extension
 * ("index", "server/session"): dist/<path>.js (from the snapshot) or src/<path>.ts.
 *
 * @example
 * const { ViewSession } = await weftModule<typeof import("../src/server/session.ts")>("server/session");
 */
export function weftModule<T>(path: string): Promise<T> {
  return import(moduleUrl(path)) as Promise<T>;
}

/** The file URL a module of the library ("index", "server/session") is loaded from in this process. */
function moduleUrl(path: string): string {
  return pathToFileURL(WEFT_BUILD === "dist" ? join(distDir(), `${path}.js`) : join(ROOT, "src", `${path}.ts`)).href;
}

/** The file URL the package's entry ("index") is loaded from in this process. */
export function weftEntryUrl(): string {
  return moduleUrl("index");
}

/**
 * The package's entry, as users import it (`weft-live`).
 *
 * @example
 * const { createWeft, defineView, html } = weft;
 */
export const weft: typeof WeftIndex = await weftModule<typeof WeftIndex>("index");

/** One line for logs and run lines: which build was measured. */
export const WEFT_BUILD_LABEL = WEFT_BUILD === "dist" ? "Weft from dist/ (the built package, plain ESM)" : "Weft from src/ through tsx (--src)";
