/**
 * Link seqs for the HTTP transport: frames come back on long-poll answers and
 * on POST answers, two requests that may be in flight at once and whose answers
 * may cross. This puts them back in link-seq order and hands each on once.
 * Pure (no DOM, no timers), so it is unit-tested in Node.
 *
 * Why a hole is worth waiting for, and for how long: the server hands each frame
 * out once, on the first answer it builds after the frame exists. A hole below
 * an answer's first frame therefore went out on an answer built *earlier* — one
 * to a request that was in flight when the later answer arrived here. When all
 * of those have come back and the hole is still there, nothing will fill it:
 * the link has lost frames. That happens: a browser transparently resends a
 * request whose kept-alive connection dropped before the answer came, and the
 * resent request gets only what came after the lost answer; or the server
 * resynced the link. Skipping the hole would lose view messages (a push is not
 * in any full render), so the link is reported {@link broken}: the transport
 * ends it and every view resumes from its own seq on a new one. The wait is
 * bounded by requests already answered on the server, never by a long-poll
 * sent later.
 */

/** A frame waiting for the frames below it. */
interface Held {
  readonly frame: unknown;
  /** Requests, in flight when this frame's answer arrived, that may carry the frames below it. */
  readonly fillers: Set<number>;
}

/**
 * Orders and dedups link frames.
 *
 * @example
 * const seqs = new LinkSeq();
 * const id = seqs.sent();                      // before each GET or POST
 * fetch(`${url}&n=${seqs.seen}`)…              // then, with its answer {n, f}:
 * for (const f of seqs.answered(id, n, f)) deliver(f);
 */
export class LinkSeq {
  /** Highest link seq handed on: every frame up to it was, in order. Sent as `n=`. */
  seen = 0;
  /** True once a hole turned out unfillable: frames were lost, the link must end. */
  broken = false;
  /**
   * A request is about to go out; its id is passed to {@link answered}.
   *
   * @example
   * const id = seqs.sent();
   */
  readonly sent: () => number;
  /**
   * Request `id` was answered `{n, f}`: frame `i` of `f` has link seq
   * `n - f.length + i + 1`. Returns the frames to hand on now, in order;
   * frames at or below {@link seen} (already handed on, or the hello of a new
   * link, seq 0) are dropped. Check {@link broken} after handing them on.
   *
   * @example
   * seqs.answered(id, 7, [a, b]); // [a, b] when seen was 5
   */
  readonly answered: (id: number, n: number, frames: readonly unknown[]) => unknown[];

  // The private state lives in the constructor's closure, not in fields: local
  // names the minifier shortens to a letter, where `this.held` stays (the client's size).
  constructor() {
    const held = new Map<number, Held>();
    const inflight = new Set<number>();
    let nextId = 0;
    this.sent = () => {
      inflight.add(++nextId);
      return nextId;
    };
    this.answered = (id, n, frames) => {
      inflight.delete(id);
      for (const h of held.values()) h.fillers.delete(id);
      const fillers = new Set(inflight);
      const first = n - frames.length + 1;
      frames.forEach((frame, i) => {
        const seq = first + i;
        if (seq > this.seen && !held.has(seq)) held.set(seq, { frame, fillers });
      });
      const out: unknown[] = [];
      for (let h = held.get(this.seen + 1); h !== undefined; h = held.get(this.seen + 1)) {
        held.delete(++this.seen);
        out.push(h.frame);
      }
      const lowest = held.get(Math.min(...held.keys())); // undefined when nothing is held
      if (lowest !== undefined && lowest.fillers.size === 0) this.broken = true;
      return out;
    };
  }
}
