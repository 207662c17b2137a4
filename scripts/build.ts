// `npm run build`: the package as users install it, in dist/ —
//   dist/**/*.js, *.d.ts, *.js.map   tsc -p tsconfig.build.json (ESM, from src/, tests left out)
//   dist/client.js                   the minified browser client (esbuild), served at /weft/client.js
// dist/ is emptied first so that a module deleted from src/ cannot linger in the package.
import { spawnSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeClient } from "./build-client.ts";

const OUT = "dist";

rmSync(OUT, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`build: tsc failed (exit ${r.status ?? r.signal})`);
  process.exit(1);
}
if (!existsSync(`${OUT}/index.js`) || !existsSync(`${OUT}/index.d.ts`)) {
  console.error(`build: tsc wrote no ${OUT}/index.js and ${OUT}/index.d.ts; check tsconfig.build.json`);
  process.exit(1);
}
await writeClient(OUT);
