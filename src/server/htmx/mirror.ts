/**
 * The rendered tree of one htmx stream's view, kept on the server as a
 * browser client would keep it: `rendered` and `diff` envelopes of the live
 * session are applied with the protocol's own tree algebra (protocol/tree.ts,
 * as src/testing/mounted-view.ts does), the HTML is rebuilt, and what changed
 * between two renders is turned into htmx out-of-band fragments by element id
 * (fragments.ts). An htmx page cannot apply a Weft diff; this is what turns
 * the session's stream into something it can swap.
 *
 * Invariants: the tree here is a private copy (an envelope's `d` and `p` are
 * the session's own objects, kept in its outbox, and `applyDiff` patches in
 * place); once a diff does not fit (a Weft bug or a missed frame), the mirror
 * is `broken` and ignores diffs until the next full render replaces it.
 */
import { kindOf, S, type Envelope, type RenderedTree, type TreeDiff } from "../../protocol/messages.ts";
import { applyDiff, applyParts, toHtml } from "../../protocol/tree.ts";
import { changeMessage, fullMessage, parseFragments, type FragmentDoc } from "./fragments.ts";

/** What applying one envelope gives the stream to send. */
export interface MirrorStep {
  /** The OOB fragments to send ("" when nothing a page shows changed). */
  readonly html: string;
  /** True for a full render: every id'd element, what a (re)connecting page needs. */
  readonly full: boolean;
  /** A change lies outside every id'd element: it could not be sent (the caller warns once per view). */
  readonly outside: boolean;
  /** The envelope carried stream operations (`ctx.stream`), which htmx pages do not get (the caller warns once per view). */
  readonly streams: boolean;
}

/**
 * One htmx stream's copy of its view's rendered tree and HTML.
 *
 * @example
 * const m = new HtmxMirror();
 * m.apply({ t: "f", q: 1, d: { s: 0, d: ["1"] }, s: { 0: ['<p id="n">', "</p>"] } });
 * // { html: '<p id="n" hx-swap-oob="true">1</p>', full: true, outside: false, streams: false }
 * m.apply({ q: 2, d: { 0: "2" } }); // { html: '<p id="n" hx-swap-oob="true">2</p>', full: false, … }
 * m.seq; // 2
 */
export class HtmxMirror {
  /** The seq of the last envelope of the session this stream has taken (every kind counts): a rejoin resumes after it. */
  seq = 0;
  /** A diff did not fit: diffs are ignored until a full render arrives (the caller asks the session for one). */
  broken = false;
  private tree: RenderedTree | undefined;
  private parts = new Map<string, RenderedTree>();
  private readonly statics = new Map<number, readonly string[]>();
  private doc: FragmentDoc | undefined;

  /** Notes that the envelope with seq `q` reached the stream (any kind); envelopes outside the view's stream carry none. */
  saw(q: number | undefined): void {
    if (q !== undefined && q > this.seq) this.seq = q;
  }

  /**
   * Applies a `rendered` or `diff` envelope; undefined for other kinds, and
   * for a diff while broken. Throws a `TypeError` when the envelope does not
   * fit the tree (the mirror is then broken).
   */
  apply(env: Envelope): MirrorStep | undefined {
    const kind = kindOf(env);
    if (kind !== S.rendered && kind !== S.diff) return undefined;
    this.saw(env.q);
    const full = kind === S.rendered;
    if (!full && (this.broken || this.tree === undefined)) return undefined;
    const streams = env.o !== undefined && env.o.length > 0;
    try {
      for (const [id, strings] of Object.entries(env.s ?? {})) this.statics.set(Number(id), strings);
      // Copies: the session keeps these objects (its tree, its outbox) and applyDiff patches in place.
      const d = env.d === undefined ? undefined : (structuredClone(env.d) as TreeDiff);
      const parts = full ? new Map<string, RenderedTree>() : this.parts;
      const tree = full ? (d as RenderedTree) : d === undefined ? this.tree! : applyDiff(this.tree, d);
      applyParts(parts, env.p === undefined ? undefined : structuredClone(env.p));
      const html = toHtml(tree, (id) => this.statics.get(id), (id) => parts.get(id));
      const prev = this.doc;
      this.tree = tree;
      this.parts = parts;
      this.broken = false;
      // The same HTML as before (a diff that changed nothing a page shows): no parse, no comparison.
      if (!full && prev !== undefined && html === prev.html) return { html: "", full: false, outside: false, streams };
      const next = parseFragments(html);
      this.doc = next;
      if (full || prev === undefined) return { html: fullMessage(next), full: true, outside: false, streams };
      const change = changeMessage(prev, next);
      return { html: change.html, full: false, outside: change.outside, streams };
    } catch (err) {
      this.broken = true;
      throw err;
    }
  }

  /** Every id'd element of the current render ("" before the first): what a page that missed messages needs. */
  full(): string {
    return this.doc === undefined ? "" : fullMessage(this.doc);
  }
}
