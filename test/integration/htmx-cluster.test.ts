/**
 * htmx view streams on two nodes over a real Redis (redis-server): a chat-like
 * view (subscribes to its room's topic in mount; an event broadcasts; the
 * broadcast's info appends an id'd item to an id'd list) served to an htmx
 * WebSocket client (the `ws` package) on node A and one on node B. A message
 * sent on A reaches both as one `beforeend` fragment, exactly once each. An
 * SSE view stream whose Last-Event-ID names a session node A holds, sent to
 * node B, is a fresh mount there with the full fragments (docs/htmx.md,
 * "Several nodes").
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { z } from "zod";
import { defineView, html, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { redisSkipReason } from "../support/redis.ts";
import { clusterFixture } from "../support/server.ts";
import { SseReader } from "../support/sse-reader.ts";
import { until } from "../support/until.ts";

type Msg = { id: string; text: string };

/** The chat room: every node's session of room X gets every message said in X, on any node. */
const Room = defineView({
  mount: (p, ctx) => {
    ctx.subscribe(`room:${String(p.id)}`);
    return { room: String(p.id), messages: [] as Msg[] };
  },
  events: {
    say: {
      schema: z.object({ id: z.string().regex(/^[a-z0-9-]{1,40}$/), text: z.string().min(1).max(200) }),
      run: (s, p, ctx) => {
        ctx.broadcast(`room:${s.room}`, "msg", { id: p.id, text: p.text });
        return s;
      },
    },
  },
  info: { msg: (s, p) => ({ ...s, messages: [...s.messages, p as Msg] }) },
  render: (s) => html`<h2 id="room">Room ${s.room}</h2>
<ul id="messages">${s.messages.map((m) => html`<li id=${`m-${m.id}`}>${m.text}</li>`)}</ul>`,
});

const OPTIONS: Partial<WeftOptions> = { views: { "/room/:id": Room }, htmx: { views: ["/room/:id"] }, sessionGraceMs: 30_000 };

/** A page load's `weft_htmx` cookie and its CSRF token, made by the node (app.htmxToken). */
function pageToken(app: WeftApp): { cookie: string; token: string } {
  const cookie = `weft_htmx=${randomBytes(16).toString("base64url")}`;
  const req = { headers: { cookie }, socket: {}, url: "/" } as unknown as IncomingMessage;
  return { cookie, token: app.htmxToken(req, {} as ServerResponse) };
}

/** An htmx (2, ext-ws) view socket: every text message it got. */
class Hx {
  readonly got: string[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on("message", (d, binary) => void (binary || this.got.push(String(d))));
    ws.on("error", () => {});
  }

  static open(base: string, path: string, cookie: string): Promise<Hx> {
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/weft/htmx/ws${path}`, { origin: base, headers: { cookie } });
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new Hx(ws)));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  /** What ext-ws sends for `<form id="say" ws-send>` with hx-headers carrying the token. */
  say(id: string, text: string, token: string): void {
    this.ws.send(JSON.stringify({ "weft-event": "say", id, text, HEADERS: { "HX-Request": "true", "HX-Trigger": "say", "HX-Trigger-Name": null, "X-Weft-CSRF": token } }));
  }

  close(): void {
    this.ws.close();
  }
}

/** The fragment that appends message `id` to the list: the list, out of band, beforeend, holding only that item. */
const appended = (id: string, text: string) => new RegExp(`^<ul(?=[^>]*\\sid="messages")(?=[^>]*\\shx-swap-oob="beforeend")[^>]*><li id="m-${id}">${text}</li></ul>$`);
/** The full fragments of a room: both id'd elements, swapped whole. */
const full = (room: string) => new RegExp(`<h2(?=[^>]*\\sid="room")(?=[^>]*\\shx-swap-oob="true")[^>]*>Room ${room}</h2>[\\s\\S]*<ul(?=[^>]*\\sid="messages")(?=[^>]*\\shx-swap-oob="true")`);

const skip = redisSkipReason();

describe("htmx views across two nodes on Redis", { skip }, () => {
  const cluster = clusterFixture(OPTIONS, { untilUp: true });
  let raw: Redis;
  const closers: { close(): void }[] = [];
  before(() => {
    raw = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1 });
  });
  after(() => {
    for (const c of closers) c.close();
    raw.disconnect();
  });
  const track = <T extends { close(): void }>(c: T): T => (closers.push(c), c);

  /** Waits until both nodes have subscribed to the room's channel on Redis: a message said then reaches both. */
  async function bothSubscribed(room: string): Promise<void> {
    await until(async () => {
      const counts = (await raw.pubsub("NUMSUB", `weft:t:room:${room}`)) as (string | number)[];
      return Number(counts[1]) >= 2;
    }, 5000, `both nodes subscribed to room:${room}`);
  }

  it("a message said on node A reaches the htmx sockets on A and on B as one beforeend fragment each", async () => {
    const [a, b] = cluster.nodes;
    const pa = pageToken(a!.app);
    const pb = pageToken(b!.app);
    const onA = track(await Hx.open(a!.base, "/room/r1", pa.cookie));
    const onB = track(await Hx.open(b!.base, "/room/r1", pb.cookie));
    await until(() => onA.got.length >= 1 && onB.got.length >= 1, 5000, "the full fragments on both");
    assert.match(onA.got[0]!, full("r1"));
    assert.match(onB.got[0]!, full("r1"));
    await bothSubscribed("r1");

    onA.say("hello-1", "hello from A", pa.token);
    await until(() => onA.got.length >= 2 && onB.got.length >= 2, 5000, "the message on both");
    assert.match(onA.got[1]!, appended("hello-1", "hello from A"));
    assert.match(onB.got[1]!, appended("hello-1", "hello from A"));

    // And back from B; then nothing more arrives on either (each message exactly once).
    onB.say("hello-2", "hello from B", pb.token);
    await until(() => onA.got.length >= 3 && onB.got.length >= 3, 5000, "the reply on both");
    assert.match(onA.got[2]!, appended("hello-2", "hello from B"));
    assert.match(onB.got[2]!, appended("hello-2", "hello from B"));
    // A third message as a marker: once it has arrived, any duplicate of the first two would have too.
    onA.say("hello-3", "marker", pa.token);
    await until(() => onA.got.length >= 4 && onB.got.length >= 4, 5000, "the marker on both");
    for (const hx of [onA, onB]) {
      assert.deepEqual(hx.got.slice(1).map((m) => /id="m-([^"]+)"/.exec(m)?.[1]), ["hello-1", "hello-2", "hello-3"], `exactly once, in order: ${JSON.stringify(hx.got)}`);
    }
  });

  it("an SSE view stream reconnecting to node B with a Last-Event-ID of node A's session mounts afresh there, full fragments first", async () => {
    const [a, b] = cluster.nodes;
    const url = (base: string) => `${base}/weft/htmx/sse/room/r2`;
    const first = track(await SseReader.open(url(a!.base)));
    await until(() => first.events().length >= 1, 5000, "the full fragments on A");
    assert.match(first.events()[0]!.data!, full("r2"));
    const last = first.lastId()!;
    const [sidA] = last.split(".");
    // Something happens in the room while the stream is on A.
    const pa = pageToken(a!.app);
    const sayer = track(await Hx.open(a!.base, "/room/r2", pa.cookie));
    await until(() => sayer.got.length >= 1, 5000, "the sayer's full fragments");
    sayer.say("x-1", "before the move", pa.token);
    await until(() => first.events().length >= 2, 5000, "the message on A's stream");
    const lastOnA = first.lastId()!;
    first.close();

    // The reconnect lands on B: B holds no session sidA, so it mounts the room afresh (its state is B's mount's).
    const again = track(await SseReader.open(url(b!.base), { "last-event-id": lastOnA }));
    await until(() => again.events().length >= 1, 5000, "the full fragments on B");
    const e = again.events()[0]!;
    assert.match(e.data!, full("r2"), "the full fragments, not a resume");
    const [sidB, seqB] = (e.id ?? "").split(".");
    assert.ok(sidB !== undefined && sidB !== "" && sidB !== sidA, `a new session on B (${e.id} after ${last})`);
    assert.ok(seqB !== undefined && /^\d+$/.test(seqB));
    await bothSubscribed("r2");
    // And it is live: a message said on A reaches B's new session as one beforeend fragment.
    sayer.say("x-2", "after the move", pa.token);
    await until(() => again.events().length >= 2, 5000, "the message on B's stream");
    assert.match(again.events()[1]!.data!, appended("x-2", "after the move"));
    assert.equal(again.events()[1]!.id, `${sidB}.${Number(seqB) + 1}`);
  });
});
