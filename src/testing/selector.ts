/**
 * The selector subset of the test kit, matched over {@link parseHtml}'s tree:
 * `tag`, `*`, `#id`, `.class`, `[attr]`, `[attr=value]` (value bare or quoted),
 * any compound of those (`button.primary[weft-click=inc]`), the descendant
 * (space) and child (`>`) combinators, and comma lists. Anything else
 * (pseudo-classes, `~`, `+`, `^=` …) is refused with E_TEST_SELECTOR rather
 * than guessed at, so a test never passes on a selector the kit misread.
 */
import { descendants, type TestElement } from "./dom.ts";
import { WeftTestError } from "./test-error.ts";

/** One compound selector: every part must hold for one element. */
interface Compound {
  tag?: string;
  id?: string;
  classes: string[];
  attrs: { name: string; value?: string }[];
}

/** A complex selector, right-most compound last; `combinators[i]` joins parts i and i+1. */
interface Complex {
  parts: Compound[];
  combinators: (" " | ">")[];
}

const NAME = "[A-Za-z_][-A-Za-z0-9_]*";
const ATTR_NAME = "[A-Za-z_:][-A-Za-z0-9_:.]*";
const TOKEN = new RegExp(
  `\\s*(>)\\s*|\\s*(,)\\s*|(\\s+)|(${NAME})|(\\*)|#(${NAME})|\\.(-?${NAME})|` +
  `\\[\\s*(${ATTR_NAME})\\s*(?:=\\s*(?:"([^"]*)"|'([^']*)'|([^\\]\\s"']+))\\s*)?\\]`,
  "y",
);

/**
 * Parses a selector of the supported subset; throws E_TEST_SELECTOR otherwise.
 *
 * @example
 * const sel = parseSelector("form#signup > button[type=submit]");
 */
export function parseSelector(selector: string): Complex[] {
  const list: Complex[] = [];
  let cur: Complex = { parts: [], combinators: [] };
  let compound: Compound | undefined;
  let pending: " " | ">" | undefined;
  const s = selector.trim();
  const fail = (why: string): never => {
    throw new WeftTestError("E_TEST_SELECTOR", `selector ${JSON.stringify(selector)}: ${why}`);
  };
  const close = (): void => {
    if (compound === undefined) return;
    if (cur.parts.length > 0) cur.combinators.push(pending ?? " ");
    cur.parts.push(compound);
    compound = undefined;
    pending = undefined;
  };
  let i = 0;
  while (i < s.length) {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (m === null) fail(`unsupported syntax at ${JSON.stringify(s.slice(i))}`);
    i = TOKEN.lastIndex;
    const [, child, comma, space, tag, star, id, cls, attr, dq, sq, bare] = m!;
    if (child !== undefined || comma !== undefined || space !== undefined) {
      if (compound === undefined && (comma !== undefined || cur.parts.length === 0 || pending !== undefined)) fail("a combinator or comma without a selector on each side");
      close();
      if (comma !== undefined) {
        list.push(cur);
        cur = { parts: [], combinators: [] };
      } else pending = child !== undefined ? ">" : " ";
      continue;
    }
    compound ??= { classes: [], attrs: [] };
    if (tag !== undefined || star !== undefined) {
      if (compound.tag !== undefined || compound.id !== undefined || compound.classes.length > 0 || compound.attrs.length > 0) fail("a tag name must come first in a compound");
      compound.tag = tag?.toLowerCase() ?? "*";
    } else if (id !== undefined) compound.id = id;
    else if (cls !== undefined) compound.classes.push(cls);
    else if (attr !== undefined) {
      const value = dq ?? sq ?? bare;
      compound.attrs.push(value === undefined ? { name: attr.toLowerCase() } : { name: attr.toLowerCase(), value });
    }
  }
  if (compound === undefined) fail("it ends without a selector");
  close();
  list.push(cur);
  return list;
}

/**
 * Every element under `root` that `selector` matches, in document order.
 *
 * @example
 * selectAll(parseHtml(view.html()), "li.done").length; // 2
 */
export function selectAll(root: TestElement, selector: string): TestElement[] {
  const list = parseSelector(selector);
  const out: TestElement[] = [];
  for (const el of descendants(root)) if (list.some((c) => matchesComplex(el, c, root))) out.push(el);
  return out;
}

function matchesComplex(el: TestElement, c: Complex, root: TestElement): boolean {
  return matchFrom(el, c, c.parts.length - 1, root);
}

/** Right to left, as browsers match: part `i` holds for `el`, and the parts before it for its ancestors. */
function matchFrom(el: TestElement, c: Complex, i: number, root: TestElement): boolean {
  if (!matchesCompound(el, c.parts[i]!)) return false;
  if (i === 0) return true;
  const combinator = c.combinators[i - 1];
  for (let a = el.parent; a !== undefined && a !== root; a = a.parent) {
    if (matchFrom(a, c, i - 1, root)) return true;
    if (combinator === ">") return false;
  }
  return false;
}

function matchesCompound(el: TestElement, p: Compound): boolean {
  if (p.tag !== undefined && p.tag !== "*" && p.tag !== el.tag) return false;
  if (p.id !== undefined && el.attrs.get("id") !== p.id) return false;
  if (p.classes.length > 0) {
    const have = (el.attrs.get("class") ?? "").split(/\s+/);
    if (!p.classes.every((k) => have.includes(k))) return false;
  }
  return p.attrs.every((a) => (a.value === undefined ? el.attrs.has(a.name) : el.attrs.get(a.name) === a.value));
}
