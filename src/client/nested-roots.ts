/**
 * Child views in a parent's DOM patch. A child view's root sits inside its
 * parent's root; the child's own view patches what is inside it. The parent's
 * morph must therefore leave the child's root alone: not its children (the
 * child's content), not its attributes (the child's connected classes and
 * `weft-error` marks). A root is the same child when it has the same id and
 * the same token (a token is minted once per child session): keying nested
 * roots by both makes morphdom replace, not morph, a root that became another
 * child — the old root leaves the page (its view leaves), the new one joins.
 */
import { ATTR } from "../protocol/messages.ts";

/**
 * morphdom's node key: the `id`, and for a nested view root also its token.
 *
 * @example
 * morphdom(root, target, { getNodeKey: nodeKey });
 */
export function nodeKey(node: Node): string | undefined {
  const el = node as Element;
  const id = el.id;
  if (!id) return undefined;
  const token = el.getAttribute(ATTR.view) !== null ? el.getAttribute(ATTR.token) : null;
  return token === null ? id : `${id} ${token}`;
}

/**
 * True when `from` is a nested view root that the patch must keep as it is
 * (the same child: same token).
 *
 * @example
 * onBeforeElUpdated: (from, to) => !keepsNestedRoot(from, to)
 */
export function keepsNestedRoot(from: Element, to: Element): boolean {
  return from.hasAttribute(ATTR.view) && from.getAttribute(ATTR.token) === to.getAttribute(ATTR.token);
}
