/**
 * Random pages for the htmx fragment tests (src/server/htmx/fragments.test.ts
 * applies the messages to a model of htmx; test/e2e/oob-fragments.test.ts to
 * real htmx 2 and htmx 4 in Chromium): trees of id'd and plain elements with
 * void, raw-text and template elements, comments, quoted ">" and unquoted
 * values, repeated ids; and random changes to them.
 */
import fc from "fast-check";


/** An element of a random page. */
export interface El {
  tag: string;
  id: string | undefined;
  cls: string | undefined;
  kids: Kid[];
}
export type Kid = El | string;

const TEXT = ["", " ", "\n  ", "a", "b c", "x&amp;y", "<!-- <i id=\"e0\">c</i> -->", "<br>", " <hr> ", "<input id=\"e1\" value=\"v>w\">"];
const CLASS = [undefined, "a", "x>y", "q'r"];
// Tags a browser nests as written whatever their parent (no <p>, <li>, table parts: a browser moves those).
const TAGS = ["div", "ul", "span", "b", "section", "textarea", "template", "br"];

export function render(kids: readonly Kid[]): string {
  let out = "";
  for (const k of kids) out += typeof k === "string" ? k : renderEl(k);
  return out;
}

function renderEl(e: El): string {
  const id = e.id === undefined ? "" : e.tag === "span" ? ` id=${e.id}` : ` id="${e.id}"`; // spans: unquoted ids
  const cls = e.cls === undefined ? "" : e.cls.includes("'") ? ` class="${e.cls}"` : ` class='${e.cls}'`;
  if (e.tag === "br") return `<br${id}${cls}>`;
  // Raw text: a tag inside is text, not an element.
  if (e.tag === "textarea") return `<textarea${id}${cls}><li id="t-${e.id ?? "x"}">no</li></textarea>`;
  return `<${e.tag}${id}${cls}>${render(e.kids)}</${e.tag}>`;
}

const leaf = fc.constantFrom(...TEXT);
const tree = fc.letrec<{ kid: Kid; el: El }>((tie) => ({
  kid: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("el")),
  el: fc.record({
    tag: fc.constantFrom(...TAGS),
    id: fc.constantFrom<string | undefined>(undefined, "id", "id", "dup"),
    cls: fc.constantFrom(...CLASS),
    kids: fc.array(tie("kid"), { maxLength: 4 }),
  }),
})).el;

/** A view's top level: mostly id'd elements (as a view written for htmx has), sometimes anything. */
export const topLevel = fc.oneof(
  { weight: 3, arbitrary: fc.array(tree.map((e) => ({ ...e, id: "id" })), { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(fc.oneof(tree, leaf), { minLength: 1, maxLength: 3 }) },
);

/** Gives ids: "id" becomes a fresh one, "dup" stays (repeated ids test that they are not addressed). */
export function numbered(kids: Kid[], n = { i: 0 }): Kid[] {
  for (const k of kids) {
    if (typeof k === "string") continue;
    if (k.id === "id") k.id = `e${n.i++}`;
    numbered(k.kids, n);
  }
  return kids;
}

export type Op =
  | { kind: "text"; at: number; text: string }
  | { kind: "append" | "prepend"; at: number; tag: string; fresh: boolean }
  | { kind: "remove"; at: number; which: number }
  | { kind: "class"; at: number; cls: string | undefined }
  | { kind: "move"; from: number; to: number };

export const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), at: fc.nat(), text: leaf }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom("append" as const, "prepend" as const), at: fc.nat(), tag: fc.constantFrom("i", "div", "br"), fresh: fc.boolean() }) },
  fc.record({ kind: fc.constant("remove" as const), at: fc.nat(), which: fc.nat() }),
  fc.record({ kind: fc.constant("class" as const), at: fc.nat(), cls: fc.constantFrom(...CLASS) }),
  fc.record({ kind: fc.constant("move" as const), from: fc.nat(), to: fc.nat() }),
);

/** Every element of the model that may hold children, the pseudo root (index 0) first. */
function containers(root: El): El[] {
  const out: El[] = [];
  const walk = (e: El) => {
    if (e.tag === "br" || e.tag === "textarea") return;
    out.push(e);
    for (const k of e.kids) if (typeof k !== "string") walk(k);
  };
  walk(root);
  return out;
}

export function mutate(root: El, o: Op, fresh: () => string): void {
  const all = containers(root);
  // Mostly inside the top level: a change there is mostly one that cannot be sent.
  const at = (i: number) => all[all.length > 1 && i % 5 !== 0 ? 1 + (i % (all.length - 1)) : i % all.length]!;
  switch (o.kind) {
    case "text": {
      const e = at(o.at);
      const i = e.kids.findIndex((k) => typeof k === "string");
      if (i >= 0) e.kids[i] = o.text;
      else e.kids.push(o.text);
      return;
    }
    case "append":
    case "prepend": {
      const e = at(o.at);
      const el: El = { tag: o.tag, id: o.fresh ? fresh() : undefined, cls: undefined, kids: o.tag === "br" ? [] : ["new"] };
      if (o.kind === "append") e.kids.push(el);
      else e.kids.unshift(el);
      return;
    }
    case "remove": {
      const e = at(o.at);
      if (e.kids.length > 0) e.kids.splice(o.which % e.kids.length, 1);
      return;
    }
    case "class":
      if (o.at % all.length !== 0) at(o.at).cls = o.cls;
      return;
    case "move": {
      const from = at(o.from);
      const i = from.kids.findIndex((k) => typeof k !== "string");
      if (i < 0) return;
      const [moved] = from.kids.splice(i, 1) as [El];
      const to = containers(root).filter((c) => c !== moved && !containers(moved).includes(c));
      to[o.to % to.length]!.kids.push(moved);
      return;
    }
  }
}

/** A page with a table (ids on its parts or not) and an svg: valid nesting, so that a browser parses it as written. */
export interface TablePage {
  tableId: boolean;
  headId: boolean;
  bodyId: boolean;
  head: string;
  rows: Array<{ id: number; cells: string[]; cellIds: boolean }>;
  svg: number;
  p: string;
}

export function renderTable(t: TablePage): string {
  const cells = (r: TablePage["rows"][number]) => r.cells.map((c, i) => `<td${r.cellIds ? ` id="c${r.id}-${i}"` : ""}>${c}</td>`).join("");
  return `<p id="pp">${t.p}</p><div><table${t.tableId ? ' id="tb"' : ""}><thead${t.headId ? ' id="th"' : ""}><tr><th>${t.head}</th></tr></thead>` +
    `<tbody${t.bodyId ? ' id="tbody"' : ""}>\n${t.rows.map((r) => `<tr id="r${r.id}">${cells(r)}</tr>\n`).join("")}</tbody></table></div>` +
    `<svg id="sv" viewBox="0 0 9 9"><g id="g"><circle id="ci" r="${t.svg}"/></g></svg>`;
}

const word = fc.constantFrom("a", "b", "c");
export const tablePage: fc.Arbitrary<TablePage> = fc.record({
  tableId: fc.boolean(), headId: fc.boolean(), bodyId: fc.boolean(), head: word,
  rows: fc.uniqueArray(fc.record({ id: fc.nat(9), cells: fc.array(word, { minLength: 1, maxLength: 2 }), cellIds: fc.boolean() }), { selector: (r) => r.id, maxLength: 5 }),
  svg: fc.nat(3), p: word,
});

export type TableOp =
  | { k: "cell"; i: number; v: string }
  | { k: "add"; end: boolean; id: number }
  | { k: "del"; i: number }
  | { k: "head" | "p"; v: string }
  | { k: "svg"; v: number };

export const tableOp: fc.Arbitrary<TableOp> = fc.oneof(
  fc.record({ k: fc.constant("cell" as const), i: fc.nat(), v: word }),
  fc.record({ k: fc.constant("add" as const), end: fc.boolean(), id: fc.integer({ min: 10, max: 19 }) }),
  fc.record({ k: fc.constant("del" as const), i: fc.nat() }),
  fc.record({ k: fc.constantFrom("head" as const, "p" as const), v: word }),
  fc.record({ k: fc.constant("svg" as const), v: fc.nat(3) }),
);

/** Applies `o` to `t` in place. */
export function changeTable(t: TablePage, o: TableOp): void {
  if (o.k === "cell" && t.rows.length > 0) t.rows[o.i % t.rows.length]!.cells[0] = o.v;
  else if (o.k === "add" && !t.rows.some((r) => r.id === o.id)) {
    const r = { id: o.id, cells: ["n"], cellIds: false };
    if (o.end) t.rows.push(r);
    else t.rows.unshift(r);
  } else if (o.k === "del" && t.rows.length > 0) t.rows.splice(o.i % t.rows.length, 1);
  else if (o.k === "head") t.head = o.v;
  else if (o.k === "p") t.p = o.v;
  else if (o.k === "svg") t.svg = o.v;
}
