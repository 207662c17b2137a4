/**
 * An htmx SSE response as an HtmxSender. STUB: to be built.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { HtmxOut, HtmxSender } from "./out.ts";

/** Options of an SSE stream. */
export interface SseStreamOptions {
  /** Comment heartbeat interval, ms (sseHeartbeatMs). */
  readonly heartbeatMs: number;
  /** The `retry:` hint, ms (sseRetryMs). */
  readonly retryMs: number;
}

/** An SSE response carrying htmx messages. */
export class SseSender implements HtmxSender {
  readonly kind = "sse" as const;
  private readonly ends: (() => void)[] = [];
  constructor(private readonly req: IncomingMessage, private readonly res: ServerResponse, private readonly o: SseStreamOptions) {}
  send(out: HtmxOut): void {
    void out;
  }
  close(code: number, reason: string): void {
    void code;
    void reason;
    this.res.end();
  }
  onClose(fn: () => void): void {
    this.ends.push(fn);
  }
  /** The request's Last-Event-ID header (bounded), or undefined. */
  static lastEventId(req: IncomingMessage): string | undefined {
    const v = req.headers["last-event-id"];
    return typeof v === "string" && v.length > 0 && v.length <= 200 ? v : undefined;
  }
}
