/**
 * The server side of the client cache for pure events (docs/client.md,
 * "Client cache for pure events"). A handler with `cache: { ttlMs, key }`
 * promises that its result depends only on the payload's `key` fields and
 * on state it does not set (applying it with key A then key B equals
 * applying it with key B). The server
 * - lists the view's cacheable events on every join answer's full render
 *   (`z`: name → [ttlMs, key]), so the browser knows what it may cache;
 * - runs an event the browser answered from its cache (`w`: the hash of the
 *   view's HTML the browser showed after it; the browser sends it later,
 *   before any other frame of the view or at its heartbeat) as any other,
 *   and then, when the HTML of its own new tree hashes the same (and a
 *   claimed seq `q` is its seq), sends a plain reply instead of the diff: the
 *   browser's tree is right already. Otherwise the diff goes, and the
 *   browser, whose tree is then a guess, asks for a full render.
 *
 * Exactly once still holds: a cached event carries a ref like any other, and
 * is applied once (the session's ref check), whatever the browser showed.
 */
import { fnv } from "../protocol/hash.ts";
import type { Envelope, RenderedTree } from "../protocol/messages.ts";
import { toHtml, type PartsLookup } from "../protocol/tree.ts";
import { staticsOf } from "./template/compile.ts";
import { describe } from "./startup-checks.ts";
import type { ViewDefinition } from "./view.ts";

/**
 * `cache` of an event handler: the browser answers an identical event (the
 * same `key` fields of the payload, the same view HTML before it) from its
 * cache for `ttlMs` milliseconds. Only for pure handlers: the answer must
 * depend on nothing but the state and those fields (no clock, no database
 * that changes, no `ctx` effects).
 *
 * @example
 * events: { search: { handler: (s, p: { q: string }) => ({ ...s, q: p.q, hits: find(p.q) }), cache: { ttlMs: 60_000, key: ["q"] } } }
 */
export interface EventCache {
  /** How long an answer stays usable, in ms: an integer from 1 to {@link MAX_CACHE_TTL_MS}. */
  readonly ttlMs: number;
  /** The payload fields the answer depends on (at most {@link MAX_CACHE_KEYS}, each 1 to 64 characters). */
  readonly key: readonly string[];
}

/**
 * The longest `ttlMs` (one day): an entry older than that is surely stale.
 *
 * @example cache: { ttlMs: MAX_CACHE_TTL_MS, key: ["q"] }
 */
export const MAX_CACHE_TTL_MS = 86_400_000;
/**
 * Most key fields of one cacheable event.
 *
 * @example if (fields.length > MAX_CACHE_KEYS) throw new Error("key the handler on fewer fields");
 */
export const MAX_CACHE_KEYS = 16;
const MAX_FIELD = 64;

/**
 * The claim of an event answered from the browser's cache: the hash `w` of
 * the view's HTML it showed after it, and optionally the seq `q` the browser
 * expects the answer at (the browser leaves it out: it asks for a full render
 * on any frame but the confirmation).
 */
export interface CacheClaim {
  readonly w: number;
  readonly q?: number | undefined;
}

/**
 * Throws a TypeError unless `cache` (of `events[name]`) is a valid
 * {@link EventCache}; `view` is false for a component's events, which the
 * browser does not cache.
 *
 * @example checkCache("defineView", "search", { ttlMs: 60_000, key: ["q"] }, true)
 */
export function checkCache(where: string, name: string, cache: unknown, view: boolean): void {
  const at = `${where}: events.${name}.cache`;
  if (!view) throw new TypeError(`${at}: only a view's events can be cached, not a component's`);
  const c = cache as Partial<EventCache> | null;
  if (typeof c !== "object" || c === null || Array.isArray(c)) throw new TypeError(`${at} must be { ttlMs, key: ["field", …] }, got ${describe(cache)}`);
  const ttl = c.ttlMs;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_CACHE_TTL_MS) throw new TypeError(`${at}.ttlMs must be an integer from 1 to ${MAX_CACHE_TTL_MS}, got ${describe(ttl)}`);
  const key: unknown = c.key;
  const fine = Array.isArray(key) && key.length <= MAX_CACHE_KEYS && key.every((f) => typeof f === "string" && f.length > 0 && f.length <= MAX_FIELD);
  if (!fine) throw new TypeError(`${at}.key must be a list of at most ${MAX_CACHE_KEYS} payload field names (1 to ${MAX_FIELD} characters), e.g. key: ["q"], got ${describe(key)}`);
}

const tables = new WeakMap<object, Envelope["z"] | null>();

/**
 * The `z` of a view's join answers: each cacheable event → [ttlMs, key];
 * undefined when it has none. Computed once per view definition.
 *
 * @example cacheTable(Search) // { search: [60000, ["q"]] }
 */
export function cacheTable(view: ViewDefinition<unknown>): Envelope["z"] {
  let z = tables.get(view);
  if (z === undefined) {
    z = null;
    for (const [name, h] of Object.entries(view.events ?? {})) {
      if (typeof h === "object" && h.cache !== undefined) (z ??= {})[name] = [h.cache.ttlMs, [...h.cache.key]];
    }
    tables.set(view, z);
  }
  return z ?? undefined;
}

/**
 * The cache claim of an event frame: undefined without `w`, "bad" when `w`
 * is not a signed 32-bit integer (protocol/hash.ts) or a `q` given is not a
 * seq (the frame is refused).
 *
 * @example cacheClaim({ t: "e", r: 4, e: "search", d: { q: "a" }, w: -305419896 }) // { w: -305419896, q: undefined }
 */
export function cacheClaim(msg: Envelope): CacheClaim | "bad" | undefined {
  const { w, q } = msg;
  if (w === undefined) return undefined;
  const ok = Number.isInteger(w) && w >= -0x80000000 && w <= 0x7fffffff && (q === undefined || (Number.isInteger(q) && q >= 0));
  return ok ? { w, q } : "bad";
}

/**
 * True when the browser's cached tree for event `name` (its `claim`) is the
 * server's own answer: the event is cacheable, a claimed `q` is the
 * session's seq now (`seq`, before the answer), the
 * answer carries no stream ops (`o`) or title (`h`), which are not part of
 * the tree, and the HTML of the new `tree` (its components by `parts`)
 * hashes as the page the browser shows. The session then commits and sends a
 * reply instead of the diff.
 *
 * @example if (confirms(view, "search", claim, this.seq, tree, parts, o, h)) return this.emit({ t: S.reply, r: ref });
 */
export function confirms(view: ViewDefinition<unknown>, name: string, claim: CacheClaim | undefined, seq: number, tree: RenderedTree, parts: PartsLookup | undefined, o: unknown, h: unknown): boolean {
  if (claim === undefined || (claim.q !== undefined && claim.q !== seq) || o !== undefined || h !== undefined) return false;
  // An own handler only (never `__proto__` & co.; view.ts ownHandler, not imported: view.ts imports this file's checks).
  const spec = view.events !== undefined && Object.prototype.hasOwnProperty.call(view.events, name) ? view.events[name] : undefined;
  return typeof spec === "object" && spec.cache !== undefined && fnv(toHtml(tree, staticsOf, parts)) === claim.w;
}
