/**
 * `ctx.flash(kind, text)`: a short message for the user ("Saved.", "Could
 * not save"), shown in the page's `weft-flash` slot, outside every view root
 * (docs/client.md, "Flash messages").
 *
 * - In a live session it travels at once as an `S.flash` frame (seq'd and kept
 *   in the outbox like a push: a replay is skipped, so it shows once).
 * - In the page's first render the layout renders it (`PageParts.flash`).
 * - Asked for in a mount that redirects (a 302), it rides in a short-lived
 *   signed cookie to the next page (http/flash-cookie.ts).
 * - In a live mount (a live navigation, a rejoin that mounts afresh) it
 *   follows the first render (mount-effects.ts).
 *
 * The text is always text: escaped here, set as `textContent` by the client.
 */
import { ATTR, S, type FlashPayload } from "../protocol/messages.ts";
import { escapeHtml } from "./template/escape.ts";

/** The longest flash text, in UTF-16 code units: a flash is a line, not a page. */
export const MAX_FLASH_CHARS = 1000;

/** The most flashes of one kind a mount (or a redirect's cookie) keeps: a newer one drops the oldest. */
export const MAX_FLASHES_PER_KIND = 3;

/** A flash's kind: "info" (role="status") or "error" (role="alert"). */
export type FlashKind = FlashPayload["kind"];

/** A flash as it travels: an `S.flash` envelope (JSON, so a snapshot carries one asked for in mount). */
export interface FlashEffect {
  readonly t: typeof S.flash;
  readonly d: FlashPayload;
}

/**
 * Checks `ctx.flash`'s arguments and returns the payload. Throws a TypeError
 * (the handler fails with E_HANDLER and nothing is sent) for a kind other
 * than "info" or "error", and for a text that is not a string, is blank, or
 * is longer than {@link MAX_FLASH_CHARS}.
 *
 * @example
 * checkFlash("info", "Saved."); // { kind: "info", text: "Saved." }
 */
export function checkFlash(kind: unknown, text: unknown): FlashPayload {
  if (kind !== "info" && kind !== "error") throw new TypeError(`ctx.flash(kind, text): kind must be "info" or "error", not ${typeof kind === "string" ? JSON.stringify(kind.slice(0, 40)) : typeof kind}`);
  if (typeof text !== "string" || text.trim() === "") throw new TypeError("ctx.flash(kind, text): text must be a non-empty string");
  if (text.length > MAX_FLASH_CHARS) throw new TypeError(`ctx.flash(kind, text): text is ${text.length} characters, at most ${MAX_FLASH_CHARS}`);
  return { kind, text };
}

/**
 * `ctx.flash(kind, text)` as the envelope a session emits (or a mount keeps for its join).
 *
 * @example
 * session.emit({ ...flashEffect("error", "Could not save.") });
 */
export function flashEffect(kind: unknown, text: unknown): FlashEffect {
  return { t: S.flash, d: checkFlash(kind, text) };
}

/**
 * A mount's flashes as the envelopes a live mount sends after its first render.
 *
 * @example
 * init.effects = [...flashEffects(flashes), ...effects];
 */
export function flashEffects(flashes: readonly FlashPayload[]): FlashEffect[] {
  return flashes.map((d) => ({ t: S.flash, d }));
}

/**
 * True when `d` is a valid flash payload (a stored snapshot's mount effect,
 * a cookie's entry: checked before use).
 *
 * @example
 * if (fx.t === S.flash) return isFlashPayload(fx.d);
 */
export function isFlashPayload(d: unknown): d is FlashPayload {
  if (typeof d !== "object" || d === null) return false;
  const { kind, text } = d as { kind?: unknown; text?: unknown };
  return (kind === "info" || kind === "error") && typeof text === "string" && text.trim() !== "" && text.length <= MAX_FLASH_CHARS;
}

/**
 * Adds `f` to `list`, keeping at most {@link MAX_FLASHES_PER_KIND} of its
 * kind (the oldest of that kind goes).
 *
 * @example
 * const flashes: FlashPayload[] = [];
 * addFlash(flashes, checkFlash("info", "Saved."));
 */
export function addFlash(list: FlashPayload[], f: FlashPayload): void {
  list.push(f);
  let n = 0;
  for (const g of list) if (g.kind === f.kind) n++;
  if (n > MAX_FLASHES_PER_KIND) list.splice(list.findIndex((g) => g.kind === f.kind), 1);
}

/**
 * `lists` one after another in one list, keeping at most
 * {@link MAX_FLASHES_PER_KIND} of each kind (the newest).
 *
 * @example
 * const shown = mergeFlashes(fromCookie ?? [], mounted.flashes);
 */
export function mergeFlashes(...lists: readonly (readonly FlashPayload[])[]): FlashPayload[] {
  const out: FlashPayload[] = [];
  for (const list of lists) for (const f of list) addFlash(out, f);
  return out;
}

/**
 * The `weft-flash` slot with `flashes` in it, as the default layout places
 * it (`PageParts.flash`): one item per message, its text escaped, a dismiss
 * button each; an error is role="alert", an info role="status". The client
 * adds live flashes to the same slot in the same markup (client/flash.ts).
 *
 * @example
 * flashSlot([{ kind: "info", text: "Saved." }]);
 * // <div weft-flash><div class="weft-flash-info" role="status">Saved.<button …>×</button></div></div>
 */
export function flashSlot(flashes: readonly FlashPayload[]): string {
  let items = "";
  for (const f of flashes) {
    const error = f.kind === "error";
    items += `<div class="weft-flash-${error ? "error" : "info"}" role="${error ? "alert" : "status"}">${escapeHtml(f.text)}<button type="button" aria-label="Dismiss">×</button></div>`;
  }
  return `<div ${ATTR.flash}>${items}</div>`;
}

/** An element that carries the slot attribute (`<div weft-flash>`, `<section class="x" weft-flash="">`). */
const SLOT = new RegExp(`<[a-z][^>]*\\s${ATTR.flash}(?=[\\s=/>])`, "i");
const BODY = /<body\b[^>]*>/i;

/**
 * Places `slot` in a layout's page that has no `weft-flash` slot of its own
 * (a custom layout that ignores `PageParts.flash`): right after `<body …>`,
 * or first when there is no body tag. A page with a slot is returned as it
 * is. Every page gets a slot: the client shows live flashes only in one.
 *
 * @example
 * withFlashSlot("<body><main>…</main></body>", flashSlot(flashes));
 */
export function withFlashSlot(page: string, slot: string): string {
  if (SLOT.test(page)) return page;
  const body = BODY.exec(page);
  if (body === null) return slot + page;
  const at = body.index + body[0].length;
  return page.slice(0, at) + slot + page.slice(at);
}
