/**
 * Requests forwarded between two nodes on one Redis, without a balancer: the
 * node that holds the browser's socket bounds what a slow reader piles up,
 * and the TLS fact of the browser's connection travels with the request.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpRequest, type ClientRequest, type IncomingMessage } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createWeft, defineView, html, type WeftApp } from "../../src/index.ts";
import { kindOf, PATHS, S, type Envelope } from "../../src/protocol/messages.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { missingBinary } from "../support/requires.ts";
import { clusterFixture, TEST_SECRET } from "../support/server.ts";
import { until, within } from "../support/until.ts";
import { newLinkId, SseWire } from "../support/wires.ts";
import { getPage } from "../support/protocol-client.ts";

const skip = redisSkipReason();

/** Each broadcast makes one diff frame of about 100 KB. */
const Blob = defineView({
  mount: (_p, ctx) => {
    ctx.subscribe("blob");
    return { n: 0, text: "" };
  },
  info: { big: (_s, p) => { const n = (p as { n: number }).n; return { n, text: `${n}:${"x".repeat(100_000)}` }; } },
  render: (s) => html`<p>${s.n}</p><pre>${s.text}</pre>`,
});

describe("forwarded requests between two nodes", { skip, timeout: 60_000 }, () => {
  const { nodes } = clusterFixture({ views: { "/blob": Blob } });

  it("ends a forwarded SSE stream whose reader falls more than the backlog behind, on the node holding its socket", async () => {
    const [a, b] = nodes;
    // The link lives on A: its stream opens there, the view joins.
    const wire = await SseWire.open(a!.base);
    let res: IncomingMessage | undefined;
    let req: ClientRequest | undefined;
    // Closed whatever happens: an open stream would hold the nodes' close in after().
    try {
      const id = new URL(wire.url).searchParams.get("l")!;
      // The first frame for view 1 answers the join: a full render, not an error.
      const answer = new Promise<Envelope>((r) => (wire.onFrame = (f) => {
        const m = JSON.parse(f) as Envelope;
        if (m.v === 1) r(m);
      }));
      wire.send(JSON.stringify({ t: "j", v: 1, d: { k: (await getPage(a!.base, "/blob")).token } }));
      const joined = await within(answer, 5_000, "the join's answer");
      assert.equal(kindOf(joined), S.rendered, JSON.stringify(joined).slice(0, 200));
      wire.es.close();
      await until(() => a!.app.stats().sseStreams === 0, 5_000, "the first stream to close");
      // The stream resumes through B (forwarded to A), and its reader stops reading.
      req = httpRequest(`${b!.base}${PATHS.sse}?l=${id}`, { headers: { cookie: wire.jar.header(), "last-event-id": wire.lastIds.at(-1) ?? "0" } }, (r) => {
        res = r;
        r.pause();
      });
      req.end();
      await until(() => res !== undefined && a!.app.stats().sseStreams === 1, 5_000, "the forwarded stream");
      assert.equal(res!.statusCode, 200);
      // About 40 MB of frames: far more than the socket buffers between B and its reader hold.
      for (let n = 1; n <= 400 && a!.app.stats().sseStreams === 1; n++) await a!.app.broadcast("blob", "big", { n });
      await until(() => a!.app.stats().sseStreams === 0, 20_000, "the owner to stop serving the slow stream");
      assert.equal(b!.app.stats().cluster!.tooSlow, 1, "B ended the answer it could not deliver");
    } finally {
      req?.destroy();
      await wire.close();
    }
  });
});

/** A self-signed certificate for 127.0.0.1, made with openssl, or undefined when openssl is missing. */
function certificate(): { key: Buffer; cert: Buffer } | undefined {
  if (missingBinary("/usr/bin/openssl", "openssl", "apt-get install openssl") !== undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "weft-tls-"));
  try {
    execFileSync("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem")], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One HTTPS request to a self-signed server; the status, Set-Cookie values and body. */
function fetchTls(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; cookies: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: init.method ?? "GET", headers: init.headers, rejectUnauthorized: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, cookies: res.headers["set-cookie"] ?? [], body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

describe("requireTLS across nodes", { skip: skip ?? (certificate() === undefined ? "openssl missing" : undefined), timeout: 30_000 }, () => {
  const redis = new RedisServer();
  const nodes: { app: WeftApp; server: Server; base: string }[] = [];

  before(async () => {
    await redis.start();
    const tls = certificate()!;
    for (let i = 0; i < 2; i++) {
      const app = createWeft({ views: { "/blob": Blob }, secret: TEST_SECRET, redis: redis.url, requireTLS: true, onError: () => {} });
      const server = createHttpsServer(tls, app.handler);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      nodes.push({ app, server, base: `https://127.0.0.1:${(server.address() as AddressInfo).port}` });
    }
  });
  after(async () => {
    for (const n of nodes) {
      n.server.closeAllConnections();
      await new Promise((r) => n.server.close(r));
      await n.app.close();
    }
    await redis.close();
  });

  it("accepts a request that came over TLS and was forwarded to the link's node", async () => {
    const [a, b] = nodes;
    const page = await fetchTls(`${a!.base}/blob`);
    assert.equal(page.status, 200);
    const token = /weft-token="([^"]+)"/.exec(page.body)![1]!;
    const link = `${PATHS.http}?l=${newLinkId()}&n=0`;
    const opened = await fetchTls(`${a!.base}${link}`, { headers: { "x-weft-token": token } });
    assert.equal(opened.status, 200, opened.body);
    const cookie = opened.cookies.map((c) => c.split(";")[0]).join("; ");
    // The link lives on A; this POST lands on B over TLS and is forwarded.
    const before = b!.app.stats().cluster!.forwarded;
    const post = await fetchTls(`${b!.base}${link}`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify([{ t: "j", v: 1, d: { k: token } }]) });
    assert.equal(b!.app.stats().cluster!.forwarded, before + 1, "the POST was forwarded");
    assert.equal(post.status, 200, post.body);
    assert.match(post.body, /"k":/, "the join was answered");
  });
});
