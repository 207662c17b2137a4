/**
 * A POST refused as a whole (400 not JSON, 413 too large, 415 wrong type)
 * applied none of its frames. Each event among them is answered here the way
 * the server answers a refused frame — an error envelope naming its view and
 * ref — so its view reports it and clears its loading state instead of
 * waiting for an answer that never comes.
 */
import { C, S, type Envelope } from "../../protocol/messages.ts";
import { reportError } from "../dom-events.ts";

/** The head of an event frame as the view writes it (`{t, v, r, e, d}`, in that order). */
const EVENT_HEAD = new RegExp(`^\\{"t":"${C.event}","v":(\\d+),"r":(\\d+),`);

/**
 * The error frames answering the events among refused `frames`.
 *
 * @example
 * refusalFrames(['{"t":"e","v":1,"r":4,"e":"save","d":{}}'], "E_TOO_LARGE"); // ['{"t":"x","v":1,"r":4,"c":"E_TOO_LARGE"}']
 */
export function refusalFrames(frames: readonly string[], code: string, message?: string): string[] {
  const out: string[] = [];
  for (const frame of frames) {
    const ids = EVENT_HEAD.exec(frame);
    if (ids === null) continue;
    const env: Envelope = { t: S.error, v: Number(ids[1]), r: Number(ids[2]), c: code };
    if (message !== undefined) env.m = message;
    out.push(JSON.stringify(env));
  }
  return out;
}

/**
 * Hands `deliver` an error frame per refused event, or reports the refusal on
 * the document when no event was among the frames.
 *
 * @example
 * request(url, signal, body, {}, (code, message) => refuse(batch, code, message, (f) => t.onMessage(f)));
 */
export function refuse(frames: readonly string[], code: string, message: string | undefined, deliver: (frame: string) => void): void {
  const answers = refusalFrames(frames, code, message);
  if (answers.length === 0) reportError(document, code, message);
  for (const frame of answers) deliver(frame);
}
