/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. Each message takes
 * one; an empty bucket refuses. Time comes from a monotonic clock.
 */
import { performance } from "node:perf_hooks";

/** A rate: sustained messages per second and the burst above it. */
export interface Rate {
  readonly perSecond: number;
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(private readonly rate: Rate) {
    this.tokens = rate.burst;
  }

  /** Takes a token; false when the bucket is empty. */
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.last) / 1000) * this.rate.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Checks a Rate option once, at construction. */
export function validRate(r: unknown): r is Rate {
  const o = r as Rate;
  return typeof o === "object" && o !== null && Number.isFinite(o.perSecond) && o.perSecond > 0 && Number.isFinite(o.burst) && o.burst >= 1;
}
