import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import WebSocket from "ws";
import { defineView, deny, html } from "../../src/index.ts";
import { HEADERS, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { appsFixture } from "../support/server.ts";
import { until } from "../support/until.ts";
import * as views from "../support/views.ts";
import { Jar, newLinkId } from "../support/wires.ts";

const app = appsFixture();

/** Tries a WebSocket handshake; resolves with the HTTP status it was refused with, or 101. */
function handshake(base: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace("http", "ws")}/weft/ws`, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", () => {});
  });
}

/** The error code of a JSON error body, or of an HTML error page (page requests get one). */
const code = async (res: Response) => {
  const text = await res.text();
  if (res.headers.get("content-type")?.startsWith("text/html")) return /<code>(E_[A-Z_]+)<\/code>/.exec(text)?.[1];
  return (JSON.parse(text) as { error: { code: string } }).error.code;
};

/** A payload with prototype keys at depth 1, 2, 3 and in arrays, beside keys that must survive. */
const HOSTILE = `{"ok":1,"__proto__":{"p":1},"constructor":{"prototype":{"p":1}},
  "a":{"__proto__":{"p":1},"ok":1,"b":{"constructor":{"prototype":{"p":1}},"ok":1,"c":{"prototype":{"p":1},"__proto__":null,"ok":1}}},
  "list":[{"__proto__":{"p":1},"ok":1},[{"constructor":1,"prototype":2,"ok":1,"x":[{"__proto__":{"p":1},"ok":1}]}]]}`;

interface ProbeReport { forbidden: string[]; protos: string[]; ok: string[] }

/** Walks a payload as the handler sees it: forbidden own keys, odd prototypes, and where "ok" keys are. */
function probe(node: unknown, path: string, out: ProbeReport): ProbeReport {
  if (typeof node !== "object" || node === null) return out;
  const proto = Object.getPrototypeOf(node) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype) out.protos.push(path || "(root)");
  for (const key of Object.keys(node)) {
    const at = path === "" ? key : `${path}.${key}`;
    if (key === "__proto__" || key === "constructor" || key === "prototype") out.forbidden.push(at);
    if (key === "ok") out.ok.push(at);
    probe((node as Record<string, unknown>)[key], at, out);
  }
  return out;
}

const KeyProbe = defineView({
  mount: () => ({ seen: "" }),
  events: { probe: (_s, p) => ({ seen: JSON.stringify(probe(p, "", { forbidden: [], protos: [], ok: [] })) }) },
  render: (s) => html`<pre>${s.seen}</pre>`,
});

describe("origins", () => {
  it("refuses a cross-site WebSocket handshake (CSWSH) and accepts the page's own origin", async () => {
    const { base } = await app();
    assert.equal(await handshake(base, { origin: "http://evil.example" }), 403);
    assert.equal(await handshake(base, { origin: base }), 101);
    assert.equal(await handshake(base, {}), 101, "no Origin: not a browser, nothing to hijack");
  });

  it("accepts the origins in allowedOrigins, or any with '*'", async () => {
    const listed = await app({ allowedOrigins: ["https://app.example.com"] });
    assert.equal(await handshake(listed.base, { origin: "https://app.example.com" }), 101);
    assert.equal(await handshake(listed.base, { origin: "https://other.example.com" }), 403);
    const any = await app({ allowedOrigins: "*" });
    assert.equal(await handshake(any.base, { origin: "https://other.example.com" }), 101);
  });

  it("refuses POSTs and streams from another origin on SSE and HTTP", async () => {
    const { base } = await app();
    for (const path of ["/weft/sse", "/weft/http"]) {
      const res = await fetch(`${base}${path}?l=${newLinkId()}`, { method: "POST", headers: { origin: "http://evil.example", "content-type": "application/json" }, body: "[]" });
      assert.equal(res.status, 403, path);
      assert.equal(await code(res), "E_ORIGIN");
      const get = await fetch(`${base}${path}?l=${newLinkId()}`, { headers: { origin: "http://evil.example" } });
      assert.equal(get.status, 403);
    }
  });

  it("answers CORS preflights for allowed cross-origin clients only", async () => {
    const { base } = await app({ allowedOrigins: ["https://app.example.com"] });
    const ok = await fetch(`${base}/weft/http?l=${newLinkId()}`, { method: "OPTIONS", headers: { origin: "https://app.example.com", "access-control-request-method": "POST" } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://app.example.com");
    assert.equal(ok.headers.get("access-control-allow-credentials"), "true");
    const no = await fetch(`${base}/weft/http?l=${newLinkId()}`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    assert.equal(no.status, 403);
    assert.equal(no.headers.get("access-control-allow-origin"), null);
  });

});

describe("sharedKey", () => {
  const KEY = "service-key-0123456789";
  const json = { "content-type": "application/json" };

  it("refuses WebSocket handshakes without the key, with or without an Origin", async () => {
    const { base } = await app({ sharedKey: KEY });
    assert.equal(await handshake(base, {}), 401, "no Origin is no pass");
    assert.equal(await handshake(base, { origin: base }), 401, "the page's own origin is no pass");
    assert.equal(await handshake(base, { "x-weft-key": "wrong-key-0123456789x" }), 401);
    assert.equal(await handshake(base, { "x-weft-key": KEY.slice(0, -1) }), 401, "a prefix of the key");
    assert.equal(await handshake(base, { "x-weft-key": KEY }), 101);
    assert.equal(await handshake(base, { "x-weft-key": KEY, origin: base }), 101);
  });

  it("refuses SSE and HTTP link requests without the key, and serves them with it", async () => {
    const { base } = await app({ sharedKey: KEY });
    for (const path of ["/weft/sse", "/weft/http"]) {
      const get = await fetch(`${base}${path}?l=${newLinkId()}&n=0`);
      assert.equal(get.status, 401, path);
      assert.equal(await code(get), "E_SHARED_KEY");
      const post = await fetch(`${base}${path}?l=${newLinkId()}&n=0`, { method: "POST", headers: json, body: "[]" });
      assert.equal(post.status, 401, path);
      assert.equal(await code(post), "E_SHARED_KEY");
    }
    // A service client with the key drives a view over HTTP from start to end.
    const page = await fetch(`${base}/counter`, { headers: { "x-weft-key": KEY } });
    const token = /weft-token="([^"]+)"/.exec(await page.text())![1]!;
    const jar = new Jar();
    const l = newLinkId();
    const headers = { ...json, "x-weft-key": KEY };
    assert.equal((await jar.fetch(`${base}/weft/http?l=${l}&n=0`, { headers: { "x-weft-key": KEY, [HEADERS.token]: token } })).status, 200);
    const joined = await jar.fetch(`${base}/weft/http?l=${l}&n=0`, { method: "POST", headers, body: JSON.stringify([{ t: "j", v: 1, d: { k: token } }]) });
    assert.equal(joined.status, 200);
    assert.match(await joined.text(), /"t":"f"/);
    // The same link, the same cookie, without the key: refused.
    const keyless = await jar.fetch(`${base}/weft/http?l=${l}&n=1`, { method: "POST", headers: json, body: JSON.stringify([{ t: "e", v: 1, r: 1, e: "inc", d: {} }]) });
    assert.equal(keyless.status, 401);
  });

  it("refuses pages without the key clearly instead of serving a page that cannot connect", async () => {
    const { base } = await app({ sharedKey: KEY });
    const page = await fetch(`${base}/counter`);
    assert.equal(page.status, 401);
    assert.equal(await code(page), "E_SHARED_KEY");
    assert.equal((await fetch(`${base}/counter`, { headers: { "x-weft-key": KEY } })).status, 200);
  });

  it("does not let the key skip the origin check", async () => {
    const { base } = await app({ sharedKey: KEY });
    assert.equal(await handshake(base, { origin: "http://evil.example", "x-weft-key": KEY }), 403);
    const res = await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`, { method: "POST", headers: { ...json, origin: "http://evil.example", "x-weft-key": KEY }, body: "[]" });
    assert.equal(await code(res), "E_ORIGIN");
  });

  it("changes nothing without a sharedKey", async () => {
    const { base } = await app();
    assert.equal(await handshake(base, {}), 101);
    assert.equal((await fetch(`${base}/counter`)).status, 200);
  });
});

describe("tokens", () => {
  it("answers 414 E_URI_TOO_LONG at render when the page's token would exceed the join limit, and keeps no state", async () => {
    const { app: a, base } = await app();
    const long = await fetch(`${base}/counter?q=${"x".repeat(7000)}`);
    assert.equal(long.status, 414);
    assert.equal(await code(long), "E_URI_TOO_LONG");
    assert.equal(a.stats().pendingMounts, 0, "no pending mount waits for a join that cannot come");
    // A long query that fits still joins.
    const fits = await getPage(base, `/counter?q=${"x".repeat(5000)}`);
    assert.equal(fits.status, 200);
    const c = await ProtocolClient.connect(base);
    assert.equal((await c.join(1, fits.token)).t, S.rendered);
    await c.close();
  });
});

describe("stale links", () => {
  it("does not let a link that lost its session to a newer link end it with leave", async () => {
    const { base } = await app();
    const page = await getPage(base, "/counter");
    const stale = await ProtocolClient.connect(base);
    await stale.join(1, page.token);
    assert.deepEqual((await stale.event(1, "inc")).d, { 0: "1" });
    // The browser reconnected on a new link; the old one has not noticed yet.
    const fresh = await ProtocolClient.connect(base);
    assert.equal((await fresh.join(7, page.token)).t, S.rendered);
    stale.send({ t: "l", v: 1 });
    const refused = await stale.next((m) => m.v === 1 && m.c !== undefined);
    assert.equal(refused.c, "E_NOT_JOINED");
    assert.deepEqual((await fresh.event(7, "inc", {}, 2)).d, { 0: "2" }, "the session lives on for the link that owns it");
    await Promise.all([stale.close(), fresh.close()]);
  });

  it("still ends the session when the link that owns it leaves", async () => {
    const { app: a, base } = await app();
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/counter")).token);
    assert.equal(a.stats().sessions, 1);
    c.send({ t: "l", v: 1 });
    await until(() => a.stats().sessions === 0, 2000, "the session to end");
    await c.close();
  });
});

describe("link ids", () => {
  it("does not let a link id alone read or drive an SSE link", async () => {
    const { base } = await app();
    const victim = await ProtocolClient.connect(base, {}, "sse");
    const page = await getPage(base, "/counter");
    await victim.join(1, page.token);
    const link = new URL((victim.wire as unknown as { url: string }).url).searchParams.get("l")!;
    // The attacker has the id (say, from a proxy log) but not the victim's cookie.
    const attacker = new Jar();
    const read = await attacker.fetch(`${base}/weft/sse?l=${link}`);
    assert.equal(read.status, 404);
    assert.equal(await code(read), "E_UNKNOWN_LINK");
    const drive = await attacker.fetch(`${base}/weft/sse?l=${link}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify([{ t: "e", v: 1, r: 1, e: "inc", d: {} }]) });
    assert.equal(drive.status, 404);
    // The victim's stream is untouched and its session unchanged.
    assert.deepEqual((await victim.event(1, "inc")).d, { 0: "1" });
    await victim.close();
  });

  it("does not let a link id alone read or drive an HTTP link", async () => {
    const { base } = await app();
    const victim = await ProtocolClient.connect(base, {}, "http");
    const page = await getPage(base, "/counter");
    await victim.join(1, page.token);
    const link = new URL((victim.wire as unknown as { url: string }).url).searchParams.get("l")!;
    const attacker = new Jar();
    assert.equal((await attacker.fetch(`${base}/weft/http?l=${link}&n=0`)).status, 404);
    assert.equal((await attacker.fetch(`${base}/weft/http?l=${link}&n=1`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" })).status, 404);
    assert.deepEqual((await victim.event(1, "inc")).d, { 0: "1" });
    await victim.close();
  });
});

describe("requireTLS", () => {
  it("refuses plain HTTP pages, upgrades and transport requests", async () => {
    const { base } = await app({ requireTLS: true });
    const page = await fetch(`${base}/counter`);
    assert.equal(page.status, 403);
    assert.equal(await code(page), "E_TLS_REQUIRED");
    assert.equal(await handshake(base, {}), 403);
    assert.equal((await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`)).status, 403);
  });

  it("trusts X-Forwarded-Proto only from a trusted proxy", async () => {
    const untrusted = await app({ requireTLS: true });
    assert.equal((await fetch(`${untrusted.base}/counter`, { headers: { "x-forwarded-proto": "https" } })).status, 403);
    const trusted = await app({ requireTLS: true, trustProxy: ["127.0.0.1"] });
    assert.equal((await fetch(`${trusted.base}/counter`, { headers: { "x-forwarded-proto": "https" } })).status, 200);
    assert.equal(await handshake(trusted.base, { "x-forwarded-proto": "https" }), 101);
  });
});

describe("authorize", () => {
  const authorize = (req: { headers: { cookie?: string } }) => {
    const m = /user=(\w+)/.exec(req.headers.cookie ?? "");
    if (m === null) return deny(401, "sign in first");
    return { user: m[1]!, role: m[1] === "root" ? "admin" : "user" };
  };

  it("answers a page 401 without a session and 403 when the view refuses it", async () => {
    const { base } = await app({ authorize });
    const anon = await fetch(`${base}/profile`);
    assert.equal(anon.status, 401);
    assert.equal(await code(anon), "E_UNAUTHORIZED");
    const ada = await fetch(`${base}/profile`, { headers: { cookie: "user=ada" } });
    assert.equal(ada.status, 200);
    assert.match(await ada.text(), /<p>ada: 0<\/p>/);
    assert.equal((await fetch(`${base}/admin`, { headers: { cookie: "user=ada" } })).status, 403);
    assert.equal((await fetch(`${base}/admin`, { headers: { cookie: "user=root" } })).status, 200);
  });

  it("checks again at every join against the real request", async () => {
    const { base } = await app({ authorize });
    const page = await (await fetch(`${base}/profile`, { headers: { cookie: "user=ada" } })).text();
    const token = /weft-token="([^"]+)"/.exec(page)![1]!;
    // Signed out since (no cookie on the socket): refused.
    const anon = await ProtocolClient.connect(base);
    assert.equal((await anon.join(1, token)).c, "E_UNAUTHORIZED");
    // Another user's cookie with ada's token: refused.
    const bob = await ProtocolClient.connect(base, { cookie: "user=bob" });
    assert.equal((await bob.join(1, token)).c, "E_FORBIDDEN");
    // Ada herself: joins, and ctx.session is hers.
    const ada = await ProtocolClient.connect(base, { cookie: "user=ada" });
    const joined = await ada.join(1, token);
    assert.equal(joined.t, S.rendered);
    assert.equal(ada.views.get(1)!.html(), "<p>ada: 0</p>");
    await Promise.all([anon.close(), bob.close(), ada.close()]);
  });
});

describe("limits", () => {
  it("answers frames over the connection's rate with E_RATE_LIMIT and closes on sustained abuse", async () => {
    const { base } = await app({ rateLimit: { perSecond: 1, burst: 5 }, abuseLimit: 20 });
    const c = await ProtocolClient.connect(base);
    for (let i = 0; i < 10; i++) c.sendRaw('{"t":"h"}');
    const limited = await c.next((m) => m.t === S.error);
    assert.equal(limited.c, "E_RATE_LIMIT");
    for (let i = 0; i < 40; i++) c.sendRaw('{"t":"h"}');
    await new Promise((r) => c.ws.once("close", r));
    assert.equal(c.closeCode, 4429);
  });

  it("applies a handler's own rate limit and keeps the state", async () => {
    const { base } = await app();
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/guarded")).token);
    assert.deepEqual((await c.event(1, "slow")).d, { 0: "1" });
    assert.deepEqual((await c.event(1, "slow")).d, { 0: "2" });
    const third = await c.event(1, "slow");
    assert.equal(third.c, "E_RATE_LIMIT");
    assert.equal(c.views.get(1)!.html(), "<i>2</i><b></b>");
    await c.close();
  });

  it("refuses payloads nested deeper than maxJsonDepth", async () => {
    const { base } = await app({ maxJsonDepth: 8 });
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/counter")).token);
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = { a: deep };
    const m = await c.event(1, "inc", { deep } as Record<string, unknown>);
    assert.equal(m.c, "E_BAD_FRAME");
    assert.match(m.m ?? "", /deeper than 8/);
    assert.deepEqual((await c.event(1, "inc")).d, { 0: "1" });
    await c.close();
  });

  it("refuses views over maxViewsPerConnection", async () => {
    const { base } = await app({ maxViewsPerConnection: 2 });
    const c = await ProtocolClient.connect(base);
    for (const v of [1, 2]) assert.equal((await c.join(v, (await getPage(base, "/counter")).token)).t, S.rendered);
    assert.equal((await c.join(3, (await getPage(base, "/counter")).token)).c, "E_TOO_MANY_VIEWS");
    assert.deepEqual((await c.event(2, "inc")).d, { 0: "1" });
    await c.close();
  });

  it("refuses connections over maxConnectionsPerIp", async () => {
    const { base } = await app({ maxConnectionsPerIp: 2 });
    const a = await ProtocolClient.connect(base);
    const b = await ProtocolClient.connect(base);
    assert.equal(await handshake(base, {}), 429);
    const link = await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`);
    assert.equal(link.status, 429);
    assert.equal(await code(link), "E_TOO_MANY_CONNECTIONS");
    await a.close();
    // A closed connection frees its place (the server sees the close a moment later).
    await until(async () => (await handshake(base, {})) === 101, 2000, "the closed connection's place");
    await b.close();
  });
});

describe("payloads", () => {
  it("validates with the handler's Standard Schema: E_INVALID with the issues, handler not called", async () => {
    const { base } = await app();
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/guarded")).token);
    const before = views.setCalls;
    const bad = await c.event(1, "set", { n: "seven" });
    assert.equal(bad.c, "E_INVALID");
    assert.match(bad.m ?? "", /n must be an integer/);
    assert.equal(views.setCalls, before);
    assert.deepEqual((await c.event(1, "set", { n: 7 })).d, { 0: "7" });
    await c.close();
  });

  it("removes prototype keys at every depth and in arrays before a handler sees the payload", async () => {
    const { base } = await app({ views: { "/probe": KeyProbe } });
    const c = await ProtocolClient.connect(base);
    await c.join(1, (await getPage(base, "/probe")).token);
    // JSON.parse makes "__proto__" an own key (it does not set the prototype):
    // a stripper that only looked at the top level would pass each nested one on.
    c.sendRaw(JSON.stringify({ t: "e", v: 1, r: 1, e: "probe", d: {} }).replace('"d":{}', `"d":${HOSTILE}`));
    const m = await c.next((x) => x.r === 1);
    assert.notEqual(m.c, "E_BAD_FRAME");
    const seen = JSON.parse(c.views.get(1)!.html().replace(/^<pre>|<\/pre>$/g, "").replaceAll("&quot;", '"')) as ProbeReport;
    assert.deepEqual(seen.forbidden, [], "no __proto__, constructor or prototype own key at any depth");
    assert.deepEqual(seen.protos, [], "every object has a plain prototype");
    assert.deepEqual(seen.ok.sort(), ["a.b.c.ok", "a.b.ok", "a.ok", "list.0.ok", "list.1.0.ok", "list.1.0.x.0.ok", "ok"], "the other keys arrive at every depth");
    assert.equal(({} as Record<string, unknown>).p, undefined);
    await c.close();
  });
});

describe("CSRF", () => {
  it("refuses state-changing requests that a cross-site page could make with the victim's cookies", async () => {
    const { base } = await app();
    const victim = await ProtocolClient.connect(base, {}, "http");
    await victim.join(1, (await getPage(base, "/counter")).token);
    const wire = victim.wire as unknown as { url: string; jar: Jar };
    const cookie = wire.jar.header();
    const url = `${wire.url}&n=0`;
    const body = JSON.stringify([{ t: "e", v: 1, r: 1, e: "inc", d: {} }]);
    // A form POST (no preflight possible for JSON): refused by content type.
    const form = await fetch(url, { method: "POST", headers: { cookie, "content-type": "text/plain" }, body });
    assert.equal(form.status, 415);
    // A fetch from another site: refused by origin, cookie or not.
    const xsite = await fetch(url, { method: "POST", headers: { cookie, origin: "http://evil.example", "content-type": "application/json" }, body });
    assert.equal(xsite.status, 403);
    // The link id without the link's cookie (a request with another browser's cookie): refused.
    const other = new Jar();
    await other.fetch(`${base}/weft/http?l=${newLinkId()}&n=0`);
    assert.notEqual(other.header(), cookie);
    const stolen = await other.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(stolen.status, 404);
    assert.equal(await code(stolen), "E_UNKNOWN_LINK");
    const bare = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.equal(bare.status, 404);
    assert.deepEqual((await victim.event(1, "inc")).d, { 0: "1" }, "the session saw none of them");
    await victim.close();
  });
});
