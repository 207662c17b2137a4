/**
 * Puts OOB fragments into one message a browser parses as written.
 *
 * htmx 2 (`makeFragment`) and htmx 4 (`#makeFragment`) parse a message inside
 * a `<template>`, whose parsing mode the FIRST element fixes (HTML spec, "in
 * template" insertion mode): after a `<tr>` a `<tbody>` start tag is dropped;
 * after a `<p>` a `<tr>` is; after a `<tbody>` a `<tr>` gets an implied
 * `<tbody>` around it (no longer top-level: htmx 2's ws extension swaps only
 * top-level elements). So a message holds table parts of one kind (rows,
 * cells, or sections), first, then any other elements; a table part of
 * another kind is sent as its nearest id'd ancestor that fits (a section
 * holding the rows, or the table), whole. An element inside `<svg>`/`<math>`
 * sent alone would be parsed as HTML: it too goes as its nearest id'd
 * ancestor outside it (or the `<svg>`).
 * A deletion is a `<template>` element, which fits in every mode.
 */
import { escapeHtml } from "../template/escape.ts";
import type { Fragment } from "./fragment-doc.ts";

/**
 * One fragment of a message: `owner` is the element it is (whole), the
 * container it inserts into, or (delete) the container of the deleted element
 * in the new render (undefined at the top level).
 *
 * @example
 * const piece: Piece = { kind: "whole", html: '<p id="n" hx-swap-oob="true">2</p>', owner: doc.ids.get("n") };
 */
export interface Piece {
  readonly kind: "whole" | "insert" | "delete";
  readonly html: string;
  readonly owner: Fragment | undefined;
}

type Kind = "body" | "row" | "cell" | "section" | "alone";

const TABLE: Record<string, Kind> = { tr: "row", td: "cell", th: "cell", tbody: "section", thead: "section", tfoot: "section", caption: "section", colgroup: "section" };

/** How `f` parses at the start of a template: as in a body, as a table part, or (a `<col>`, foreign content) only in its place. */
function kindOf(f: Fragment): Kind {
  if (f.foreign || f.tag === "col") return "alone";
  return TABLE[f.tag] ?? "body";
}

/**
 * The pieces as one message: table parts of the most frequent kind first,
 * then the rest. With `escalate`, a piece that cannot share the message is
 * replaced by its nearest id'd ancestor that can, sent whole (`whole(f)`), and pieces
 * inside that ancestor are dropped; `unsent` says some piece had no such
 * ancestor and was dropped. Without, every piece is kept (some may not apply).
 *
 * @example
 * assemble([deletePiece, rowPiece, paragraphPiece], (f) => wholeHtml(f), true).html;
 * // the row first, then the paragraph, then the <template> deletion
 */
export function assemble(pieces: readonly Piece[], whole: (f: Fragment) => string, escalate: boolean): { html: string; unsent: boolean } {
  const kinds = pieces.map((p) => (p.kind === "delete" ? "body" : kindOf(p.owner!)));
  const table = mostFrequentTablePart(kinds);
  const fits = (k: Kind) => k === "body" || k === table;
  let kept = pieces.map((p, i) => ({ p, k: kinds[i]! }));
  let unsent = false;
  if (escalate && !kinds.every(fits)) {
    const targets = new Set<Fragment>();
    for (const { p, k } of kept) {
      if (fits(k)) continue;
      const a = ancestor(p.owner!.parent, fits);
      if (a === undefined) unsent = true;
      else targets.add(a);
    }
    kept = kept.filter(({ p, k }) => fits(k) && !within(p.owner, targets));
    for (const t of targets) if (!within(t.parent, targets)) kept.push({ p: { kind: "whole", html: whole(t), owner: t }, k: kindOf(t) });
  }
  const first = kept.filter(({ k }) => k !== "body");
  const rest = kept.filter(({ k }) => k === "body");
  return { html: [...first, ...rest].map(({ p }) => p.html).join("\n"), unsent };
}

function mostFrequentTablePart(kinds: readonly Kind[]): Kind | undefined {
  const counts = new Map<Kind, number>();
  for (const k of kinds) if (k !== "body" && k !== "alone") counts.set(k, (counts.get(k) ?? 0) + 1);
  let best: Kind | undefined;
  for (const [k, n] of counts) if (best === undefined || n > counts.get(best)!) best = k;
  return best;
}

/** The nearest of `f` and its id'd ancestors whose kind fits the message. */
function ancestor(f: Fragment | undefined, fits: (k: Kind) => boolean): Fragment | undefined {
  for (let a = f; a !== undefined; a = a.parent) if (fits(kindOf(a))) return a;
  return undefined;
}

/** `f` is one of `targets` or inside one. */
function within(f: Fragment | undefined, targets: ReadonlySet<Fragment>): boolean {
  for (let a = f; a !== undefined; a = a.parent) if (targets.has(a)) return true;
  return false;
}

/**
 * The deletion of the element with id `id`: a `<template>` (it parses the same
 * in every template mode) whose `hx-swap-oob` names its target,
 * `delete:#id`. The id is written with CSS hex escapes for every character
 * but letters, digits, `_` and `-`, so that no `,` (htmx 2 splits selectors
 * there), `:` (htmx 4 splits the swap style there) or space is left in it.
 *
 * @example
 * deletion("row:1"); // '<template hx-swap-oob="delete:#row\3a 1"></template>'
 */
export function deletion(id: string): string {
  return `<template hx-swap-oob="${escapeHtml(`delete:#${cssId(id)}`)}"></template>`;
}

function cssId(id: string): string {
  let out = "";
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
    // A digit may not start an identifier, nor follow a leading "-"; a lone "-" is no identifier.
    const digit = c >= 48 && c <= 57 && i > 0 && !(i === 1 && id.charCodeAt(0) === 45);
    const dash = c === 45 && id.length > 1;
    out += letter || digit || dash ? id[i] : `\\${c.toString(16)} `;
  }
  return out;
}
