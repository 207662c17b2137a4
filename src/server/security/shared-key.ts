/**
 * Secrets that a request proves it holds by sending them in a header: the
 * app's `sharedKey` (`X-Weft-Key: <key>`) and the health/metrics tokens
 * (`Authorization: Bearer <token>`).
 *
 * Compared in constant time: both sides are hashed to 32 bytes first, so
 * neither the content nor the length of the secret shows in the timing.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HEADERS } from "../../protocol/messages.ts";

/** The header that carries the shared key (defined with the protocol's headers). */
export const KEY_HEADER = HEADERS.key;

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/**
 * One secret, checked against a request header.
 * @example
 * const key = new HeaderSecret("x-weft-key", options.sharedKey);
 * if (!key.admits(req)) return sendError(res, "E_SHARED_KEY");
 */
export class HeaderSecret {
  readonly #digest: Buffer | undefined;

  /**
   * @param header the request header (lower case) that carries the secret.
   * @param secret the secret; undefined admits every request.
   * @param scheme an auth scheme the header value starts with (`"Bearer"`), if any.
   */
  constructor(private readonly header: string, secret: string | undefined, private readonly scheme?: string) {
    this.#digest = secret === undefined ? undefined : digest(secret);
  }

  /** True when a secret is set. */
  get required(): boolean {
    return this.#digest !== undefined;
  }

  /** True when no secret is set, or the request carries it. */
  admits(req: IncomingMessage): boolean {
    if (this.#digest === undefined) return true;
    let got = req.headers[this.header];
    if (typeof got !== "string") return false;
    if (this.scheme !== undefined) {
      const prefix = `${this.scheme} `;
      if (got.length <= prefix.length || got.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return false;
      got = got.slice(prefix.length);
    }
    return timingSafeEqual(digest(got), this.#digest);
  }
}
