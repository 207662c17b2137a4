/**
 * The client cache for pure events (docs/client.md, "Client cache for pure
 * events"; the server side is server/event-cache.ts). One per view.
 *
 * An event the server lists as cacheable (`z` of each full render: name →
 * [ttlMs, key fields]) that goes out while nothing else of the view is in
 * flight is remembered under a key: the hash of the view's HTML before it,
 * its name and the JSON of its key fields' values (those only). When its
 * answer (the frame with its ref, the very next one of the stream) arrives,
 * the answer's parts are kept under that key for ttlMs. The same event on
 * the same HTML later is a hit: the kept answer is applied at once, like a
 * received diff, and the event still goes to the server, marked with the
 * answer's hash (`w`) and the view's seq (`q`), so that the server's state
 * follows. The server confirms with a reply to its ref; any other frame in
 * the stream before that confirmation means the guess may be wrong, and the
 * view asks for a full render (it never patches a tree it is unsure of).
 *
 * Invariants: at most {@link MAX_ENTRIES} entries (the oldest goes), keys of
 * at most {@link MAX_KEY} characters (a longer one is not cached: a hostile
 * payload cannot grow it); every full render empties it (its statics and
 * tree are the new truth); an answer is applied from a copy (JSON text), so
 * later diffs, which change the tree in place, never change an entry.
 */
import { fnv } from "../protocol/hash.ts";
import { S, type Envelope } from "../protocol/messages.ts";

/** Most answers kept per view (inlined below: the bundle is small). */
export const MAX_ENTRIES = 64;
/** Longest key (HTML hash, event name, key fields' JSON); a longer event is not cached. */
export const MAX_KEY = 512;

/**
 * A view's cache of answers to pure events.
 *
 * @example
 * const c = eventCache();
 * const hit = c.hit(msg, html, seq); // before sending event `msg`: a frame to apply now, or undefined
 * if (!c.seen(frame)) rejoin();      // for each server frame, after its seq check
 */
export interface EventCache {
  /**
   * For event `msg` about to go out while nothing else of the view is in
   * flight, its view at seq `q` showing `html`: the cached answer to apply
   * now (and `msg` gets `w` and `q`), or undefined (remembered, when
   * cacheable, so that its answer is kept).
   */
  hit(msg: Envelope, html: string, q: number): Envelope | undefined;
  /** Each server frame, after its seq check: false when the view must ask for a full render. */
  seen(f: Envelope): boolean;
}

/**
 * A view's cache; `now` is the clock (tests pass their own).
 *
 * @example
 * const cache = eventCache();
 */
export function eventCache(now = Date.now): EventCache {
  let z: Envelope["z"] = {};
  /** key → [expires, the answer's text]; an expired entry is never used, and goes when replaced or oldest. */
  let m = new Map<string, [number, string]>();
  /**
   * The cacheable event sent last, until the next frame of the stream: a miss
   * is [ref, key, expiry] (its answer is kept when it is that frame); a hit is
   * [ref] (that frame must be the server's confirmation).
   */
  let sent: [number, string?, number?] | undefined;
  return {
    hit(msg, html, q) {
      // An array: an own entry (an inherited member such as `constructor` is not).
      const c = z![msg.e as string];
      if (!Array.isArray(c) || msg.g || msg.b) return;
      const d = msg.d as Record<string, unknown>;
      // A field the payload lacks reads the same for every payload (undefined, or
      // Object.prototype's member for `constructor`, `__proto__`). A key shared by two
      // payloads the server tells apart costs a full render, never a wrong tree: the
      // server confirms only an answer equal to its own.
      const k = fnv(html) + (msg.e as string) + JSON.stringify(c[1].map((f) => d[f]));
      if (k[512]) return; // longer than MAX_KEY
      const x = m.get(k);
      const r = msg.r as number;
      if (x && x[0] > now()) {
        msg.w = fnv(x[1]);
        msg.q = q;
        sent = [r];
        return JSON.parse(x[1]) as Envelope;
      }
      sent = [r, k, now() + c[0]];
    },
    seen(f) {
      const s = sent;
      if (f.q == null) return true; // the cached answer itself
      sent = undefined;
      // The answer to the event sent: the first frame after it (nothing changed the tree between), not a join answer.
      const a = !!s && f.r === s[0] && !f.k;
      // A guess is confirmed only by the server's reply to its ref; anything
      // else (a full render too) makes the view ask for a full render.
      if (s && !s[1]) return a && f.t === S.reply;
      if (f.t === S.rendered) {
        z = f.z || {};
        m = new Map();
      } else if (a && !f.c && !("y" in f)) {
        // A diff or a reply (no error, no ctx.reply value), as text: protocol/hash.ts answerText, inlined.
        m.set(s![1] as string, [s![2] as number, JSON.stringify({ d: f.d, p: f.p, o: f.o, h: f.h })]);
        if (m.size > 64) m.delete(m.keys().next().value as string);
      }
      return true;
    },
  };
}
