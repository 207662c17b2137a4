/**
 * The 32-bit hash both sides compute over the same JSON text: the client
 * cache for pure events (docs/client.md, "Client cache for pure events")
 * marks an event it answered from its cache with the hash of the answer it
 * applied (`w`), and the server compares it with the hash of its own answer.
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
 * fnv(answerText(diff, p, o, h)) === env.w;
 */
export function fnv(s: string): number {
  let h = -2128831035; // 0x811c9dc5, the FNV offset basis, as a signed 32-bit integer
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x1000193);
  return h;
}

/**
 * The text whose hash {@link fnv} compares: what an answer (a diff or a
 * reply) changes on the page, as the server emits it and as the client
 * received it (`d`, `p`, `o`, `h`; statics `s` are left out, the client has
 * them already), as an envelope's JSON, which leaves undefined parts out: the
 * client parses it back into the envelope it applies. JSON keeps an object's
 * key order through a parse and a stringify, so the client's re-stringified
 * frame equals the server's text.
 *
 * @example
 * answerText(env.d, env.p, env.o, env.h); // '{"d":{"0":"b"}}'
 */
export function answerText(d: unknown, p: unknown, o: unknown, h: unknown): string {
  return JSON.stringify({ d, p, o, h });
}
