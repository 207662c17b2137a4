/**
 * Peer-controlled counts stay bounded: links are made only for rendered pages,
 * connections are counted per client address (read through trusted proxies
 * only) and in total, HEAD does not mount, a crawler's pending mounts cannot
 * evict another address's, and fallbacks count real links only.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import WebSocket from "ws";
import { defineView, html, type WeftOptions } from "../../src/index.ts";
import { C, HEADERS, S } from "../../src/protocol/messages.ts";
import { ProtocolClient } from "../support/protocol-client.ts";
import { appsFixture } from "../support/server.ts";
import { until } from "../support/until.ts";
import { Jar, newLinkId } from "../support/wires.ts";

const app = appsFixture();

/** A view that counts its mounts and shows which mount made its state. */
let mounts = 0;
const Counted = defineView({
  mount: () => ({ nonce: ++mounts }),
  render: (s) => html`<p>mount ${s.nonce}</p>`,
});

/** Tries a WebSocket handshake; resolves with the refusal's status, or 101 (the socket is kept open). */
const sockets: WebSocket[] = [];
function handshake(base: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base.replace("http", "ws")}/weft/ws`, { headers });
    ws.once("open", () => {
      sockets.push(ws);
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", () => resolve(0));
  });
}
after(() => {
  for (const ws of sockets) ws.terminate();
});

const codeOf = async (res: Response): Promise<string> => ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code ?? `HTTP ${res.status}`;

async function tokenOf(base: string, path = "/counter", headers: Record<string, string> = {}): Promise<string> {
  const page = await (await fetch(base + path, { headers })).text();
  return /weft-token="([^"]+)"/.exec(page)?.[1] ?? "";
}

/** Runs `n` tasks, `width` at a time (a bounded flood). */
async function flood(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < n) await task(next++);
  }));
}

async function metric(base: string, line: string): Promise<number> {
  const text = await (await fetch(`${base}/weft/metrics`)).text();
  const hit = text.split("\n").find((l) => l.startsWith(line + " "));
  return hit === undefined ? 0 : Number(hit.slice(line.length + 1));
}

describe("link admission", () => {
  it("makes no link, cookie or connection for 2,000 link-opening requests that carry no valid join", async () => {
    const { app: weft, base } = await app();
    const codes = new Set<string>();
    const bogus = JSON.stringify([{ t: C.join, v: 1, d: { k: "not-a-token" } }]);
    await flood(2_000, 32, async (i) => {
      const l = newLinkId();
      const res =
        i % 5 === 0 ? await fetch(`${base}/weft/http?l=${l}&n=0`) // what a cross-site <img src> sends
        : i % 5 === 1 ? await fetch(`${base}/weft/sse?l=${l}`)
        : i % 5 === 2 ? await fetch(`${base}/weft/sse?l=${l}&fb=1`, { method: "POST", headers: { "content-type": "application/json" }, body: "[]" })
        : i % 5 === 3 ? await fetch(`${base}/weft/http?l=${l}&n=0`, { method: "POST", headers: { "content-type": "application/json" }, body: bogus })
        : await fetch(`${base}/weft/http?l=${l}&n=0`, { headers: { [HEADERS.token]: "forged.token" } });
      assert.ok(res.status >= 400, `request ${i} answered ${res.status}`);
      assert.equal(res.headers.get("set-cookie"), null, "no link cookie is handed out");
      codes.add(await codeOf(res));
    });
    const s = weft.stats();
    assert.deepEqual({ sseLinks: s.sseLinks, httpLinks: s.httpLinks }, { sseLinks: 0, httpLinks: 0 });
    assert.equal(await metric(base, 'weft_connections{transport="http"}'), 0);
    assert.ok([...codes].every((c) => c.startsWith("E_")), `every refusal has a code: ${[...codes].join(", ")}`);
  });

  it("opens a link whose first request carries a page's view token", async () => {
    const { app: weft, base } = await app();
    const res = await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`, { headers: { [HEADERS.token]: await tokenOf(base) } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("set-cookie") ?? "", /weft_link=/);
    assert.equal(weft.stats().httpLinks, 1);
  });

  it("does not count ?fb=1 fallbacks of links that never join", async () => {
    const { base } = await app();
    const token = await tokenOf(base);
    await flood(300, 16, async (i) => {
      const headers: Record<string, string> = i % 2 === 0 ? { [HEADERS.token]: token } : {};
      await (await fetch(`${base}/weft/http?l=${newLinkId()}&n=0&fb=1`, { headers })).arrayBuffer();
    });
    assert.equal(await metric(base, 'weft_fallbacks_total{to="http"}'), 0);
  });

  it("counts a fallback link once, when its first join is answered", async () => {
    const { base } = await app();
    const jar = new Jar();
    const url = `${base}/weft/http?l=${newLinkId()}&fb=1&n=0`;
    assert.equal((await jar.fetch(url, { headers: { [HEADERS.token]: await tokenOf(base) } })).status, 200);
    assert.equal(await metric(base, 'weft_fallbacks_total{to="http"}'), 0, "not before a join");
    for (let v = 1; v <= 3; v++) {
      const join = JSON.stringify([{ t: C.join, v, d: { k: await tokenOf(base) } }]);
      assert.equal((await jar.fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: join })).status, 200);
    }
    assert.equal(await metric(base, 'weft_fallbacks_total{to="http"}'), 1);
  });
});

describe("connections per client address", () => {
  it("counts by the socket address and ignores X-Forwarded-For from a peer that is not a trusted proxy", async () => {
    const { base } = await app({ maxConnectionsPerIp: 2, trustProxy: ["10.1.1.1"] });
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.1" }), 101);
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.2" }), 101);
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.3" }), 429);
  });

  it("limits each forwarded client behind a trusted proxy by the right-most untrusted X-Forwarded-For address", async () => {
    const { base } = await app({ maxConnectionsPerIp: 2, trustProxy: ["127.0.0.1"] });
    const via = (xff: string) => handshake(base, { "x-forwarded-for": xff });
    assert.equal(await via("203.0.113.1"), 101);
    assert.equal(await via("198.51.100.9, 203.0.113.1"), 101);
    // A client cannot escape its count by prepending addresses of its own choosing.
    assert.equal(await via("198.51.100.10, 203.0.113.1"), 429);
    assert.equal(await via("203.0.113.1, 127.0.0.1"), 429, "trusted hops are skipped from the right");
    assert.equal(await via("203.0.113.2"), 101, "another client behind the same proxy has its own count");
  });

  it("with trustProxy: true takes the address the one proxy hop appended", async () => {
    const { base } = await app({ maxConnectionsPerIp: 1, trustProxy: true });
    assert.equal(await handshake(base, { "x-forwarded-for": "1.2.3.4, 203.0.113.7" }), 101);
    assert.equal(await handshake(base, { "x-forwarded-for": "5.6.7.8, 203.0.113.7" }), 429);
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.8" }), 101);
  });

  it("counts IPv6 clients by their /64, so fresh addresses of one subscriber share one budget", async () => {
    const { base } = await app({ maxConnectionsPerIp: 2, trustProxy: ["127.0.0.1"] });
    const via = (xff: string) => handshake(base, { "x-forwarded-for": xff });
    assert.equal(await via("2001:db8:1:2::1"), 101);
    assert.equal(await via("2001:db8:1:2:ffff:0:0:7"), 101);
    assert.equal(await via("[2001:db8:1:2:abcd::9]"), 429, "another address in the same /64");
    assert.equal(await via("2001:db8:1:3::1"), 101, "the next /64 is another subscriber");
  });

  it("counts links as connections of their address", async () => {
    const { base } = await app({ maxConnectionsPerIp: 1 });
    const token = await tokenOf(base);
    assert.equal((await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`, { headers: { [HEADERS.token]: token } })).status, 200);
    const second = await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`, { headers: { [HEADERS.token]: token } });
    assert.equal(second.status, 429);
    assert.equal(await codeOf(second), "E_TOO_MANY_CONNECTIONS");
  });

  it("ends an idle link after linkTimeoutMs and frees its address's place", async () => {
    const { app: weft, base } = await app({ maxConnectionsPerIp: 1, linkTimeoutMs: 300 });
    const open = async () => (await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`, { headers: { [HEADERS.token]: await tokenOf(base) } })).status;
    assert.equal(await open(), 200);
    assert.equal(await open(), 429);
    await until(() => weft.stats().httpLinks === 0, 5_000, "the idle link to end");
    assert.equal(await open(), 200);
  });

  it("refuses connections over maxConnections in total, from any addresses, with 503 E_SERVER_BUSY", async () => {
    const { base } = await app({ maxConnections: 2, trustProxy: true });
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.1" }), 101);
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.2" }), 101);
    assert.equal(await handshake(base, { "x-forwarded-for": "203.0.113.3" }), 503);
    const link = await fetch(`${base}/weft/http?l=${newLinkId()}&n=0`, { headers: { [HEADERS.token]: await tokenOf(base), "x-forwarded-for": "203.0.113.4" } });
    assert.equal(await codeOf(link), "E_SERVER_BUSY");
  });
});

describe("crawlers", () => {
  it("answers HEAD of a view with headers only: no mount, no pending mount", async () => {
    const { app: weft, base } = await app({ views: { "/counted": Counted } });
    const before = mounts;
    const res = await fetch(`${base}/counted`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.equal(mounts - before, 0);
    assert.equal(weft.stats().pendingMounts, 0);
  });

  it("keeps another address's pending mount through a crawler flood from one address", async () => {
    const { app: weft, base } = await app({ views: { "/counted": Counted }, trustProxy: ["127.0.0.1"], maxPendingMounts: 50, maxPendingMountsPerIp: 5 });
    const victim = { "x-forwarded-for": "203.0.113.1" };
    const page = await (await fetch(`${base}/counted`, { headers: victim })).text();
    const token = /weft-token="([^"]+)"/.exec(page)?.[1] ?? "";
    const nonce = /mount (\d+)/.exec(page)?.[1];
    await flood(200, 8, async () => {
      await (await fetch(`${base}/counted`, { headers: { "x-forwarded-for": "198.51.100.66" } })).arrayBuffer();
    });
    assert.ok(weft.stats().pendingMounts <= 6, `the crawler holds at most its own share (${weft.stats().pendingMounts} pending)`);
    const c = await ProtocolClient.connect(base, victim);
    const joined = await c.join(1, token);
    assert.equal(joined.t, S.rendered);
    assert.match(c.views.get(1)!.html(), new RegExp(`mount ${nonce}\\b`), "the page's own mount went live (not a fresh one)");
    await c.close();
  });
});
