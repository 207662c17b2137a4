import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MAX_TOKEN_LENGTH, TokenSigner, type TokenClaims } from "./token.ts";

const signer = new TokenSigner(["token-test-secret-0123456789"]);
const claims = (): TokenClaims => ({ sid: "s1", view: "/counter", params: { start: "3" }, exp: Date.now() + 60_000 });

/** Every way to spell the same bytes that a lenient base64url decoder accepts. */
function malleations(part: string): string[] {
  const last = part.at(-1)!;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // The last character of a 32-byte MAC carries 4 bits and 2 spare ones: flipping a spare bit decodes to the same bytes.
  const spare = alphabet[alphabet.indexOf(last) ^ 1]!;
  return [
    `${part}=`, `${part}==`, `${part}~`, `${part}.`, ` ${part}`, `${part} `, `${part}\n`,
    part.slice(0, 10) + "=" + part.slice(10),
    part.replaceAll("-", "+").replaceAll("_", "/"),
    part.slice(0, -1) + spare,
  ].filter((m) => m !== part);
}

describe("TokenSigner", () => {
  it("verifies the tokens it signs", () => {
    const t = signer.sign(claims());
    const back = signer.verify(t);
    assert.equal(typeof back, "object");
    assert.equal((back as TokenClaims).sid, "s1");
  });

  it("refuses every non-canonical spelling of a valid signature", () => {
    const t = signer.sign(claims());
    const [body, sig] = t.split(".") as [string, string];
    const bad = malleations(sig);
    assert.ok(bad.length >= 9);
    for (const m of bad) {
      // Each one decodes to the very same MAC bytes, or the check would be trivial.
      if (/^[A-Za-z0-9_-]+$/.test(m)) assert.deepEqual(Buffer.from(m, "base64url"), Buffer.from(sig, "base64url"), m);
      assert.equal(signer.verify(`${body}.${m}`), "E_BAD_TOKEN", JSON.stringify(m));
    }
  });

  it("refuses non-canonical spellings of the claims", () => {
    const [body, sig] = signer.sign(claims()).split(".") as [string, string];
    for (const m of malleations(body)) assert.equal(signer.verify(`${m}.${sig}`), "E_BAD_TOKEN", JSON.stringify(m));
  });

  it("refuses tokens with more than one dot, or over the length limit", () => {
    const t = signer.sign(claims());
    assert.equal(signer.verify(`${t}.x`), "E_BAD_TOKEN");
    const big = signer.sign({ ...claims(), params: { q: "x".repeat(MAX_TOKEN_LENGTH) } });
    assert.ok(big.length > MAX_TOKEN_LENGTH);
    assert.equal(signer.verify(big), "E_BAD_TOKEN");
  });

  it("answers E_TOKEN_EXPIRED after the expiry and verifies with any secret of the list", () => {
    const old = new TokenSigner(["old-secret-0123456789abcdef"]);
    const rotated = new TokenSigner(["new-secret-0123456789abcdef", "old-secret-0123456789abcdef"]);
    assert.equal(typeof rotated.verify(old.sign(claims())), "object");
    assert.equal(rotated.verify(old.sign({ ...claims(), exp: Date.now() - 1 })), "E_TOKEN_EXPIRED");
  });
});
