/**
 * Handler time limits (`handlerTimeoutMs`, an event's `timeoutMs`). Only a
 * handler that returns a Promise gets a timer — a synchronous one has
 * finished before anything could interrupt it, and the hot path (sync
 * handlers) makes no timer at all. When the limit passes first, the work
 * fails with E_TIMEOUT and the queue moves on; the handler's promise is left
 * to settle on its own, and what it resolves to is dropped.
 */

/** Default `handlerTimeoutMs`: 10 s. */
export const HANDLER_TIMEOUT_MS = 10_000;

/**
 * Default `maxQueuedPerSession`: 64 pieces of work waiting behind a running
 * async handler. A person does not have 64 events in flight (the client
 * keeps at most 500 unanswered, so a resend storm still hits the bound), and
 * 64 events of at most `maxMessageBytes` (64 KiB) bound a session's queue to
 * 4 MiB; timers and broadcasts queue there too, so a slow handler of a busy
 * topic has room for a burst.
 */
export const MAX_QUEUED = 64;

/**
 * The error an async handler fails with when its time limit passed first.
 *
 * @example new HandlerTimeout(10_000).message // "the handler did not settle within 10000 ms"
 */
export class HandlerTimeout extends Error {
  override readonly name = "HandlerTimeout";
  constructor(readonly ms: number) {
    super(`the handler did not settle within ${ms} ms`);
  }
}

/**
 * Settles as `p` does, or rejects with a {@link HandlerTimeout} when `p` has
 * not settled within `ms`; `p`'s later outcome is then ignored (a rejection
 * of it is handled, never unhandled).
 *
 * @example withinLimit(handler(state), 10_000).then(commit, fail)
 */
export function withinLimit<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new HandlerTimeout(ms)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
