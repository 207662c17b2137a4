/**
 * Hostile HTTP requests: raw POST bodies on the attacker's own SSE/HTTP link,
 * fetches with someone else's or a malformed link id, garbage `n` and
 * `Last-Event-ID`, wrong methods and origins, and raw bytes on a TCP socket
 * (malformed request targets, WebSocket handshakes with hostile headers).
 *
 * @example
 * fc.sample(requestInput("http", frameTexts), 1);
 * // e.g. [ { via: "fetch", kind: "victim-link", method: "POST", link: "victim", cookie: "none", … } ]
 */
import fc from "fast-check";
import { oddString } from "./hostile-values.ts";

/** A raw body POSTed on the attacker's own link, with its cookie. */
export interface BodyInput {
  readonly via: "body";
  readonly kind: string;
  readonly body: string | Buffer;
  /** Undefined: no Content-Type header at all. */
  readonly contentType: string | undefined;
  /** Sent as a stream without Content-Length (chunked), so the server must count as it reads. */
  readonly chunked: boolean;
}

/** Whose link a fetch names. */
export type LinkTarget = "own" | "victim" | "fresh" | { readonly literal: string };

/** Which link cookie a fetch carries. */
export type CookieChoice = "own" | "none" | "forged";

/** A fetch built from parts the engine fills in (link ids and cookies are only known at run time). */
export interface FetchInput {
  readonly via: "fetch";
  readonly kind: string;
  readonly method: string;
  /** A transport endpoint, or a view page path with its query. */
  readonly path: "sse" | "http" | { readonly page: string };
  readonly link: LinkTarget;
  readonly cookie: CookieChoice;
  /** The raw `n` query value (HTTP transport); undefined: none. */
  readonly n: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** More query parameters (`last=` for SSE resumes). */
  readonly query: Readonly<Record<string, string>>;
  readonly body: string | undefined;
  /** The one answer this request must get, when there is one. */
  readonly expect: { readonly status: number; readonly code: string } | undefined;
}

/** Bytes written on a fresh TCP connection: the request line and headers are the attack. */
export interface RawInput {
  readonly via: "raw";
  readonly kind: string;
  readonly request: string;
}

export type RequestInput = BodyInput | FetchInput | RawInput;

const JSON_TYPE = "application/json";
/** What fetch lets through a header value (ByteString); anything else goes in the query. */
const LATIN1 = /^[\x00-\xff]*$/;
const BAD_TYPES = ["text/plain", "application/json5", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx", "json", "text/json", "application/json, text/plain", "application/*"];
const GOOD_TYPES = ["application/json; charset=utf-8", "Application/JSON", "application/json;charset=utf-16"];
const BAD_JSON = ['[{"t":"h"}', '[{"t":"h"},]', "{'t':'h'}", "[NaN]", "\uFEFF[]", "[", "]", '{"t":"h"}{"t":"h"}', "[01]", '["\\u12"]', "[1e]", '{"t":"h",}', "tru", "\u0000", ""];
const BAD_LINKS = ["", "short", "A".repeat(15), "A".repeat(65), "A".repeat(10_000), "AAAAAAAAAAAAAAAA!", "AAAAAAAAAAAAAAAA AAAA", "ÄAAAAAAAAAAAAAAAAA", "../../../../etc/pass", "AAAAAAAAAAAAAAAA%00", "__proto__AAAAAAAAAA".slice(0, 15)];
const BAD_N = ["-1", "1e3", "0x1", "999999999999999999", "9999999999999999", "NaN", " 1", "1 ", "١", "1.5", "+1", "0".repeat(16), "%00", "[]"];
const BAD_LAST = ["-1", "abc", "1e3", "999999999999999999999", "0x10", " ", "\t7", "99999999", "0", "1,2", "٣"];
const EVIL_ORIGINS = ["http://evil.example", "null", "https://127.0.0.1.evil.example", "http://127.0.0.1:1", "file://", "http://[::1]"];
const VICTIM_FRAMES = ['[{"t":"e","v":7,"r":1000000,"e":"inc","d":{}}]', '[{"t":"l","v":7}]', '[{"t":"a","v":7,"q":99999}]', '[{"t":"h"}]', '{"t":"e","v":7,"r":2000000,"e":"boom","d":{}}'];
const BAD_TARGETS = ["http://[", "//[::1", "http://%zz/", "http://a:b:c/", "http://localhost:99999/x", "*", "/%", "/weft/ws/../ws", "/weft//ws", "/weft/ws?l=%ZZ", `/weft/http?l=${"A".repeat(8000)}&n=0`, "/weft/sse?l=AAAAAAAAAAAAAAAAAAAAAA&l=BBBBBBBBBBBBBBBBBBBBBB", "/counter?start=%E0%A4%A"];

/** Hostile HTTP requests for `transport`. Over WebSocket only raw requests apply (handshakes and request targets). */
export function requestInput(transport: "websocket" | "sse" | "http", frameTexts: fc.Arbitrary<string>): fc.Arbitrary<RequestInput> {
  if (transport === "websocket") return fc.oneof(rawTarget(), upgrade());
  const path = transport;
  const fetch = (kind: string, over: Partial<FetchInput>): FetchInput =>
    ({ via: "fetch", kind, method: "POST", path, link: "own", cookie: "own", n: transport === "http" ? "0" : undefined, headers: {}, query: {}, body: undefined, expect: undefined, ...over });
  const body = (kind: string, b: string | Buffer, contentType: string | undefined = JSON_TYPE, chunked = false): BodyInput => ({ via: "body", kind, body: b, contentType, chunked });
  const choices: fc.WeightedArbitrary<RequestInput>[] = [
    { weight: 3, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => body("body-bytes", Buffer.from(b))) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...BAD_TYPES, ...GOOD_TYPES), fc.boolean()).map(([t, none]) => body("content-type", '[{"t":"h"}]', none ? undefined : t)) },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(...BAD_JSON), fc.string({ maxLength: 64 })).map((s) => body("bad-json", s)) },
    { weight: 4, arbitrary: fc.array(frameTexts, { minLength: 2, maxLength: 64 }).map((fs) => body("batch", `[${fs.join(",")}]`)) },
    { weight: 1, arbitrary: fc.constantFrom('{"t":"h"}', '{"t":"e","v":1,"r":1,"e":"inc","d":{}}').map((f) => body("batch-256", `[${Array(256).fill(f).join(",")}]`)) },
    { weight: 1, arbitrary: fc.integer({ min: 257, max: 2000 }).map((n) => body("batch-over", `[${Array(n).fill('{"t":"h"}').join(",")}]`)) },
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 64 * 1024 + 1, max: 300_000 }), fc.boolean()).map(([n, chunked]) => body(chunked ? "body-over-chunked" : "body-over", `["${"x".repeat(n)}"]`, JSON_TYPE, chunked)) },
    { weight: 4, arbitrary: victimLink(transport).map((o) => fetch("victim-link", o)) },
    { weight: 2, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...BAD_LINKS), oddString), fc.constantFrom("GET", "POST")).map(([id, method]) => fetch("bad-link", { link: { literal: id }, method, body: method === "POST" ? '[{"t":"h"}]' : undefined })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"), fc.option(fc.constantFrom(...EVIL_ORIGINS), { nil: undefined })).map(([method, origin]) => fetch("method", { method, headers: origin === undefined ? {} : { origin, "access-control-request-method": "POST" } })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...EVIL_ORIGINS), fc.constantFrom("GET", "POST")).map(([origin, method]) => fetch("origin", { method, link: method === "GET" ? "fresh" : "own", headers: { origin }, body: method === "POST" ? '[{"t":"h"}]' : undefined })) },
    { weight: 1, arbitrary: pageQuery().map((page) => fetch("page", { method: "GET", path: { page }, link: "own", cookie: "none", n: undefined })) },
  ];
  if (transport === "http") {
    choices.push({ weight: 3, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...BAD_N), fc.nat().map(String)), fc.constantFrom("GET", "POST"), fc.constantFrom<LinkTarget>("own", "fresh")).map(([n, method, link]) =>
      fetch("bad-n", { n, method, link, body: method === "POST" ? '[{"t":"h"}]' : undefined })) });
  } else {
    choices.push({ weight: 3, arbitrary: fc.tuple(fc.oneof(fc.constantFrom(...BAD_LAST), fc.nat().map(String)), fc.boolean(), fc.constantFrom<LinkTarget>("own", "fresh")).map(([last, header, link]) =>
      fetch("bad-last-event-id", { method: "GET", link, ...(header && LATIN1.test(last) ? { headers: { "last-event-id": last } } : { query: { last } }) })) });
  }
  return fc.oneof(...choices);
}

/** The victim's link id without the victim's cookie: the server must not know the link. */
function victimLink(transport: "sse" | "http"): fc.Arbitrary<Partial<FetchInput>> {
  return fc.tuple(fc.constantFrom<CookieChoice>("none", "own", "forged"), fc.constantFrom("GET", "POST"), fc.constantFrom(...VICTIM_FRAMES), fc.constantFrom("0", "1", "3")).map(([cookie, method, body, n]) => ({
    link: "victim" as const, cookie, method, n: transport === "http" ? n : undefined,
    headers: (transport === "sse" && method === "GET" && n !== "0" ? { "last-event-id": n } : {}) as Record<string, string>,
    body: method === "POST" ? body : undefined,
    expect: { status: 404, code: "E_UNKNOWN_LINK" },
  }));
}

/** View pages with hostile queries (the page mount sees them as params). */
function pageQuery(): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom("/counter", "/items", "/bad", "/nope", "/weft/x", "/counter/"), fc.constantFrom("start", "__proto__", "constructor", "toString", "__proto__[x]"), fc.oneof(oddString, fc.constantFrom("1e308", "-0", "NaN", "x".repeat(5000))))
    .map(([p, k, v]) => `${p}?${percent(k)}=${percent(v)}`);
}

/** Percent-encodes every UTF-8 byte (encodeURIComponent throws on lone surrogates; these become U+FFFD). */
function percent(s: string): string {
  return [...Buffer.from(s, "utf8")].map((b) => `%${b.toString(16).padStart(2, "0")}`).join("");
}

/** Malformed request targets, with and without a WebSocket handshake. */
function rawTarget(): fc.Arbitrary<RawInput> {
  return fc.tuple(fc.constantFrom(...BAD_TARGETS), fc.constantFrom("GET", "POST", "OPTIONS"), fc.boolean()).map(([target, method, upgrade]) => ({
    via: "raw" as const,
    kind: upgrade ? "raw-upgrade-target" : "raw-target",
    request: `${upgrade ? "GET" : method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${upgrade ? HANDSHAKE : ""}Content-Length: 0\r\nConnection: ${upgrade ? "Upgrade" : "close"}\r\n\r\n`,
  }));
}

const HANDSHAKE = "Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

/** WebSocket handshakes with hostile headers: foreign origins, bad versions and keys, junk subprotocols. */
function upgrade(): fc.Arbitrary<RawInput> {
  const header = fc.oneof(
    fc.constantFrom(...EVIL_ORIGINS).map((o) => `Origin: ${o}\r\n`),
    fc.constantFrom("Sec-WebSocket-Protocol: \u0001junk\r\n", "Sec-WebSocket-Protocol: a, a\r\n", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99\r\n", "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n"),
  );
  return fc.tuple(fc.array(header, { maxLength: 3 }), fc.constantFrom("13", "8", "", "13, 8"), fc.constantFrom("dGhlIHNhbXBsZSBub25jZQ==", "", "short", "!!!!")).map(([hs, version, key]) => ({
    via: "raw" as const,
    kind: "ws-upgrade",
    request: `GET /weft/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: ${version}\r\n${hs.join("")}\r\n`,
  }));
}
