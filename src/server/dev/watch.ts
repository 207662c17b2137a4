/**
 * Development file watching for hot reload: `fs.watch` on each watched path
 * (a folder recursively — Node 20 does it on Linux too — or a file through
 * its folder, so that an editor that replaces the file is still seen), with
 * bursts of events debounced into one batch of changed files. Editor
 * leftovers, dot files and `node_modules` are ignored.
 */
import fs from "node:fs";
import { basename, dirname, join, sep } from "node:path";

/** What {@link watchFiles} returns: stop it with `close()`. */
export interface FileWatch {
  close(): void;
}

/** Debounced batches never wait longer than this many quiet periods (a file written without pause still reloads). */
const MAX_WAIT_FACTOR = 20;

/**
 * Watches `paths` (absolute) and calls `onChange` with the changed files
 * after `debounceMs` without a new event (at most 20 × `debounceMs` after
 * the first). `onError` gets a watcher that fails (the others go on).
 *
 * @example
 * const w = watchFiles(["/app/views"], 50, (files) => reload(files), console.error);
 * w.close();
 */
export function watchFiles(paths: readonly string[], debounceMs: number, onChange: (files: string[]) => void, onError: (err: unknown) => void): FileWatch {
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let first = 0;
  const fire = (): void => {
    timer = undefined;
    const files = [...changed];
    changed.clear();
    if (files.length > 0) onChange(files);
  };
  const seen = (file: string, rel: string): void => {
    if (ignored(rel)) return;
    if (changed.size === 0) first = Date.now();
    changed.add(file);
    clearTimeout(timer);
    const wait = Math.max(0, Math.min(debounceMs, first + debounceMs * MAX_WAIT_FACTOR - Date.now()));
    timer = setTimeout(fire, wait);
  };
  const watchers: fs.FSWatcher[] = [];
  for (const path of paths) {
    try {
      const isDir = fs.statSync(path).isDirectory();
      const dir = isDir ? path : dirname(path);
      const w = fs.watch(dir, { recursive: isDir, persistent: false }, (_event, name) => {
        if (name === null) return;
        const file = join(dir, String(name));
        if (isDir || file === path) seen(file, String(name));
      });
      w.on("error", onError);
      watchers.push(w);
    } catch (err) {
      onError(err);
    }
  }
  return {
    close() {
      clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}

/** Editor swap and backup files, dot files and folders, node_modules (`rel`: the path under the watched folder). */
function ignored(rel: string): boolean {
  const name = basename(rel);
  if (/(~|\.swp|\.swx|\.tmp|\.bak)$/.test(name) || /^#.*#$|^4913$/.test(name)) return true;
  return rel.split(sep).some((part) => part === "node_modules" || (part.startsWith(".") && part.length > 1));
}
