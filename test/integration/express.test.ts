import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import express from "express";
import { createWeft, type WeftApp } from "../../src/index.ts";
import { kindOf, S } from "../../src/protocol/messages.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { TEST_SECRET } from "../support/server.ts";
import { Counter } from "../support/views.ts";

describe("inside Express 5", () => {
  let weft: WeftApp;
  let server: Server;
  let base: string;

  before(async () => {
    weft = createWeft({ views: { "/live/counter": Counter }, secret: TEST_SECRET });
    const app = express();
    app.get("/hello", (_req, res) => {
      res.send("hello from express");
    });
    app.use(weft.handler);
    app.use((_req, res) => {
      res.status(404).send("express 404");
    });
    server = createServer(app).on("upgrade", weft.upgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await weft.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("serves Express routes and passes unknown paths on to the next middleware", async () => {
    assert.equal(await (await fetch(`${base}/hello`)).text(), "hello from express");
    const res = await fetch(`${base}/nothing-here`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), "express 404");
  });

  it("serves the view page and the client bundle", async () => {
    const page = await getPage(base, "/live/counter");
    assert.equal(page.status, 200);
    assert.match(page.html, /Count: <b>0<\/b>/);
    const js = await fetch(`${base}/weft/client.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
  });

  it("runs the live view over the WebSocket upgrade", async () => {
    const page = await getPage(base, "/live/counter");
    const c = await ProtocolClient.connect(base);
    assert.equal((await c.join(1, page.token)).t, S.rendered);
    const m = await c.event(1, "inc");
    assert.equal(kindOf(m), S.diff);
    assert.match(c.views.get(1)!.html(), /Count: <b>1<\/b>/);
    await c.close();
  });
});
