/**
 * Checks an event payload before any handler sees it: bounded nesting depth,
 * and keys that could reach an object's prototype (`__proto__`, `constructor`,
 * `prototype`) removed. Iterative, so a hostile depth cannot blow the stack.
 */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Returns an error message, or undefined when the payload is fine (it is cleaned in place). */
export function checkPayload(root: object, maxDepth: number): string | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  let nodes = 0;
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (depth > maxDepth) return `the payload nests deeper than ${maxDepth} levels`;
    if (++nodes > 100_000) return "the payload has too many values";
    if (Array.isArray(node)) {
      for (const v of node) if (typeof v === "object" && v !== null) stack.push([v, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.has(key)) {
        delete (node as Record<string, unknown>)[key];
        continue;
      }
      const v = (node as Record<string, unknown>)[key];
      if (typeof v === "object" && v !== null) stack.push([v, depth + 1]);
    }
  }
  return undefined;
}
