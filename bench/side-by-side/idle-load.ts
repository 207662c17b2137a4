// A load-generator child of bench:scale (not a test): holds many idle Weft
// sessions of one transport open from one loopback source address, and
// records when each gets a broadcast's diff. Several of these run at once so
// that no process needs more than ~10,000 sockets (the fd limit) and no source
// address more than its ~28,000 ephemeral ports.
//
// Args: --base URL --transport websocket|sse|http --local 127.0.0.N
//       --views-per-socket K (WebSocket only: K views joined on each socket)
//       --clock NS (process.hrtime.bigint() of the parent: times are ms after it)
// IPC in:  { id, cmd: "open", sessions }      opens that many more, in bounded batches
//          { id, cmd: "arm", n }               the next broadcast carries n
//          { id, cmd: "arrivals", ms }         waits ≤ ms for all sessions' diff of n
//          { id, cmd: "close" }
// IPC out: { ready: true }; { id, ... } answering each command; { id, error }.
import { Agent, request, type IncomingMessage } from "node:http";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import { LinkSeq } from "../../src/client/transports/link-seq.ts";
import { HEADERS } from "../../src/protocol/messages.ts";
import { sseParser } from "./clients/http.ts";
import { withTimeout } from "./stats.ts";

const argOf = (name: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i > 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`idle-load: --${name} is required`);
  return v;
};
const BASE = argOf("base");
const TRANSPORT = argOf("transport");
const LOCAL = argOf("local");
const VIEWS = Number(argOf("views-per-socket"));
const CLOCK = BigInt(argOf("clock"));
/** The idle view's path on the scale server (bench/side-by-side/servers/weft-scale.ts). */
const PAGE = "/idle";
/** Sockets being opened at once; each batch of `open` waits for all of them. */
const CONCURRENCY = 64;
const OPEN_TIMEOUT_MS = 20_000;

const now = () => Number(process.hrtime.bigint() - CLOCK) / 1e6;

/** Arrival time (ms after CLOCK) of the armed broadcast per session; NaN until it comes. */
let arrival: number[] = [];
let armed = -1;
let got = 0;
let onAll: (() => void) | undefined;
const closers: (() => void)[] = [];
const errors: string[] = [];
const note = (e: string) => void (errors.length < 10 && errors.push(e));

/** A session's frame (parsed); a diff (no `t`) of the armed broadcast counts once. */
function frameFor(session: number): (m: { t?: string; d?: unknown; c?: string; m?: string }) => void {
  return (m) => {
    if (m.t === "x") return note(`${m.c}: ${m.m}`);
    if (m.t !== undefined || armed < 0 || leafNumber(m.d) !== armed || !Number.isNaN(arrival[session]!)) return;
    arrival[session] = now();
    if (++got === arrival.length) onAll?.();
  };
}

/** The number a diff of the idle view carries (it renders one dynamic). */
function leafNumber(d: unknown): number {
  for (let i = 0; i < 4 && typeof d === "object" && d !== null; i++) d = Object.values(d)[0];
  return typeof d === "string" || typeof d === "number" ? Number(d) : NaN;
}

// --- HTTP with one socket per session (cookies kept, as a browser's) ---------

class Peer {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: LOCAL });
  cookie = "";

  req(method: "GET" | "POST", path: string, headers: Record<string, string>, body?: string, agent: Agent | false = this.agent): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const h: Record<string, string | number> = { ...headers };
      if (this.cookie !== "") h.cookie = this.cookie;
      if (body !== undefined) h["content-length"] = Buffer.byteLength(body);
      const r = request(BASE + path, { method, agent, headers: h, ...(agent === false ? { localAddress: LOCAL } : {}) }, (res) => {
        for (const c of res.headers["set-cookie"] ?? []) this.cookie = [this.cookie, c.split(";")[0]!].filter((x) => x !== "").join("; ");
        resolve(res);
      });
      r.on("error", reject);
      r.end(body);
    });
  }

  async text(method: "GET" | "POST", path: string, headers: Record<string, string> = {}, body?: string, agent?: Agent | false): Promise<{ status: number; body: string }> {
    const res = await this.req(method, path, headers, body, agent);
    let text = "";
    res.setEncoding("utf8");
    for await (const c of res) text += c as string;
    return { status: res.statusCode ?? 0, body: text };
  }

  close(): void {
    this.agent.destroy();
  }
}

async function token(peer: Peer): Promise<string> {
  const page = await peer.text("GET", PAGE);
  const t = /weft-token="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || t === undefined) throw new Error(`GET ${PAGE}: ${page.status} ${page.body.slice(0, 200)}`);
  return t;
}

const join = (v: number, k: string) => JSON.stringify({ t: "j", v, d: { k } });
const linkId = () => randomBytes(16).toString("base64url");

// --- One idle link per transport ------------------------------------------------

/** Page fetches for WebSocket sessions share a few keep-alive sockets. */
const pages = Array.from({ length: 8 }, () => new Peer());
let pageTurn = 0;

async function openWs(first: number): Promise<void> {
  const tokens: string[] = [];
  for (let v = 0; v < VIEWS; v++) tokens.push(await token(pages[pageTurn++ % pages.length]!));
  const ws = new WebSocket(`${BASE.replace(/^http/, "ws")}/weft/ws`, { headers: { origin: BASE }, localAddress: LOCAL, perMessageDeflate: false });
  closers.push(() => ws.terminate());
  let joined = 0;
  let onJoined: () => void = () => {};
  const allJoined = new Promise<void>((r) => (onJoined = r));
  const frames = tokens.map((_, i) => frameFor(first + i));
  ws.on("message", (data) => {
    const m = JSON.parse(String(data)) as { t?: string; v?: number };
    if (m.t === "f" && ++joined === VIEWS) onJoined();
    if (typeof m.v === "number") frames[m.v - 1]?.(m);
  });
  ws.on("error", (err) => note(`ws: ${err.message}`));
  await withTimeout(new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  }), OPEN_TIMEOUT_MS, "ws open");
  tokens.forEach((k, i) => ws.send(join(i + 1, k)));
  await withTimeout(allJoined, OPEN_TIMEOUT_MS, "ws joins");
}

async function openSse(session: number): Promise<void> {
  const peer = new Peer();
  closers.push(() => peer.close());
  const k = await token(peer);
  const path = `/weft/sse?l=${linkId()}`;
  let hello: () => void = () => {};
  const helloSeen = new Promise<void>((r) => (hello = r));
  let joined: () => void = () => {};
  const joinSeen = new Promise<void>((r) => (joined = r));
  const frame = frameFor(session);
  const parse = sseParser((data, id) => {
    if (id === undefined) return hello();
    const m = JSON.parse(data) as { t?: string };
    if (m.t === "f") joined();
    frame(m);
  });
  const res = await peer.req("GET", path, { accept: "text/event-stream", [HEADERS.token]: k });
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode}`);
  res.setEncoding("utf8");
  res.on("data", parse);
  res.on("error", () => {});
  await withTimeout(helloSeen, OPEN_TIMEOUT_MS, "sse hello");
  // The join on a socket of its own that closes after its answer: the session keeps one socket, the stream.
  const posted = await peer.text("POST", path, { "content-type": "application/json", origin: BASE, connection: "close" }, `[${join(1, k)}]`, false);
  if (posted.status >= 300) throw new Error(`POST ${path}: ${posted.status} ${posted.body.slice(0, 200)}`);
  await withTimeout(joinSeen, OPEN_TIMEOUT_MS, "sse join");
}

async function openHttp(session: number): Promise<void> {
  const peer = new Peer();
  let closed = false;
  closers.push(() => ((closed = true), peer.close()));
  const k = await token(peer);
  const url = `/weft/http?l=${linkId()}&n=`;
  const seqs = new LinkSeq();
  const frame = frameFor(session);
  let joined = false;
  const ask = async (method: "GET" | "POST", headers: Record<string, string> = {}, body?: string) => {
    const id = seqs.sent();
    const a = await peer.text(method, url + seqs.seen, headers, body);
    if (a.status !== 200) throw new Error(`${method} ${url}: ${a.status} ${a.body.slice(0, 200)}`);
    const { n, f } = JSON.parse(a.body) as { n: number; f: unknown[] };
    for (const m of seqs.answered(id, n, f) as { t?: string }[]) {
      if (m.t === "f") joined = true;
      frame(m);
    }
  };
  await ask("GET", { [HEADERS.token]: k });
  // Everything on one socket, in turn: the join, then one long-poll always waiting.
  await ask("POST", { "content-type": "application/json", origin: BASE }, `[${join(1, k)}]`);
  for (let i = 0; i < 20 && !joined; i++) await ask("GET");
  if (!joined) throw new Error("http: no render after the join");
  void (async () => {
    while (!closed) await ask("GET").catch((err: unknown) => (closed || note(`http poll: ${(err as Error).message}`), (closed = true)));
  })();
}

// --- Commands --------------------------------------------------------------------

/** Opens `n` more sessions (WebSocket: n / K sockets), CONCURRENCY links at a time. */
async function open(n: number): Promise<number> {
  const perLink = TRANSPORT === "websocket" ? VIEWS : 1;
  const links = Math.ceil(n / perLink);
  const first = arrival.length;
  arrival = arrival.concat(new Array<number>(links * perLink).fill(NaN));
  let next = 0;
  const worker = async () => {
    while (next < links) {
      const at = first + next++ * perLink;
      if (TRANSPORT === "websocket") await openWs(at);
      else if (TRANSPORT === "sse") await openSse(at);
      else await openHttp(at);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, links) }, worker));
  return links * perLink;
}

async function arrivals(ms: number): Promise<{ arrivals: number[]; missing: number }> {
  const all = new Promise<void>((r) => (got === arrival.length ? r() : (onAll = r)));
  await Promise.race([all, new Promise((r) => setTimeout(r, ms))]);
  onAll = undefined;
  const out = arrival.filter((a) => !Number.isNaN(a));
  return { arrivals: out, missing: arrival.length - out.length };
}

if (process.send === undefined) throw new Error("idle-load: bench/scale.ts starts me (IPC)");
const send = (m: unknown) => process.send!(m);
process.on("disconnect", () => process.exit(1));
process.on("message", (raw) => {
  const m = raw as { id: number; cmd: string; sessions?: number; n?: number; ms?: number };
  const reply = (p: Promise<Record<string, unknown>>) => p.then((x) => send({ id: m.id, ...x, errors }), (err: unknown) => send({ id: m.id, error: `${(err as Error).message}; ${errors.join("; ")}` }));
  switch (m.cmd) {
    case "open":
      return void reply(open(m.sessions ?? 0).then((opened) => ({ opened, total: arrival.length })));
    case "arm":
      armed = m.n ?? 0;
      got = 0;
      arrival.fill(NaN);
      return void send({ id: m.id });
    case "arrivals":
      return void reply(arrivals(m.ms ?? 10_000));
    case "close":
      for (const c of closers) c();
      send({ id: m.id });
      setTimeout(() => process.exit(0), 20);
  }
});
send({ ready: true });
