/**
 * Who is signed in, as a rejoin compares it. At every (re)join `authorize`
 * runs again on the real request; the view goes on only when the identity it
 * returns is the one the page was rendered for. Comparing the whole session
 * data would kill a view for a changed key order or a refreshed timestamp,
 * so an identity is compared instead:
 *
 * - the `identity(session)` option when given (say, `(s) => s.userId`);
 * - else `session.id` when it is a string or a number;
 * - else the whole session data, compared structurally (keys sorted at every
 *   level, so key order never matters; values must be equal).
 */
import type { SessionData } from "./view.ts";

/** Picks what identifies the signed-in user from `authorize`'s session data. */
export type IdentityOf = (session: SessionData) => unknown;

/**
 * The default identity: `session.id` when it is a string or a number, else
 * the whole session data.
 *
 * @example
 * defaultIdentity({ id: "u1", at: 1712 }); // "u1"
 * defaultIdentity({ role: "admin" });      // { role: "admin" }
 */
export function defaultIdentity(session: SessionData): unknown {
  const id = session.id;
  return typeof id === "string" || typeof id === "number" ? id : session;
}

/**
 * True when `a` and `b` are the same identity per `identity`, compared
 * structurally (object keys in any order).
 *
 * @example
 * sameIdentity(defaultIdentity, { id: 7, at: 1 }, { at: 2, id: 7 }); // true
 * sameIdentity(defaultIdentity, { b: 1, a: 2 }, { a: 2, b: 1 });     // true
 */
export function sameIdentity(identity: IdentityOf, a: SessionData, b: SessionData): boolean {
  return canonical(identity(a)) === canonical(identity(b));
}

/** JSON with the keys of every object sorted (an undefined member is no member, as in JSON). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  }) ?? "undefined";
}
