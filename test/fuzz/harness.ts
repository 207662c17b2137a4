/**
 * A small harness for the focused hostile-input tests: an app with the fuzz
 * report as its onError, the process recorders on, and a close that must
 * resolve in time.
 *
 * @example
 * const h = await Harness.start();            // default limits
 * const a = await Attacker.open(h.base, "sse", h.report);
 * …
 * await h.stop();
 * assert.deepEqual(h.report.uncaught, []);
 */
import type { WeftOptions } from "../../src/index.ts";
import { startApp } from "../support/server.ts";
import { FuzzReport, recordProcessErrors } from "./report.ts";

export class Harness {
  private constructor(readonly base: string, readonly report: FuzzReport, private readonly close: () => Promise<void>, private readonly unrecord: () => void) {}

  /** Starts an app with `opts` (default: every limit at its default). */
  static async start(opts: Partial<WeftOptions> = {}): Promise<Harness> {
    const report = new FuzzReport();
    const unrecord = recordProcessErrors(report);
    const { app, base } = await startApp({ ...opts, onError: (err, where) => report.appError(err, where) });
    return new Harness(base, report, () => app.close(), unrecord);
  }

  /** Closes the app; false when close() did not resolve within `ms`. */
  async stop(ms = 5_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([this.close().then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))]);
    clearTimeout(timer);
    this.unrecord();
    return closed;
  }
}
