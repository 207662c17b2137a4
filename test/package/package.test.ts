/**
 * The package as users install it: `npm pack` of this repository, installed
 * into fresh apps in a temporary directory outside the repository (nothing
 * resolves to the repository's node_modules), run with plain `node`.
 *
 * WEFT_PACKAGE_DIR=<a checkout> packs another checkout instead of this one (to
 * see these tests fail on an older commit).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";
import { CJS_APP, ESM_APP } from "./app-files.ts";
import { installApp, pack, run, runOk, startApp, type AppProcess, type PackedFile } from "./fresh-app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REPO = process.env.WEFT_PACKAGE_DIR ?? ROOT;
const TSC = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const browserSkip = browserSkipReason();
/** The test kit ships when its sources exist. */
const HAS_KIT = existsSync(join(REPO, "src/testing/index.ts"));
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
/** require() of an ES module works without a flag from Node 20.19 (and 22.12). */
const REQUIRE_ESM = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);

describe("the packed package in fresh apps", { timeout: 900_000 }, () => {
  let tmp: string;
  let files: PackedFile[];
  let esm: string;
  let cjs: string;
  let server: AppProcess | undefined;
  let browser: Browser | undefined;

  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "weft-package-"));
    const packed = pack(REPO, tmp);
    files = packed.files;
    esm = join(tmp, "esm-app");
    cjs = join(tmp, "cjs-app");
    installApp(esm, packed.tarball, ESM_APP);
    installApp(cjs, packed.tarball, CJS_APP, "npm-init");
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });

  it("packs only what users need: no tests, benches, docs sources, fixtures, scripts or TypeScript sources", () => {
    const paths = files.map((f) => f.path);
    for (const must of ["package.json", "dist/index.js", "dist/index.d.ts", "dist/client.js", "dist/client-dev.js", "dist/client-msgpack.js"]) assert.ok(paths.includes(must), `${must} is packed`);
    const stray = paths.filter((p) =>
      !(p.startsWith("dist/") || p === "package.json" || /^(README|LICENSE|CHANGELOG)(\.md)?$/i.test(p))
      || /\.test\.|(^|\/)(test|tests|bench|fixtures?|scripts|examples|docs)\//.test(p)
      || (p.endsWith(".ts") && !p.endsWith(".d.ts")));
    assert.deepEqual(stray, [], "only dist/, package.json and the README are packed");
    assert.ok(paths.some((p) => p.endsWith(".js.map")), "source maps are packed");
  });

  it("ships declarations whose relative imports end in .js, as every TypeScript with NodeNext resolves them", () => {
    const dts = files.map((f) => f.path).filter((p) => p.endsWith(".d.ts"));
    assert.ok(dts.length > 0);
    const tsSpecifiers = dts.filter((p) => /(from|import)\s*\(?\s*["']\.\.?\/[^"']*\.ts["']/.test(readFileSync(join(esm, "node_modules/weft-live", p), "utf8")));
    assert.deepEqual(tsSpecifiers, [], "no declaration imports a .ts path");
  });

  it("installs without the repository's tools: esbuild, tsx and typescript do not resolve from the app", () => {
    const probe = `for (const m of ["esbuild", "tsx", "typescript"]) { try { import.meta.resolve(m); console.log("found " + m); } catch { console.log("no " + m); } }`;
    const r = runOk(process.execPath, ["--input-type=module", "-e", probe], esm);
    assert.equal(r.stdout.trim(), "no esbuild\nno tsx\nno typescript");
    const pkg = JSON.parse(readFileSync(join(esm, "node_modules/weft-live/package.json"), "utf8")) as { name: string };
    assert.equal(pkg.name, "weft-live");
  });

  it("runs a plain app.mjs on node and serves the prebuilt client with an ETag and an immutable hashed URL", async () => {
    server = await startApp(esm, "app.mjs");
    const page = await (await fetch(server.base + "/")).text();
    assert.match(page, /<p id="count">0<\/p>/);
    const src = /<script src="([^"]*client\.js\?v=[^"]+)"/.exec(page)?.[1];
    assert.ok(src !== undefined, `the page links the client with its hash: ${page}`);
    const res = await fetch(new URL(src.replaceAll("&amp;", "&"), server.base));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("cache-control") ?? "", /immutable/);
    const etag = res.headers.get("etag");
    assert.ok(etag !== null);
    const body = await res.text();
    assert.equal(body, readFileSync(join(esm, "node_modules/weft-live/dist/client.js"), "utf8"), "the prebuilt bundle is served as built");
    const again = await fetch(new URL(src, server.base), { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    // The development part (dev pages link it) is served as built too, under the same hash.
    const dev = await fetch(new URL(src.replaceAll("&amp;", "&").replace("client.js", "client-dev.js"), server.base));
    assert.equal(dev.status, 200);
    assert.match(dev.headers.get("cache-control") ?? "", /immutable/);
    assert.equal(await dev.text(), readFileSync(join(esm, "node_modules/weft-live/dist/client-dev.js"), "utf8"), "the prebuilt development part is served as built");
  });

  for (const transport of TRANSPORTS) {
    it(`serves a counter that Chromium clicks over ${transport}`, { skip: browserSkip }, async () => {
      server ??= await startApp(esm, "app.mjs");
      browser ??= await launchBrowser();
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await forceTransport(page, transport);
      await page.goto(server.base + "/");
      await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1", undefined, { timeout: 10_000 });
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#count")?.textContent === "2", undefined, { timeout: 10_000 });
      assert.equal(await page.evaluate(() => (window as unknown as { weft: { transport: string } }).weft.transport), transport);
      await page.close();
      assert.deepEqual(errors, []);
    });
  }

  it("type-checks a strict NodeNext app.ts against the installed declarations, with no @types installed by the app", () => {
    const own = JSON.parse(readFileSync(join(esm, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    assert.deepEqual(Object.keys({ ...own.dependencies, ...own.devDependencies }), ["weft-live"]);
    const r = run(process.execPath, [TSC, "-p", "tsconfig.json"], esm);
    assert.equal(r.status, 0, `tsc --noEmit fails on app.ts:\n${r.stdout}${r.stderr}`);
  });

  it("refuses to compile a handler whose state type is not the view's", () => {
    const r = run(process.execPath, [TSC, "-p", "tsconfig.bad.json"], esm);
    assert.notEqual(r.status, 0, "bad.ts compiles");
    const errors = r.stdout.split("\n").filter((l) => /error TS\d+/.test(l));
    assert.ok(errors.length > 0 && errors.every((l) => l.startsWith("bad.ts(")), `only bad.ts has errors:\n${r.stdout}`);
    // A type error, not a package that cannot be resolved or read.
    assert.ok(errors.every((l) => !/error TS(2307|7016|5097|2688|7006|7031)\b/.test(l)), `bad.ts fails for its handler:\n${r.stdout}`);
  });

  it("imports weft-live/testing on plain node and drives a view with it", { skip: HAS_KIT ? false : "the test kit (src/testing/index.ts) is not in this checkout" }, () => {
    const r = run(process.execPath, ["kit.mjs"], esm, 30_000);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.trim(), "count 1");
    const types = run(process.execPath, [TSC, "-p", "tsconfig.kit.json"], esm);
    assert.equal(types.status, 0, `tsc --noEmit fails on kit.ts:\n${types.stdout}${types.stderr}`);
  });

  it("lets a CommonJS app made by npm init -y require() the package, or names the fix in the README", () => {
    const pkg = JSON.parse(readFileSync(join(cjs, "package.json"), "utf8")) as { type?: string };
    assert.notEqual(pkg.type, "module", "npm init -y makes a CommonJS app");
    const r = run(process.execPath, ["app.js"], cjs, 30_000);
    if (REQUIRE_ESM) {
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.equal(r.stdout.trim(), "served the counter");
    } else {
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /ERR_REQUIRE_ESM/);
      assert.match(readFileSync(join(ROOT, "README.md"), "utf8"), /"type": "module"/);
    }
  });
});
