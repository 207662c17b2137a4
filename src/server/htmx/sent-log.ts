/**
 * The messages an htmx SSE view stream sent, kept for a reconnect that
 * presents `Last-Event-ID: <sid>.<seq>`: the browser gets what it missed, or
 * (when the log no longer reaches back that far) the full fragments.
 *
 * Bounded like the session's outbox (`outboxSize`). A full message makes
 * everything before it moot, so it empties the log: a log that starts with
 * a full message covers every earlier seq.
 */
import type { HtmxOut } from "./out.ts";

interface Entry {
  readonly seq: number;
  readonly out: HtmxOut;
  readonly full: boolean;
}

/**
 * A bounded log of sent htmx messages by session seq.
 *
 * @example
 * const log = new SentLog(256);
 * log.push(1, { data: "<p id=\"n\" hx-swap-oob=\"true\">1</p>" }, true);
 * log.push(2, { data: "<p id=\"n\" hx-swap-oob=\"true\">2</p>" }, false);
 * log.after(1); // [the second message]
 * log.after(7); // undefined: no such message was sent (send the full fragments)
 */
export class SentLog {
  private entries: Entry[] = [];
  /** The seq of the newest entry dropped for room: a browser that saw less missed it. */
  private floor = 0;

  constructor(private readonly size: number) {}

  /** Keeps a sent message (seqs increase; `full`: every id'd element of the view). */
  push(seq: number, out: HtmxOut, full: boolean): void {
    if (full) this.entries = [];
    this.entries.push({ seq, out, full });
    if (this.entries.length > this.size) this.floor = this.entries.shift()!.seq;
  }

  /**
   * The messages after `seq`, in order, or undefined when the log cannot tell
   * (`seq` is older than what it kept, or newer than anything sent).
   */
  after(seq: number): HtmxOut[] | undefined {
    const first = this.entries[0];
    const last = this.entries[this.entries.length - 1];
    if (last === undefined || seq > last.seq) return undefined;
    if (first?.full !== true && seq < this.floor) return undefined;
    return this.entries.filter((e) => e.seq > seq).map((e) => e.out);
  }
}
