/**
 * A view's `uploads` option: checked once (defineView, createWeft), resolved
 * over its defaults, and turned into what the page learns at its join
 * (`u` on the join's full render: {@link UploadConfig}).
 */
import type { UploadConfig } from "../../protocol/messages.ts";
import { describe } from "../startup-checks.ts";
import { validAcceptEntry } from "./file-type.ts";
import { DEFAULT_KEEP_MS } from "./node.ts";
import type { UploadOptions } from "./types.ts";

/** Largest `chunkBytes`: what every transport carries (a WebSocket frame, a POST body, a forwarded request). */
export const MAX_CHUNK_BYTES = 1 << 20;
/** Largest `maxBytes` (1 TiB): offsets stay exact integers far below it. */
const MAX_FILE_BYTES = 2 ** 40;
/** Most files one upload takes at once. */
const MAX_FILES = 1_000;

/** The defaults of an upload's options. */
export const UPLOAD_DEFAULTS = {
  maxBytes: 8_000_000,
  maxFiles: 1,
  chunkBytes: 512 * 1024,
  autoUpload: false,
};

/** An upload's options with its defaults applied. */
export interface ResolvedUpload {
  readonly accept: readonly string[];
  readonly maxBytes: number;
  readonly maxFiles: number;
  readonly chunkBytes: number;
  readonly autoUpload: boolean;
}

const KEYS = ["accept", "maxBytes", "maxFiles", "chunkBytes", "autoUpload"];

/**
 * Throws a TypeError naming the upload when a view's `uploads` is not an
 * object of valid {@link UploadOptions}. `where` starts the message.
 *
 * @example checkUploads("defineView", { avatar: { accept: [".png"], maxBytes: 1e6 } })
 */
export function checkUploads(where: string, uploads: unknown): void {
  if (uploads === undefined) return;
  const example = 'e.g. uploads: { avatar: { accept: [".png", "image/jpeg"], maxBytes: 5_000_000 } }';
  if (typeof uploads !== "object" || uploads === null || Array.isArray(uploads)) throw new TypeError(`${where}: \`uploads\` must be an object of uploads by name, ${example}, got ${describe(uploads)}`);
  for (const [name, o] of Object.entries(uploads)) {
    const at = `${where}: uploads.${name}`;
    if (!/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name)) throw new TypeError(`${where}: upload name "${name}" must be 1–64 letters, digits, "_" or "-" (starting with a letter or "_")`);
    if (typeof o !== "object" || o === null || Array.isArray(o)) throw new TypeError(`${at} must be { accept, maxBytes?, maxFiles?, chunkBytes?, autoUpload? }, ${example}, got ${describe(o)}`);
    const unknown = Object.keys(o).find((k) => !KEYS.includes(k));
    if (unknown !== undefined) throw new TypeError(`${at}: unknown key \`${unknown}\` (known: ${KEYS.join(", ")})`);
    const u = o as Partial<UploadOptions>;
    if (!Array.isArray(u.accept) || u.accept.length === 0 || !u.accept.every(validAcceptEntry)) {
      throw new TypeError(`${at}.accept must be a non-empty list of extensions (".png") or MIME types ("image/png", "image/*"), got ${describe(u.accept)}`);
    }
    whole(at, "maxBytes", u.maxBytes, 1, MAX_FILE_BYTES);
    whole(at, "maxFiles", u.maxFiles, 1, MAX_FILES);
    whole(at, "chunkBytes", u.chunkBytes, 1024, MAX_CHUNK_BYTES);
    if (u.autoUpload !== undefined && typeof u.autoUpload !== "boolean") throw new TypeError(`${at}.autoUpload must be true or false, got ${describe(u.autoUpload)}`);
  }
}

function whole(at: string, key: string, v: unknown, min: number, max: number): void {
  if (v === undefined) return;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) throw new TypeError(`${at}.${key} must be a whole number from ${min} to ${max}, got ${describe(v)}`);
}

/**
 * An upload's options over the defaults.
 *
 * @example resolveUpload({ accept: [".png"] }).chunkBytes // 524288
 */
export function resolveUpload(o: UploadOptions): ResolvedUpload {
  return Object.freeze({
    accept: Object.freeze([...o.accept]),
    maxBytes: o.maxBytes ?? UPLOAD_DEFAULTS.maxBytes,
    maxFiles: o.maxFiles ?? UPLOAD_DEFAULTS.maxFiles,
    chunkBytes: o.chunkBytes ?? UPLOAD_DEFAULTS.chunkBytes,
    autoUpload: o.autoUpload ?? UPLOAD_DEFAULTS.autoUpload,
  });
}

/**
 * What the page learns of an upload at its join (`u`): `[chunkBytes, auto, maxBytes, maxFiles, accept]`.
 *
 * @example uploadConfig(resolveUpload({ accept: [".png"] })) // [524288, 0, 8000000, 1, [".png"]]
 */
export function uploadConfig(r: ResolvedUpload): UploadConfig {
  return [r.chunkBytes, r.autoUpload ? 1 : 0, r.maxBytes, r.maxFiles, [...r.accept]];
}

/** The app's upload options, resolved (createWeft: `uploadDir`, `uploadBudget`, `uploadIdleMs`, `uploadKeepMs`). */
export interface ResolvedUploadOptions {
  readonly uploadDir: string;
  readonly uploadBudget: { readonly perSession: number; readonly perNode: number };
  readonly uploadIdleMs: number;
  readonly uploadKeepMs: number;
}

/** Default budgets: 256 MB per session, 4 GB per node; a stalled upload is dropped after 60 s, a finished unconsumed one after 10 min. */
export const UPLOAD_APP_DEFAULTS = { perSession: 256_000_000, perNode: 4_000_000_000, idleMs: 60_000, keepMs: DEFAULT_KEEP_MS };

/**
 * Checks and resolves the app's upload options; throws a TypeError that shows the right call.
 *
 * @example resolveUploadOptions({ uploadBudget: { perSession: 50e6 } }, "/tmp/weft-uploads-1").uploadBudget.perNode // 4e9
 */
export function resolveUploadOptions(o: { uploadDir?: unknown; uploadBudget?: unknown; uploadIdleMs?: unknown; uploadKeepMs?: unknown }, defaultDir: string): ResolvedUploadOptions {
  if (o.uploadDir !== undefined && (typeof o.uploadDir !== "string" || o.uploadDir === "" || o.uploadDir.includes("\0"))) {
    throw new TypeError(`createWeft: \`uploadDir\` must be a directory path, e.g. uploadDir: "/var/tmp/weft-uploads", got ${describe(o.uploadDir)}`);
  }
  const b = o.uploadBudget ?? {};
  if (typeof b !== "object" || b === null || Array.isArray(b) || Object.keys(b).some((k) => k !== "perSession" && k !== "perNode")) {
    throw new TypeError(`createWeft: \`uploadBudget\` must be { perSession?, perNode? } in bytes, e.g. uploadBudget: { perSession: 256e6, perNode: 4e9 }, got ${describe(b)}`);
  }
  const { perSession = UPLOAD_APP_DEFAULTS.perSession, perNode = UPLOAD_APP_DEFAULTS.perNode } = b as { perSession?: unknown; perNode?: unknown };
  for (const [k, v] of [["perSession", perSession], ["perNode", perNode]] as const) {
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) throw new TypeError(`createWeft: \`uploadBudget.${k}\` must be a whole number of bytes ≥ 1, got ${describe(v)}`);
  }
  const idle = o.uploadIdleMs ?? UPLOAD_APP_DEFAULTS.idleMs;
  if (typeof idle !== "number" || !Number.isFinite(idle) || idle <= 0) throw new TypeError(`createWeft: \`uploadIdleMs\` must be a positive number of ms, got ${describe(idle)}`);
  const keep = o.uploadKeepMs ?? UPLOAD_APP_DEFAULTS.keepMs;
  if (typeof keep !== "number" || !Number.isFinite(keep) || keep <= 0) throw new TypeError(`createWeft: \`uploadKeepMs\` must be a positive number of ms, e.g. uploadKeepMs: 600_000, got ${describe(keep)}`);
  return {
    uploadDir: (o.uploadDir as string | undefined) ?? defaultDir,
    uploadBudget: Object.freeze({ perSession: perSession as number, perNode: perNode as number }),
    uploadIdleMs: idle,
    uploadKeepMs: keep,
  };
}
