/**
 * Development hot reload (docs/hot-reload.md): watches the app's modules,
 * templates and CSS; a changed module makes a new generation of the local
 * module graph (every view module imported again as `…?weft-hot=N`, and what
 * it imports with it: hot-hooks.ts), the new view and component definitions
 * replace the old ones export by export (origins.ts), and every live session
 * renders its current state with its view's new definition — mount does not
 * run again — and sends the diff on whatever transport its page uses. A CSS
 * change sends each page a `dev:css` push that the client's development part
 * (src/client/dev-css.ts) answers by re-fetching the stylesheet, no reload.
 *
 * A module that fails to load (a syntax error) or throws while loading keeps
 * the old code running: the error goes to `onError` and to each page as an
 * E_HOT_RELOAD error (the development part logs it). A new render that throws
 * keeps that session on its old definition (E_RENDER). Started only by an
 * explicit `dev: true` or `dev: { … }` (hot-options.ts); without it none of
 * this module runs.
 */
import nodeModule from "node:module";
import { basename, dirname, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { ERRORS } from "../../protocol/errors.ts";
import { S } from "../../protocol/messages.ts";
import { clip } from "../clip.ts";
import type { Logger } from "../logger.ts";
import type { ViewSession } from "../session.ts";
import type { ViewDefinition } from "../view.ts";
import type { HotOptions } from "./hot-options.ts";
import { callerFile, definitionCount, isDefinition, latest, originFiles, originOf, succeed } from "./origins.ts";
import { watchFiles, type FileWatch } from "./watch.ts";

/** What hot reload needs of the app (Core has it): its views, sessions and pending pages, where to log. */
export interface HotTarget {
  readonly options: {
    readonly views: Readonly<Record<string, ViewDefinition<never> | ViewDefinition<any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    readonly logger: Logger;
    readonly onError: (err: unknown, where: string) => void;
  };
  readonly router: { replaceViews(newest: <V extends object>(view: V) => V): void };
  readonly registry: { replaceViews(newest: <V extends object>(view: V) => V): void; sessions(): IterableIterator<ViewSession> };
  readonly children: { replaceView(old: ViewDefinition<unknown>, next: ViewDefinition<unknown>): void };
}

/** A running hot reload: {@link HotReload.close} stops it (app.close() does). */
export interface HotReload {
  close(): void;
}

/** Files whose change reloads modules: code, JSON and templates. Other files (logs, databases) do not. */
const MODULE_FILE = /\.(?:[cm]?[jt]sx?|json|html?|svg)$/;
/** Weft's own folder (src/ or dist/): never versioned, so every generation shares one copy of Weft. */
const WEFT_ROOT = new URL("../../", import.meta.url).href;
/** The hook's port, once registered in this process (a module hook cannot be removed: later apps add roots to it). */
let hookPort: MessagePort | undefined;
/**
 * The last module generation of this process. One counter for every app: a
 * generation's URLs are cached for the process's life, so two apps (or an app
 * started again) must never reuse a number for newer files.
 */
let generation = 0;

/**
 * Starts hot reload for `core` with `hot`'s settings: the resolve hook, the
 * watcher, and the reloads it triggers.
 *
 * @example
 * const hot = startHotReload(core, core.options.hot); // in createWeft, only with an explicit dev option
 * await app.close(); // → hot.close()
 */
export function startHotReload(core: HotTarget, hot: HotOptions): HotReload {
  const log = core.options.logger;
  const roots = hot.watch ?? defaultRoots(Object.values(core.options.views) as object[]);
  // The module that creates the app (and the process's entry) never load again: a second
  // createWeft or listen() would run. Views defined there keep their code.
  const fixed = new Set([callerFile(new Error().stack ?? ""), process.argv[1] === undefined ? undefined : resolve(process.argv[1])].filter((f): f is string => f !== undefined));
  if (roots.length === 0) {
    log.warn({}, "hot reload: no folder to watch (the views' modules are unknown); pass dev: { watch: [\"src/views\"] }");
  } else {
    versionModules(roots, fixed);
    log.info({ watch: roots }, `hot reload: watching ${roots.join(", ")}`);
  }
  const reloader = new Reloader(core, roots, fixed);
  const watch = watchFiles([...roots, ...hot.css], hot.debounceMs, (files) => reloader.changed(files), (err) => log.warn({ err }, "hot reload: a watcher failed"));
  return {
    close() {
      watch.close();
      reloader.closed = true;
    },
  };
}

/** The folders of the modules that define `views`, without those inside another one. */
function defaultRoots(views: readonly object[]): string[] {
  const dirs = [...new Set(views.map((v) => originOf(v)).filter((f): f is string => f !== undefined).map((f) => dirname(f) + sep))].sort();
  return dirs.filter((d, i) => !dirs.slice(0, i).some((outer) => d.startsWith(outer))).map((d) => d.slice(0, -1));
}

/** Registers the resolve hook (once per process) and tells it `roots`, and the `fixed` files it must never version. */
function versionModules(roots: readonly string[], fixed: ReadonlySet<string>): void {
  if (hookPort === undefined) {
    const { port1, port2 } = new MessageChannel();
    const hooks = new URL(import.meta.url.endsWith(".ts") ? "./hot-hooks.ts" : "./hot-hooks.js", import.meta.url);
    nodeModule.register(hooks, { data: { port: port2 }, transferList: [port2] });
    port1.unref();
    hookPort = port1;
  }
  hookPort.postMessage({ roots: roots.map((r) => pathToFileURL(r).href + (MODULE_FILE.test(r) || /\.css$/.test(r) ? "" : "/")), excluded: [WEFT_ROOT, ...[...fixed].map((f) => pathToFileURL(f).href)] });
}

/** A module's URL in generation `gen` (0: the URL the app loaded it under). */
function moduleUrl(file: string, gen: number): string {
  const url = pathToFileURL(file).href;
  return gen === 0 ? url : `${url}?weft-hot=${gen}`;
}

/** The reloads of one app, one at a time. */
class Reloader {
  closed = false;
  /** Every exported definition of the current generation, by "file#export". */
  private current: Map<string, object> | undefined;
  private running: Promise<void> | undefined;
  /** Files changed while a reload was running: the next one takes them. */
  private readonly waiting = new Set<string>();

  constructor(private readonly core: HotTarget, private readonly roots: readonly string[], private readonly fixed: ReadonlySet<string>) {}

  /** Files changed (debounced): CSS is swapped in the pages, modules are reloaded. */
  changed(files: string[]): void {
    if (this.closed) return;
    const css = files.filter((f) => f.endsWith(".css"));
    if (css.length > 0) this.swapCss(css);
    const code = files.filter((f) => MODULE_FILE.test(f) && this.under(f));
    if (code.length === 0) return;
    for (const f of code) this.waiting.add(f);
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    // Bounded: each round takes every file changed so far; a round only repeats for changes made while it ran.
    for (let round = 0; round < 100 && this.waiting.size > 0 && !this.closed; round++) {
      const files = [...this.waiting];
      this.waiting.clear();
      await this.reload(files);
    }
  }

  private under(file: string): boolean {
    return this.roots.some((r) => file === r || file.startsWith(r + sep));
  }

  /** A module a reload imports again: under the roots, and not the app's own file or the entry. */
  private reloadable(file: string): boolean {
    return this.under(file) && !this.fixed.has(file);
  }

  /** One reload: a new generation of the modules, then every session on the new definitions. */
  private async reload(files: string[]): Promise<void> {
    // Each reload takes a new number, also after a failed one.
    const gen = ++generation;
    const started = performance.now();
    const names = files.map((f) => basename(f)).join(", ");
    let next: Map<string, object>;
    try {
      // The definitions as loaded before the first reload: the app's own modules, from the module cache (no code runs).
      this.current ??= await this.exported([...originFiles().keys()].filter((f) => this.reloadable(f)), 0);
      const mark = definitionCount();
      await Promise.all([...new Set([...this.current.keys()].map((k) => k.slice(0, k.lastIndexOf("#"))))].map((f) => import(moduleUrl(f, gen))));
      // Every file that made definitions during this import is in generation `gen` (cached: no code runs again).
      next = await this.exported([...originFiles()].filter(([f, n]) => n > mark && this.reloadable(f)).map(([f]) => f), gen);
    } catch (err) {
      return this.failed(err, names);
    }
    if (this.closed) return;
    const current = this.current;
    for (const [key, def] of next) {
      const old = current.get(key);
      if (old !== undefined) succeed(old, def);
      current.set(key, def);
    }
    this.apply(names, gen, Math.round(performance.now() - started));
  }

  /** The definitions `files` export in generation `gen`, by "file#export". */
  private async exported(files: readonly string[], gen: number): Promise<Map<string, object>> {
    const out = new Map<string, object>();
    for (const f of files) {
      const ns = (await import(moduleUrl(f, gen))) as Record<string, unknown>;
      for (const [name, v] of Object.entries(ns)) if (isDefinition(v)) out.set(`${f}#${name}`, v);
    }
    return out;
  }

  /** Routes, pending pages and live sessions move to the newest definitions. */
  private apply(names: string, gen: number, ms: number): void {
    const { router, registry, children, options } = this.core;
    router.replaceViews(latest);
    registry.replaceViews(latest);
    for (const v of Object.values(options.views) as ViewDefinition<unknown>[]) children.replaceView(v, latest(v));
    let n = 0;
    for (const s of registry.sessions()) {
      const view = latest(s.definition);
      if (view === s.definition) continue;
      s.hotSwap(view);
      n++;
    }
    options.logger.info({ gen, sessions: n, ms }, `hot reload: ${names} changed; ${n} live view(s) re-rendered (modules loaded in ${ms} ms)`);
  }

  /** A module failed to load: the old code keeps running; the log and every page say why. */
  private failed(err: unknown, names: string): void {
    if (this.closed) return;
    this.core.options.onError(err, `hot reload of ${names}`);
    // The loader's message on one line ("Transform failed with 1 error: /app/views/a.ts:1:29: ERROR: Unexpected \";\""), cut.
    const why = clip(String(err instanceof Error ? err.message : err).replace(/\s+/g, " ").trim(), 300);
    for (const s of this.core.registry.sessions()) s.emit({ t: S.error, c: "E_HOT_RELOAD", m: `${ERRORS.E_HOT_RELOAD.message} (${clip(names, 200)}): ${why}` });
  }

  /** Every page re-fetches its stylesheets named like the changed files (the client's development part does). */
  private swapCss(files: string[]): void {
    const d = { f: files.map((f) => basename(f)), n: Date.now() };
    for (const s of this.core.registry.sessions()) s.emit({ t: S.push, e: "dev:css", d });
    this.core.options.logger.info({ files: d.f }, `hot reload: ${d.f.join(", ")} changed; pages re-fetch it`);
  }
}
