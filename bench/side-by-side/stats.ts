// Order statistics for the side-by-side benchmark: percentiles of samples,
// and the median of repeated runs with their spread.

/** The p-th percentile (nearest rank) of `xs`, which need not be sorted. */
export function pct(xs: ArrayLike<number>, p: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** The median of `xs`. */
export const median = (xs: ArrayLike<number>): number => pct(xs, 50);

/** Rounds to `digits` decimals (for figures shown and stored). */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Median of repeated runs, with min and max: the figure and its spread. */
export interface Spread {
  value: number;
  min: number;
  max: number;
  runs: number[];
}

export function spread(runs: number[], digits = 1): Spread {
  const r = runs.map((x) => round(x, digits));
  return { value: round(median(runs), digits), min: Math.min(...r), max: Math.max(...r), runs: r };
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Rejects with `what` when `p` has not settled within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
