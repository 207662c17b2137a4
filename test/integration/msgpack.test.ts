/**
 * MessagePack on WebSocket with a real `ws` client: which subprotocol the
 * server chooses (and when it chooses none), every frame of a MessagePack
 * socket binary, hostile binary frames answered with the codes JSON gets
 * (E_BAD_FRAME, E_TOO_LARGE) while the session goes on, JSON text still read
 * on such a socket, SSE unchanged by the option, and the debug trace of a
 * MessagePack link. (The protocol conformance suite runs on it too:
 * test/integration/protocol.test.ts, "protocol over msgpack".)
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, describe, it } from "node:test";
import { pack } from "msgpackr";
import { JSON_PROTOCOL, MSGPACK_PROTOCOL, PATHS, S, type Envelope } from "../../src/protocol/messages.ts";
import type { Logger } from "../../src/server/logger.ts";
import { getPage, ProtocolClient } from "../support/protocol-client.ts";
import { appFixture, startApp } from "../support/server.ts";
import { WsWire } from "../support/wires.ts";

/** The Sec-WebSocket-Protocol a handshake offering `protocols` gets back ("" for none), from a raw upgrade request. */
function chosen(base: string, protocols: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(base + PATHS.socket, {
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", ...(protocols.length ? { "Sec-WebSocket-Protocol": protocols.join(", ") } : {}) },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(String(res.headers["sec-websocket-protocol"] ?? ""));
    });
    req.on("response", (res) => reject(new Error(`no upgrade: ${res.statusCode}`)));
    req.on("error", reject);
    req.end();
  });
}

describe("the WebSocket subprotocol", () => {
  const apps: { close(): Promise<void> }[] = [];
  after(() => Promise.all(apps.map((a) => a.close())));

  it("is MessagePack when the client offers it and the app has msgpack; else JSON by name when offered, else none", async () => {
    const on = await startApp({ msgpack: true });
    const off = await startApp();
    apps.push(on.app, off.app);
    assert.equal(await chosen(on.base, [MSGPACK_PROTOCOL, JSON_PROTOCOL]), MSGPACK_PROTOCOL);
    assert.equal(await chosen(on.base, [MSGPACK_PROTOCOL]), MSGPACK_PROTOCOL);
    assert.equal(await chosen(on.base, [JSON_PROTOCOL]), JSON_PROTOCOL);
    assert.equal(await chosen(off.base, [MSGPACK_PROTOCOL, JSON_PROTOCOL]), JSON_PROTOCOL, "a node without msgpack names JSON");
    assert.equal(await chosen(off.base, [MSGPACK_PROTOCOL]), "", "never a subprotocol the app does not speak (ws's default would take the first offered)");
    assert.equal(await chosen(on.base, ["chat", "soap"]), "");
    assert.equal(await chosen(on.base, []), "");
  });
});

describe("a MessagePack socket", () => {
  const fx = appFixture("msgpack");

  async function joined(): Promise<ProtocolClient> {
    const page = await getPage(fx.ctx.base, "/counter");
    const c = await fx.connect();
    assert.equal((await c.join(1, page.token)).t, S.rendered);
    return c;
  }

  const wire = (c: ProtocolClient): WsWire => c.wire as WsWire;

  it("sends every frame binary, and still reads JSON text frames", async () => {
    const c = await joined();
    assert.deepEqual((await c.event(1, "inc")).d, { 0: "1" });
    c.ws.send(JSON.stringify({ t: "e", v: 1, r: 50, e: "inc", d: {} }));
    assert.deepEqual((await c.next((m) => m.r === 50)).d, { 0: "2" });
    c.ws.send(pack({ t: "h" }));
    await c.next((m) => m.t === S.heartbeat);
    assert.equal(wire(c).binaryFrames, 4, "the join answer, two diffs and the heartbeat answer: all binary");
  });

  it("answers hostile binary frames with E_BAD_FRAME or E_TOO_LARGE, naming the event where it can, and goes on", async () => {
    const c = await joined();
    const max = 64 * 1024;
    const cases: [Buffer | Uint8Array, string, number | undefined][] = [
      [Buffer.from([0xc1]), "E_BAD_FRAME", undefined], // not MessagePack
      [Buffer.from([0x83, 0xa1, 0x74, 0xa1, 0x65, 0xa1, 0x76, 0x01, 0xa1, 0x72, 0x07, 0xc1]), "E_BAD_FRAME", 7], // broken after its head: its ref is read
      [pack([1, 2, 3]), "E_BAD_FRAME", undefined], // not an object
      [pack("event"), "E_BAD_FRAME", undefined],
      [Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]), "E_BAD_FRAME", undefined], // claims 4 billion items
      [Buffer.from([0xdf, 0xff, 0xff, 0xff, 0xff]), "E_BAD_FRAME", undefined],
      [Buffer.from([...new Array(60_000).fill(0x91), 0x01]), "E_BAD_FRAME", undefined], // nested 60,000 deep
      [pack({ t: "e", v: 1, r: 8, e: "inc", d: deep(40) }), "E_BAD_FRAME", 8], // deeper than maxJsonDepth
      [pack({ t: "e", v: 1, r: 9, e: "inc", d: { at: new Date() } }), "E_BAD_FRAME", 9], // not JSON data
      [pack({ t: "e", v: 1, r: 10, e: "inc", d: { s: "x".repeat(max) } }), "E_TOO_LARGE", 10],
      [pack({ t: "e", v: 1, r: 11, e: "inc", d: { b: new Uint8Array(max) } }), "E_TOO_LARGE", 11], // a bin last, but no chunk
    ];
    for (const [bytes, code, r] of cases) {
      c.ws.send(bytes);
      const m = await c.next((x) => x.t === S.error);
      assert.equal(m.c, code, `${Buffer.from(bytes).subarray(0, 12).toString("hex")}: ${m.m}`);
      assert.equal(m.r, r);
    }
    assert.deepEqual((await c.event(1, "inc", {}, 20)).d, { 0: "1" }, "the session goes on");
    assert.deepEqual(fx.ctx.errors, [], "nothing reached onError");
  });

  it("keeps a __proto__ key from reaching any prototype", async () => {
    const c = await joined();
    // { t: "e", v: 1, r: 30, e: "inc", d: { __proto__: { polluted: 1 } } }, written by hand (msgpackr would not write that key).
    const frame = Buffer.concat([Buffer.from([0x85]), pack("t"), pack("e"), pack("v"), pack(1), pack("r"), pack(30), pack("e"), pack("inc"), pack("d"), Buffer.from([0x81]), pack("__proto__"), pack({ polluted: 1 })]);
    c.ws.send(frame);
    assert.deepEqual((await c.next((m) => m.r === 30)).d, { 0: "1" });
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});

describe("an app with msgpack", () => {
  it("serves SSE links in JSON, as before", async () => {
    const { app, base } = await startApp({ msgpack: true });
    try {
      const page = await getPage(base, "/counter");
      assert.match(page.html, /<script src="\/weft\/client-msgpack\.js\?v=[\w-]+" defer><\/script><script src="\/weft\/client\.js/, "the page loads the codec before the client");
      const c = await ProtocolClient.connect(base, {}, "sse");
      await c.join(1, page.token);
      assert.deepEqual((await c.event(1, "inc")).d, { 0: "1" });
      await c.close();
    } finally {
      await app.close();
    }
  });

  it("logs a MessagePack socket's frames with debug on, and still sends them binary", async () => {
    const lines: { dir?: unknown; kind?: unknown }[] = [];
    const at = (o: unknown): void => void lines.push(o as { dir?: unknown });
    const logger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: at };
    const { app, base } = await startApp({ msgpack: true, debug: true, logger });
    try {
      const page = await getPage(base, "/counter");
      const c = await ProtocolClient.connect(base, {}, "msgpack");
      await c.join(1, page.token);
      await c.event(1, "inc");
      assert.equal((c.wire as WsWire).binaryFrames, 2);
      assert.deepEqual(lines.filter((l) => l.dir === "out").map((l) => l.kind), ["rendered", "diff"]);
      await c.close();
    } finally {
      await app.close();
    }
  });
});

function deep(n: number): Envelope["d"] {
  let d: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) d = { d };
  return d;
}
