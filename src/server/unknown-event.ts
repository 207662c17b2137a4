/**
 * The message of an `E_UNKNOWN_EVENT`: it names the event the browser sent,
 * and — in development only — the view's events, with the closest one as a
 * "did you mean" (a typo in a `weft-click` is the usual cause). In production
 * the view's handler names stay on the server.
 */
import { didYouMean } from "./startup-checks.ts";
import { clip } from "./clip.ts";

/** At most this many of the view's event names are listed. */
const MAX_LISTED = 20;

/**
 * The message for an event `name` that `events` has no handler for.
 *
 * @example
 * unknownEventMessage("incr", { inc: f, dec: g }, true);
 * // 'the view has no handler "incr" — did you mean "inc"? (its events: inc, dec)'
 */
export function unknownEventMessage(name: string, events: object, dev: boolean): string {
  const base = `the view has no handler "${clip(name)}"`;
  if (!dev) return base;
  const known = Object.keys(events);
  if (known.length === 0) return `${base} (it has no events)`;
  const guess = didYouMean(name, known);
  const listed = known.length > MAX_LISTED ? `${known.slice(0, MAX_LISTED).join(", ")}, …` : known.join(", ");
  return `${base}${guess === undefined ? "" : ` — did you mean "${guess}"?`} (its events: ${listed})`;
}
