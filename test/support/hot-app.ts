/**
 * A small app written into a temporary folder, for the hot reload tests: a
 * counter view whose label comes from another module (so that a reload must
 * make the whole local module graph fresh), a component with its own count,
 * and a stylesheet served at /style.css. The tests edit these files while
 * the app runs.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createWeft, type Layout, type ViewDefinition, type WeftApp, type WeftOptions } from "../../src/index.ts";

const WEFT = pathToFileURL(join(import.meta.dirname, "../../src/index.ts")).href;

/** The files of the app, by path under its folder. */
export function hotAppFiles(label = "Count", color = "rgb(200, 0, 0)"): Record<string, string> {
  return {
    "package.json": JSON.stringify({ type: "module" }),
    "views/label.ts": `export const LABEL: string = ${JSON.stringify(label)};\n`,
    "views/badge.ts": `import { defineComponent, html } from ${JSON.stringify(WEFT)};
export const Badge = defineComponent({
  mount: (p: { id: string }) => ({ id: p.id, hits: 0 }),
  events: { hit: (s) => ({ ...s, hits: s.hits + 1 }) },
  render: (s) => html\`<span class="badge"><button weft-click="hit">Hit</button> hits: <b id="hits">\${s.hits}</b></span>\`,
});
`,
    "views/counter.ts": `import { component, defineView, html } from ${JSON.stringify(WEFT)};
import { LABEL } from "./label.ts";
import { Badge } from "./badge.ts";
export const Counter = defineView({
  // Counts mounts in the process (globalThis.hotMounts), so a test sees whether one ran.
  mount: () => ({ count: 0, mount: ((globalThis as { hotMounts?: number }).hotMounts = ((globalThis as { hotMounts?: number }).hotMounts ?? 0) + 1) }),
  events: { inc: (s: { count: number }) => ({ ...s, count: s.count + 1 }) },
  render: (s) => html\`<main><p class="count" id="out">\${LABEL}: \${s.count}</p><button weft-click="inc">More</button>\${component(Badge, { id: "b1" })}</main>\`,
});
`,
    "style.css": `.count { color: ${color}; }\n`,
  };
}

/** A page that links /style.css in its head (where a stylesheet swap leaves the view's DOM alone). */
export const hotLayout: Layout = (p) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${p.title}</title><link rel="stylesheet" href="/style.css">${p.script}</head><body>${p.flash}${p.body}</body></html>`;

/** Writes `files` under `dir` (folders made as needed). */
export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Makes the app's folder and imports its counter view. */
export async function makeHotApp(): Promise<{ dir: string; Counter: ViewDefinition<unknown> }> {
  const dir = mkdtempSync(join(tmpdir(), "weft-hot-"));
  writeFiles(dir, hotAppFiles());
  const mod = (await import(pathToFileURL(join(dir, "views/counter.ts")).href)) as { Counter: ViewDefinition<unknown> };
  return { dir, Counter: mod.Counter };
}

/**
 * The Weft app for `options`, whose `listen` serves `dir`/style.css at
 * /style.css (no-store: every fetch reads the file) and everything else through Weft.
 */
export function withStylesheet(dir: string, options: Partial<WeftOptions>): WeftApp {
  const app = createWeft(options as WeftOptions);
  let server: Server | undefined;
  return {
    ...app,
    async listen(port = 0, host = "127.0.0.1") {
      server = createServer((req, res) => {
        if (req.url?.split("?")[0] !== "/style.css") return app.handler(req, res);
        readFile(join(dir, "style.css")).then((css) => {
          res.writeHead(200, { "content-type": "text/css", "cache-control": "no-store" });
          res.end(css);
        }, () => res.writeHead(404).end());
      });
      server.on("upgrade", app.upgrade);
      await new Promise<void>((resolve) => server!.listen(port, host, resolve));
      return server.address() as AddressInfo;
    },
    async close() {
      await app.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
    },
  };
}
