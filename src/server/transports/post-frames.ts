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
  const answered = wait ? watch(link, frames, waitMs) : undefined;
  for (const f of frames) link.conn.handle(f);
  if (answered !== undefined) await answered;
  return true;
}

/** Registers a waiter for the joins and events among `frames`. */
function watch(link: BufferedLink, frames: unknown[], waitMs: number): Promise<void> {
  const keys = new Set<string>();
  for (const f of frames) {
    if (typeof f !== "object" || f === null) continue;
    const { t, v, r } = f as { t?: unknown; v?: unknown; r?: unknown };
    // Only frames the connection will route can be answered: others are refused at once.
    if (!isId(v)) continue;
    if (t === C.join) keys.add(`${v}:j`);
    else if (t === C.event && isId(r)) keys.add(`${v}:${r}`);
  }
  if (keys.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      link.unwait(waiter);
      resolve();
    }, waitMs);
    const waiter: AnswerWaiter = {
      keys,
      done: () => {
        clearTimeout(timer);
        resolve();
      },
    };
    link.wait(waiter);
  });
}
