/**
 * The client → server half of the SSE and HTTP transports: frames wait in a
 * queue and go out as JSON arrays, one POST in flight at a time, in order.
 * Whatever queues while a POST is in flight goes in the next one, so a burst of
 * events costs a few requests, not one each.
 */
import { limits, utf8Length } from "../limits.ts";

/** Most frames in one POST (the server refuses more). */
export const MAX_BATCH = 256;

/**
 * How many frames from the head of `frames` fit in one body
 * (`[f1,f2,…]` ≤ `maxBytes` in UTF-8, ≤ `maxFrames`); `maxBytes` is the
 * server's `maxMessageBytes` as the page announces it. At least one when
 * `frames` is not empty: a single frame above the limit goes alone, and the
 * server answers it 413 (reported) rather than the queue sticking on it.
 *
 * @example
 * batchSize(["{\"t\":\"h\"}", "{\"t\":\"h\"}"]); // 2
 */
export function batchSize(frames: readonly string[], maxBytes = limits.maxBytes, maxFrames = MAX_BATCH): number {
  let bytes = 1; // "["
  let n = 0;
  for (; n < frames.length && n < maxFrames; n++) {
    const add = utf8Length(frames[n]!) + 1; // the frame and its "," or "]"
    if (n > 0 && bytes + add > maxBytes) break;
    bytes += add;
  }
  return n;
}

/**
 * Frames waiting to be POSTed.
 *
 * Invariant: at most one `post` is pending; frames leave in the order they
 * were pushed. A rejected `post` ends the queue (the link is gone) and calls
 * `fail` once; after `close()` nothing more is posted or called.
 *
 * @example
 * const out = new PostQueue((body) => request(url, signal, body), () => transport.fail());
 * out.push(JSON.stringify({ t: "h" }));
 */
export class PostQueue {
  /** Queues a frame; it leaves with the next POST. */
  readonly push: (frame: string) => void;
  /** Drops what is queued and posts nothing more. */
  readonly close: () => void;

  /**
   * @param post POSTs `body`, the JSON array of `frames`.
   * @param fail the queue ended: a POST was rejected.
   */
  constructor(post: (body: string, frames: readonly string[]) => Promise<unknown>, fail: () => void) {
    // The state lives in this closure, not in fields: local names the minifier
    // shortens to a letter, where `this.queue` stays (the client's size).
    let queue: string[] = [];
    let busy = false;
    let done = false;
    const close = (): void => {
      done = true;
      queue = [];
    };
    const pump = (): void => {
      if (busy || done || queue.length === 0) return;
      const batch = queue.splice(0, batchSize(queue));
      busy = true;
      post(`[${batch.join(",")}]`, batch).then(
        () => {
          busy = false;
          pump();
        },
        () => {
          if (done) return;
          close();
          fail();
        },
      );
    };
    this.close = close;
    this.push = (frame) => {
      if (done) return;
      queue.push(frame);
      pump();
    };
  }
}
