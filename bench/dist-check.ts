// Is dist/ (`npm run build`) up to date with src/? Builds it when not.
// Apart from bench/weft-build.ts so that checking loads no library.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** Newest modification time (ms) of the files under `dir` that pass `keep`; 0 when there are none. */
function newest(dir: string, keep: (name: string) => boolean): number {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && keep(e.name)) t = Math.max(t, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return t;
}

/**
 * Why dist/ must be rebuilt, or undefined when it is complete (index.js,
 * client.js, client-dev.js and client-msgpack.js) and newer than everything it is built from: src/ (tests aside),
 * scripts/build*, the tsconfigs and package.json.
 *
 * @example
 * distStale(); // "src/ changed since dist/ was built"
 */
export function distStale(root = ROOT): string | undefined {
  const built = ["index.js", "client.js", "client-dev.js", "client-msgpack.js"].map((f) => join(root, "dist", f));
  if (!built.every((f) => existsSync(f))) return "dist/ is missing";
  const builtAt = Math.min(...built.map((f) => statSync(f).mtimeMs));
  const sources = newest(join(root, "src"), (n) => n.endsWith(".ts") && !n.endsWith(".test.ts"));
  const recipe = Math.max(
    newest(join(root, "scripts"), (n) => n.startsWith("build")),
    ...["tsconfig.json", "tsconfig.build.json", "package.json"].map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)),
  );
  if (sources > builtAt) return "src/ changed since dist/ was built";
  if (recipe > builtAt) return "the build's scripts or config changed since dist/ was built";
  return undefined;
}

/**
 * Runs `npm run build` (scripts/build.ts) when dist/ is missing or stale; throws with its output if it fails.
 *
 * @example
 * ensureDist(); // then import from dist/
 */
export function ensureDist(log: (s: string) => void = (s) => console.error(s)): void {
  const why = distStale();
  if (why === undefined) return;
  log(`bench: ${why}; building it (npm run build)`);
  const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "scripts", "build.ts")], { cwd: ROOT, encoding: "utf8", timeout: 180_000 });
  if (r.status !== 0) throw new Error(`bench: npm run build failed (exit ${r.status ?? r.signal}):\n${r.stdout.slice(-2_000)}\n${r.stderr.slice(-2_000)}`);
}

