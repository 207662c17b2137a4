/**
 * Renders a template into the tree that travels on the wire (see
 * protocol/messages.ts, RenderedTree): statics by fingerprint id, dynamic
 * slots escaped for their context.
 */
import type { RenderedTree, TemplateNode } from "../../protocol/messages.ts";
import { toHtml } from "../../protocol/tree.ts";
import { compile, Hole, isScriptAttribute, staticsOf } from "./compile.ts";
import { escapeHtml, sanitizeUrl, UNSAFE_URL, URL_ATTRIBUTES } from "./escape.ts";
import { Raw, Template } from "./html.ts";

/**
 * Renders a template into a tree.
 * @example renderTree(html`<b>${name}</b>`) // { s: 0, d: ["Ada"] }
 */
export function renderTree(t: Template): TemplateNode {
  const c = compile(t.strings);
  const values = t.values;
  const d: RenderedTree[] = new Array(values.length);
  let urlStart = -1;
  let url = "";
  for (let i = 0; i < values.length; i++) {
    const hole = c.holes[i] as Hole;
    const v = values[i];
    if (hole === Hole.Text) d[i] = textValue(v);
    else if (hole === Hole.Url || hole === Hole.UrlCont) {
      // A URL may be assembled from adjacent holes ("java" + "script:…"): check the run.
      if (hole === Hole.Url) { urlStart = i; url = ""; }
      url += v instanceof Raw ? "" : attrText(v);
      d[i] = attrValue(v);
      if (urlStart >= 0 && sanitizeUrl(url) === UNSAFE_URL) {
        for (let j = urlStart + 1; j <= i; j++) d[j] = "";
        d[urlStart] = UNSAFE_URL;
      }
    } else if (hole === Hole.Whole) d[i] = wholeAttr(c.names[i] as string, v);
    else if (hole === Hole.Tag) d[i] = tagValue(v);
    else if (hole === Hole.Script) d[i] = scriptValue(v);
    else d[i] = attrValue(v);
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

/** The unescaped text of an attribute value: arrays join with spaces (class lists). */
function attrText(v: unknown): string {
  if (v === null || v === undefined || typeof v === "boolean") return "";
  if (v instanceof Template) return renderToString(v);
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return v.map(attrText).filter((x) => x !== "").join(" ");
  return String(v);
}

function attrValue(v: unknown): string {
  return v instanceof Raw ? v.html : escapeHtml(attrText(v));
}

function wholeAttr(name: string, v: unknown): string {
  if (v === true) return name;
  if (v === false || v === null || v === undefined) return "";
  const lower = name.toLowerCase();
  if (isScriptAttribute(lower)) return `${name}="${scriptValue(v)}"`;
  if (!URL_ATTRIBUTES.has(lower) || v instanceof Raw) return `${name}="${attrValue(v)}"`;
  return `${name}="${escapeHtml(sanitizeUrl(attrText(v)))}"`;
}

const ATTR_NAMES = /^\s*(?:[^\s"'<>\/=\u0000-\u001f]+\s*)*$/;

/**
 * `<input ${x}>`: only attribute names (`"disabled"`, `"checked required"`)
 * pass; anything that could carry a value or close the tag renders nothing.
 */
function tagValue(v: unknown): string {
  if (v instanceof Raw) return v.html;
  const s = attrText(v);
  return ATTR_NAMES.test(s) && !/(^|\s)on/i.test(s) ? s : "";
}

/** `onclick="${x}"`: escaping cannot make a value safe in script; only raw() may stand here. */
function scriptValue(v: unknown): string {
  if (v instanceof Raw) return v.html;
  if (v === null || v === undefined || v === false) return "";
  throw new TypeError("Weft: a value in an event-handler (on*) or srcdoc attribute must be wrapped in raw(); escaping cannot make it safe");
}
