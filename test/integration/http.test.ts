import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { startApp } from "../support/server.ts";

describe("HTTP handler", () => {
  let ctx: Awaited<ReturnType<typeof startApp>>;
  before(async () => {
    ctx = await startApp();
  });
  after(() => ctx.app.close());

  it("serves the client with an ETag, revalidation and gzip", async () => {
    const res = await fetch(`${ctx.base}/weft/client.js`, { headers: { "accept-encoding": "identity" } });
    assert.equal(res.status, 200);
    const etag = res.headers.get("etag");
    assert.match(etag ?? "", /^"[\w-]+"$/);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    const body = await res.text();
    assert.ok(body.length > 1000);
    const again = await fetch(`${ctx.base}/weft/client.js`, { headers: { "if-none-match": etag! } });
    assert.equal(again.status, 304);
    const hash = etag!.slice(1, -1);
    const versioned = await fetch(`${ctx.base}/weft/client.js?v=${hash}`);
    assert.match(versioned.headers.get("cache-control") ?? "", /immutable/);
  });

  it("links the page to the current client version", async () => {
    const page = await (await fetch(`${ctx.base}/counter`)).text();
    const etag = (await fetch(`${ctx.base}/weft/client.js`)).headers.get("etag")!.slice(1, -1);
    assert.ok(page.includes(`/weft/client.js?v=${etag}`));
  });

  it("sends the client gzipped to a browser that accepts it", async () => {
    const { request } = await import("node:http");
    const url = new URL(`${ctx.base}/weft/client.js`);
    const raw: Buffer = await new Promise((resolve, reject) => {
      request(url, { headers: { "accept-encoding": "gzip" } }, (res) => {
        assert.equal(res.headers["content-encoding"], "gzip");
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
      }).on("error", reject).end();
    });
    assert.ok(gunzipSync(raw).length > raw.length);
  });

  it("answers the page with no-store caching (it holds a session token)", async () => {
    const res = await fetch(`${ctx.base}/counter`);
    assert.equal(res.headers.get("cache-control"), "no-store");
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  });

  it("reads a request target by its path and query only, whatever host it names", async () => {
    const { request } = await import("node:http");
    const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      // node:http sends `path` verbatim as the request target.
      request({ host: "127.0.0.1", port: new URL(ctx.base).port, path }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      }).on("error", reject).end();
    });
    for (const target of ["/weft/health?x=1", "//evil.example/weft/health", "/\\evil.example/weft/health", "http://evil.example/weft/health"]) {
      const res = await get(target);
      assert.equal(res.status, 200, target);
      assert.equal((JSON.parse(res.body) as { status: string }).status, "ok", target);
    }
    const page = await get("/counter?start=4#frag");
    assert.equal(page.status, 200);
    assert.match(page.body, /Count: <b>4<\/b>/);
    const junk = await get("/%zz%");
    assert.equal(junk.status, 404);
  });

  it("answers an unknown path with a JSON 404 carrying a code to a client that accepts JSON", async () => {
    const res = await fetch(`${ctx.base}/missing`, { headers: { accept: "application/json" } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "E_UNKNOWN_VIEW");
  });

  it("refuses a WebSocket upgrade on any other path", async () => {
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(`${ctx.base.replace("http", "ws")}/elsewhere`);
    const err = await new Promise<Error>((r) => ws.once("error", r));
    assert.match(err.message, /404/);
  });
});

describe("health", () => {
  it("reports status, uptime, sessions and connections per transport", async () => {
    const { startApp } = await import("../support/server.ts");
    const { ProtocolClient, getPage } = await import("../support/protocol-client.ts");
    const ctx = await startApp();
    try {
      const c = await ProtocolClient.connect(ctx.base, {}, "sse");
      await c.join(1, (await getPage(ctx.base, "/counter")).token);
      const res = await fetch(`${ctx.base}/weft/health`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("cache-control"), "no-store");
      const h = (await res.json()) as { status: string; sessions: number; connections: Record<string, number>; transports: string[] };
      assert.equal(h.status, "ok");
      assert.equal(h.sessions, 1);
      assert.deepEqual(h.connections, { websocket: 0, sse: 1, http: 0 });
      assert.deepEqual(h.transports, ["websocket", "sse", "http"]);
      await c.close();
    } finally {
      await ctx.app.close();
    }
  });
});
