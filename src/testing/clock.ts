/**
 * A controllable clock for the timers views ask for (`ctx.schedule`): time
 * stands still until the test advances it, and timers fire in due order, each
 * one's work finished before the next fires. Only view timers run on it; the
 * rest of the process keeps real time.
 */

/** A timer on the test clock. */
interface ClockTimer {
  readonly due: number;
  /** Insertion order: timers due at the same moment fire in the order they were set. */
  readonly order: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/**
 * Virtual time for mounted views. Shared by every view on one test bus.
 *
 * @example
 * const clock = new TestClock();
 * clock.setTimer(() => fired.push("a"), 100);
 * await clock.advance(100, settle); // fired: ["a"]
 */
export class TestClock {
  private time = 0;
  private order = 0;
  private readonly timers = new Set<ClockTimer>();

  /** Milliseconds advanced so far (starts at 0). */
  get now(): number {
    return this.time;
  }

  /** Timers set and neither fired nor cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Calls `fire` once the clock has advanced `ms` from now; returns a canceller.
   *
   * @example
   * const cancel = clock.setTimer(() => {}, 1000);
   */
  setTimer(fire: () => void, ms: number): () => void {
    const t: ClockTimer = { due: this.time + Math.max(0, Number.isFinite(ms) ? ms : 0), order: this.order++, fire, cancelled: false };
    this.timers.add(t);
    return () => {
      t.cancelled = true;
      this.timers.delete(t);
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in due
   * order; `settle` runs after each (the kit waits for the views' work there),
   * so a timer set by a handler inside the window fires too. At most `limit`
   * timers fire per call: a view that re-arms a 0 ms timer forever ends the
   * advance with an error instead of hanging the test.
   *
   * @example
   * await clock.advance(1000, () => bus.settle());
   */
  async advance(ms: number, settle: () => Promise<void>, limit = 10_000): Promise<number> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms): ms must be a finite number ≥ 0, got ${String(ms)}`);
    const end = this.time + ms;
    let fired = 0;
    for (;;) {
      const next = this.nextDue(end);
      if (next === undefined) break;
      if (++fired > limit) throw new RangeError(`advance(${ms}): more than ${limit} timers fired; does a view re-arm a timer forever?`);
      this.timers.delete(next);
      this.time = next.due;
      next.fire();
      await settle();
    }
    this.time = end;
    return fired;
  }

  private nextDue(end: number): ClockTimer | undefined {
    let best: ClockTimer | undefined;
    for (const t of this.timers) {
      if (t.due > end) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.order < best.order)) best = t;
    }
    return best;
  }
}
