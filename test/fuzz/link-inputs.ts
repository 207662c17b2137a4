/**
 * Link-creating requests that must create nothing: a fresh link id on SSE or
 * HTTP, by GET or POST, with no view token, an empty one, garbage, a token
 * signed with another secret, an edited one or an expired one — with and
 * without `fb=1`, a spoofed X-Forwarded-For (the fuzz app trusts no proxy)
 * and a foreign cookie. Each gets one exact refusal: the server decides
 * before it makes a link, a cookie or a count.
 *
 * @example
 * fc.sample(linkCreation("sse"), 1);
 * // e.g. [ { via: "fetch", kind: "link-create", method: "GET", path: "sse", link: "fresh", headers: {}, expect: { status: 403, code: "E_LINK_TOKEN" }, … } ]
 */
import fc from "fast-check";
import { HEADERS } from "../../src/protocol/messages.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { TEST_SECRET } from "../support/server.ts";
import type { CookieChoice, FetchInput } from "./request-inputs.ts";

type TokenKind = "none" | "empty" | "garbage" | "wrong-secret" | "edited" | "expired";

const ours = new TokenSigner([TEST_SECRET]);
const theirs = new TokenSigner(["not-the-secret-0123456789abcdef"]);
const claims = (exp: number) => ({ sid: "fuzz-link-admission-0000", view: "/counter", params: {}, exp });

/** A token of `kind` (undefined: no header at all), and the code the server must answer it with. */
function token(kind: TokenKind, garbage: string): { value: string | undefined; code: string } {
  const hour = Date.now() + 3_600_000;
  switch (kind) {
    case "none": return { value: undefined, code: "E_LINK_TOKEN" };
    case "empty": return { value: "", code: "E_LINK_TOKEN" };
    case "garbage": return { value: garbage, code: "E_BAD_TOKEN" };
    case "wrong-secret": return { value: theirs.sign(claims(hour)), code: "E_BAD_TOKEN" };
    case "edited": {
      // The claims of a valid token with one character changed: the MAC no longer matches.
      const t = ours.sign(claims(hour));
      return { value: (t[0] === "A" ? "B" : "A") + t.slice(1), code: "E_BAD_TOKEN" };
    }
    case "expired": return { value: ours.sign(claims(Date.now() - 1_000)), code: "E_TOKEN_EXPIRED" };
  }
}

/** Requests that try to open a new link on `transport` without a valid view token. */
export function linkCreation(transport: "sse" | "http"): fc.Arbitrary<FetchInput> {
  return fc.tuple(
    fc.constantFrom<TokenKind>("none", "empty", "garbage", "wrong-secret", "edited", "expired"),
    fc.stringMatching(/^[A-Za-z0-9._-]{1,120}$/),
    fc.constantFrom("GET", "POST"),
    fc.boolean(),
    fc.option(fc.constantFrom("203.0.113.9", "127.0.0.1, 10.0.0.1", "::1", "garbage, 1.2.3.4"), { nil: undefined }),
    fc.constantFrom<CookieChoice>("none", "forged"),
  ).map(([kind, garbage, method, fallback, xff, cookie]) => {
    const t = token(kind, garbage);
    const headers: Record<string, string> = {};
    if (t.value !== undefined) headers[HEADERS.token] = t.value;
    if (xff !== undefined) headers["x-forwarded-for"] = xff;
    // An HTTP-transport POST never opens a link; an SSE POST does only with a token header.
    const unknown = method === "POST" && (transport === "http" || t.value === undefined);
    return {
      via: "fetch" as const, kind: "link-create", method, path: transport, link: "fresh" as const, cookie,
      n: transport === "http" ? "0" : undefined, headers, query: fallback ? { fb: "1" } : ({} as Record<string, string>),
      body: method === "POST" ? "[]" : undefined,
      expect: unknown ? { status: 404, code: "E_UNKNOWN_LINK" } : { status: 403, code: t.code },
    };
  });
}
