/** Reading one cookie of a request: the Cookie header, split by hand (no dependency, no regex per cookie). */
import type { IncomingMessage } from "node:http";

/**
 * The value of cookie `name` in the request's Cookie header, trimmed: the
 * first one of that name (browsers send the most specific path first), or
 * undefined without one. The caller checks the value's form.
 *
 * @example
 * const owner = cookieValue(req, "weft_link"); // "q3V…" for `Cookie: a=1; weft_link=q3V…`
 */
export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== "string") return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
