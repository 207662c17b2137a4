/**
 * A recording HtmxSender for unit tests of htmx streams: what a WebSocket or an
 * SSE response would carry, kept in order; close() runs the onClose callbacks once.
 */
import type { HtmxOut, HtmxSender } from "../../src/server/htmx/out.ts";

/** Records what a stream sends, as a WebSocket or SSE response would carry it. */
export class FakeSender implements HtmxSender {
  readonly out: HtmxOut[] = [];
  closed: { code: number; reason: string } | undefined;
  private readonly ends: (() => void)[] = [];
  constructor(readonly kind: "websocket" | "sse" = "sse") {}
  send(out: HtmxOut): void {
    if (this.closed === undefined) this.out.push(out);
  }
  close(code: number, reason: string): void {
    if (this.closed !== undefined) return;
    this.closed = { code, reason };
    for (const fn of this.ends) fn();
  }
  onClose(fn: () => void): void {
    this.ends.push(fn);
  }
  /** The messages' texts. */
  get data(): string[] {
    return this.out.map((o) => o.data);
  }
}
