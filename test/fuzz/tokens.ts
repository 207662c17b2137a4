/**
 * Hostile view tokens. A token is `base64url(JSON claims) "." base64url(HMAC)`
 * (src/server/security/token.ts); the fuzzer edits its claims, signs with a
 * wrong secret, lets it expire, or (knowing the test secret) signs odd claim
 * shapes to reach the join path behind the signature check.
 *
 * Never signed with the real secret: the VICTIM's session id with a valid
 * expiry. That token is the capability to the victim's session, so using it
 * is a legitimate takeover, not an attack the server can refuse.
 *
 * @example
 * const arb = tokenText({ sampleToken, victimSid });
 * fc.sample(arb, 1); // e.g. [ '"eyJzaWQiOi….AAAA"' ]
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { TokenSigner } from "../../src/server/security/token.ts";
import { TEST_SECRET } from "../support/server.ts";
import { hostileJson, oddString, PROTO_KEYS } from "./hostile-values.ts";

/** What the token arbitraries need from the running app. */
export interface TokenContext {
  /** A real token from a page the fuzzer rendered (its own, not the victim's). */
  readonly sampleToken: string;
  /** The victim's session id, read from its token's (unsigned, readable) claims. */
  readonly victimSid: string;
}

/** The claims of a token, decoded. */
export function claimsOf(token: string): Record<string, unknown> {
  const body = token.slice(0, token.indexOf("."));
  return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Record<string, unknown>;
}

const real = new TokenSigner([TEST_SECRET]);
const wrong = new TokenSigner(["not-the-secret-0123456789abcdef"]);
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const VIEWS = ["/counter", "/items", "/bad", "/nope", "__proto__", "constructor", "/counter/", "/COUNTER", "", "/weft/ws"];

type Kind = "token-garbage" | "token-forged" | "token-expired" | "token-edited" | "token-odd-claims";

/** A join frame's `k`, as JSON text, with the kind of attack it is. */
export function tokenText(ctx: TokenContext): fc.Arbitrary<{ kind: Kind; k: string }> {
  const claims = claimsOf(ctx.sampleToken);
  const sig = ctx.sampleToken.slice(ctx.sampleToken.indexOf(".") + 1);
  const sid = fc.oneof(fc.constant(ctx.victimSid), fc.string({ minLength: 0, maxLength: 30 }));
  const garbage = fc.oneof(
    hostileJson,
    oddString.map((s) => JSON.stringify(s)),
    fc.constantFrom(".", "a.", ".b", "a.b", "..", "x".repeat(8193), `${ctx.sampleToken}.`, ctx.sampleToken.toUpperCase()).map((s) => JSON.stringify(s)),
    fc.base64String({ maxLength: 200 }).map((s) => JSON.stringify(`${s}.${s}`)),
  );
  const forged = fc.record({ sid, view: fc.constantFrom(...VIEWS) }).map((c) =>
    wrong.sign({ ...c, params: {}, exp: Date.now() + 3_600_000 }));
  const expired = fc.record({ sid, view: fc.constantFrom(...VIEWS), ago: fc.integer({ min: 1, max: 1e9 }) }).map((c) =>
    real.sign({ sid: c.sid, view: c.view, params: {}, exp: Date.now() - c.ago }));
  // Claims changed, signature kept: the MAC must not match.
  const edited = fc.oneof(
    sid.map((s) => `${b64(JSON.stringify({ ...claims, sid: s }))}.${sig}`),
    fc.constantFrom(...VIEWS).map((v) => `${b64(JSON.stringify({ ...claims, view: v }))}.${sig}`),
    fc.constant(`${b64(JSON.stringify({ ...claims, exp: 8.64e15 }))}.${sig}`),
    fc.constant(`${b64(JSON.stringify({ ...claims, data: { admin: true } }))}.${sig}`),
    fc.nat(sig.length - 1).map((i) => `${ctx.sampleToken.slice(0, ctx.sampleToken.length - sig.length)}${sig.slice(0, i)}${sig[i] === "A" ? "B" : "A"}${sig.slice(i + 1)}`),
    fc.constant(ctx.sampleToken.slice(0, -4)),
  );
  // Signed with the real secret, with shapes the server must not trust: a fresh sid every time.
  const odd = fc.record({
    sid: fc.oneof(fc.uuid(), fc.constantFrom("", "__proto__", "constructor", "x".repeat(5000))),
    view: fc.constantFrom(...VIEWS),
    params: fc.oneof(
      fc.constant("{}"), fc.constant("[]"), fc.constant('{"start":"1e308"}'), fc.constant('{"start":{"valueOf":1}}'),
      fc.constantFrom(...PROTO_KEYS).map((k) => `{${JSON.stringify(k)}:"x"}`), hostileJson.map((h) => `{"start":${h}}`),
    ),
    exp: fc.constantFrom("8.64e15", "1e308", String(Date.now() + 3_600_000)),
    data: fc.option(fc.constantFrom("{}", '{"admin":true}', '{"__proto__":{"admin":true}}'), { nil: undefined }),
  }).map((c) => {
    const body = b64(`{"sid":${JSON.stringify(c.sid)},"view":${JSON.stringify(c.view)},"params":${c.params},"exp":${c.exp}${c.data === undefined ? "" : `,"data":${c.data}`}}`);
    return `${body}.${macOf(body)}`;
  });
  return fc.oneof(
    garbage.map((k) => ({ kind: "token-garbage" as const, k })),
    forged.map((t) => ({ kind: "token-forged" as const, k: JSON.stringify(t) })),
    expired.map((t) => ({ kind: "token-expired" as const, k: JSON.stringify(t) })),
    edited.map((t) => ({ kind: "token-edited" as const, k: JSON.stringify(t) })),
    odd.map((t) => ({ kind: "token-odd-claims" as const, k: JSON.stringify(t) })),
  );
}

/** The real HMAC of a claims body, for claim texts `TokenSigner.sign` cannot write (raw number texts, `__proto__` keys). */
function macOf(body: string): string {
  return createHmac("sha256", Buffer.from(TEST_SECRET, "utf8")).update(body).digest("base64url");
}
