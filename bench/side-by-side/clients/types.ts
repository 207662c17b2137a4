// What every load-generator client offers, whatever system it speaks to.

/**
 * The page (view) a client drives; systems other than Weft only have the
 * counter. "keyed-delete" and "keyed-move" are 1,000-item keyed lists whose
 * event deletes the first item, or moves the last one to the front.
 */
export type ViewName = "counter" | "table" | "list" | "keyed-delete" | "keyed-move";

/** One connected client (one session), ready for events. */
export interface BenchClient {
  /**
   * Sends one event (a counter increment, or the view's one change); `done`
   * runs once the server's answer to it (the diff, the ack) has arrived.
   * Any number may be in flight.
   */
  fire(done: () => void): void;
  /** Bytes received so far on every socket of this client (headers and framing included). */
  bytesIn(): number;
  /** Drops the connection(s) at once. */
  close(): void;
}

/** Opens a client against the server at `base` (http://127.0.0.1:PORT). */
export type Connect = (base: string, view?: ViewName) => Promise<BenchClient>;

/** Calls waiting for answers that come back in the order they were asked. */
export class Fifo {
  private readonly q: (() => void)[] = [];
  private head = 0;

  push(done: () => void): void {
    this.q.push(done);
  }

  /** Runs the oldest waiting call. */
  shift(): void {
    const f = this.q[this.head++];
    if (this.head > 1024 && this.head * 2 > this.q.length) {
      this.q.splice(0, this.head);
      this.head = 0;
    }
    f?.();
  }

  get size(): number {
    return this.q.length - this.head;
  }
}
