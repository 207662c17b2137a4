// `npm run build`: the package as users install it, in dist/ —
//   dist/**/*.js, *.d.ts, *.js.map   tsc -p tsconfig.build.json (ESM, from src/, tests left out)
//   dist/client.js                   the minified browser client (esbuild, then terser), served at /weft/client.js
//   dist/client-dev.js, client-msgpack.js  its development part and its MessagePack codec (pages that need them)
// dist/ is emptied first so that a module deleted from src/ cannot linger in the package.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeClient } from "./build-client.ts";

const OUT = "dist";

/**
 * tsc rewrites `./x.ts` to `./x.js` in the JavaScript it emits but keeps `./x.ts`
 * in the declarations. Only recent TypeScript resolves a `.ts` specifier inside a
 * .d.ts; the `.js` form resolves to `./x.d.ts` in every TypeScript with NodeNext
 * (4.7+) and in other tools that read declarations. Relative specifiers only.
 */
function rewriteDeclarationSpecifiers(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith(".d.ts")) continue;
    const path = `${e.parentPath}/${e.name}`;
    const text = readFileSync(path, "utf8");
    const next = text.replace(/((?:from|import)\s*\(?\s*)(["'])(\.\.?\/[^"'\n]*?)\.ts\2/g, "$1$2$3.js$2");
    if (next !== text) writeFileSync(path, next);
  }
}

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
rewriteDeclarationSpecifiers(OUT);
await writeClient(OUT);
