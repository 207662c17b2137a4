/**
 * One session's uploads: its entries, what they reserve of the budgets, the
 * chunks written to their temp files, and `state.uploads` built from them.
 *
 * Invariants:
 * - an entry's chunks, its refusal and its file's removal run one after
 *   another on its own chain: a write never races a removal;
 * - bytes on disk never pass the entry's declared size nor `maxBytes`: a
 *   chunk that would is refused before a byte of it is written;
 * - an entry that failed (`errors` not empty) holds no file and no budget;
 * - the state (`overlay`) changes only when the session asks for it, through
 *   its serialized queue (`refresh`, at most one per PROGRESS_MS and always
 *   at done and error).
 */
import { open, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, join } from "node:path";
import type { ErrorCode } from "../../protocol/errors.ts";
import type { UploadConfig, UploadDeclaration } from "../../protocol/messages.ts";
import { resolveUpload, uploadConfig, type ResolvedUpload } from "./config.ts";
import { accepts, SNIFF_BYTES, sniff } from "./file-type.ts";
import { ENTRY_REF } from "./frames.ts";
import { TEMP_NAME, type IdleWatch, type UploadNode } from "./node.ts";
import type { UploadedFile, UploadEntry, UploadOptions, Uploads, UploadState } from "./types.ts";

/**
 * A chunk's answer: bytes of the file received so far, and the code when it was refused.
 *
 * @example const ack: ChunkAck = { o: 2048 }; // or { o: 1024, c: "E_UPLOAD_ORDER" }
 */
export interface ChunkAck {
  o: number;
  c?: ErrorCode;
}

/**
 * A chunk's bytes: all at once (a WebSocket frame) or as they arrive (a POST body).
 *
 * @example const body: ChunkBody = req.iterator({ destroyOnReturn: false });
 */
export type ChunkBody = Uint8Array | AsyncIterable<Uint8Array>;

/** At most one progress render per this many ms per view. */
export const PROGRESS_MS = 100;
/** Chunks of one entry waiting for its writes; past it the entry is refused (E_BUSY). */
const MAX_PENDING = 16;
/** Failed entries kept in one upload's state (oldest dropped first). */
const MAX_FAILED = 32;
/** Cancelled refs remembered for E_UPLOAD_CANCELLED. */
const MAX_CANCELLED = 64;

class Entry implements IdleWatch {
  received = 0;
  done = false;
  errors: string[] = [];
  /** Session budget held (the declared size, from the declaration while live). */
  reserved = 0;
  /** Node budget held (the declared size, from the first chunk while live). */
  held = 0;
  path: string | undefined;
  fh: FileHandle | undefined;
  head = new Uint8Array(0);
  chain: Promise<unknown> = Promise.resolve();
  pending = 0;
  /** Left the session (cancelled, consumed, or the session ended). */
  gone = false;
  deadline = 0;
  watched = false;

  constructor(readonly owner: SessionUploads, readonly upload: string, readonly ref: string, readonly name: string, readonly type: string, readonly size: number) {}

  idle(): void {
    this.watched = false;
    this.owner.fail(this, "E_UPLOAD_IDLE");
  }

  view(): UploadEntry {
    const progress = this.size === 0 ? (this.done ? 100 : 0) : Math.floor((this.received * 100) / this.size);
    return { ref: this.ref, name: this.name, type: this.type, size: this.size, progress, done: this.done, errors: [...this.errors] };
  }

  /** The entry as a snapshot keeps it: a live one with the bytes received (`o`) and its temp file's basename (`f`) once it has one. */
  saved(): UploadEntry | SavedEntry {
    const v = this.view();
    if (this.errors.length > 0) return v;
    return this.path === undefined ? { ...v, o: this.received } : { ...v, f: basename(this.path), o: this.received };
  }
}

/**
 * An entry in a snapshot's `state.uploads` (never in a render): `f` its temp
 * file's basename in `uploadDir`, `o` the bytes received — what another node
 * with the same `uploadDir` needs to adopt the file and go on.
 */
interface SavedEntry extends UploadEntry {
  readonly f?: string;
  readonly o: number;
}

interface Upload {
  readonly spec: ResolvedUpload;
  entries: Entry[];
  errors: string[];
}

/**
 * One session's uploads (made by the session of a view that declares `uploads`).
 *
 * @example
 * const u = new SessionUploads(node, view.uploads, undefined, (run) => enqueue({ kind: "apply", name: "uploads", run }));
 * u.declare("avatar", [[ref, "me.png", "image/png", 3000]]);
 * await u.chunk(ref, 0, bytes); // { o: 1024 } or { o, c: "E_UPLOAD_ORDER" }
 */
export class SessionUploads {
  private readonly uploads = new Map<string, Upload>();
  private readonly byRef = new Map<string, Entry>();
  private readonly cancelled = new Set<string>();
  /** Bytes this session's live entries reserve. */
  private used = 0;
  private built: Uploads | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRefresh = 0;
  private queued = false;
  private closed = false;
  /** Handed over to another node: the temp files stay for HANDOVER_GRACE_MS, for it to adopt. */
  private handedOver = false;
  /** The adoptions of a snapshot's files (consumeUploads waits for them). */
  private adopting: Promise<unknown> = Promise.resolve();
  /** What the join's full render carries (`u`). */
  readonly configs: Record<string, UploadConfig> = {};

  /**
   * `specs`: the view's `uploads`; `prior`: `state.uploads` of a snapshot
   * (another node's entries: their files are adopted from a shared
   * `uploadDir`, or come back failed, E_UPLOAD_UNKNOWN, for the page to show
   * and restart); `refresh`
   * queues a re-render of the view (its run clears the flag we keep).
   */
  constructor(private readonly node: UploadNode, specs: Readonly<Record<string, UploadOptions>>, prior: unknown, private readonly queue: (run: () => void) => void) {
    for (const [name, o] of Object.entries(specs)) {
      const spec = resolveUpload(o);
      this.uploads.set(name, { spec, entries: this.restore(name, spec, prior), errors: [] });
      this.configs[name] = uploadConfig(spec);
    }
  }

  /**
   * Entries of a snapshot's state. A live one that held a temp file is
   * adopted (see `adopt`) when its file is in this node's `uploadDir`; one
   * not sent yet stays live; the others come back failed (E_UPLOAD_UNKNOWN).
   */
  private restore(name: string, spec: ResolvedUpload, prior: unknown): Entry[] {
    const list = (prior as Record<string, { entries?: unknown }> | undefined)?.[name]?.entries;
    if (!Array.isArray(list)) return [];
    const out: Entry[] = [];
    let live = 0;
    for (const x of list.slice(-(MAX_FAILED + spec.maxFiles)) as Partial<SavedEntry>[]) {
      if (typeof x?.ref !== "string" || !ENTRY_REF.test(x.ref) || this.byRef.has(x.ref)) continue;
      const e = new Entry(this, name, x.ref, cleanName(String(x.name ?? "")), String(x.type ?? ""), Number(x.size) || 0);
      const errors = Array.isArray(x.errors) ? x.errors.map(String) : [];
      const o = x.o;
      if (errors.length > 0) e.errors = errors;
      else if (
        !Number.isSafeInteger(e.size) || e.size < 0 || e.size > spec.maxBytes || live >= spec.maxFiles || !accepts(spec.accept, e.name, e.type) ||
        typeof o !== "number" || !Number.isSafeInteger(o) || o < 0 || o > e.size || (x.f === undefined ? o > 0 || x.done === true : typeof x.f !== "string" || !TEMP_NAME.test(x.f))
      ) e.errors = ["E_UPLOAD_UNKNOWN"];
      else if (this.used + e.size > this.node.options.perSession || (x.f !== undefined && !this.node.reserve(e.size))) e.errors = ["E_UPLOAD_BUDGET"];
      else {
        live++;
        this.used += e.size;
        e.reserved = e.size;
        if (x.f !== undefined) {
          e.held = e.size;
          e.received = o!;
          e.done = x.done === true && e.received === e.size;
          const f = x.f;
          this.adopting = Promise.all([this.adopting, this.run(e, () => this.adopt(e, f))]);
        }
        // Sent automatically, or holding a file: dropped if the browser does not go on (or consume it).
        if (spec.autoUpload || x.f !== undefined) this.watch(e, e.done ? this.node.keepMs : this.node.options.idleMs);
      }
      this.byRef.set(e.ref, e);
      out.push(e);
    }
    return out;
  }

  /**
   * Takes over temp file `base` of another node's entry (a shared
   * `uploadDir`): renamed at once to a fresh random name (the old node's
   * later removal of `base` finds nothing; two nodes never both own it), cut
   * back to the bytes the snapshot counts, its first bytes read again for
   * the type check. No file there (another disk): E_UPLOAD_UNKNOWN.
   */
  private async adopt(e: Entry, base: string): Promise<void> {
    if (e.gone || e.errors.length > 0) return;
    let fh: FileHandle | undefined;
    try {
      const to = await this.node.tempPath();
      try {
        await rename(join(this.node.options.dir, base), to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException)?.code !== "ENOENT") this.node.options.onError(err, `upload "${e.upload}" adoption`);
        this.fail(e, "E_UPLOAD_UNKNOWN");
        return;
      }
      e.path = to;
      fh = await open(to, "r+");
      const { size } = await fh.stat();
      // Shorter than counted: the snapshot is not this file's (refused).
      if (size < e.received) throw Object.assign(new Error("short"), { code: "ESHORT" });
      if (size > e.received) await fh.truncate(e.received);
      const head = new Uint8Array(Math.min(SNIFF_BYTES, e.received));
      if (head.length > 0) await fh.read(head, 0, head.length, 0);
      e.head = head;
      if (e.done) await fh.close();
      else e.fh = fh;
      fh = undefined;
      // Every byte was there already (the old node was finishing it).
      if (!e.done && e.received === e.size) await this.finish(e);
    } catch (err) {
      await fh?.close().catch(() => {});
      if ((err as NodeJS.ErrnoException)?.code !== "ESHORT") this.node.options.onError(err, `upload "${e.upload}" adoption`);
      this.fail(e, "E_UPLOAD_UNKNOWN");
    }
  }

  /**
   * `state` with `uploads` as a snapshot keeps it: every entry as it is now,
   * and a live one's temp file basename and bytes received (see `restore`).
   */
  saved<S>(state: S): S {
    if (typeof state !== "object" || state === null || Array.isArray(state)) return state;
    const out: Record<string, { entries: (UploadEntry | SavedEntry)[]; errors: string[] }> = {};
    for (const [name, u] of this.uploads) out[name] = { entries: u.entries.map((e) => e.saved()), errors: [...u.errors] };
    return { ...state, uploads: out };
  }

  /** `state` with `uploads` set to the entries as they are (a new object; non-objects are left as they are). */
  overlay<S>(state: S): S {
    if (typeof state !== "object" || state === null || Array.isArray(state)) return state;
    this.built ??= this.build();
    return { ...state, uploads: this.built };
  }

  private build(): Uploads {
    const out: Record<string, UploadState> = {};
    for (const [name, u] of this.uploads) out[name] = { entries: u.entries.map((e) => e.view()), errors: [...u.errors] };
    return out;
  }

  /**
   * A declaration (C.upload): each file becomes an entry, failed at once when
   * it does not fit (accept, maxBytes, maxFiles, the budgets). Refs declared
   * already are skipped. Returns a code only for an unknown upload name.
   */
  declare(name: string, files: readonly UploadDeclaration[]): ErrorCode | undefined {
    const u = this.uploads.get(name);
    if (u === undefined) return "E_UPLOAD_UNKNOWN";
    let live = u.entries.filter((e) => e.errors.length === 0).length;
    u.errors = [];
    for (const [ref, raw, type, size] of files) {
      if (this.byRef.has(ref)) continue;
      const e = new Entry(this, name, ref, cleanName(raw), type, size);
      const code = this.admit(u, e, live);
      if (code === undefined) live++;
      else {
        e.errors = [code];
        if (code === "E_UPLOAD_FILES") u.errors = [code];
      }
      this.byRef.set(ref, e);
      u.entries.push(e);
    }
    this.trimFailed(u);
    // Applied as the session's work: its render shows the entries.
    this.built = undefined;
    return undefined;
  }

  /** Checks a declared file and reserves its size; the refusal's code, or undefined (the entry is live). */
  private admit(u: Upload, e: Entry, live: number): ErrorCode | undefined {
    if (!accepts(u.spec.accept, e.name, e.type)) return "E_UPLOAD_TYPE";
    if (e.size > u.spec.maxBytes) return "E_UPLOAD_TOO_LARGE";
    if (live >= u.spec.maxFiles) return "E_UPLOAD_FILES";
    // The session's budget is reserved now; the node's at the first chunk (a file declared and never
    // sent holds none of it), refused at once only when it could not fit the node now.
    if (this.used + e.size > this.node.options.perSession || this.node.used + e.size > this.node.options.perNode) return "E_UPLOAD_BUDGET";
    this.used += e.size;
    e.reserved = e.size;
    if (u.spec.autoUpload) this.watch(e, this.node.options.idleMs);
    // An empty file is complete as declared: its (empty) temp file is made now.
    if (e.size === 0) this.run(e, () => this.finish(e));
    return undefined;
  }

  private trimFailed(u: Upload): void {
    let failed = u.entries.filter((e) => e.errors.length > 0).length;
    if (failed <= MAX_FAILED) return;
    u.entries = u.entries.filter((e) => {
      if (e.errors.length === 0 || failed <= MAX_FAILED) return true;
      failed--;
      this.byRef.delete(e.ref);
      return false;
    });
  }

  /** Cancel (C.uploadCancel, ctx.cancelUpload): the entry leaves the state, its temp data goes. A ref not here is a no-op. */
  cancel(name: string, ref: string): ErrorCode | undefined {
    const u = this.uploads.get(name);
    if (u === undefined) return "E_UPLOAD_UNKNOWN";
    const e = this.byRef.get(ref);
    if (e === undefined || e.upload !== name) return undefined;
    this.cancelled.add(ref);
    if (this.cancelled.size > MAX_CANCELLED) this.cancelled.delete(this.cancelled.values().next().value!);
    this.remove(e);
    // Also from outside a handler (ctx.cancelUpload in a startAsync task): the page sees it go.
    this.changed();
    return undefined;
  }

  /**
   * Hands each finished entry of `name`, in order, to `fn`; once `fn`
   * settles its temp file is removed and the entry leaves the state. A throw
   * stops there and is rethrown. Entries still uploading are left alone.
   */
  async consume<R>(name: string, fn: (file: UploadedFile) => R | Promise<R>): Promise<R[]> {
    const u = this.uploads.get(name);
    if (u === undefined) throw new TypeError(`ctx.consumeUploads: the view declares no upload "${name}" (it has ${[...this.uploads.keys()].join(", ")})`);
    const out: R[] = [];
    // Files taken over from another node are there first.
    await this.adopting;
    const list = u.entries.filter((x) => x.done && !x.gone);
    // Their keep time stops: a file is not removed under a slow `fn`.
    for (const e of list) this.unwatch(e);
    try {
      for (const e of list) {
        if (e.gone || !e.done) continue;
        try {
          out.push(await fn(Object.freeze({ path: e.path!, name: e.name, type: e.type, size: e.size })));
        } finally {
          this.remove(e);
          // Also from outside a handler (a startAsync task): the page sees the entry go.
          this.changed();
        }
      }
    } finally {
      // Left after a throw: kept again for uploadKeepMs.
      for (const e of list) if (!e.gone && e.done) this.watch(e, this.node.keepMs);
    }
    return out;
  }

  /**
   * One chunk of entry `ref` at byte `offset` (any transport): resolves with
   * its ack. Chunks of one entry are handled in arrival order.
   */
  chunk(ref: string, offset: number, body: ChunkBody, length?: number): Promise<ChunkAck> {
    const e = this.byRef.get(ref);
    if (e === undefined || e.gone) return Promise.resolve({ o: 0, c: this.cancelled.has(ref) ? "E_UPLOAD_CANCELLED" : "E_UPLOAD_UNKNOWN" });
    if (e.errors.length > 0) return Promise.resolve({ o: 0, c: e.errors[0] as ErrorCode });
    const spec = this.uploads.get(e.upload)!.spec;
    if (length !== undefined && length > spec.chunkBytes) return Promise.resolve(this.fail(e, "E_UPLOAD_CHUNK"));
    if (e.pending >= MAX_PENDING) return Promise.resolve(this.fail(e, "E_BUSY"));
    e.pending++;
    return this.run(e, () => this.receive(e, spec, offset, body)).finally(() => e.pending--);
  }

  /** Runs `fn` after everything queued on `e`'s chain. */
  private run<T>(e: Entry, fn: () => Promise<T>): Promise<T> {
    const p = e.chain.then(fn);
    e.chain = p.catch(() => {});
    return p;
  }

  private async receive(e: Entry, spec: ResolvedUpload, offset: number, body: ChunkBody): Promise<ChunkAck> {
    if (e.gone || e.errors.length > 0) return { o: e.received, c: e.gone && this.cancelled.has(e.ref) ? "E_UPLOAD_CANCELLED" : (e.errors[0] as ErrorCode | undefined) ?? "E_UPLOAD_UNKNOWN" };
    if (offset > e.received) return this.fail(e, "E_UPLOAD_ORDER");
    if (e.held < e.size) {
      if (!this.node.reserve(e.size)) return this.fail(e, "E_UPLOAD_BUDGET");
      e.held = e.size;
    }
    if (!e.done) this.watch(e, this.node.options.idleMs);
    const limit = Math.min(e.size, spec.maxBytes);
    let pos = offset;
    let total = 0;
    try {
      for await (const piece of body instanceof Uint8Array ? [body] : body) {
        total += piece.length;
        if (total > spec.chunkBytes) return this.fail(e, "E_UPLOAD_CHUNK");
        // Bytes of this piece already on disk (a chunk sent again after a lost ack) are skipped.
        const skip = e.received - pos;
        pos += piece.length;
        if (skip >= piece.length) continue;
        const part = skip > 0 ? piece.subarray(skip) : piece;
        if (e.received + part.length > limit) return this.fail(e, "E_UPLOAD_TOO_LARGE");
        if (!this.sniffed(e, part)) return this.fail(e, "E_UPLOAD_TYPE");
        await this.write(e, part);
        // Cancelled, or refused meanwhile (idle, session end): nothing more is written.
        if (e.gone || e.errors.length > 0) return { o: e.received, c: (e.errors[0] as ErrorCode | undefined) ?? "E_UPLOAD_CANCELLED" };
      }
    } catch (err) {
      // The request was cut mid-body (the link dropped): what arrived is kept; the
      // browser resumes from the bytes received once its view has joined again.
      if ((err as NodeJS.ErrnoException)?.code === "ECONNRESET") return { o: e.received };
      this.node.options.onError(err, `upload "${e.upload}" chunk`);
      return this.fail(e, "E_INTERNAL");
    }
    if (e.received === e.size && !e.done) await this.finish(e);
    else this.changed(false);
    return e.errors.length > 0 ? { o: e.received, c: e.errors[0] as ErrorCode } : { o: e.received };
  }

  /** Collects the first bytes; false once they show a type the name or the declared type rules out. */
  private sniffed(e: Entry, part: Uint8Array): boolean {
    if (e.head.length >= SNIFF_BYTES) return true;
    const head = new Uint8Array(Math.min(SNIFF_BYTES, e.head.length + part.length));
    head.set(e.head);
    head.set(part.subarray(0, head.length - e.head.length), e.head.length);
    e.head = head;
    // Judged once enough arrived, or at the end of a file shorter than that.
    if (head.length < SNIFF_BYTES && e.received + part.length < e.size) return true;
    return sniff(e.name, e.type, head);
  }

  private async write(e: Entry, part: Uint8Array): Promise<void> {
    const fh = await this.file(e);
    let at = 0;
    while (at < part.length) {
      const { bytesWritten } = await fh.write(part, at, part.length - at, e.received);
      at += bytesWritten;
      e.received += bytesWritten;
    }
  }

  /** `e`'s open temp file, made (a fresh random name, mode 0600) by its first use. */
  private async file(e: Entry): Promise<FileHandle> {
    if (e.fh === undefined) {
      e.path ??= await this.node.tempPath();
      e.fh = await open(e.path, "wx", 0o600);
    }
    return e.fh;
  }

  /** Every byte is in: the file is closed and the entry done (an empty file is made). */
  private async finish(e: Entry): Promise<void> {
    if (e.gone || e.errors.length > 0) return;
    try {
      if (e.size === 0 && !sniff(e.name, e.type, e.head)) {
        this.fail(e, "E_UPLOAD_TYPE");
        return;
      }
      await (await this.file(e)).close();
      e.fh = undefined;
    } catch (err) {
      this.node.options.onError(err, `upload "${e.upload}" finish`);
      this.fail(e, "E_INTERNAL");
      return;
    }
    if (e.gone) return;
    e.done = true;
    // Kept for uploadKeepMs unless consumed (or cancelled) before.
    this.watch(e, this.node.keepMs);
    this.changed();
  }

  /**
   * Refuses entry `e` with `code`: it stays in the state with `errors: [code]`
   * (the page shows it), its temp data is removed and its budget freed.
   */
  fail(e: Entry, code: ErrorCode): ChunkAck {
    if (e.gone || e.errors.length > 0) return { o: e.received, c: (e.errors[0] as ErrorCode | undefined) ?? code };
    e.errors = [code];
    e.done = false;
    this.drop(e);
    this.changed();
    return { o: e.received, c: code };
  }

  /** The entry leaves the session: its file and budget go. */
  private remove(e: Entry): void {
    e.gone = true;
    this.byRef.delete(e.ref);
    const u = this.uploads.get(e.upload);
    if (u !== undefined) u.entries = u.entries.filter((x) => x !== e);
    this.drop(e);
  }

  /**
   * Frees `e`'s budget and removes its temp file (after whatever its chain
   * runs now); `later`: after HANDOVER_GRACE_MS (the session was handed over).
   */
  private drop(e: Entry, later = false): void {
    this.unwatch(e);
    this.used -= e.reserved;
    this.node.release(e.held);
    e.reserved = 0;
    e.held = 0;
    this.node.removing(this.run(e, async () => {
      const fh = e.fh;
      const path = e.path;
      e.fh = undefined;
      e.path = undefined;
      await fh?.close().catch(() => {});
      if (path === undefined) return;
      if (later) this.node.later(path);
      else await rm(path, { force: true });
    }));
  }

  /** Drops `e` (E_UPLOAD_IDLE) unless it moves on within `ms`. */
  private watch(e: Entry, ms: number): void {
    if (e.gone || e.errors.length > 0) return;
    e.deadline = Date.now() + ms;
    if (e.watched) return;
    e.watched = true;
    this.node.watch(e);
  }

  private unwatch(e: Entry): void {
    if (!e.watched) return;
    e.watched = false;
    this.node.unwatch(e);
  }

  /**
   * The session is handed over to another node: its {@link SessionUploads.close}
   * leaves the temp files for HANDOVER_GRACE_MS (the new node adopts them when
   * it shares `uploadDir`), then removes what is still there.
   */
  handOver(): void {
    this.handedOver = true;
  }

  /** The session ended: every temp file goes (after a grace once handed over), every reservation is freed. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const e of [...this.byRef.values()]) {
      e.gone = true;
      this.drop(e, this.handedOver);
    }
    this.byRef.clear();
  }

  /**
   * The entries changed: the view re-renders through the session's queue —
   * at once when `urgent` (done, error, declare, cancel), else at most once
   * per PROGRESS_MS (progress).
   */
  private changed(urgent = true): void {
    this.built = undefined;
    if (this.closed) return;
    if (this.timer !== undefined) {
      if (!urgent) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const wait = urgent ? 0 : this.lastRefresh + PROGRESS_MS - Date.now();
    if (wait <= 0) return this.refresh();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, wait);
  }

  private refresh(): void {
    this.lastRefresh = Date.now();
    if (this.queued) return;
    this.queued = true;
    this.queue(() => {
      this.queued = false;
    });
  }
}

/**
 * A file name for display: only the part after the last "/" or "\\" (browsers
 * send no paths), control and bidi-override characters removed, at most 255 characters.
 *
 * @example cleanName("../../etc/a\u0000b\u202e.txt") // "ab.txt"
 */
export function cleanName(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "");
  return Array.from(clean).slice(0, 255).join("");
}
