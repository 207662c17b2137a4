/**
 * The module resolve hook of development hot reload, registered with
 * `node:module`'s `register()` by hot-reload.ts (it runs on Node's loader
 * thread). ESM modules cannot be loaded twice under one URL, so a reload
 * imports each view module as `file:///…/view.ts?weft-hot=N`; this hook
 * gives every local module that such a module imports the same `?weft-hot=N`,
 * so the whole local module graph is fresh in generation N. Local means a
 * `file:` URL under one of the watched roots, outside `node_modules` and
 * outside Weft itself (one copy of Weft's classes must serve every generation).
 * Any other import resolves exactly as without the hook.
 */

/** The query key that names a reload's generation. */
const KEY = "weft-hot";
/** The generation in an importing module's URL (`?weft-hot=N`). */
const GENERATION = new RegExp(`[?&]${KEY}=(\\d+)`);

/** What register() hands the hook: the port on which hot-reload.ts then sends `{ roots, excluded }`. */
export interface HotHookData {
  readonly port: import("node:worker_threads").MessagePort;
}

/** The roots (file: URLs; a folder ends with "/") and the excluded folders, as hot-reload.ts sent them. */
let roots: string[] = [];
let excluded: string[] = [];

/**
 * Receives the port on which hot-reload.ts sends `{ roots, excluded }` (each
 * app that turns hot reload on adds its own roots).
 *
 * @example register(hookUrl, { data: { port }, transferList: [port] })
 */
export function initialize(data: HotHookData): void {
  data.port.on("message", (m: { roots: string[]; excluded: string[] }) => {
    roots = [...new Set([...roots, ...m.roots])];
    excluded = [...new Set([...excluded, ...m.excluded])];
  });
  data.port.unref();
}

type Resolved = { url: string; format?: string | null | undefined; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: ResolveContext) => Resolved | Promise<Resolved>;
interface ResolveContext {
  parentURL?: string | undefined;
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
}

/**
 * Resolves as the next hook does, then, when the importing module belongs to
 * generation N (its URL has `?weft-hot=N`) and the result is a local module
 * without a query, appends the same generation.
 *
 * @example // imported from file:///app/views/a.ts?weft-hot=3: "./b.ts" → file:///app/views/b.ts?weft-hot=3
 */
export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<Resolved> {
  const r = await next(specifier, context);
  const gen = generationOf(context.parentURL);
  if (gen === undefined || !local(r.url)) return r;
  return { ...r, url: `${r.url}?${KEY}=${gen}` };
}

function generationOf(url: string | undefined): string | undefined {
  if (url === undefined || !url.startsWith("file:")) return undefined;
  return GENERATION.exec(url)?.[1];
}

function local(url: string): boolean {
  if (!url.startsWith("file:") || url.includes("?") || url.includes("#") || url.includes("/node_modules/")) return false;
  if (excluded.some((x) => url.startsWith(x))) return false;
  return roots.some((r) => (r.endsWith("/") ? url.startsWith(r) : url === r));
}
