/**
 * Helpers for the checks `defineView` and `createWeft` make at start-up: a
 * typo or a wrong value fails there, with a message that names the key, says
 * what it got and what it probably meant — not at the first request.
 */

/**
 * A short description of a value for an error message: `undefined`, `a
 * string ("…")`, `an array`, `an object (Foo)`, `number 3`.
 *
 * @example describe("<p>hi</p>") // 'a string ("<p>hi</p>")'
 */
export function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)})`;
  if (typeof v === "object") return `an object (${(v as { constructor?: { name?: string } }).constructor?.name ?? "no prototype"})`;
  return `${typeof v} ${String(v)}`;
}

/**
 * The known word closest to `word` (Levenshtein distance, case-insensitive),
 * when it is close enough to be a typo: at most 2 edits, and fewer than half
 * the word's length.
 *
 * @example didYouMean("evnets", ["mount", "events", "render"]) // "events"
 */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const w = word.toLowerCase();
  for (const k of known) {
    const d = distance(w, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= 2 && bestDistance * 2 < Math.max(word.length, 2) ? best : undefined;
}

/**
 * Throws a TypeError for the first own key of `obj` that is not in `known`:
 * `<where>: unknown key \`evnets\` — did you mean \`events\`?` (or the list of
 * known keys when nothing is close).
 *
 * @example rejectUnknownKeys("defineView", def, ["mount", "events", "info", "render"])
 */
export function rejectUnknownKeys(where: string, obj: object, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const guess = didYouMean(key, known);
    const hint = guess !== undefined ? `did you mean \`${guess}\`?` : `known keys: ${known.join(", ")}`;
    throw new TypeError(`${where}: unknown key \`${key}\` — ${hint}`);
  }
}

/** Levenshtein distance, two rows; the words are option names (short), the cost is trivial. */
function distance(a: string, b: string): number {
  if (a === b) return 0;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
    }
    prev = cur;
  }
  return prev[b.length] as number;
}
