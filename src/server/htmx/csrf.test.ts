import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, it } from "node:test";
import { CSRF_COOKIE, HtmxCsrf, csrfMatches, readCookie } from "./csrf.ts";

const A = "a".repeat(32);
const B = "b".repeat(32);

function req(cookie?: string): IncomingMessage {
  return { headers: cookie === undefined ? {} : { cookie } } as IncomingMessage;
}

/** The parts of a ServerResponse the token touches. */
function res(initial?: string | string[]): ServerResponse & { cookies(): string[] } {
  const h = new Map<string, unknown>();
  if (initial !== undefined) h.set("set-cookie", initial);
  return {
    getHeader: (n: string) => h.get(n.toLowerCase()),
    setHeader: (n: string, v: unknown) => h.set(n.toLowerCase(), v),
    cookies: () => {
      const v = h.get("set-cookie");
      return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
    },
  } as unknown as ServerResponse & { cookies(): string[] };
}

function cookieOf(setCookie: string): string {
  return setCookie.split(";")[0]!;
}

describe("HtmxCsrf", () => {
  it("sets an HttpOnly SameSite=Lax cookie when the request has none, and the token verifies with it", () => {
    const csrf = new HtmxCsrf([A]);
    const r = res();
    const token = csrf.token(req(), r, false);
    const [set] = r.cookies();
    assert.match(set!, /^weft_htmx=[A-Za-z0-9_-]{22}; Path=\/; HttpOnly; SameSite=Lax$/);
    const back = req(cookieOf(set!));
    assert.ok(csrf.checker(back)(token));
    assert.ok(!csrf.checker(back)(token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")));
  });

  it("marks the cookie Secure on TLS", () => {
    const r = res();
    new HtmxCsrf([A]).token(req(), r, true);
    assert.match(r.cookies()[0]!, /; Secure$/);
  });

  it("keeps a well-formed cookie and sets none", () => {
    const csrf = new HtmxCsrf([A]);
    const r = res();
    const t1 = csrf.token(req(`x=1; ${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA`), r, false);
    assert.deepEqual(r.cookies(), []);
    assert.ok(csrf.checker(req(`${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA`))(t1));
  });

  it("replaces a malformed cookie", () => {
    const r = res();
    new HtmxCsrf([A]).token(req(`${CSRF_COOKIE}=short`), r, false);
    assert.equal(r.cookies().length, 1);
  });

  it("appends to the Set-Cookie headers already set", () => {
    const r = res("session=1");
    new HtmxCsrf([A]).token(req(), r, false);
    assert.equal(r.cookies().length, 2);
    assert.equal(r.cookies()[0], "session=1");
  });

  it("gives one cookie and one token when asked twice for one response", () => {
    const csrf = new HtmxCsrf([A]);
    const r = res();
    assert.equal(csrf.token(req(), r, false), csrf.token(req(), r, false));
    assert.equal(r.cookies().length, 1);
  });

  it("verifies a token made under a rotated-out secret still listed", () => {
    const old = new HtmxCsrf([A]);
    const r = res();
    const token = old.token(req(), r, false);
    const back = req(cookieOf(r.cookies()[0]!));
    assert.ok(new HtmxCsrf([B, A]).checker(back)(token));
    assert.ok(!new HtmxCsrf([B]).checker(back)(token));
  });

  it("binds the token to the cookie and the secret", () => {
    const csrf = new HtmxCsrf([A]);
    const t = csrf.token(req(`${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA`), res(), false);
    assert.ok(!csrf.checker(req(`${CSRF_COOKIE}=BAAAAAAAAAAAAAAAAAAAAA`))(t), "another cookie");
    assert.ok(!new HtmxCsrf([B]).checker(req(`${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA`))(t), "another secret");
    assert.ok(!csrf.checker(req())(t), "no cookie: nothing passes");
    assert.ok(!csrf.checker(req(`${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA`))(undefined), "no token");
  });
});

describe("csrfMatches", () => {
  it("is true only for equal tokens, false when either is missing", () => {
    assert.ok(csrfMatches("abc", "abc"));
    assert.ok(!csrfMatches("abc", "abd"));
    assert.ok(!csrfMatches("abc", "abcd"));
    assert.ok(!csrfMatches(undefined, "abc"));
    assert.ok(!csrfMatches("abc", undefined));
    assert.ok(!csrfMatches(undefined, undefined));
  });
});

describe("readCookie", () => {
  it("reads only a well-formed weft_htmx value", () => {
    assert.equal(readCookie(req(`a=b; ${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAA; c=d`)), "AAAAAAAAAAAAAAAAAAAAAA");
    assert.equal(readCookie(req(`${CSRF_COOKIE}=AAAAAAAAAAAAAAAAAAAAAB`)), undefined);
    assert.equal(readCookie(req(`${CSRF_COOKIE}x=AAAAAAAAAAAAAAAAAAAAAA`)), undefined);
    assert.equal(readCookie(req()), undefined);
  });
});
