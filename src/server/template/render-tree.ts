/**
 * Renders a template into the tree that travels on the wire (see
 * protocol/messages.ts, RenderedTree): statics by fingerprint id, dynamic
 * slots escaped for their context.
 */
import type { RenderedTree, TemplateNode } from "../../protocol/messages.ts";
import { toHtml } from "../../protocol/tree.ts";
import { compile, Hole, staticsOf } from "./compile.ts";
import { escapeHtml, sanitizeUrl, URL_ATTRIBUTES } from "./escape.ts";
import { Raw, Template } from "./html.ts";

/**
 * Renders a template into a tree.
 * @example renderTree(html`<b>${name}</b>`) // { s: 0, d: ["Ada"] }
 */
export function renderTree(t: Template): TemplateNode {
  const c = compile(t.strings);
  const values = t.values;
  const d: RenderedTree[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const hole = c.holes[i] as Hole;
    const v = values[i];
    d[i] = hole === Hole.Text ? textValue(v) : hole === Hole.Whole ? wholeAttr(c.names[i] as string, v) : attrValue(v, hole);
  }
  return { s: c.id, d };
}

/** Renders a template straight to HTML (pages, tests). */
export function renderToString(t: Template): string {
  return toHtml(renderTree(t), staticsOf);
}

function textValue(v: unknown): RenderedTree {
  if (typeof v === "string") return escapeHtml(v);
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (v === null || v === undefined || typeof v === "boolean") return "";
  if (v instanceof Template) return renderTree(v);
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return { l: v.map(textValue) };
  return escapeHtml(String(v));
}

function wholeAttr(name: string, v: unknown): string {
  if (v === true) return name;
  if (v === false || v === null || v === undefined) return "";
  return `${name}="${attrValue(v, URL_ATTRIBUTES.has(name.toLowerCase()) ? Hole.Url : Hole.Attr)}"`;
}

function attrValue(v: unknown, hole: Hole): string {
  if (v === null || v === undefined || typeof v === "boolean") return "";
  if (v instanceof Raw) return v.html;
  if (v instanceof Template) return escapeHtml(renderToString(v));
  if (Array.isArray(v)) return v.map((x) => attrValue(x, Hole.Attr)).filter(Boolean).join(" ");
  const s = String(v);
  return escapeHtml(hole === Hole.Url ? sanitizeUrl(s) : s);
}
