/**
 * The test kit's view of rendered HTML: the tolerant parser of
 * src/server/html/parse.ts (shared with the server's htmx fragments), under
 * the test kit's names. Kept dependency-free so that `weft-live/testing` adds
 * nothing to an app's install.
 */
import type { HtmlElement, HtmlNode, HtmlText } from "../server/html/parse.ts";

export { descendants, parseHtml, textOf } from "../server/html/parse.ts";

/**
 * An element of the parsed view.
 *
 * @example
 * const el: TestElement = parseHtml('<a href="/x">x</a>').children[0] as TestElement; // el.attrs.get("href") === "/x"
 */
export type TestElement = HtmlElement;

/**
 * Text between tags, decoded.
 *
 * @example
 * const t: TestText = { kind: "text", text: "a & b" };
 */
export type TestText = HtmlText;

/**
 * A node of the parsed view.
 *
 * @example
 * const isEl = (n: TestNode): n is TestElement => n.kind === "element";
 */
export type TestNode = HtmlNode;
