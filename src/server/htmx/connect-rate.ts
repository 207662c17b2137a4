/**
 * The connect rate of the htmx endpoints: a token bucket per client address
 * (through trusted proxies; IPv6 by /64), taken once per WebSocket upgrade or
 * SSE GET under /weft/htmx/. A page stuck reconnecting (1,000 times a second)
 * is answered 429 before anything is mounted.
 *
 * The table is bounded: at most {@link MAX_ADDRESSES} buckets, the least
 * recently used dropped first (a dropped address starts again with a full
 * bucket, which only ever lets it through sooner, never refuses another).
 */
import { TokenBucket, type Rate } from "../security/rate-limit.ts";

/** Addresses whose buckets are kept at most. */
export const MAX_ADDRESSES = 10_000;

/**
 * Buckets by client address.
 *
 * @example
 * const rate = new ConnectRate({ perSecond: 10, burst: 20 });
 * if (!rate.take(limitAddress(req, trustProxy))) return refuse(429, "E_RATE_LIMIT");
 */
export class ConnectRate {
  /** In use order: the first entry is the least recently used. */
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly rate: Rate, private readonly max = MAX_ADDRESSES) {}

  /** Takes one connect for `addr`; false when its bucket is empty. */
  take(addr: string): boolean {
    let bucket = this.buckets.get(addr);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rate);
      if (this.buckets.size >= this.max) this.buckets.delete(this.buckets.keys().next().value!);
    } else this.buckets.delete(addr);
    this.buckets.set(addr, bucket);
    return bucket.take();
  }

  /** Addresses tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  /** Seconds until an address refused now may connect again, for every address alike: one token's refill, rounded up (a Retry-After value). */
  get retryAfter(): number {
    return Math.max(1, Math.ceil(1 / this.rate.perSecond));
  }
}
