/**
 * The `html` tagged template and `raw`. A template is inert data until it is
 * rendered into a tree (render-tree.ts): calling `html` costs one allocation.
 */
import type { Keyed } from "./keyed.ts";
import type { LiveViewRef } from "../child-views/live-view.ts";
import type { ComponentRef } from "../components/define.ts";
import type { StreamRef } from "../streams/ref.ts";
import type { JsCommands } from "../js-commands.ts";

/** A template instance: the call site's strings and this call's values. */
export class Template {
  /** @internal */
  constructor(
    readonly strings: TemplateStringsArray,
    readonly values: readonly unknown[],
  ) {}
}

/** A string inserted without escaping. */
export class Raw {
  /** @internal */
  constructor(readonly html: string) {}
  /** The HTML, so that `${raw(x)}` in a plain string still reads right. */
  toString(): string {
    return this.html;
  }
}

/** A value serialised as JSON by {@link json}: safe in a `<script>` body and in any escaped hole. */
export class JsonText {
  /** @internal */
  constructor(readonly text: string) {}
  /**
   * The JSON for a script body: `<`, `>`, `&`, U+2028/U+2029 as `\uXXXX`
   * escapes, so that no `</script`, `<!--` or line terminator can appear; and
   * `'`, `` ` `` and `$` too (they only occur inside JSON strings, where the
   * escape means the same), so that a value put by mistake inside a '…' or
   * `…` literal cannot leave it. A "…" literal it does leave: json() is an
   * expression, never part of a string.
   */
  forScript(): string {
    return this.text.replace(/[<>&'`$\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  }
}

/**
 * A value that may stand in a template hole: escaped strings and numbers,
 * nothing for `null`/`undefined`/booleans, nested templates, arrays, `keyed()` lists, `component()`s, `raw()`, `json()`,
 * and `JS` command lists (their JSON, escaped: `weft-click=${JS.show("#m")}`).
 */
export type TemplateValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Template
  | Raw
  | JsonText
  | Keyed
  | LiveViewRef
  | ComponentRef
  | StreamRef
  | JsCommands
  | readonly TemplateValue[];

/**
 * Tags an HTML template. Every interpolated value is escaped for where it
 * stands (text, attribute value, URL attribute); nested templates and arrays of
 * templates render in place; `null`, `undefined` and booleans render nothing.
 *
 * @example
 * html`<li class=${done ? "done" : ""}>${title}</li>`
 */
export function html(strings: TemplateStringsArray, ...values: TemplateValue[]): Template {
  return new Template(strings, values);
}

/**
 * Marks trusted HTML to be inserted without escaping. Never pass user input.
 *
 * @example
 * html`<div>${raw(markdownToHtml(doc))}</div>`
 */
export function raw(value: string): Raw {
  return new Raw(String(value));
}

/**
 * Serialises `value` with `JSON.stringify` for a hole where plain values are
 * refused: the body of a `<script>` (also `type="application/json"`) or an
 * event-handler attribute, where it stands as an expression
 * (`const boot = ${json(x)};`), never inside a string literal. In any other hole it renders as the escaped JSON text
 * (`data-state="${json(s)}"` reads back as JSON). Throws a `TypeError` for
 * values JSON cannot hold (`undefined`, functions, cycles, bigints).
 *
 * @example
 * html`<script type="application/json" id="boot">${json({ user, items })}</script>`
 */
export function json(value: unknown): JsonText {
  const text = JSON.stringify(value);
  if (typeof text !== "string") throw new TypeError("Weft: json() needs a value that JSON can serialise");
  return new JsonText(text);
}
