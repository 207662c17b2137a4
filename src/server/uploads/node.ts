/**
 * The uploads of one node (one app): where temp files go, the node's disk
 * budget, the idle sweep of stalled entries, and the removals `app.close()`
 * waits for. Every session's uploads (session-uploads.ts) report here.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What a node's uploads are set up with (resolved app options). */
export interface UploadNodeOptions {
  /** Directory of the temp files (made when the first file arrives). */
  readonly dir: string;
  /** Bytes one session may hold (declared sizes of live entries). */
  readonly perSession: number;
  /** Bytes the node may hold, all sessions (an entry's size, from its first chunk until it goes). */
  readonly perNode: number;
  /** A live entry with no chunk for this long is dropped (E_UPLOAD_IDLE), ms. */
  readonly idleMs: number;
  /** A finished entry not consumed for this long is dropped (E_UPLOAD_IDLE), ms. Default {@link DEFAULT_KEEP_MS}. */
  readonly keepMs?: number;
  readonly onError: (err: unknown, where: string) => void;
}

/** How long a finished, unconsumed file is kept by default (`uploadKeepMs`): 10 minutes. */
export const DEFAULT_KEEP_MS = 600_000;

/**
 * How long a node keeps the temp files of a session handed over to another
 * node, ms: the new node adopts them (a shared `uploadDir`) as it takes the
 * session over, within the handover; what is still there then is removed.
 */
export const HANDOVER_GRACE_MS = 5_000;

/**
 * The basename of every temp file (`tempPath`): the only names a snapshot
 * may hand to another node for adoption.
 *
 * @example TEMP_NAME.test("weft-AAAAAAAAAAAAAAAAAAAAAAAA.part") // true; "../x" false
 */
export const TEMP_NAME = /^weft-[A-Za-z0-9_-]{24}\.part$/;

/** An entry the idle sweep watches. */
export interface IdleWatch {
  /** When it is dropped unless it moves on (a chunk, its consumption), ms since epoch. */
  deadline: number;
  /** Called once its deadline has passed. */
  idle(): void;
}

/**
 * The default `uploadDir`: one per process under the OS temp directory.
 *
 * @example defaultUploadDir() // "/tmp/weft-uploads-4242"
 */
export function defaultUploadDir(): string {
  return join(tmpdir(), `weft-uploads-${process.pid}`);
}

/**
 * The uploads of one node: budget, temp file names, idle sweep, removals.
 *
 * @example
 * const node = new UploadNode({ dir: defaultUploadDir(), perSession: 256e6, perNode: 4e9, idleMs: 60_000, keepMs: 600_000, onError });
 * node.reserve(3000); // true while the node's budget holds it
 */
export class UploadNode {
  /** Bytes reserved on this node by entries that are receiving chunks or hold a finished file. */
  used = 0;
  private readonly watched = new Set<IdleWatch>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly removals = new Set<Promise<void>>();
  private made: Promise<void> | undefined;
  /** Temp files of sessions handed over, removed when their grace ends. */
  private readonly lingering = new Map<string, NodeJS.Timeout>();

  constructor(readonly options: UploadNodeOptions) {}

  /** Reserves `bytes` of the node's budget; false when it would pass it. */
  reserve(bytes: number): boolean {
    if (this.used + bytes > this.options.perNode) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }

  /** A fresh temp file path in `dir`: a random name, nothing of the browser's. */
  async tempPath(): Promise<string> {
    this.made ??= mkdir(this.options.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    try {
      await this.made;
    } catch (err) {
      this.made = undefined;
      throw err;
    }
    return join(this.options.dir, `weft-${randomBytes(18).toString("base64url")}.part`);
  }

  /** Watches `w` for idleness until {@link UploadNode.unwatch}. */
  watch(w: IdleWatch): void {
    this.watched.add(w);
    if (this.sweeper !== undefined) return;
    // A quarter of the shorter limit (at most 5 s): an entry goes within 1.25 × its limit.
    const every = Math.min(5_000, Math.max(10, Math.floor(Math.min(this.options.idleMs, this.keepMs) / 4)));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  unwatch(w: IdleWatch): void {
    this.watched.delete(w);
    if (this.watched.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** How long a finished, unconsumed file is kept, ms. */
  get keepMs(): number {
    return this.options.keepMs ?? DEFAULT_KEEP_MS;
  }

  /** Entries watched for idleness (stalled uploads and finished, unconsumed ones included). */
  get watching(): number {
    return this.watched.size;
  }

  /** Keeps a temp file's removal until it is done (`close` waits for it). */
  removing(p: Promise<void>): void {
    const tracked = p.catch((err: unknown) => this.options.onError(err, "upload temp file removal")).finally(() => this.removals.delete(tracked));
    this.removals.add(tracked);
  }

  /** Removes temp file `path` after {@link HANDOVER_GRACE_MS} (at once on `close`): another node may adopt it first. */
  later(path: string, ms = HANDOVER_GRACE_MS): void {
    clearTimeout(this.lingering.get(path));
    const t = setTimeout(() => {
      this.lingering.delete(path);
      this.removing(rm(path, { force: true }));
    }, ms);
    t.unref();
    this.lingering.set(path, t);
  }

  /** Temp files waiting for their grace to end. */
  get lingeringFiles(): number {
    return this.lingering.size;
  }

  /** Resolves once every removal started so far is done (sessions end before: their files go). */
  async close(): Promise<void> {
    for (const [path, t] of this.lingering) {
      clearTimeout(t);
      this.removing(rm(path, { force: true }));
    }
    this.lingering.clear();
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.watched.clear();
    // Bounded: each pass awaits the removals in flight; a removal adds none.
    for (let i = 0; i < 3 && this.removals.size > 0; i++) await Promise.all([...this.removals]);
  }

  private sweep(): void {
    const now = Date.now();
    for (const w of [...this.watched]) {
      if (w.deadline > now) continue;
      this.unwatch(w);
      w.idle();
    }
  }
}
