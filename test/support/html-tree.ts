/**
 * Reading rendered HTML the way a browser does (parse5, a WHATWG-conformant
 * parser, scripting enabled) to check structure instead of searching strings:
 * which elements and attributes exist, what script and style bodies hold, and
 * which scheme each URL attribute resolves to.
 */
import { parseFragment } from "parse5";

/** One element as the parser built it. */
export interface ParsedElement {
  /** Tag name, prefixed `svg:` or `math:` in foreign content. */
  readonly tag: string;
  /** Attributes in source order; `xlink:href` keeps its prefix. */
  readonly attrs: readonly { readonly name: string; readonly value: string }[];
  /** Text of the element's direct text children (script/style bodies). */
  readonly text: string;
}

interface Node {
  nodeName: string;
  tagName?: string;
  namespaceURI?: string;
  attrs?: { name: string; value: string; prefix?: string }[];
  childNodes?: Node[];
  content?: { childNodes: Node[] };
  value?: string;
  data?: string;
}

const NS: Record<string, string> = { "http://www.w3.org/2000/svg": "svg:", "http://www.w3.org/1998/Math/MathML": "math:" };

/** Every element of `html` (parsed as a `<body>` fragment), in document order, template contents included. */
export function elements(html: string): ParsedElement[] {
  const out: ParsedElement[] = [];
  walk(parseFragment(html) as unknown as Node, out, []);
  return out;
}

/** Elements and comments as one line each: what must not change when only values change. */
export function shape(html: string): string[] {
  const lines: string[] = [];
  walk(parseFragment(html) as unknown as Node, [], lines);
  return lines;
}

function walk(node: Node, out: ParsedElement[], lines: string[]): void {
  for (const child of node.childNodes ?? []) {
    if (child.nodeName === "#comment") { lines.push("#comment"); continue; }
    if (child.tagName === undefined) continue;
    const tag = (NS[child.namespaceURI ?? ""] ?? "") + child.tagName;
    const attrs = (child.attrs ?? []).map((a) => ({ name: a.prefix ? `${a.prefix}:${a.name}` : a.name, value: a.value }));
    const text = (child.childNodes ?? []).filter((c) => c.nodeName === "#text").map((c) => c.value ?? "").join("");
    out.push({ tag, attrs, text });
    lines.push(`<${tag} ${attrs.map((a) => a.name).sort().join(" ")}>`);
    walk(child, out, lines);
    if (child.content !== undefined) walk(child.content as Node, out, lines);
  }
}

/**
 * The scheme a browser reads from a URL (WHATWG URL: leading and trailing C0
 * controls and spaces stripped, tab and newline removed anywhere), lower-case;
 * undefined for a relative URL.
 */
export function schemeOf(url: string): string | undefined {
  const u = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  return /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(u)?.[1]?.toLowerCase();
}

/** The URLs of a `srcset` value (HTML §4.8.4.3.11, the candidate parser, without descriptors). */
export function srcsetUrls(value: string): string[] {
  const urls: string[] = [];
  let i = 0;
  const ws = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\f" || c === "\r";
  while (i < value.length) {
    while (i < value.length && (ws(value[i]) || value[i] === ",")) i++;
    if (i >= value.length) break;
    let url = "";
    while (i < value.length && !ws(value[i])) url += value[i++];
    if (url.endsWith(",")) url = url.replace(/,+$/, "");
    else {
      let depth = 0;
      while (i < value.length && (depth > 0 || value[i] !== ",")) {
        if (value[i] === "(") depth++;
        else if (value[i] === ")") depth = Math.max(0, depth - 1);
        i++;
      }
    }
    urls.push(url);
  }
  return urls;
}

/** The URL a `<meta http-equiv=refresh>` content value navigates to, if any (HTML §4.2.5.3). */
export function refreshUrl(content: string): string | undefined {
  const m = /^[\t\n\f\r ]*[\d.]+[\t\n\f\r ]*[;,]?[\t\n\f\r ]*(?:url[\t\n\f\r ]*=[\t\n\f\r ]*)?(.*)$/is.exec(content);
  if (m === null || m[1] === "") return undefined;
  const rest = m[1] as string;
  const q = rest[0];
  if (q === '"' || q === "'") {
    const end = rest.indexOf(q, 1);
    return end < 0 ? rest.slice(1) : rest.slice(1, end);
  }
  return rest;
}

/** Each URL an element's attributes hold, read the way the browser reads that attribute. */
export function urlsIn(e: ParsedElement): string[] {
  const out: string[] = [];
  for (const { name, value } of e.attrs) {
    if (name === "srcset" || name === "imagesrcset") out.push(...srcsetUrls(value));
    else if (name === "ping") out.push(...value.split(/[\t\n\f\r ]+/));
    else if (name === "content" && e.tag === "meta") { const u = refreshUrl(value); if (u !== undefined) out.push(u); }
    else if (["values", "to", "from", "by"].includes(name) && (e.tag === "svg:animate" || e.tag === "svg:set")) out.push(...value.split(";"));
    else if (URL_NAMES.has(name)) out.push(value);
  }
  return out;
}

const URL_NAMES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "cite", "background", "codebase", "longdesc", "manifest", "icon", "lowsrc", "dynsrc", "classid", "archive", "profile", "usemap"]);

/** Script and style bodies (HTML or SVG) in document order. */
export function scriptBodies(els: readonly ParsedElement[]): string[] {
  return els.filter((e) => /^(svg:)?(script|style)$/.test(e.tag)).map((e) => e.text);
}

/** Schemes a page may link to. */
export const SAFE_SCHEMES: ReadonlySet<string> = new Set(["http", "https", "mailto", "tel", "ftp", "sms", "about"]);
