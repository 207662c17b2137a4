/** Reading what arrives from Redis, which is input like any other. */

/**
 * `raw` parsed as a JSON object (not an array, not null), or undefined.
 *
 * @example
 * jsonObject('{"a":1}'); // { a: 1 }
 * jsonObject("[1]");     // undefined
 */
export function jsonObject(raw: string): Record<string, unknown> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
