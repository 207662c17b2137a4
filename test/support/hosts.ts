/**
 * The servers a Weft app runs in, for the conformance suite
 * (test/support/conformance.ts): its own node:http server, and Express,
 * Fastify and Hono through their adapters. Each framework host has routes of
 * its own, to show that requests Weft does not own reach them:
 * `GET /hello` → "hello from NAME", `POST /echo` → the JSON body as the
 * framework parsed it, anything else → 404 "NAME 404".
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { weftFastify } from "../../src/adapters/fastify.ts";
import { attachUpgrade, weftHono } from "../../src/adapters/hono.ts";
import type { WeftApp } from "../../src/index.ts";
import { kindOf, S } from "../../src/protocol/messages.ts";
import WebSocket from "ws";
import { getPage, ProtocolClient } from "./protocol-client.ts";
import { within } from "./until.ts";

/** A server hosting a Weft app. */
export interface Host {
  readonly name: string;
  /** Whether the host has its own routes and 404 (see above); node:http has none. */
  readonly routes: boolean;
  /** Serves `weft` on a new loopback server. `close` closes that server (not the app). */
  start(weft: WeftApp): Promise<{ base: string; close(): Promise<void> }>;
}

const baseOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

/** The app's own server: `app.listen()`, closed by `app.close()`. */
export const nodeHost: Host = {
  name: "node:http",
  routes: false,
  async start(weft) {
    const addr = await weft.listen(0);
    return { base: `http://127.0.0.1:${addr.port}`, close: async () => {} };
  },
};

/** Express 5: `app.use(weft.handler)` before the body parser, `server.on("upgrade", weft.upgrade)`. */
export const expressHost: Host = {
  name: "express",
  routes: true,
  async start(weft) {
    const app = express();
    app.get("/hello", (_req, res) => {
      res.send("hello from express");
    });
    app.use(weft.handler);
    app.post("/echo", express.json(), (req, res) => {
      res.json(req.body);
    });
    app.use((_req, res) => {
      res.status(404).send("express 404");
    });
    const server = createServer(app).on("upgrade", weft.upgrade);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return { base: baseOf(server), close: () => closeServer(server) };
  },
};

/** Fastify 5 with the `weftFastify` plugin; the test closes the Weft app itself. */
export const fastifyHost: Host = {
  name: "fastify",
  routes: true,
  async start(weft) {
    const fastify = Fastify();
    fastify.get("/hello", async () => "hello from fastify");
    fastify.post("/echo", async (req) => req.body);
    fastify.setNotFoundHandler(async (_req, reply) => reply.code(404).send("fastify 404"));
    await fastify.register(weftFastify, { app: weft, closeApp: false });
    await fastify.listen({ port: 0, host: "127.0.0.1" });
    return { base: baseOf(fastify.server), close: () => fastify.close() };
  },
};

/** Hono on `@hono/node-server` with the `weftHono` middleware and `attachUpgrade`. */
export const honoHost: Host = {
  name: "hono",
  routes: true,
  async start(weft) {
    const hono = new Hono();
    hono.get("/hello", (c) => c.text("hello from hono"));
    hono.post("/echo", async (c) => c.json(await c.req.json()));
    hono.use(weftHono(weft));
    hono.notFound((c) => c.text("hono 404", 404));
    const server = serve({ fetch: hono.fetch, port: 0, hostname: "127.0.0.1" }) as Server;
    await once(server, "listening");
    attachUpgrade(server, weft);
    return { base: baseOf(server), close: () => closeServer(server) };
  },
};

/**
 * Checks that a server answers both its own WebSocket endpoint at `/other`
 * (which greets with "other endpoint") and Weft's socket: a join and an event.
 */
export async function assertSharedUpgrades(base: string): Promise<void> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/other`);
  const [greeting] = (await within(once(ws, "message"), 5000, "the other endpoint's greeting")) as [Buffer];
  assert.equal(String(greeting), "other endpoint");
  ws.close();
  const page = await getPage(base, "/counter");
  const c = await ProtocolClient.connect(base);
  assert.equal((await c.join(1, page.token)).t, S.rendered);
  assert.equal(kindOf(await c.event(1, "inc")), S.diff);
  await c.close();
}
