/**
 * The `dev` option's hot reload part: when it is on, what is watched. Hot
 * reload starts only when `dev` is given explicitly as `true` or as an
 * object: the default `dev` (on unless NODE_ENV is "production") gives the
 * development messages and the client's development part, never a watcher,
 * so that tests and plain runs watch nothing.
 */
import { resolve } from "node:path";
import { describe, rejectUnknownKeys } from "../startup-checks.ts";

/**
 * The object form of the `dev` option: development mode with hot reload as
 * set here (`watch: false`: development mode without hot reload).
 *
 * @example
 * createWeft({ views, dev: { watch: ["src/views", "src/templates"], css: ["public/app.css"] } })
 */
export interface DevOptions {
  /**
   * Folders (recursively) and files watched; a change of a module under them
   * reloads the app's views with it. Relative paths are from the working
   * directory. Default: the folders of the modules that define the app's
   * views. `false`: no watcher (development messages only).
   */
  readonly watch?: readonly string[] | false;
  /**
   * More CSS files or folders to watch, outside `watch` (a `.css` file under
   * `watch` is watched already). A CSS change never reloads modules: the
   * pages re-fetch the stylesheet.
   */
  readonly css?: readonly string[];
  /** Quiet time after the last file event before the reload runs, ms (editors write several times). Default 50. */
  readonly debounceMs?: number;
}

/** Hot reload as resolved: absolute paths, or `watch: undefined` for the default (the views' folders). */
export interface HotOptions {
  readonly watch: readonly string[] | undefined;
  readonly css: readonly string[];
  readonly debounceMs: number;
}

const DEFAULT_DEBOUNCE_MS = 50;

/**
 * The hot reload settings of a `dev` option value, or undefined when it
 * asks for none (undefined, false, or `{ watch: false }`). Throws a
 * TypeError showing the right call for a value of the wrong shape.
 *
 * @example hotOptions(true) // { watch: undefined, css: [], debounceMs: 50 }
 */
export function hotOptions(dev: unknown): HotOptions | undefined {
  if (dev === undefined || typeof dev === "boolean") return dev === true ? { watch: undefined, css: [], debounceMs: DEFAULT_DEBOUNCE_MS } : undefined;
  const example = 'e.g. dev: true, or dev: { watch: ["src/views"], css: ["public/app.css"] }';
  if (typeof dev !== "object" || dev === null || Array.isArray(dev)) throw new TypeError(`createWeft: \`dev\` must be true, false or { watch?, css?, debounceMs? }, got ${describe(dev)} (${example})`);
  rejectUnknownKeys("createWeft: dev", dev, ["watch", "css", "debounceMs"]);
  const o = dev as DevOptions;
  if (o.watch === false) return undefined;
  const paths = (k: "watch" | "css", v: unknown): string[] | undefined => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((p) => typeof p !== "string" || p === "")) throw new TypeError(`createWeft: \`dev.${k}\` must be a list of paths, got ${describe(v)} (${example})`);
    return v.map((p: string) => resolve(p));
  };
  const debounceMs = o.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  if (typeof debounceMs !== "number" || !Number.isFinite(debounceMs) || debounceMs < 0 || debounceMs > 10_000) {
    throw new TypeError(`createWeft: \`dev.debounceMs\` must be a number of ms from 0 to 10000, got ${describe(debounceMs)}`);
  }
  return Object.freeze({ watch: paths("watch", o.watch), css: paths("css", o.css) ?? [], debounceMs });
}

/** True when a `dev` option value turns development mode on (the default follows NODE_ENV). */
export function devMode(dev: unknown): boolean {
  return dev === undefined ? process.env.NODE_ENV !== "production" : dev !== false;
}
