/**
 * Holds a session's frames until the snapshot that covers them is saved (with
 * a shared store, several nodes): a frame the client has seen is then never
 * ahead of what another node could take over. One save in flight at a time;
 * requests made meanwhile are merged into the next one. A failed save (the
 * store is down) is reported and still lets its frames go: the node keeps
 * serving its own sessions. A save refused because another node owns the
 * session now (SessionMoved) never lets them go: the session is told, answers
 * its client (which rejoins and resends) and lets go.
 */
import type { Envelope } from "../protocol/messages.ts";
import type { SessionSnapshot } from "./store/types.ts";

/** What the gate needs from its session. */
export interface GatedSession {
  /** The snapshot as of now (at a work boundary). */
  snapshot(): SessionSnapshot;
  /** Writes a frame the last save covers. */
  deliver(env: Envelope): void;
  readonly onError: (err: unknown, where: string) => void;
  /**
   * Another node owns the session now: its held frames are dropped (their work
   * is not saved anywhere). `ref` is the first browser event among them.
   */
  moved(ref: number | undefined): void;
}

/** A save refused because another live node owns the session now: this copy is stale and must go. */
export class SessionMoved extends Error {
  constructor(readonly sid: string, readonly owner: string) {
    super(`session ${sid.slice(0, 8)}… is owned by node ${owner} now: this copy lets go`);
  }
}

export class SaveGate {
  private held: Envelope[] = [];
  private saving = false;
  private again = false;
  private queued = false;
  private stopped = false;

  /** @param savedSeq the seq the store already covers (a session taken over from a snapshot). */
  constructor(private readonly persist: (snap: SessionSnapshot) => Promise<void>, private readonly session: GatedSession, private savedSeq = 0) {}

  /** True when `env` must wait (it is held, and a save is on its way). */
  hold(env: Envelope): boolean {
    if (env.q! <= this.savedSeq) return false;
    this.held.push(env);
    this.request();
    return true;
  }

  /** Saves a snapshot soon (once per tick). */
  request(): void {
    if (this.stopped) return;
    if (this.saving) {
      this.again = true;
      return;
    }
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.save();
    });
  }

  /** Forgets held frames (a new sink is attached: it is sent from the outbox). */
  clear(): void {
    this.held = [];
  }

  /** True while a save is queued or in flight. */
  get busy(): boolean {
    return this.saving || this.queued;
  }

  /** The session ended: nothing more is saved or sent. */
  stop(): void {
    this.stopped = true;
    this.held = [];
  }

  private save(): void {
    if (this.stopped) return;
    const snap = this.session.snapshot();
    this.saving = true;
    const done = () => {
      this.saving = false;
      if (snap.seq > this.savedSeq) this.savedSeq = snap.seq;
      this.release();
      if (this.again || this.held.length > 0) {
        this.again = false;
        this.request();
      }
    };
    let p: Promise<void>;
    try {
      p = this.persist(snap);
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(done, (err: unknown) => {
      if (err instanceof SessionMoved) return this.moved();
      this.session.onError(err, "session snapshot");
      done();
    });
  }

  /** The session moved: nothing held may reach the client (it was never saved). */
  private moved(): void {
    this.saving = false;
    let ref: number | undefined;
    for (const env of this.held) if (typeof env.r === "number" && (ref === undefined || env.r < ref)) ref = env.r;
    this.stop();
    this.session.moved(ref);
  }

  /** Writes the held frames the last save covers, in order. */
  private release(): void {
    let n = 0;
    while (n < this.held.length && this.held[n]!.q! <= this.savedSeq) n++;
    if (n === 0 || this.stopped) return;
    for (const env of this.held.splice(0, n)) this.session.deliver(env);
  }
}
