/**
 * `ctx.reply(value)`: the value a browser event's handler answers with. It
 * travels as `y` on the frame that answers the event's ref (the diff, or the
 * reply when nothing changed on screen), so it is in the session's outbox like
 * every frame and replayed after a reconnect; a hook's `pushEvent` promise
 * resolves with it (src/client/replies.ts).
 *
 * Only browser events have a ref to answer: in `mount`, `info`, `handleParams`
 * or a callback that runs after the handler finished, the value is checked and
 * dropped. The value is bounded like every frame a peer receives: JSON of at
 * most {@link MAX_REPLY_CHARS} characters, copied when given (a later change to
 * the object does not change what was sent or what a replay sends).
 */
import { clip } from "./clip.ts";
import type { Json } from "./view.ts";

/** Most characters (UTF-16 code units, not bytes) a reply's JSON may have: 65,536. */
export const MAX_REPLY_CHARS = 65_536;

/**
 * The reply to send for `value`: a JSON copy, or undefined for undefined (no
 * reply). Throws a TypeError — the handler fails with E_HANDLER — for a value
 * that is not JSON (a function, a BigInt, a cycle) or whose JSON is longer
 * than {@link MAX_REPLY_CHARS}.
 *
 * @example
 * checkReply({ rolled: 4 }); // { rolled: 4 }
 * checkReply("x".repeat(70_000)); // throws TypeError
 */
export function checkReply(value: Json | undefined): Json | undefined {
  if (value === undefined) return undefined;
  let raw: string | undefined;
  try {
    raw = JSON.stringify(value);
  } catch (err) {
    throw new TypeError(`ctx.reply(value): the value is not JSON (${clip(String(err))})`);
  }
  if (raw === undefined) throw new TypeError(`ctx.reply(value): the value is not JSON (a ${typeof value})`);
  if (raw.length > MAX_REPLY_CHARS) throw new TypeError(`ctx.reply(value): the reply's JSON has ${raw.length} characters, more than ${MAX_REPLY_CHARS}: send a smaller value`);
  return JSON.parse(raw) as Json;
}
