/**
 * Info messages (timers, broadcasts, presence) that found their session's
 * queue full (`maxQueuedPerSession`) are dropped, never kept: each is counted
 * (`weft_info_dropped_total`) and logged as a warning — at most one line per
 * interval per node, with how many were dropped since the last line, so a
 * broadcast storm cannot flood the log either.
 */
import { clip } from "../clip.ts";
import type { Logger } from "../logger.ts";

/** At most one warning line per this many ms. */
export const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Makes the session's `infoDropped(path, name)` callback: counts every drop
 * in `metrics`, warns through `logger` at most once per {@link DROP_LOG_INTERVAL_MS}.
 *
 * @example
 * const infoDropped = infoDropReporter(logger, metrics);
 * infoDropped("/chat", "message");
 */
export function infoDropReporter(logger: Pick<Logger, "warn">, metrics: { infoDropped(): void } | undefined, now: () => number = Date.now): (path: string, name: string) => void {
  let last = -Infinity;
  let unlogged = 0;
  return function infoDropped(path, name) {
    metrics?.infoDropped();
    unlogged++;
    const t = now();
    if (t - last < DROP_LOG_INTERVAL_MS) return;
    last = t;
    logger.warn({ view: clip(path), info: clip(name), dropped: unlogged }, `info "${clip(name)}" dropped: the session's queue is full (maxQueuedPerSession); ${unlogged} dropped since the last warning`);
    unlogged = 0;
  };
}
