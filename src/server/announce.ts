/**
 * `ctx.announce(text, { politeness })`: a message for screen readers. The
 * browser puts `text` (as text, never HTML) into a polite or an assertive
 * aria-live region of its own, outside every view root (client/announce.ts).
 * A live session sends it at once as an `S.announce` frame (seq'd and kept in
 * the outbox like a push: a replay is skipped, so it is read once); one asked
 * for in `mount` waits for the join and follows its render (mount-effects.ts).
 */
import { S, type AnnouncePayload } from "../protocol/messages.ts";

/**
 * The longest text `ctx.announce` takes, in UTF-16 code units. A live region
 * is read out whole and cannot be skipped: anything longer belongs on the
 * page, not in an announcement.
 *
 * @example
 * ctx.announce(summary.slice(0, MAX_ANNOUNCE_CHARS));
 */
export const MAX_ANNOUNCE_CHARS = 1000;

/**
 * The options of `ctx.announce`.
 *
 * @example
 * const loud: AnnounceOptions = { politeness: "assertive" };
 * ctx.announce("Could not save.", loud);
 */
export interface AnnounceOptions {
  /** "polite" (default) waits until the reader is idle; "assertive" interrupts it (errors only). */
  politeness?: "polite" | "assertive";
}

/**
 * An announcement as it travels: an `S.announce` envelope (JSON, so a
 * snapshot carries one asked for in mount).
 *
 * @example
 * const fx: AnnounceEffect = { t: S.announce, d: { text: "Saved." } };
 */
export interface AnnounceEffect {
  readonly t: typeof S.announce;
  readonly d: AnnouncePayload;
}

/**
 * Checks `ctx.announce`'s arguments and makes its envelope. Throws a
 * TypeError (so the handler fails, E_HANDLER, and nothing is sent) for a text
 * that is not a string, is empty or blank, or is longer than
 * {@link MAX_ANNOUNCE_CHARS}, and for a politeness other than "polite" or
 * "assertive".
 *
 * @example
 * session.emit({ ...announceEffect("Saved.", { politeness: "polite" }) });
 */
export function announceEffect(text: string, options?: AnnounceOptions): AnnounceEffect {
  if (typeof text !== "string" || text.trim() === "") throw new TypeError("ctx.announce(text): text must be a non-empty string");
  if (text.length > MAX_ANNOUNCE_CHARS) throw new TypeError(`ctx.announce(text): text is ${text.length} characters, at most ${MAX_ANNOUNCE_CHARS}`);
  const p = options?.politeness;
  if (p !== undefined && p !== "polite" && p !== "assertive") throw new TypeError(`ctx.announce: politeness must be "polite" or "assertive", not ${typeof p === "string" ? JSON.stringify(p) : typeof p}`);
  return { t: S.announce, d: p === "assertive" ? { text, politeness: p } : { text } };
}

/**
 * True when `d` is an announcement's payload (a stored snapshot's mount
 * effect, checked before it is sent).
 *
 * @example
 * if (fx.t === S.announce) return isAnnouncePayload(fx.d);
 */
export function isAnnouncePayload(d: unknown): d is AnnouncePayload {
  if (typeof d !== "object" || d === null) return false;
  const { text, politeness } = d as { text?: unknown; politeness?: unknown };
  return typeof text === "string" && text.length <= MAX_ANNOUNCE_CHARS && (politeness === undefined || politeness === "polite" || politeness === "assertive");
}
