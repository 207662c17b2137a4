/**
 * htmx OOB fragments. The property: for random trees of id'd and plain
 * elements and random changes, the change message applied to the old page the
 * way htmx applies it (htmx 2 one fragment after the other, htmx 4 with every
 * target found first) gives the new page, whenever nothing changed outside
 * every id'd element; and the full message covers every id'd element.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { parseHtml, type HtmlElement } from "../html/parse.ts";
import { changeMessage, errorFragment, fullMessage, parseFragments } from "./fragments.ts";
import { type El, mutate, numbered, op, render, topLevel } from "../../../test/support/oob-pages.ts";

// ---------------------------------------------------------------- htmx, modelled

interface Node {
  tag: string;
  attrs: Map<string, string>;
  kids: Array<Node | string>;
  parent: Node | undefined;
}

function toNode(e: HtmlElement, parent: Node | undefined): Node {
  const n: Node = { tag: e.tag, attrs: new Map(e.attrs), kids: [], parent };
  for (const c of e.children) n.kids.push(c.kind === "text" ? c.text : toNode(c, n));
  return n;
}

function clone(n: Node, parent: Node | undefined): Node {
  const c: Node = { tag: n.tag, attrs: new Map(n.attrs), kids: [], parent };
  for (const k of n.kids) c.kids.push(typeof k === "string" ? k : clone(k, c));
  return c;
}

/** `querySelectorAll("#id")`: every element with that id, template content excluded. */
function byId(root: Node, id: string): Node[] {
  const out: Node[] = [];
  const walk = (n: Node) => {
    for (const k of n.kids) {
      if (typeof k === "string") continue;
      if (k.attrs.get("id") === id) out.push(k);
      if (k.tag !== "template") walk(k);
    }
  };
  walk(root);
  return out;
}

function adopt(kids: Array<Node | string>, parent: Node): Array<Node | string> {
  return kids.map((k) => (typeof k === "string" ? k : clone(k, parent)));
}

function swap(target: Node, frag: Node, how: string): void {
  const parent = target.parent;
  if (how === "true") {
    if (parent === undefined) return;
    const c = clone(frag, parent);
    c.attrs.delete("hx-swap-oob");
    parent.kids.splice(parent.kids.indexOf(target), 1, c);
    target.parent = undefined;
  } else if (how === "beforeend") target.kids.push(...adopt(frag.kids, target));
  else if (how === "afterbegin") target.kids.unshift(...adopt(frag.kids, target));
  else if (how === "delete") {
    if (parent === undefined) return;
    parent.kids.splice(parent.kids.indexOf(target), 1);
    target.parent = undefined;
  } else throw new Error(`unexpected hx-swap-oob ${how}`);
}

/**
 * Applies an OOB message to a page: each top-level element swapped into every
 * element with its id. `upfront`: targets found before any swap (htmx 4);
 * else each fragment in turn finds its targets (htmx 2 ext-ws oobSwap).
 */
function applyOob(page: string, message: string, upfront: boolean): string {
  const root = toNode(parseHtml(page), undefined);
  const frags = parseHtml(message).children.filter((c): c is HtmlElement => c.kind === "element").map((e) => toNode(e, undefined));
  const specs = frags.map((f) => {
    const oob = f.attrs.get("hx-swap-oob");
    assert.ok(oob !== undefined, "every fragment carries hx-swap-oob");
    const colon = oob.indexOf(":"); // "style:#selector", as both generations read it
    if (colon < 0) return { how: oob, id: f.attrs.get("id") ?? "" };
    assert.equal(oob[colon + 1], "#", "only id selectors");
    return { how: oob.slice(0, colon), id: cssUnescape(oob.slice(colon + 2)) };
  });
  const found = specs.map((s) => (upfront ? byId(root, s.id) : []));
  frags.forEach((f, i) => {
    for (const t of upfront ? found[i]! : byId(root, specs[i]!.id)) swap(t, f, specs[i]!.how);
  });
  return shown(root);
}

/** A CSS identifier's escapes (`\3a ` and `\:`) read back. */
function cssUnescape(s: string): string {
  return s.replace(/\\([0-9a-fA-F]{1,6}) ?|\\(.)/g, (_, hex: string | undefined, ch: string | undefined) => (hex !== undefined ? String.fromCodePoint(parseInt(hex, 16)) : ch!));
}

/** A page as it shows: adjacent text joined, whitespace-only text dropped. */
function shown(n: Node): string {
  let out = "";
  let text = "";
  const flush = () => {
    if (!/^[ \t\n\f\r]*$/.test(text)) out += JSON.stringify(text);
    text = "";
  };
  for (const k of n.kids) {
    if (typeof k === "string") { text += k; continue; }
    flush();
    out += `<${k.tag}${[...k.attrs].map(([a, v]) => ` ${a}=${JSON.stringify(v)}`).join("")}>${shown(k)}</${k.tag}>`;
  }
  flush();
  return out;
}

const page = (html: string) => shown(toNode(parseHtml(html), undefined));

// ---------------------------------------------------------------- the properties

describe("htmx fragments (property)", () => {
  it("turns the old page into the new one, applied as htmx 2 and htmx 4 apply it, unless the change lies outside every id'd element", () => {
    let inside = 0;
    let runs = 0;
    fc.assert(
      fc.property(topLevel, fc.array(op, { minLength: 1, maxLength: 4 }), (kids, ops) => {
        const root: El = { tag: "#root", id: undefined, cls: undefined, kids: numbered(structuredClone(kids)) };
        const before = render(root.kids);
        let n = 0;
        for (const o of ops) mutate(root, o, () => `n${n++}`);
        const after = render(root.kids);
        const { html, outside } = changeMessage(parseFragments(before), parseFragments(after));
        runs++;
        if (before === after) assert.equal(html, "");
        if (outside) return;
        inside++;
        for (const upfront of [false, true]) {
          assert.equal(applyOob(before, html, upfront), page(after), `${upfront ? "htmx 4" : "htmx 2"}: ${JSON.stringify({ before, after, html })}`);
        }
      }),
      { numRuns: 200 },
    );
    assert.ok(inside > runs / 2, `most changes are sendable (${inside} of ${runs})`);
  });

  it("the full message holds every id'd element, each outermost one marked, and rebuilds a page with the same top level", () => {
    fc.assert(
      fc.property(topLevel, fc.array(op, { maxLength: 3 }), (kids, ops) => {
        const root: El = { tag: "#root", id: undefined, cls: undefined, kids: numbered(structuredClone(kids)) };
        const before = render(root.kids);
        for (const o of ops) if (o.kind === "text" || o.kind === "class") mutate(root, o, () => "");
        const after = render(root.kids);
        const doc = parseFragments(after);
        const full = fullMessage(doc);
        const msg = toNode(parseHtml(full), undefined);
        const ids = new Set<string>();
        const walk = (n: Node) => {
          for (const k of n.kids) {
            if (typeof k === "string") continue;
            const id = k.attrs.get("id");
            if (id !== undefined && doc.ids.has(id)) ids.add(id);
            if (k.tag !== "template") walk(k);
          }
        };
        walk(msg);
        assert.deepEqual([...ids].sort(), [...doc.ids.keys()].sort());
        for (const k of msg.kids) if (typeof k !== "string") assert.equal(k.attrs.get("hx-swap-oob"), "true");
        const old = parseFragments(before);
        if (old.parts.join("\u0000") === doc.parts.join("\u0000") && old.top.map((f) => f.id).join() === doc.top.map((f) => f.id).join()) {
          assert.equal(applyOob(before, full, false), page(after));
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("htmx fragments (hostile HTML)", () => {
  it("never throws on any HTML raw() may hold, and every fragment it writes carries hx-swap-oob", () => {
    const bit = fc.constantFrom("<", ">", "/", "</", "<div", "<p", "<svg", "<tr", "<tbody", "<template>", "<textarea>", "</div>", "</svg>", " ", "\n", "=",
      '"', "'", "id", " id=", ' id="a"', " id=b", ' id="a:b, c"', " hx-swap-oob=x", "<!--", "-->", "<br/>", "&amp;", "&#0;", "x", "\u0000", "\u00a0");
    fc.assert(
      fc.property(fc.array(bit, { maxLength: 60 }), fc.array(bit, { maxLength: 60 }), (a, b) => {
        const prev = parseFragments(a.join(""));
        const next = parseFragments(b.join(""));
        const change = changeMessage(prev, next);
        for (const message of [change.html, fullMessage(next)]) {
          for (const el of parseHtml(message).children) if (el.kind === "element") assert.ok(el.attrs.has("hx-swap-oob"), message);
        }
        if (!change.outside) assert.equal(applyOob(prev.html, change.html, false), page(next.html), JSON.stringify([prev.html, next.html, change.html]));
      }),
      { numRuns: 200 },
    );
  });
});

// ---------------------------------------------------------------- examples

const change = (a: string, b: string) => changeMessage(parseFragments(a), parseFragments(b));

describe("parseFragments", () => {
  it("reads void elements, raw text, comments, quoted '>' and unquoted values", () => {
    const doc = parseFragments(
      '<div id=a title="x>y" data-q=\'<p id="n1">\'><br id=b><input id="c" value=">"><script id="s">if (a<b) "<p id=\\"n2\\">"</script>' +
        '<textarea id="t"><li id="n3"></li></textarea><!-- <b id="n4"></b> --><i id=d>x</i></div>',
    );
    assert.deepEqual([...doc.ids.keys()], ["a", "b", "c", "s", "t", "d"], "in document order");
    const a = doc.top[0]!;
    assert.deepEqual(a.children.map((f) => f.id), ["b", "c", "s", "t", "d"]);
    assert.equal(doc.html.slice(a.start, a.openEnd), '<div id=a title="x>y" data-q=\'<p id="n1">\'>');
    const d = a.children[4]!;
    assert.equal(doc.html.slice(d.start, d.end), "<i id=d>x</i>");
    assert.equal(a.parts.join("|"), "||||<!-- <b id=\"n4\"></b> -->|");
  });

  it("addresses no element whose id repeats, nor one inside a template", () => {
    const doc = parseFragments('<p id="x">1</p><div id="w"><p id="x">2</p><i id="y"></i></div><template><b id="t"></b><b id="y"></b></template>');
    assert.deepEqual([...doc.ids.keys()].sort(), ["w", "y"]);
    assert.deepEqual(doc.top.map((f) => f.id), ["w"]);
  });

  it("parses deeply nested HTML without recursion", () => {
    const deep = '<div id="d">'.repeat(20_000);
    const a = parseFragments(deep + "a");
    const b = parseFragments(deep + "b");
    assert.equal(a.ids.size, 0, "one id, repeated: none addressable");
    const ids = (s: string) => Array.from({ length: 20_000 }, (_, i) => `<div id="d${i}">`).join("") + s;
    const { html, outside } = changeMessage(parseFragments(ids("a")), parseFragments(ids("b")));
    assert.equal(outside, false);
    assert.ok(html.startsWith('<div id="d200" hx-swap-oob="true">'), "past the depth limit an element is sent whole");
  });
});

describe("fullMessage", () => {
  it("marks each outermost id'd element, replacing its own hx-swap-oob", () => {
    const doc = parseFragments('<h1>T</h1><ul id="l" hx-swap-oob="beforeend" data-hx-swap-oob=x class=c><li id="a">A</li></ul> <p id="p">P');
    assert.equal(fullMessage(doc), '<ul id="l" class=c hx-swap-oob="true"><li id="a">A</li></ul>\n<p id="p" hx-swap-oob="true">P</p>');
    // In `<br id=a/>` the slash is the end of the unquoted id: the attribute goes after it.
    assert.equal(fullMessage(parseFragments('<br id=a/><img id="i" src="x" />')), '<br id=a/ hx-swap-oob="true">\n<img id="i" src="x" hx-swap-oob="true" />');
    // After an empty unquoted value it would become that value; a tag cut off by the end of the render is closed.
    assert.equal(fullMessage(parseFragments("<div id=x a=>1</div>")), '<div hx-swap-oob="true" id=x a=>1</div>');
    assert.equal(fullMessage(parseFragments("<div id=x a= >1</div>")), '<div hx-swap-oob="true" id=x a= >1</div>');
    // A value that merely ends in "=" is whole: the space after it ends it.
    assert.equal(fullMessage(parseFragments("<div id=x a=b=>1</div>")), '<div id=x a=b= hx-swap-oob="true">1</div>');
    assert.equal(fullMessage(parseFragments("<p>t</p><div id=x")), '<div hx-swap-oob="true" id=x></div>');
  });
});

describe("changeMessage", () => {
  const list = (items: string[], extra = "") => `<h1>Todos</h1><ul id="l"${extra}>\n${items.map((i) => `<li id="${i}">${i}</li>`).join("")}\n</ul>`;

  it("is empty when nothing changed", () => {
    assert.deepEqual(change(list(["a"]), list(["a"])), { html: "", outside: false });
  });

  it("sends a changed child alone", () => {
    assert.deepEqual(change(list(["a", "b"]), list(["a", "b"]).replace(">b<", ">B<")), { html: '<li id="b" hx-swap-oob="true">B</li>', outside: false });
  });

  it("appends and prepends new children", () => {
    assert.equal(change(list(["a"]), list(["a", "b", "c"])).html, '<ul id="l" hx-swap-oob="beforeend"><li id="b">b</li><li id="c">c</li></ul>');
    assert.equal(change(list(["a"]), list(["z", "a"])).html, '<ul id="l" hx-swap-oob="afterbegin"><li id="z">z</li></ul>');
    assert.equal(change(list([]), list(["a"])).html, '<ul id="l" hx-swap-oob="beforeend"><li id="a">a</li></ul>');
  });

  it("deletes removed children, and may append at once", () => {
    assert.equal(change(list(["a", "b", "c"]), list(["b", "d"])).html,
      '<template hx-swap-oob="delete:#a"></template>\n<template hx-swap-oob="delete:#c"></template>\n<ul id="l" hx-swap-oob="beforeend"><li id="d">d</li></ul>');
    assert.equal(change('<div id="x"><br id="b"></div>', '<div id="x"></div>').html, '<template hx-swap-oob="delete:#b"></template>');
  });

  it("sends the container whole when its own attributes change, a child moves, or a new child is not its direct child", () => {
    assert.match(change(list(["a"]), list(["a", "b"], ' class="x"')).html, /^<ul id="l" class="x" hx-swap-oob="true">/);
    assert.match(change(list(["a", "b"]), list(["b", "a"])).html, /^<ul id="l" hx-swap-oob="true">/);
    assert.equal(change('<div id="x"><span><i id="a"></i></span></div>', '<div id="x"><span><i id="a"></i><i id="d"></i></span></div>').html,
      '<div id="x" hx-swap-oob="true"><span><i id="a"></i><i id="d"></i></span></div>');
    // <b> is left open: the new child is inside it, though the text around it reads as an append.
    assert.equal(change('<div id="x"><i id="a"></i><b></div>', '<div id="x"><i id="a"></i><b><i id="d"></i></div>').html,
      '<div id="x" hx-swap-oob="true"><i id="a"></i><b><i id="d"></i></div>');
    assert.equal(change('<ul id="l"><li id="a"></li></ul>', '<ul id="l"><li id="a"></li><li id="b"></li>more</ul>').html,
      '<ul id="l" hx-swap-oob="true"><li id="a"></li><li id="b"></li>more</ul>', "text after the new child: not an append");
  });

  it("moves an element between containers without deleting it (htmx deletes every #id)", () => {
    const before = '<div id="y"></div><div id="x"><i id="m">m</i></div>';
    const after = '<div id="y"><i id="m">m</i></div><div id="x"></div>';
    const { html } = change(before, after);
    assert.equal(html, '<div id="y" hx-swap-oob="true"><i id="m">m</i></div>\n<div id="x" hx-swap-oob="true"></div>');
    for (const upfront of [false, true]) assert.equal(applyOob(before, html, upfront), page(after));
  });

  it("sends table rows with a tbody, and closes an element its source leaves open", () => {
    const t = (rows: string) => `<table><tbody id="rows">${rows}</tbody></table>`;
    assert.equal(change(t('<tr id="r1"><td>1</td></tr>'), t('<tr id="r1"><td>1</td></tr><tr id="r2"><td>2</td></tr>')).html,
      '<tbody id="rows" hx-swap-oob="beforeend"><tr id="r2"><td>2</td></tr></tbody>');
    assert.equal(change('<div id="a">1', '<div id="a">2').html, '<div id="a" hx-swap-oob="true">2</div>');
  });

  it("reports a change outside every id'd element, and still sends the rest", () => {
    assert.deepEqual(change(list(["a"]), list(["a"]).replace("Todos", "Done").replace(">a<", ">b<")),
      { html: '<li id="a" hx-swap-oob="true">b</li>', outside: true });
    assert.equal(change('<p id="a">1</p>', '<p id="a">1</p><p id="b">2</p>').outside, true, "a new outermost element has no place");
    assert.deepEqual(change('<p id="a">1</p>\n<p id="b">2</p>', '<p id="a">1</p>\n'), { html: '<template hx-swap-oob="delete:#b"></template>', outside: false });
  });
});

describe("messages a browser parses as written", () => {
  // A message is parsed inside a <template>: its first element fixes the mode (see oob-assemble.ts).
  const t = (rows: number[], changed = -1, p = "") => `${p}<table><tbody id="rows">${rows.map((r) => `<tr id="r${r}"><td>${r === changed ? "X" : r}</td></tr>`).join("")}</tbody></table><p id="n">${rows.length}</p>`;

  it("puts table rows before other elements", () => {
    assert.equal(change(t([1, 2], -1, '<p id="top">a</p>'), t([1, 2], 2, '<p id="top">b</p>')).html,
      '<tr id="r2" hx-swap-oob="true"><td>X</td></tr>\n<p id="top" hx-swap-oob="true">b</p>');
  });

  it("sends rows of one kind only: a changed row beside appended rows goes with its section", () => {
    const { html, outside } = change(t([1, 2]), t([1, 2, 3], 2));
    assert.equal(html, '<tbody id="rows" hx-swap-oob="true"><tr id="r1"><td>1</td></tr><tr id="r2"><td>X</td></tr><tr id="r3"><td>3</td></tr></tbody>\n<p id="n" hx-swap-oob="true">3</p>');
    assert.equal(outside, false);
    assert.deepEqual(change(t([1, 2]), t([2, 3])).html.split("\n"),
      ['<tbody id="rows" hx-swap-oob="beforeend"><tr id="r3"><td>3</td></tr></tbody>', '<template hx-swap-oob="delete:#r1"></template>'], "a deletion fits any message");
  });

  it("reports a table part with no id'd ancestor to go with as not sent", () => {
    const two = (a: string, b: string) => `<table><thead id="h"><tr><th>${a}</th></tr></thead><tbody><tr id="r1"><td>${b}</td></tr></tbody></table>`;
    const { html, outside } = change(two("a", "1"), two("b", "2"));
    assert.equal(outside, true);
    assert.equal(html.split("\n").length, 1, "one of the two parts");
  });

  it("sends an element inside <svg> with its svg", () => {
    const svg = (r: number) => `<svg id="s" viewBox="0 0 9 9"><g><circle id="c" r="${r}"/></g></svg>`;
    assert.deepEqual(change(svg(1), svg(2)), { html: `<svg id="s" viewBox="0 0 9 9" hx-swap-oob="true"><g><circle id="c" r="2"/></g></svg>`, outside: false });
  });

  it("names a deleted element by a selector with no comma, colon or space left", () => {
    const before = '<ul id="l"><li id="a:1, 2">x</li><li id="9">y</li><li id="-1">z</li></ul>';
    const { html } = change(before, '<ul id="l"></ul>');
    assert.equal(html, '<template hx-swap-oob="delete:#a\\3a 1\\2c \\20 2"></template>\n<template hx-swap-oob="delete:#\\39 "></template>\n<template hx-swap-oob="delete:#-\\31 "></template>');
    for (const upfront of [false, true]) assert.equal(applyOob(before, html, upfront), page('<ul id="l"></ul>'));
  });
});

describe("errorFragment", () => {
  it("escapes every value: markup in a message or an event name stays text", () => {
    const f = errorFragment('weft-error"x', 'E_<X>', '<img src=x onerror="alert(1)">&', '"><script>alert(1)</script>');
    assert.equal(f, '<div id="weft-error&quot;x" hx-swap-oob="true" role="alert" data-code="E_&lt;X&gt;" ' +
      'data-event="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;</div>');
    const el = parseHtml(f).children[0] as HtmlElement;
    assert.equal(el.children.length, 1, "the message is one text node");
    assert.equal(el.attrs.get("data-event"), '"><script>alert(1)</script>');
    assert.equal(errorFragment("e", "E_BUSY", "busy"), '<div id="e" hx-swap-oob="true" role="alert" data-code="E_BUSY">busy</div>');
  });
});
