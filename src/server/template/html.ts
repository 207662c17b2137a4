/**
 * The `html` tagged template and `raw`. A template is inert data until it is
 * rendered into a tree (render-tree.ts): calling `html` costs one allocation.
 */

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

/**
 * A value that may stand in a template hole: escaped strings and numbers,
 * nothing for `null`/`undefined`/booleans, nested templates, arrays, `raw()`.
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
