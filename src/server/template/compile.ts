/**
 * Compiling a template's statics, once per call site. The strings array of a
 * tagged template is the same object for every call from one source location
 * (ECMA-262 GetTemplateObject), so it is the template's fingerprint: it is
 * compiled once, cached in a WeakMap, and given a small id that the wire uses.
 *
 * Compiling (scanner.ts) finds each hole's context — text, attribute value,
 * URL, comment, a position that only `raw()` may fill — and adds quotes around
 * holes that stand as unquoted attribute values, so that escaping
 * `& < > " '` is always enough where escaping is allowed at all. All context
 * analysis happens here; rendering only looks the context up.
 */
import type { Hole } from "./holes.ts";
import { scan, type UrlPlan } from "./scanner.ts";

export type { UrlPlan } from "./scanner.ts";

/** A compiled template. */
export interface Compiled {
  /** Fingerprint id: small, per process. */
  readonly id: number;
  /** Statics as sent and rendered (quotes added where needed). */
  readonly statics: readonly string[];
  /** Context of each hole. */
  readonly holes: readonly Hole[];
  /** `Hole.Whole`: the attribute name as written; `Hole.Refuse`/`Hole.Body`: why the position takes raw() only. */
  readonly names: readonly (string | undefined)[];
  /** `Hole.Whole`: the attribute's URL kind (url-check.ts), 0 for none, -1 for a script attribute; `Hole.Body`: 1 in a script. */
  readonly kinds: readonly number[];
  /** `Hole.Url`: on the last hole of an attribute value, the check of the whole value. */
  readonly plans: readonly (UrlPlan | undefined)[];
}

const cache = new WeakMap<TemplateStringsArray, Compiled>();
const byId: (readonly string[])[] = [];

/** Statics of a fingerprint id (for the wire). */
export function staticsOf(id: number): readonly string[] | undefined {
  return byId[id];
}

/** Compiles (once) and returns the template for a strings array. */
export function compile(strings: TemplateStringsArray): Compiled {
  let c = cache.get(strings);
  if (c === undefined) {
    const s = scan(strings);
    c = { id: byId.length, statics: s.statics, holes: s.holes, names: s.names, kinds: s.kinds, plans: s.plans };
    cache.set(strings, c);
    byId[c.id] = c.statics;
  }
  return c;
}
