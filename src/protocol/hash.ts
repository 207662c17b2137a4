/**
 * The 32-bit hash both sides compute over the same text: the client cache
 * for pure events (docs/client.md, "Client cache for pure events") marks an
 * event it answered from its cache with the hash of the view's HTML it showed
 * then (`w`), and the server compares it with the hash of its own page's HTML.
 *
 * FNV-1a over the string's UTF-16 code units (not its UTF-8 bytes): both
 * sides hash a JavaScript string, so no encoding step is needed, and equal
 * strings give equal hashes on every engine. Not a cryptographic hash: a
 * client can only ever mislead itself with it.
 */

/**
 * FNV-1a (32 bits) of `s`, as a signed 32-bit integer (what `Math.imul`
 * gives: no unsigned shift needed, the bundle is small).
 *
 * @example
 * fnv("");  // -2128831035 (0x811c9dc5)
 * fnv(toHtml(tree, staticsOf, parts)) === env.w;
 */
export function fnv(s: string): number {
  let h = -2128831035; // 0x811c9dc5, the FNV offset basis, as a signed 32-bit integer
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x1000193);
  return h;
}
