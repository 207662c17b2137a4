/**
 * The client cache for pure events (docs/client.md, "Client cache for pure
 * events"; the server side is server/event-cache.ts). One per view.
 *
 * Pure, for an event the server lists as cacheable (`z` of each full render:
 * name → [ttlMs, key fields]), means: its result depends only on its key
 * fields and on state it does not set, so applying it with key A then key B
 * equals applying it with key B. Within a run of that event from a page whose
 * HTML hashes `base` (no other change to the tree between), its answer for a
 * key is therefore always the same tree. The cache keeps, under base, name
 * and the JSON of the key fields' values, the whole tree (as the text of a
 * diff that replaces it) that the server's answer to a miss produced, and the
 * hash of its HTML.
 *
 * A hit (the same key again, not expired, nothing of the view in flight)
 * shows that tree at once and sends NOTHING: the hit is owed to the server.
 * Owed hits form a short ordered list; a hit of the event that is last in it
 * replaces it (the latest key wins); when the page's HTML hashes as the
 * server's tree again (tab A → B → A), nothing is owed. The view sends the
 * owed hits ({@link EventCache.owe}) before any other frame and at the link's
 * heartbeat, each marked with the hash of the HTML it showed (`w`); the
 * server confirms each with a plain reply. Any other
 * frame while hits are owed or unconfirmed makes the view ask for a full
 * render (it never patches a tree the server does not have).
 *
 * Invariants: at most {@link MAX_ENTRIES} entries (the oldest go first), no
 * tree over {@link MAX_TREE} characters (so at most 1 MiB per view);
 * keys of at most {@link MAX_KEY} characters (a longer one is not cached: a
 * hostile payload cannot grow it); at most 8 owed hits (a ninth event is a
 * miss, sent after them); every full render empties it (its statics and tree are the new
 * truth); a tree is applied from a copy (JSON text), so later diffs, which
 * change the tree in place, never change an entry.
 */
import { fnv } from "../protocol/hash.ts";
import { S, type Envelope } from "../protocol/messages.ts";

/** Most trees kept per view (inlined below: the bundle is small). */
export const MAX_ENTRIES = 32;
/** Largest tree kept, in characters (a larger answer is not cached): with MAX_ENTRIES, at most 1 MiB per view. */
export const MAX_TREE = 32_768;
/** Longest key (base hash, event name, key fields' JSON); a longer event is not cached. */
export const MAX_KEY = 512;

/**
 * A view's cache of pure events' trees.
 *
 * @example
 * const c = eventCache(() => rendered.snap());
 * const hit = c.hit(msg, html);  // before sending event `msg`: a kept tree to apply now (msg is owed), or undefined
 * for (const m of c.owe()) send(m); // before any other frame, and at the heartbeat
 * if (!c.seen(frame)) rejoin();     // for each server frame, after its seq check
 */
export interface EventCache {
  /**
   * For event `msg` about to go out while nothing of the view is in flight,
   * the view showing `html`: the kept tree to apply now (then `msg` is owed,
   * not sent), or undefined (noted, when cacheable, so that its answer is kept).
   */
  hit(msg: Envelope, html: string): Envelope | undefined;
  /** The owed hits, in ref order, now to be sent (each then waits for the server's reply). */
  owe(): Envelope[];
  /** Each server frame, after its seq check: false when the view must ask for a full render. */
  seen(f: Envelope): boolean;
}

/**
 * A view's cache: `snap` gives the view's tree as the text of a diff that replaces it,
 * `now` is the clock (tests pass their own).
 *
 * @example
 * const cache = eventCache(() => rendered.snap());
 */
export function eventCache(snap: () => string | undefined, now = Date.now): EventCache {
  let z: Envelope["z"] = {};
  /** key → [expires, the tree's text, its HTML's hash]; an expired entry is never used, and goes when replaced or oldest. */
  let m = new Map<string, [number, string, number]>();
  /** The cacheable event that made every change since the page hashed `base`: [name, base]. */
  let run: [unknown, number] | undefined;
  /**
   * The miss sent last, until the next frame of the stream: [ref, key,
   * expiry, its run]; then, when that frame is its answer, until it is
   * applied (`kept`).
   */
  let sent: [unknown, string, number, [unknown, number]] | undefined;
  let kept: typeof sent;
  let owed: Envelope[] = [];
  /** While hits are owed: the hash of the server's page (before the first of them). */
  let sh = 0;
  /** The hits sent, each waiting for the server's reply. */
  let un: Envelope[] = [];
  return {
    hit(msg, html) {
      // An array: an own entry (an inherited member such as `constructor` or `__proto__` is not).
      const e = msg.e;
      const c = z![e as string];
      // A component's event is not cached (its answer is a reply, or a part's diff). At most
      // 8 owed: the 9th event is sent, and they go first. (A tree noted as kept is then never
      // reached: this event's answer ends the run.)
      if (!c?.pop || msg.g || owed[7]) return;
      const d = msg.d as Record<string, unknown>;
      const h = fnv(html);
      // The answer noted by `seen` is on the page (no frame came since): keep its tree
      // (up to MAX_TREE characters; beyond MAX_ENTRIES the oldest goes).
      const t = kept && snap();
      if (t && !t[32768]) {
        m.set(kept![1], [kept![2], t, h]);
        if (m.size > 32) m.delete(m.keys().next().value as string);
      }
      kept = undefined;
      const r: [unknown, number] = [e, run && run[0] == e ? run[1] : h];
      // A field the payload lacks reads the same for every payload (undefined, or
      // Object.prototype's member for `constructor`, `__proto__`). A key shared by two
      // payloads the server tells apart costs a full render, never a wrong tree: the
      // server confirms only a page equal to its own.
      const k = r[1] + (e as string) + JSON.stringify(c[1].map((f) => d[f]));
      if (k[512]) return; // longer than MAX_KEY
      const x = m.get(k);
      if (x && x[0] > now()) {
        if (!owed[0]) sh = h;
        if (owed.at(-1)?.e == e) owed.pop(); // the same event again: the latest key wins
        owed.push(msg);
        msg.w = x[2];
        if (x[2] == sh) owed = []; // back to the server's page: nothing owed
        run = r;
        return JSON.parse(x[1]) as Envelope;
      }
      sent = [msg.r, k, now() + c[0], r];
    },
    owe() {
      return (un = owed), (owed = []), un;
    },
    seen(f) {
      if (f.q == null) return true; // a kept tree itself
      // The server's reply to the next hit sent confirms it: nothing changes.
      if (f.t == S.reply && f.r == un[0]?.r && un.shift()) return true;
      const s = sent;
      sent = run = kept = undefined;
      if (f.t == S.rendered) {
        z = f.z || {};
        m = new Map();
        un = [];
        owed = [];
      } else if (un[0] || owed[0]) {
        // Anything else while hits are owed or unconfirmed: a full render (the view sends the owed first).
        return (un = []), false;
      } else if (s && f.r == s[0] && !f.c) {
        // The answer to the miss sent (the first frame after it), a diff or a reply, not an
        // error: its tree is kept once applied. (With stream ops or a new title it is not
        // the whole answer: the server never confirms a hit of it, a full render follows.)
        kept = s;
        run = s[3];
      }
      return true;
    },
  };
}
