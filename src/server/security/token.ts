/**
 * Signed view tokens: `base64url(JSON claims) "." base64url(HMAC-SHA256)`.
 * The first secret signs; every secret verifies, so secrets can be rotated by
 * putting the new one first and dropping the old one a token lifetime later.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ErrorCode } from "../../protocol/errors.ts";

/**
 * The longest token accepted (characters). A page whose token would be longer
 * is refused at render (414 E_URI_TOO_LONG) instead of served unjoinable.
 */
export const MAX_TOKEN_LENGTH = 8192;

/** What a view token binds. */
export interface TokenClaims {
  /** Session id (128 random bits, base64url). */
  sid: string;
  /** The registered view path (the pattern, e.g. "/rooms/:id"). */
  view: string;
  /** Mount params: path params and query. */
  params: Record<string, string>;
  /** Expiry, ms since the epoch. */
  exp: number;
  /** Session data from `authorize` at mount (checked again at every join). */
  data?: Record<string, unknown>;
  /** A child view's token (child-views/): who embeds it and what its `session` option added. */
  c?: ChildClaim;
}

/** What a child view's token binds besides the usual claims. */
export interface ChildClaim {
  /** The parent's session id. */
  p: string;
  /** The child's id in the parent's render. */
  i: string;
  /** The keys its `session` option added to `data` (left out when the signed-in identity is compared). */
  k: string[];
}

/** Signs and verifies tokens with a list of secrets. */
export class TokenSigner {
  private readonly secrets: readonly Buffer[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new TypeError("TokenSigner needs at least one secret");
    this.secrets = secrets.map((s) => Buffer.from(s, "utf8"));
  }

  /** Signs claims into a token. */
  sign(claims: TokenClaims): string {
    const body = Buffer.from(JSON.stringify(claims), "utf8").toString("base64url");
    return `${body}.${this.mac(this.secrets[0] as Buffer, body).toString("base64url")}`;
  }

  /** Verifies a token; returns its claims or the error code to answer with. */
  verify(token: unknown, now = Date.now()): TokenClaims | ErrorCode {
    // Only the canonical spelling verifies: Node's base64url decoder skips
    // `=`, `.`, `~`, whitespace and spare bits, so without this check one MAC
    // would have many accepted spellings (a token could be altered and still pass).
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH || !CANONICAL.test(token)) return "E_BAD_TOKEN";
    const dot = token.indexOf(".");
    const body = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), "base64url");
    if (!this.secrets.some((s) => safeEqual(this.mac(s, body), sig))) return "E_BAD_TOKEN";
    const claims = parseClaims(body);
    if (claims === undefined) return "E_BAD_TOKEN";
    return claims.exp < now ? "E_TOKEN_EXPIRED" : claims;
  }

  private mac(secret: Buffer, body: string): Buffer {
    return createHmac("sha256", secret).update(body).digest();
  }
}

/**
 * A canonical token: claims in unpadded base64url, one dot, and a 32-byte MAC
 * in 43 characters whose last one leaves its 2 spare bits zero. (The claims
 * are MACed as the string received, so their spelling cannot vary unnoticed.)
 */
const CANONICAL = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseClaims(body: string): TokenClaims | undefined {
  try {
    const c = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<TokenClaims>;
    const ok = typeof c.sid === "string" && typeof c.view === "string" && typeof c.exp === "number"
      && typeof c.params === "object" && c.params !== null && (c.c === undefined || isChildClaim(c.c));
    return ok ? (c as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

function isChildClaim(c: unknown): c is ChildClaim {
  const x = c as Partial<ChildClaim> | null;
  return typeof x === "object" && x !== null && typeof x.p === "string" && typeof x.i === "string" && Array.isArray(x.k) && x.k.every((k) => typeof k === "string");
}
