/**
 * One view's rendered tree and statics cache, pure: it merges what the server
 * sends and builds the view's HTML. Never touches `document`, so it runs (and is
 * tested) in Node. The tree algebra itself lives in protocol/tree.ts, shared
 * with the server; this file adds the per-view state and its invariants.
 */
import type { RenderedTree, TreeDiff } from "../protocol/messages.ts";
import { applyDiff, toHtml } from "../protocol/tree.ts";

/**
 * The client's copy of a view's tree.
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
 * const r = new Rendered();
 * r.full({ s: 0, d: ["1"] }, { 0: ["<b>", "</b>"] }); // "<b>1</b>"
 * r.diff({ 0: "2" });                                  // "<b>2</b>"
 */
export class Rendered {
  private tree: RenderedTree | undefined;
  private readonly statics = new Map<number, readonly string[]>();
  private readonly lookup = (id: number): readonly string[] | undefined => this.statics.get(id);

  /**
   * True when the client holds a tree it can apply diffs to (and so may resume
   * from its last seq on a rejoin).
   *
   * @example
   * if (!rendered.hasTree) join({ k: token }); // no `q`: ask for a full render
   */
  get hasTree(): boolean {
    return this.tree !== undefined;
  }

  /**
   * Replaces the tree with a full render and returns its HTML.
   * Throws a `TypeError` (and drops the tree) when the render does not build.
   *
   * @example
   * const html = rendered.full(msg.d, msg.s);
   */
  full(tree: unknown, statics?: unknown): string {
    return this.attempt(statics, () => tree as RenderedTree);
  }

  /**
   * Applies a diff and returns the new HTML.
   * Throws a `TypeError` (and drops the tree) when the diff does not fit.
   *
   * @example
   * const html = rendered.diff(msg.d, msg.s);
   */
  diff(diff: unknown, statics?: unknown): string {
    return this.attempt(statics, () => {
      if (this.tree === undefined) throw new TypeError("diff before a full render");
      return applyDiff(this.tree, diff as TreeDiff);
    });
  }

  /**
   * Forgets the tree (keeps the statics), so the next join asks for a full render.
   *
   * @example
   * rendered.reset(); // after a seq gap
   */
  reset(): void {
    this.tree = undefined;
  }

  /** Merges statics, computes the next tree, builds it; all or nothing. */
  private attempt(statics: unknown, next: () => RenderedTree): string {
    try {
      this.merge(statics);
      const tree = next();
      const html = toHtml(tree, this.lookup);
      this.tree = tree;
      return html;
    } catch (err) {
      this.tree = undefined;
      throw err;
    }
  }

  /** Merges a statics table (`s` of an envelope). Later tables win: a full render resends what it uses. */
  private merge(table: unknown): void {
    if (table === undefined) return;
    if (typeof table !== "object" || table === null) throw new TypeError("statics table is not an object");
    for (const [key, strings] of Object.entries(table)) {
      const id = Number(key);
      if (!Number.isInteger(id) || !Array.isArray(strings) || !strings.every((x) => typeof x === "string")) {
        throw new TypeError(`bad statics entry ${key}`);
      }
      this.statics.set(id, strings as string[]);
    }
  }
}
