// Weft clients for the load generator, one per transport, speaking the wire
// protocol of docs/architecture.md and the link protocol of
// docs/transports.md as the browser client does (the same PostQueue batching
// and LinkSeq ordering, imported from src/client): fetch the page, read its
// weft-token (SSE and HTTP: open the link with it in the x-weft-token
// header), join view 1, send events {t:"e",v,r,e,d}; a server message with
// `r` answers every event up to that ref.
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { pack, unpack } from "msgpackr";
import { LinkSeq } from "../../../src/client/transports/link-seq.ts";
import { HEADERS, MSGPACK_PROTOCOL } from "../../../src/protocol/messages.ts";
import { PostQueue } from "../../../src/client/transports/post-queue.ts";
import { withTimeout } from "../stats.ts";
import { HttpPeer, sseParser } from "./http.ts";
import type { BenchClient, Connect, ViewName } from "./types.ts";

/** The event each bench view answers with its one change. */
const EVENT: Record<ViewName, string> = { counter: "inc", table: "set", list: "add", "keyed-delete": "del", "keyed-move": "move" };

/** A transport as the session below sees it. */
interface Wire {
  send(frame: string): void;
  /** A frame as received (text), or already parsed (an HTTP answer carries parsed frames). */
  onFrame: (frame: string | object) => void;
  bytesIn(): number;
  close(): void;
}

/** One view (v = 1) joined over a wire. */
class WeftClient implements BenchClient {
  private readonly pending: { ref: number; done: () => void }[] = [];
  private ref = 0;
  private joined: ((err?: Error) => void) | undefined;
  private readonly prefix: string;

  /** `payload`: each event's `d`, as JSON text (`{}` unless a bench asks for another). */
  constructor(private readonly wire: Wire, view: ViewName, payload = "{}") {
    this.prefix = `{"t":"e","v":1,"e":"${EVENT[view]}","d":${payload},"r":`;
    wire.onFrame = (f) => this.onFrame(f);
  }

  join(token: string): Promise<void> {
    const answered = new Promise<void>((resolve, reject) => (this.joined = (err) => (err ? reject(err) : resolve())));
    this.wire.send(JSON.stringify({ t: "j", v: 1, d: { k: token } }));
    return withTimeout(answered, 15_000, "weft join");
  }

  fire(done: () => void): void {
    const ref = ++this.ref;
    this.pending.push({ ref, done });
    this.wire.send(`${this.prefix}${ref}}`);
  }

  bytesIn(): number {
    return this.wire.bytesIn();
  }

  close(): void {
    this.wire.close();
  }

  private onFrame(frame: string | object): void {
    const m = (typeof frame === "string" ? JSON.parse(frame) : frame) as { t?: string; r?: number; c?: string; m?: string };
    if (m.t === "f" && this.joined !== undefined) {
      this.joined();
      this.joined = undefined;
    } else if (m.t === "x") {
      const err = new Error(`weft error ${m.c}: ${m.m}`);
      if (this.joined !== undefined) return this.joined(err);
      throw err;
    }
    if (typeof m.r !== "number") return;
    while (this.pending.length > 0 && this.pending[0]!.ref <= m.r) this.pending.shift()!.done();
  }
}

/** Page fetches for WebSocket clients share one keep-alive peer per server. */
const pagePeers = new Map<string, HttpPeer>();

async function token(peer: HttpPeer, view: ViewName): Promise<string> {
  const page = await peer.fetch("GET", `/${view}`);
  const t = /weft-token="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || t === undefined) throw new Error(`GET /${view}: ${page.status} ${page.body.slice(0, 200)}`);
  return t;
}

const linkId = () => randomBytes(16).toString("base64url");

/** A WebSocket client; `payload` is each event's `d` as JSON text (bench:hot --wire sends `{"by":1}`). */
export const weftWs = (base: string, view: ViewName = "counter", payload = "{}"): Promise<BenchClient> => socketClient(base, view, payload, false);

/**
 * A WebSocket client that offers MessagePack (the server must choose it):
 * frames packed from the JSON the session writes, and read into objects.
 */
export const weftWsMsgpack = (base: string, view: ViewName = "counter", payload = "{}"): Promise<BenchClient> => socketClient(base, view, payload, true);

const socketClient = async (base: string, view: ViewName, payload: string, packed: boolean): Promise<BenchClient> => {
  let pages = pagePeers.get(base);
  if (pages === undefined) pagePeers.set(base, (pages = new HttpPeer(base)));
  const k = await token(pages, view);
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/weft/ws`, packed ? [MSGPACK_PROTOCOL] : [], { headers: { origin: base } });
  let socket: { bytesRead: number } | undefined;
  ws.on("upgrade", (res) => (socket = res.socket));
  await withTimeout(new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  }), 10_000, "weft ws open");
  if (packed && ws.protocol !== MSGPACK_PROTOCOL) throw new Error(`weft ws: the server chose ${JSON.stringify(ws.protocol)}, not MessagePack`);
  const wire: Wire = {
    send: packed ? (f) => ws.send(pack(JSON.parse(f))) : (f) => ws.send(f),
    onFrame: () => {},
    bytesIn: () => socket?.bytesRead ?? 0,
    close: () => ws.terminate(),
  };
  ws.on("message", packed ? (d: Buffer) => wire.onFrame(unpack(d) as object) : (d) => wire.onFrame(String(d)));
  ws.on("error", () => {});
  const client = new WeftClient(wire, view, payload);
  await client.join(k);
  return client;
};

/** Frames out through the browser client's PostQueue: one POST in flight, what queues meanwhile goes in the next. */
function poster(peer: HttpPeer, url: () => string, onAnswer: (body: string) => void): PostQueue {
  return new PostQueue(async (body) => {
    const res = await peer.fetch("POST", url(), body, { "content-type": "application/json", origin: peer.base });
    if (res.status >= 300) throw new Error(`POST ${url()}: ${res.status} ${res.body.slice(0, 200)}`);
    onAnswer(res.body);
  }, () => {
    if (!peer.isClosed) console.error("weft client: a POST failed; the link is gone");
  });
}

export const weftSse: Connect = async (base, view = "counter") => {
  const peer = new HttpPeer(base);
  const k = await token(peer, view);
  const path = `/weft/sse?l=${linkId()}`;
  let hello: () => void = () => {};
  const helloSeen = new Promise<void>((r) => (hello = r));
  const wire: Wire = {
    send: (f) => out.push(f),
    onFrame: () => {},
    bytesIn: () => peer.bytesIn(),
    close: () => peer.close(),
  };
  const out = poster(peer, () => path, () => {});
  const parse = sseParser((data, id) => (id === undefined ? hello() : wire.onFrame(data)));
  // A new link opens with the page's view token (docs/transports.md).
  const res = await peer.stream(path, { accept: "text/event-stream", [HEADERS.token]: k }, parse, () => {});
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode}`);
  await withTimeout(helloSeen, 10_000, "weft sse hello");
  const client = new WeftClient(wire, view);
  await client.join(k);
  return client;
};

export const weftHttp: Connect = async (base, view = "counter") => {
  const peer = new HttpPeer(base);
  const k = await token(peer, view);
  const url = `/weft/http?l=${linkId()}&n=`;
  const seqs = new LinkSeq();
  const apply = (id: number, body: string) => {
    const a = JSON.parse(body) as { n: number; f: unknown[] };
    for (const f of seqs.answered(id, a.n, a.f)) wire.onFrame(f as object);
    if (seqs.broken) throw new Error("weft http: link seq broken");
  };
  const first = await peer.fetch("GET", url + 0, undefined, { [HEADERS.token]: k });
  if (first.status !== 200) throw new Error(`GET ${url}0: ${first.status}`);
  const wire: Wire = {
    send: (f) => out.push(f),
    onFrame: () => {},
    bytesIn: () => peer.bytesIn(),
    close: () => peer.close(),
  };
  let postId = 0;
  const out = new PostQueue(async (body) => {
    postId = seqs.sent();
    const res = await peer.fetch("POST", url + seqs.seen, body, { "content-type": "application/json", origin: base });
    if (res.status !== 200) throw new Error(`POST: ${res.status} ${res.body.slice(0, 200)}`);
    apply(postId, res.body);
  }, () => {
    if (!peer.isClosed) console.error("weft http client: a POST failed; the link is gone");
  });
  // The long-poll: one GET always waiting, for as long as the client lives.
  void (async () => {
    while (!peer.isClosed) {
      const id = seqs.sent();
      const res = await peer.fetch("GET", url + seqs.seen).catch(() => undefined);
      if (res === undefined || res.status !== 200) return;
      apply(id, res.body);
    }
  })();
  const client = new WeftClient(wire, view);
  await client.join(k);
  return client;
};
