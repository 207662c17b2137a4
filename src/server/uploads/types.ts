/**
 * The public shapes of uploads (docs/uploads.md): a view's `uploads` option,
 * the framework-owned `state.uploads`, and what `ctx.consumeUploads` hands out.
 */

/**
 * One upload of a view (`uploads: { avatar: { … } }`), checked by defineView.
 *
 * @example
 * uploads: { avatar: { accept: [".png", "image/jpeg"], maxBytes: 5_000_000, maxFiles: 3, autoUpload: true } }
 */
export interface UploadOptions {
  /**
   * What may be picked: extensions (".png") or MIME types ("image/png",
   * "image/*"). A file's name and declared type must both fit one entry, and
   * a type with a known signature (PNG, JPEG, GIF, WebP, PDF, ZIP…) is checked
   * against the file's first bytes.
   */
  readonly accept: readonly string[];
  /** Largest file, bytes (at most 2^40). Default 8,000,000. */
  readonly maxBytes?: number;
  /** Files at once (entries not failed). Default 1. */
  readonly maxFiles?: number;
  /** Bytes per chunk the browser sends (≤ 1 MiB). Default 524,288 (512 KiB: the smallest size at which a WebSocket upload keeps up with a bare multipart POST, docs/benchmarks.md). */
  readonly chunkBytes?: number;
  /** Send the chunks as soon as files are picked; else when their form is submitted. Default false. */
  readonly autoUpload?: boolean;
}

/**
 * One file of an upload as the view's state shows it (`state.uploads.avatar.entries[i]`).
 *
 * @example
 * html`<li>${e.name} ${e.progress}% ${e.errors.join(", ")}</li>`
 */
export interface UploadEntry {
  /** The browser's id for the entry (`weft-upload-preview`, `weft-upload-cancel`). */
  readonly ref: string;
  /** The file's name as the browser gave it, for display: control characters removed, ≤ 255 characters. Never a path on the server. */
  readonly name: string;
  /** The MIME type the browser declared ("" when it did not know). */
  readonly type: string;
  /** The declared size, bytes. */
  readonly size: number;
  /** 0..100, whole. */
  readonly progress: number;
  /** Every byte arrived and passed the checks: `ctx.consumeUploads` hands it out. */
  readonly done: boolean;
  /** Error codes (`E_UPLOAD_*`): the entry failed and will receive nothing more. */
  readonly errors: readonly string[];
}

/**
 * One upload's part of `state.uploads`.
 *
 * @example
 * html`${s.uploads.avatar.errors.includes("E_UPLOAD_FILES") ? html`<p role="alert">Too many files</p>` : ""}`
 */
export interface UploadState {
  /** The files picked, in order. */
  readonly entries: readonly UploadEntry[];
  /** Errors of the upload as a whole (`E_UPLOAD_FILES` when too many files were picked). */
  readonly errors: readonly string[];
}

/**
 * `state.uploads` of a view that declares uploads: upload name → its state.
 * Weft owns this key: it is filled at mount and after every change, and a
 * value a handler returns there is replaced. Name the uploads (`N`) and
 * each is known to be there, also under `noUncheckedIndexedAccess`.
 *
 * @example
 * mount: () => ({ uploads: {} as Uploads<"avatar">, saved: [] as string[] }),
 * render: (s) => html`${s.uploads.avatar.entries.map((e) => html`<li>${e.name}</li>`)}`,
 */
export type Uploads<N extends string = string> = Record<N, UploadState>;

/**
 * A finished file as `ctx.consumeUploads` hands it to its callback: `path`
 * is the temp file (a server-chosen name in `uploadDir`), removed once the
 * callback settles — copy or move it there.
 *
 * @example
 * await ctx.consumeUploads("avatar", async ({ path, name }) => { await copyFile(path, `/srv/avatars/${id}.png`); return name; });
 */
export interface UploadedFile {
  readonly path: string;
  readonly name: string;
  readonly type: string;
  readonly size: number;
}

/**
 * App options of uploads (createWeft): where temp files go, the disk
 * budgets, and how long a stalled upload is kept.
 *
 * @example
 * createWeft({ views, uploadDir: "/var/tmp/weft", uploadBudget: { perSession: 50e6, perNode: 2e9 }, uploadIdleMs: 30_000 })
 */
export interface UploadBudget {
  /** Bytes of unfinished and unconsumed files one session may hold (held from their declaration). Default 256 MB. */
  readonly perSession?: number;
  /** Bytes of them on this node, all sessions (held from a file's first chunk: a file declared and never sent holds none). Default 4 GB. */
  readonly perNode?: number;
}
