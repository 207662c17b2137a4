/**
 * The client → server half of the SSE and HTTP transports: a POST whose JSON
 * body is one envelope or an array of them, fed to the link's Connection.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { C } from "../../protocol/messages.ts";
import { isId } from "../connection.ts";
import { readJsonBody } from "../http/body.ts";
import { sendError } from "../http/respond.ts";
import type { AnswerWaiter, BufferedLink } from "./buffered-link.ts";

/** Most frames in one POST: a client batches what it queued while a POST was in flight. */
const MAX_BATCH = 256;

/**
 * Reads the body and feeds its frames to `link`. With `wait`, resolves once
 * every join and event in it is answered (or after `waitMs`). Answers the
 * request itself on a bad body and returns false.
 */
export async function postFrames(req: IncomingMessage, res: ServerResponse, link: BufferedLink, limit: number, wait: boolean, waitMs: number): Promise<boolean> {
  const body = await readJsonBody(req, limit);
  if (!body.ok) {
    sendError(res, body.code, body.message);
    return false;
  }
  const frames = Array.isArray(body.value) ? body.value : [body.value];
  if (frames.length > MAX_BATCH) {
    sendError(res, "E_TOO_LARGE", `at most ${MAX_BATCH} frames per request`);
    return false;
  }
  link.lastActive = Date.now();
  const waiter = wait ? waiterFor(frames) : undefined;
  if (waiter !== undefined) link.wait(waiter);
  for (const f of frames) link.conn.handle(f);
  // Most events are answered while they are handled: no timer, no promise.
  if (waiter !== undefined && waiter.keys.size > 0) await answeredWithin(link, waiter, waitMs);
  return true;
}

/** A waiter for the joins and events among `frames`; undefined when there are none. */
function waiterFor(frames: unknown[]): AnswerWaiter | undefined {
  let keys: Set<string> | undefined;
  for (const f of frames) {
    if (typeof f !== "object" || f === null) continue;
    const { t, v, r } = f as { t?: unknown; v?: unknown; r?: unknown };
    // Only frames the connection will route can be answered: others are refused at once.
    if (!isId(v)) continue;
    if (t === C.join) (keys ??= new Set()).add(`${v}:j`);
    else if (t === C.event && isId(r)) (keys ??= new Set()).add(`${v}:${r}`);
  }
  return keys === undefined ? undefined : { keys, done: noop };
}

/** Resolves once `waiter`'s last key is answered, or after `waitMs`. */
function answeredWithin(link: BufferedLink, waiter: AnswerWaiter, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      link.unwait(waiter);
      resolve();
    }, waitMs);
    waiter.done = () => {
      clearTimeout(timer);
      resolve();
    };
  });
}

function noop(): void {}
