import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { describe, it } from "node:test";
import { MAX_FLASHES_PER_KIND, MAX_FLASH_CHARS } from "../flash.ts";
import { clearFlashCookie, FLASH_COOKIE, flashCookie, MAX_FLASH_COOKIE_CHARS, readFlashCookie } from "./flash-cookie.ts";

const SECRETS = ["flash-cookie-secret-0123456789abcdef"];
const NOW = 1_800_000_000_000;

/** A request with `cookie` as its Cookie header. */
const req = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;
/** The value of a Set-Cookie header. */
const valueOf = (setCookie: string) => setCookie.slice(FLASH_COOKIE.length + 1, setCookie.indexOf(";"));

describe("the weft_flash cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/ and lives 60 seconds (Secure over TLS)", () => {
    const c = flashCookie([{ kind: "info", text: "Signed out." }], SECRETS, false, NOW)!;
    assert.match(c, /^weft_flash=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}; Path=\/; Max-Age=60; HttpOnly; SameSite=Lax$/);
    assert.match(flashCookie([{ kind: "info", text: "x" }], SECRETS, true, NOW)!, /; Secure$/);
    assert.equal(flashCookie([], SECRETS, false, NOW), undefined);
    assert.equal(clearFlashCookie(false), "weft_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  });

  it("carries the flashes to the next request, with any of the secrets", () => {
    const flashes = [{ kind: "info" as const, text: "Bye <b>now</b> ☂" }, { kind: "error" as const, text: "Session ended; sign in again" }];
    const v = valueOf(flashCookie(flashes, SECRETS, false, NOW)!);
    assert.deepEqual(readFlashCookie(req(`a=1; ${FLASH_COOKIE}=${v}; b=2`), SECRETS, NOW + 1000), flashes);
    assert.deepEqual(readFlashCookie(req(`${FLASH_COOKIE}=${v}`), ["new-secret-0123456789abcdef0123", ...SECRETS], NOW), flashes, "a rotated secret still verifies");
  });

  it("reads no cookie as undefined, and a forged, altered, expired or garbled one as [] (cleared, nothing shown)", () => {
    assert.equal(readFlashCookie(req(), SECRETS, NOW), undefined);
    assert.equal(readFlashCookie(req("other=1"), SECRETS, NOW), undefined);
    const v = valueOf(flashCookie([{ kind: "info", text: "hi" }], SECRETS, false, NOW)!);
    const [body, sig] = v.split(".") as [string, string];
    const forged = (b: string, secret = "attacker-secret-0123456789abcdef") => `${b}.${createHmac("sha256", secret).update(`weft-flash\0${b}`).digest("base64url")}`;
    const evil = Buffer.from(JSON.stringify([NOW + 60_000, [["info", "Your account is locked: call +1 555"]]])).toString("base64url");
    const cases = [
      forged(evil),
      `${evil}.${sig}`,
      `${body}.${sig.slice(0, -1)}${sig.endsWith("A") ? "B" : "A"}`,
      // A view token's MAC (no label) never passes for a flash cookie's.
      `${evil}.${createHmac("sha256", SECRETS[0]!).update(evil).digest("base64url")}`,
      "garbage", "", `${body}.`, `${"a".repeat(MAX_FLASH_COOKIE_CHARS)}.${sig}`,
      forged(Buffer.from("not json").toString("base64url"), SECRETS[0]).replace(/^/, ""),
    ];
    for (const c of cases) assert.deepEqual(readFlashCookie(req(`${FLASH_COOKIE}=${c}`), SECRETS, NOW), [], c.slice(0, 60));
    assert.deepEqual(readFlashCookie(req(`${FLASH_COOKIE}=${v}`), SECRETS, NOW + 60_001), [], "expired");
  });

  it("drops entries that are not valid flashes and keeps at most a few per kind", () => {
    const sign = (list: unknown) => {
      const b = Buffer.from(JSON.stringify([NOW + 60_000, list])).toString("base64url");
      return `${b}.${createHmac("sha256", SECRETS[0]!).update(`weft-flash\0${b}`).digest("base64url")}`;
    };
    const list = [["info", "ok"], ["warn", "no"], ["info", ""], ["error", "x".repeat(MAX_FLASH_CHARS + 1)], "junk", null, ["info", 5], ...Array.from({ length: 5 }, (_, i) => ["error", `e${i}`])];
    const got = readFlashCookie(req(`${FLASH_COOKIE}=${sign(list)}`), SECRETS, NOW)!;
    assert.deepEqual(got.map((f) => f.text), ["ok", ...Array.from({ length: MAX_FLASHES_PER_KIND }, (_, i) => `e${i + 5 - MAX_FLASHES_PER_KIND}`)]);
    assert.deepEqual(readFlashCookie(req(`${FLASH_COOKIE}=${sign({ not: "a list" })}`), SECRETS, NOW), []);
  });

  it("stays under the cookie size limit, dropping the oldest flashes", () => {
    const long = (i: number) => ({ kind: (i % 2 === 0 ? "info" : "error") as "info" | "error", text: `${i}`.padEnd(MAX_FLASH_CHARS, "é") });
    const c = flashCookie([0, 1, 2, 3, 4, 5].map(long), SECRETS, false, NOW)!;
    assert.ok(valueOf(c).length <= MAX_FLASH_COOKIE_CHARS, String(valueOf(c).length));
    const got = readFlashCookie(req(`${FLASH_COOKIE}=${valueOf(c)}`), SECRETS, NOW)!;
    assert.ok(got.length >= 1 && got.length < 6);
    assert.equal(got[got.length - 1]!.text, long(5).text, "the newest is kept");
  });
});
