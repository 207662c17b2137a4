/**
 * One view's rendered tree and statics cache, pure: it merges what the server
 * sends and builds the view's HTML. Never touches `document`, so it runs (and is
 * tested) in Node. The tree algebra itself lives in protocol/tree.ts, shared
 * with the server; this file adds the per-view state and its invariants.
 */
import type { RenderedTree, TreeDiff } from "../protocol/messages.ts";
import { applyDiff, applyParts, toHtml } from "../protocol/tree.ts";

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
  /** Component trees by id (`p` of the envelopes); replaced by a full render. */
  private parts = new Map<string, RenderedTree>();
  private readonly statics = new Map<number, readonly string[]>();
  private readonly lookup = (id: number): readonly string[] | undefined => this.statics.get(id);
  private readonly part = (id: string): RenderedTree | undefined => this.parts.get(id);

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
   * const html = rendered.full(msg.d, msg.s, msg.p);
   */
  full(tree: unknown, statics?: unknown, parts?: unknown): string {
    return this.attempt(statics, () => {
      this.parts = new Map();
      applyParts(this.parts, parts);
      return tree as RenderedTree;
    });
  }

  /**
   * Applies a diff and returns the new HTML.
   * Throws a `TypeError` (and drops the tree) when the diff does not fit.
   *
   * A component's own event comes with `parts` (`p`) and no `diff`.
   *
   * @example
   * const html = rendered.diff(msg.d, msg.s, msg.p);
   */
  diff(diff: unknown, statics?: unknown, parts?: unknown): string {
    return this.attempt(statics, () => {
      if (this.tree === undefined) throw new TypeError("diff before a render");
      applyParts(this.parts, parts);
      return diff === undefined ? this.tree : applyDiff(this.tree, diff as TreeDiff);
    });
  }

  /**
   * The tree and its components as the JSON text of a diff that replaces
   * them (the event cache keeps it, event-cache.ts), or undefined without a tree.
   *
   * @example
   * view.receive(JSON.parse(rendered.snap()!)); // back to this tree later
   */
  snap(): string | undefined {
    return this.tree && JSON.stringify({ d: this.tree, p: Object.fromEntries(this.parts) });
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
      const html = toHtml(tree, this.lookup, this.part);
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
    if (typeof table !== "object" || table === null) throw new TypeError("bad statics");
    for (const [key, strings] of Object.entries(table)) {
      const id = Number(key);
      if (!Number.isInteger(id) || !Array.isArray(strings) || !strings.every((x) => typeof x === "string")) {
        throw new TypeError(`bad statics ${key}`);
      }
      this.statics.set(id, strings as string[]);
    }
  }
}
