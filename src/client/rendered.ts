/**
 * One view's rendered tree and statics cache, pure: it merges what the server
 * sends and builds the view's HTML. Never touches `document`, so it runs (and is
 * tested) in Node. The tree algebra itself lives in protocol/tree.ts, shared
 * with the server; this file adds the per-view state and its invariants.
 */
import type { RenderedTree, TreeDiff } from "../protocol/messages.ts";
import { applyDiff, applyParts, toHtml } from "../protocol/tree.ts";

/**
 * The client's copy of a view's tree (made by {@link createRendered}).
 *
 * Invariant: after a failed {@link Rendered.diff} or {@link Rendered.full} the
 * tree is dropped (`hasTree` is false), because `applyDiff` mutates in place and
 * a half-applied diff must never be patched onto the page or resumed from. The
 * owner then rejoins without a seq and gets a full render.
 *
 * Statics survive a dropped tree and a rejoin: fingerprint ids are stable for a
 * view session, and the server resends any table it is unsure the client holds.
 *
 * @example
 * const r = createRendered();
 * r.full({ s: 0, d: ["1"] }, { 0: ["<b>", "</b>"] }); // "<b>1</b>"
 * r.diff({ 0: "2" });                                  // "<b>2</b>"
 */
export interface Rendered {
  /**
   * True when the client holds a tree it can apply diffs to (and so may resume
   * from its last seq on a rejoin).
   *
   * @example
   * if (!rendered.hasTree) join({ k: token }); // no `q`: ask for a full render
   */
  readonly hasTree: boolean;
  /**
   * Replaces the tree with a full render and returns its HTML.
   * Throws a `TypeError` (and drops the tree) when the render does not build.
   *
   * @example
   * const html = rendered.full(msg.d, msg.s, msg.p);
   */
  full(tree: unknown, statics?: unknown, parts?: unknown): string;
  /**
   * Applies a diff and returns the new HTML.
   * Throws a `TypeError` (and drops the tree) when the diff does not fit.
   *
   * A component's own event comes with `parts` (`p`) and no `diff`.
   *
   * @example
   * const html = rendered.diff(msg.d, msg.s, msg.p);
   */
  diff(diff: unknown, statics?: unknown, parts?: unknown): string;
  /**
   * The tree and its components as the JSON text of a diff that replaces
   * them (the event cache keeps it, event-cache.ts), or undefined without a tree.
   *
   * @example
   * view.receive(JSON.parse(rendered.snap()!)); // back to this tree later
   */
  snap(): string | undefined;
  /**
   * Forgets the tree (keeps the statics), so the next join asks for a full render.
   *
   * @example
   * rendered.reset(); // after a seq gap
   */
  reset(): void;
}

/**
 * An empty tree and statics cache (a closure, not a class: its state is local
 * variables, which the minifier shortens to a letter each).
 *
 * @example
 * const rendered = createRendered();
 */
export function createRendered(): Rendered {
  let tree: RenderedTree | undefined;
  /** Component trees by id (`p` of the envelopes); replaced by a full render. */
  let parts = new Map<string, RenderedTree>();
  const statics = new Map<number, readonly string[]>();

  /** Merges statics (`table`, later tables win: a full render resends what it uses), computes the next tree, builds it; all or nothing. */
  const attempt = (table: unknown, next: () => RenderedTree): string => {
    try {
      if (table !== undefined) {
        if (typeof table !== "object" || table === null) throw new TypeError("bad statics");
        for (const [key, strings] of Object.entries(table)) {
          const id = Number(key);
          if (!Number.isInteger(id) || !Array.isArray(strings) || !strings.every((x) => typeof x === "string")) {
            throw new TypeError(`bad statics ${key}`);
          }
          statics.set(id, strings as string[]);
        }
      }
      const t = next();
      const html = toHtml(t, (id) => statics.get(id), (id) => parts.get(id));
      tree = t;
      return html;
    } catch (err) {
      tree = undefined;
      throw err;
    }
  };

  return {
    get hasTree() {
      return tree !== undefined;
    },
    full: (t, s, p) =>
      attempt(s, () => {
        applyParts((parts = new Map()), p);
        return t as RenderedTree;
      }),
    diff: (d, s, p) =>
      attempt(s, () => {
        if (tree === undefined) throw new TypeError("diff before a render");
        applyParts(parts, p);
        return d === undefined ? tree : applyDiff(tree, d as TreeDiff);
      }),
    snap: () => tree && JSON.stringify({ d: tree, p: Object.fromEntries(parts) }),
    reset: () => void (tree = undefined),
  };
}
