/**
 * Error pages: page requests (GET/HEAD of a view path, or of an unknown path
 * outside /weft/) get HTML pages with the error's status; /weft/* and
 * requests that accept JSON keep JSON; `errorPage` replaces the page; what a
 * page shows is escaped, and no page carries a stack trace.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, describe, it } from "node:test";
import { defineView, deny, html, type WeftOptions } from "../../src/index.ts";
import { startApp } from "../support/server.ts";

const SECRET_DETAIL = "db password hunter2";

const Throws = defineView({
  mount: () => {
    throw new Error(SECRET_DETAIL);
  },
  render: () => html`<p>never</p>`,
});

const Goes = defineView({
  mount: (p, ctx) => {
    ctx.navigate(String(p.to), { kind: "redirect" });
    return {};
  },
  render: () => html`<p>going</p>`,
});

const HOSTILE_DENIAL = `<script>alert("deny")</script>`;

const authorize = (req: { headers: { cookie?: string } }) => {
  if (req.headers.cookie?.includes("hostile")) return deny(401, HOSTILE_DENIAL);
  const m = /user=(\w+)/.exec(req.headers.cookie ?? "");
  return m === null ? deny(401, "sign in first") : { user: m[1]! };
};

const apps: { close(): Promise<void> }[] = [];
after(() => Promise.all(apps.map((a) => a.close())));

async function serve(opts: Partial<WeftOptions> = {}) {
  const started = await startApp({ ...opts, views: { "/counter": (await import("../support/views.ts")).Counter, "/admin": (await import("../support/views.ts")).Admin, "/throws": Throws, "/go": Goes } });
  apps.push(started.app);
  return started;
}

/** A raw GET (the path is sent as it is: fetch would percent-encode it). */
function rawGet(base: string, path: string, headers: Record<string, string> = {}, method = "GET"): Promise<{ status: number; type: string; csp: string; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), csp: String(res.headers["content-security-policy"]), body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const isHtml = (r: { type: string }) => r.type.startsWith("text/html");

describe("HTML error pages for page requests", () => {
  it("answers an unknown path with a 404 page that loads and runs nothing", async () => {
    const { base } = await serve();
    const r = await rawGet(base, "/missing");
    assert.equal(r.status, 404);
    assert.ok(isHtml(r), r.type);
    assert.match(r.body, /^<!doctype html>/);
    assert.match(r.body, /<h1>404 Not Found<\/h1>/);
    assert.match(r.body, /E_UNKNOWN_VIEW/);
    assert.equal(r.csp, "default-src 'none'; style-src 'unsafe-inline'");
  });

  it("escapes a hostile path in the 404 page", async () => {
    const { base } = await serve();
    for (const path of [`/"><script>alert(1)</script>`, "/<img/src=x/onerror=alert(1)>", "/&lt;b&gt;it's"]) {
      const r = await rawGet(base, path);
      assert.equal(r.status, 404, path);
      assert.ok(!/<script|<img|<b>/i.test(r.body), `${path} → ${r.body}`);
    }
    // What is shown is escaped, not dropped: an entity in the path shows as text.
    const r = await rawGet(base, "/&lt;b&gt;it's");
    assert.match(r.body, /&amp;lt;b&amp;gt;it&#39;s/);
  });

  it("answers 401 and 403 from authorize and the view's auth with pages, escaping the denial's message", async () => {
    const { base } = await serve({ authorize });
    const anon = await rawGet(base, "/counter");
    assert.equal(anon.status, 401);
    assert.ok(isHtml(anon));
    assert.match(anon.body, /sign in first/);
    const user = await rawGet(base, "/admin", { cookie: "user=ada" });
    assert.equal(user.status, 403);
    assert.match(user.body, /E_FORBIDDEN/);
    const hostile = await rawGet(base, "/counter", { cookie: "hostile=1" });
    assert.equal(hostile.status, 401);
    assert.ok(!hostile.body.includes("<script>alert"), hostile.body);
    assert.match(hostile.body, /&lt;script&gt;alert/);
  });

  it("answers a throwing mount with a 500 page that shows neither the error nor a stack, even in development", async () => {
    const env = process.env.NODE_ENV;
    process.env.NODE_ENV = "development";
    try {
      const { base, errors } = await serve();
      const r = await rawGet(base, "/throws");
      assert.equal(r.status, 500);
      assert.ok(isHtml(r));
      assert.match(r.body, /E_MOUNT/);
      assert.ok(!r.body.includes(SECRET_DETAIL), "the thrown message stays in the log");
      assert.ok(!/\bat .*\.ts:\d+/.test(r.body), "no stack trace");
      assert.ok(errors.some((e) => e instanceof Error && e.message === SECRET_DETAIL), "onError saw it");
    } finally {
      if (env === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = env;
    }
  });

  it("answers a hostile redirect from mount with a 400 page and a long query with a 414 page", async () => {
    const { base } = await serve();
    const nav = await rawGet(base, `/go?to=${encodeURIComponent("javascript:alert(1)")}`);
    assert.equal(nav.status, 400);
    assert.ok(isHtml(nav));
    assert.match(nav.body, /E_NAV_TARGET/);
    const long = await rawGet(base, `/counter?q=${"x".repeat(7000)}`);
    assert.equal(long.status, 414);
    assert.ok(isHtml(long));
    assert.match(long.body, /E_URI_TOO_LONG/);
  });

  it("answers HEAD of an unknown path with the 404 status and no body", async () => {
    const { base } = await serve();
    const r = await rawGet(base, "/missing", {}, "HEAD");
    assert.equal(r.status, 404);
    assert.equal(r.body, "");
  });
});

describe("JSON errors stay where a program is asking", () => {
  it("answers /weft/* with JSON", async () => {
    const { base } = await serve();
    const r = await rawGet(base, "/weft/nope");
    assert.equal(r.status, 404);
    assert.ok(r.type.startsWith("application/json"), r.type);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, "E_UNKNOWN_VIEW");
  });

  it("answers a page request that accepts JSON with JSON", async () => {
    const { base } = await serve({ authorize });
    for (const path of ["/missing", "/counter", "/throws"]) {
      const r = await rawGet(base, path, { accept: "application/json" });
      assert.ok(r.type.startsWith("application/json"), `${path}: ${r.type}`);
      assert.match(JSON.parse(r.body).error.code as string, /^E_/);
    }
  });

  it("answers a POST to an unknown path with JSON", async () => {
    const { base } = await serve();
    const r = await rawGet(base, "/missing", {}, "POST");
    assert.equal(r.status, 404);
    assert.ok(r.type.startsWith("application/json"), r.type);
  });
});

describe("the errorPage option", () => {
  it("builds the page from the status, the error and the request", async () => {
    const seen: { status: number; code: string; cause: unknown; url: string | undefined }[] = [];
    const { base } = await serve({
      errorPage: (status, error, req) => {
        seen.push({ status, code: error.code, cause: error.cause, url: req.url });
        return `<!doctype html><title>Oops</title><p>custom ${status} ${error.code}</p>`;
      },
    });
    const missing = await rawGet(base, "/missing?x=1");
    assert.equal(missing.status, 404);
    assert.equal(missing.body, "<!doctype html><title>Oops</title><p>custom 404 E_UNKNOWN_VIEW</p>");
    const thrown = await rawGet(base, "/throws");
    assert.equal(thrown.status, 500);
    assert.match(thrown.body, /custom 500 E_MOUNT/);
    assert.equal(seen[0]?.url, "/missing?x=1");
    assert.ok(seen[1]?.cause instanceof Error && seen[1].cause.message === SECRET_DETAIL, "a 500's page gets the thrown error as cause");
  });

  it("falls back to the default page when errorPage throws or returns no string, and reports it", async () => {
    for (const errorPage of [() => { throw new Error("page broke"); }, () => 42 as unknown as string]) {
      const { base, errors } = await serve({ errorPage });
      const r = await rawGet(base, "/missing");
      assert.equal(r.status, 404);
      assert.match(r.body, /<h1>404 Not Found<\/h1>/);
      assert.ok(errors.length > 0, "onError saw the failure");
    }
  });

  it("is refused at start-up when it is not a function", async () => {
    await assert.rejects(serve({ errorPage: "<h1>oops</h1>" as never }), /`errorPage` must be a function, got a string/);
  });
});
