/**
 * Shortens client-chosen text (an event name, a topic, a URL) before it goes
 * into an error message or a log line: a hostile client cannot make either
 * grow with what it sends.
 *
 * @example clip("x".repeat(100)) // 64 x's and "…"
 */
export function clip(s: string, max = 64): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
