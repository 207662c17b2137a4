/**
 * Reads a refused frame's view id and event ref without parsing it, so that
 * the error answering it can name them (and the browser clears that event's
 * loading state). Used where a frame is refused before — or instead of —
 * JSON.parse: too large, not JSON.
 *
 * Bounded: only the first {@link PEEK_CHARS} characters are looked at, and
 * only the top-level members before the first nested value, so a key "r"
 * inside the payload is never mistaken for the ref. The client writes `t`,
 * `v`, `r` first (before `e` and `d`), so they fall in the window.
 */
import { isId } from "./connection.ts";

/** How far into a frame the ids are looked for. */
export const PEEK_CHARS = 256;

/** A frame's view id and ref, as far as they could be read. */
export interface FrameIds {
  v: number | undefined;
  r: number | undefined;
}

/** One top-level member with a scalar value: `"key": number | "string" | true | false | null`, then `,` or `}`. */
const MEMBER = /\s*"([^"\\]{1,16})"\s*:\s*(-?\d{1,16}(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\\]{0,64}"|true|false|null)\s*([,}])/y;

/**
 * The `v` and `r` of a frame's text (a JSON object, or the first of an array
 * of them), read from its first {@link PEEK_CHARS} characters; undefined
 * where they are absent, invalid or out of reach.
 *
 * @example
 * peekIds('{"t":"e","v":1,"r":7,"e":"save","d":{"big":"…"}}'); // { v: 1, r: 7 }
 */
export function peekIds(frame: string): FrameIds {
  const ids: FrameIds = { v: undefined, r: undefined };
  const head = frame.length > PEEK_CHARS ? frame.slice(0, PEEK_CHARS) : frame;
  const open = /^\s*\[?\s*\{/.exec(head);
  if (open === null) return ids;
  MEMBER.lastIndex = open[0].length;
  for (let m = MEMBER.exec(head); m !== null; m = MEMBER.exec(head)) {
    const key = m[1];
    if (key === "v" || key === "r") {
      const n = Number(m[2]);
      if (isId(n) && ids[key] === undefined) ids[key] = n;
    }
    if (m[3] === "}") break;
  }
  return ids;
}
