/**
 * The benchmarks measure what users run: Weft's bench servers load the built
 * package (dist/), not the TypeScript sources through tsx, whose esbuild
 * keepNames gives every named closure a 256-byte property store of its own
 * (docs/benchmarks.md). `--src` is the opt-in comparison.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";
import { ServerChild } from "../../bench/side-by-side/child.ts";
import { distStale } from "../../bench/dist-check.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

it("serves the side-by-side Weft server from the built package by default", { timeout: 120_000 }, async () => {
  const before = process.env.WEFT_BENCH_SOURCE;
  delete process.env.WEFT_BENCH_SOURCE;
  const server = await ServerChild.start("weft");
  try {
    const stats = await server.call<{ build: string; entry: string }>("stats");
    assert.equal(stats.build, "dist");
    assert.match(stats.entry, /\/dist\/index\.js$/);
  } finally {
    await server.close();
    if (before !== undefined) process.env.WEFT_BENCH_SOURCE = before;
  }
});

/** Runs a probe under tsx (as the benches run) that reports whether the closures of a Weft app have fast properties. */
function probe(env: Record<string, string>): string {
  const code = `
    const { weft, WEFT_BUILD } = await import(${JSON.stringify(join(ROOT, "bench/weft-build.ts"))});
    const fast = new Function("f", "return %HasFastProperties(f)");
    const view = weft.defineView({ mount: () => ({}), render: () => weft.html\`<p>x</p>\` });
    const app = weft.createWeft({ views: { "/": view }, secret: "probe-secret-0123456789abcdef0123456789" });
    console.log(WEFT_BUILD, ["handler", "upgrade", "broadcast"].map((k) => k + ":" + fast(app[k])).join(" "));
    process.exit(0);`;
  const r = spawnSync(process.execPath, ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", code], {
    cwd: ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, WEFT_BENCH_SOURCE: "", WEFT_BENCH_DIST: "", ...env },
  });
  assert.equal(r.status, 0, r.stderr.slice(-2_000));
  return r.stdout.trim().split("\n").at(-1)!;
}

it("loads a library whose closures keep fast properties, as on plain node (no tsx keepNames)", { timeout: 240_000 }, () => {
  assert.equal(probe({}), "dist handler:true upgrade:true broadcast:true");
  // The probe tells the two apart: the sources through tsx carry keepNames' redefined names.
  assert.equal(probe({ WEFT_BENCH_SOURCE: "src" }), "src handler:false upgrade:false broadcast:false");
});

it("rebuilds dist when it is missing or older than src, and not when it is newer", () => {
  const root = mkdtempSync(join(tmpdir(), "weft-bench-build-"));
  try {
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "a.ts"), "export {};\n");
    writeFileSync(join(root, "src", "a.test.ts"), "export {};\n");
    assert.equal(distStale(root), "dist/ is missing");
    mkdirSync(join(root, "dist"));
    for (const f of ["index.js", "client.js", "client-dev.js", "client-msgpack.js"]) writeFileSync(join(root, "dist", f), "\n");
    const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    utimesSync(join(root, "src", "a.ts"), t(10), t(10));
    utimesSync(join(root, "src", "a.test.ts"), t(30), t(30)); // a test is not built: never makes dist stale
    for (const f of ["index.js", "client.js", "client-dev.js", "client-msgpack.js"]) utimesSync(join(root, "dist", f), t(20), t(20));
    assert.equal(distStale(root), undefined);
    utimesSync(join(root, "src", "a.ts"), t(25), t(25));
    assert.equal(distStale(root), "src/ changed since dist/ was built");
    utimesSync(join(root, "src", "a.ts"), t(10), t(10));
    writeFileSync(join(root, "tsconfig.build.json"), "{}\n");
    utimesSync(join(root, "tsconfig.build.json"), t(21), t(21));
    assert.equal(distStale(root), "the build's scripts or config changed since dist/ was built");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
