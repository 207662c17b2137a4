/**
 * Where each view and component was defined, for development hot reload
 * (hot-reload.ts): `defineView` and `defineComponent` note the file of their
 * caller, once, while the module that defines them loads (never on the hot
 * path: a stack trace per definition at module load, in every mode, since the
 * modules load before `createWeft` says whether hot reload is on). After a
 * reload, `successor` links an old definition to the one that replaced it,
 * so a component placed again by the new code keeps its state
 * (components/host.ts asks {@link sameLineage}).
 *
 * Only file paths (strings) are held strongly; definitions are keys of weak maps.
 */
import { fileURLToPath } from "node:url";

/** The files that defined a view or a component (absolute paths) → the number of the last definition made there. */
const files = new Map<string, number>();
/** Definitions made so far (numbers the definitions: which files a reload evaluated). */
let made = 0;
/** Every definition made by defineView / defineComponent → its file (undefined when not found). */
const defs = new WeakMap<object, string | undefined>();
/** An old definition → the one a reload made from the same module export. */
const next = new WeakMap<object, object>();
/** This folder's parent (src/server or dist/server): frames inside it are Weft's own, not the caller. */
const OWN = fileURLToPath(new URL("..", import.meta.url));
/** A stack frame's location: `at fn (LOCATION)` or `at LOCATION`, with its `:line:col`. */
const FRAME = /^\s*at (?:.*? \()?(.+?):\d+:\d+\)?$/;
/** How many links a lineage walk follows at most (one per reload that changed the definition). */
const MAX_LINEAGE = 10_000;

/**
 * Notes `def` as a definition and the file of the first stack frame outside
 * Weft's own server folder as its origin.
 *
 * @example
 * export function defineView(d) { const v = Object.freeze({ ...d }); noteOrigin(v); return v; }
 */
export function noteOrigin(def: object): void {
  const file = callerFile(new Error().stack ?? "");
  defs.set(def, file);
  made++;
  if (file !== undefined) files.set(file, made);
}

/**
 * The file of the first frame of `stack` outside Weft's server folder and
 * Node's internals, as an absolute path (a `file:` URL's query — a reload's
 * version — is dropped), or undefined.
 *
 * @example callerFile("Error\n    at defineView (/app/node_modules/weft-live/dist/server/view.js:1:1)\n    at /app/views/counter.ts:3:17") // "/app/views/counter.ts"
 */
export function callerFile(stack: string): string | undefined {
  for (const line of stack.split("\n").slice(1)) {
    const loc = FRAME.exec(line)?.[1];
    if (loc === undefined || loc.startsWith("node:")) continue;
    let path: string;
    try {
      path = loc.startsWith("file:") ? fileURLToPath(loc.replace(/\?.*$/, "")) : loc;
    } catch {
      continue;
    }
    if (!path.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(path)) continue;
    if (path.startsWith(OWN)) continue;
    return path;
  }
  return undefined;
}

/**
 * Every file that defined a view or a component so far, with the number of
 * its last definition (compare with {@link definitionCount} taken before an import).
 */
export function originFiles(): ReadonlyMap<string, number> {
  return files;
}

/** How many definitions were made so far. */
export function definitionCount(): number {
  return made;
}

/** The file that defined `def`, when known. */
export function originOf(def: object): string | undefined {
  return defs.get(def);
}

/** True for a value defineView or defineComponent returned. */
export function isDefinition(v: unknown): v is object {
  return typeof v === "object" && v !== null && defs.has(v);
}

/** Records that a reload replaced `old` with `replacement` (the same export of a newer module). */
export function succeed(old: object, replacement: object): void {
  if (old !== replacement) next.set(old, replacement);
}

/**
 * The newest definition that replaced `def` (itself when none did).
 *
 * @example const view = latest(session.definition);
 */
export function latest<T extends object>(def: T): T {
  let d: object = def;
  for (let i = 0; i < MAX_LINEAGE; i++) {
    const n = next.get(d);
    if (n === undefined) break;
    d = n;
  }
  return d as T;
}

/**
 * True when `newer` replaced `older`, directly or through several reloads.
 * Only asked when two definitions differ, so it costs nothing otherwise.
 *
 * @example if (old.def === ref.def || sameLineage(old.def, ref.def)) keepState();
 */
export function sameLineage(older: object, newer: object): boolean {
  let d: object | undefined = older;
  for (let i = 0; i < MAX_LINEAGE && d !== undefined; i++) {
    d = next.get(d);
    if (d === newer) return true;
  }
  return false;
}
