/**
 * The promises of a view's hook `pushEvent` calls, by event ref. Each settles
 * exactly once: it is taken out of the map before it is settled, and refs are
 * never reused in a view. The event itself is resent after a reconnect or a
 * transport switch (view.ts), and the server applies it once and answers it
 * once, with `r` (and `y`, its `ctx.reply` value) on the answer frame.
 */
import { S, type Envelope } from "../protocol/messages.ts";

/**
 * A waiting `pushEvent`: its resolve and reject.
 *
 * @example
 * const w: Waiter = [resolve, reject];
 */
export type Waiter = [ok: (value: unknown) => void, no: (err: Error) => void];

/**
 * A view's waiting `pushEvent` calls, by ref.
 *
 * @example
 * const replies: Waiters = new Map();
 * replies.set(ref, [resolve, reject]);
 */
export type Waiters = Map<number, Waiter>;

/**
 * The Error a `pushEvent` rejects with: `code` is the error code.
 *
 * @example
 * fail("E_HANDLER", "the event handler failed").code; // "E_HANDLER"
 */
export function fail(code: string, message?: string): Error & { code: string } {
  return Object.assign(new Error(message ?? code), { code });
}

/**
 * Settles what server frame `m` answers (acknowledgements are cumulative):
 * ref `r` itself resolves with its reply `y`, or rejects with the error's
 * code; earlier refs resolve with undefined (their answers came before, or
 * fell out of the server's outbox). Two exceptions: an error outside the view's
 * stream (refused unparsed: too large, over the rate) concerns `r` alone, and
 * E_NOT_JOINED none (the event is resent); a join answer's `r` stays waiting
 * unless it is a full render — it may still be running, and its own answer
 * (with its reply) follows.
 *
 * @example
 * replied(view.replies, { t: "r", r: 3, y: 42, q: 9 }); // ref 3 resolves with 42
 */
export function replied(w: Waiters, m: Envelope): void {
  const r = m.r;
  const x = m.t === S.error;
  if (typeof r !== "number" || m.c === "E_NOT_JOINED") return;
  for (const [ref, [ok, no]] of w) {
    if (ref < r ? x && m.q === undefined : ref > r || (m.k !== undefined && m.t !== S.rendered)) continue;
    w.delete(ref);
    if (ref < r) ok(undefined);
    else if (x) no(fail(m.c!, m.m));
    else ok(m.y);
  }
}

/**
 * Rejects every waiting promise with `code` (the view died or gave up).
 *
 * @example
 * drop(view.replies, "E_BAD_TOKEN");
 */
export function drop(w: Waiters, code: string): void {
  for (const [, [, no]] of w) no(fail(code));
  w.clear();
}
