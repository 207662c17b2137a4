// Upload clients of bench/upload.ts, one per system, each sending one file
// held in memory (a Buffer, so no disk read is on the client's side):
//  - floor: one multipart/form-data POST to the busboy server
//    (servers/upload-floor.ts) through node:http, the body streamed in 64 KiB
//    writes that respect backpressure, with its Content-Length as a browser's;
//  - Weft over WebSocket, SSE and HTTP (servers/weft-upload.ts), as the
//    browser client sends one (docs/uploads.md): fetch the page for its view
//    token, open the link, join view 1 (its answer carries the upload's
//    settings, `u`), declare the file (C.upload), then send it in chunks of the
//    upload's chunkBytes — on WebSocket as binary frames
//    (encodeChunkHeader) with up to 4 unacknowledged, each ack
//    `{t:"u",v,d:[ref,received]}` opening the window; on SSE and HTTP one
//    `application/octet-stream` POST at a time to the link's path, each
//    answered `{"o": received}`. An upload is done when the last ack says
//    every byte arrived; then `finish()` sends the view's `keep` event, whose
//    handler consumes the file (ctx.consumeUploads), outside the timed part.
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import WebSocket from "ws";
import { LinkSeq } from "../../../src/client/transports/link-seq.ts";
import { C, encodeChunkHeader, HEADERS, S, type UploadConfig } from "../../../src/protocol/messages.ts";
import { withTimeout } from "../stats.ts";
import { HttpPeer, sseParser } from "./http.ts";

/** What the browser client keeps in flight on WebSocket: unacknowledged chunks. */
export const WS_WINDOW = 4;

/**
 * How a client sends: `wsWindow`, unacknowledged chunks on WebSocket (default
 * {@link WS_WINDOW}, as the browser); `wsSend`, WebSocket chunks through
 * `ws.send` (masked by `ws` in JavaScript while the clock runs) instead of
 * frames encoded before it (see {@link maskedFrame}).
 */
export interface UploadClientOptions {
  wsWindow?: number;
  wsSend?: boolean;
  /** Frames masked with the key 0, which the server's `ws` does not unmask: an experiment that shows what unmasking costs (see {@link maskedFrame}). */
  wsZeroMask?: boolean;
}

/** The file's name and type as declared (the bench view accepts them). */
export const FILE_NAME = "bench.bin";
export const FILE_TYPE = "application/octet-stream";

/** One connected client, ready to send a file. */
export interface Uploader {
  /** The chunk size the server's join answer asked for (the floor: its write size). */
  readonly chunkBytes: number;
  /** Before the clock starts: takes the file, and encodes what can be encoded ahead (WebSocket frames). */
  prepare(data: Buffer): void;
  /** Sends the prepared file whole; resolves once the server has it all (the floor's answer, Weft's last ack). */
  upload(): Promise<void>;
  /** After the timed part: lets the server consume what it received (Weft: the `keep` event). */
  finish(): Promise<void>;
  close(): void;
}

/** The floor's write size: what a browser's fetch hands the socket at a time is of this order. */
const FLOOR_WRITE = 65_536;

/** The busboy floor: one multipart POST per upload, on a fresh keep-alive agent. */
export async function floorUploader(base: string): Promise<Uploader> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let data: Buffer = Buffer.alloc(0);
  return {
    chunkBytes: FLOOR_WRITE,
    prepare: (d) => void (data = d),
    upload: () => new Promise<void>((resolve, reject) => {
      const boundary = `----weftbench${randomBytes(8).toString("hex")}`;
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${FILE_NAME}"\r\nContent-Type: ${FILE_TYPE}\r\n\r\n`);
      const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
      const req = request(`${base}/upload`, {
        method: "POST", agent,
        headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": head.length + data.length + tail.length },
      }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => {
          const bytes = res.statusCode === 200 ? (JSON.parse(text) as { bytes: number }).bytes : -1;
          if (bytes === data.length) resolve();
          else reject(new Error(`floor upload: ${res.statusCode} ${text.slice(0, 200)} (sent ${data.length} bytes)`));
        });
      });
      req.on("error", reject);
      req.write(head);
      let at = 0;
      const pump = (): void => {
        while (at < data.length) {
          const piece = data.subarray(at, at + FLOOR_WRITE);
          at += piece.length;
          if (!req.write(piece)) return void req.once("drain", pump);
        }
        req.end(tail);
      };
      pump();
    }),
    finish: async () => {},
    close: () => agent.destroy(),
  };
}

/** A server frame as the upload clients read it. */
interface Frame {
  t?: string;
  v?: number;
  r?: number;
  d?: unknown;
  c?: string;
  m?: string;
  u?: Record<string, UploadConfig>;
}

/** Frames in, and waits on them: the next frame that matches, or a timeout. */
class Inbox {
  private readonly waiting: { pred: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  /** Called for every frame before the waiters (the WebSocket acks). */
  tap: (f: Frame) => void = () => {};

  take(f: Frame): void {
    this.tap(f);
    const i = this.waiting.findIndex((w) => w.pred(f));
    if (i >= 0) this.waiting.splice(i, 1)[0]!.resolve(f);
  }

  next(pred: (f: Frame) => boolean, what: string, ms = 30_000): Promise<Frame> {
    return withTimeout(new Promise<Frame>((resolve) => this.waiting.push({ pred, resolve })), ms, what);
  }
}

/** The transport-specific half of a Weft upload client. */
interface Link {
  inbox: Inbox;
  /** Sends one JSON envelope. */
  send(env: object): void;
  /** Before the clock: encodes what the link can encode ahead for entry `ref` (WebSocket: its frames). */
  prepare?(ref: string, data: Buffer, chunkBytes: number): void;
  /** Sends the chunks of `data` for entry `ref`; resolves once all are acknowledged. */
  chunks(ref: string, data: Buffer, chunkBytes: number): Promise<void>;
  close(): void;
}

/** The bench view's path on servers/weft-upload.ts, and its upload's name. */
export const VIEW_PATH = "/upload";
export const UPLOAD_NAME = "file";

/** An entry ref as the browser client makes them (newLinkId(): 20 of [A-Za-z0-9_-]). */
const newRef = () => randomBytes(15).toString("base64url");

async function pageToken(peer: HttpPeer): Promise<string> {
  const page = await peer.fetch("GET", VIEW_PATH);
  const t = /weft-token="([^"]+)"/.exec(page.body)?.[1];
  if (page.status !== 200 || t === undefined) throw new Error(`GET ${VIEW_PATH}: ${page.status} ${page.body.slice(0, 200)}`);
  return t;
}

const failed = (f: Frame) => new Error(`weft error ${f.c}: ${f.m}`);

/** Joins view 1 over `link`, and returns the uploader for its upload. */
async function weftUploader(link: Link, token: string): Promise<Uploader> {
  const joined = link.inbox.next((f) => f.v === 1 && (f.t === S.rendered || f.t === S.error), "weft join");
  link.send({ t: C.join, v: 1, d: { k: token } });
  const answer = await joined;
  if (answer.t === S.error) throw failed(answer);
  const config = answer.u?.[UPLOAD_NAME];
  if (config === undefined) throw new Error(`the join answer carries no upload settings for "${UPLOAD_NAME}" (u: ${JSON.stringify(answer.u)})`);
  const chunkBytes = config[0];
  let ref = 0;
  /** Sends an envelope with the next ref; resolves with its answer, throws on an error frame. */
  const call = async (env: object, what: string): Promise<Frame> => {
    const r = ++ref;
    const answered = link.inbox.next((f) => f.v === 1 && f.r === r, what);
    link.send({ ...env, v: 1, r });
    const f = await answered;
    if (f.t === S.error) throw failed(f);
    return f;
  };
  let entry = "";
  let data: Buffer = Buffer.alloc(0);
  return {
    chunkBytes,
    prepare(d) {
      entry = newRef();
      data = d;
      link.prepare?.(entry, data, chunkBytes);
    },
    async upload() {
      await call({ t: C.upload, e: UPLOAD_NAME, d: [[entry, FILE_NAME, FILE_TYPE, data.length]] }, "weft upload declaration");
      await link.chunks(entry, data, chunkBytes);
    },
    async finish() {
      await call({ t: C.event, e: "keep", d: {} }, "weft keep event");
    },
    close: () => link.close(),
  };
}

/** An ack `[ref, received]` or `[ref, received, code]`; undefined when `f` is not one. */
function ackOf(f: Frame): [string, number, string | undefined] | undefined {
  if (f.t !== S.uploadAck || !Array.isArray(f.d)) return undefined;
  const [ref, received, code] = f.d as [unknown, unknown, unknown];
  return typeof ref === "string" && typeof received === "number" ? [ref, received, typeof code === "string" ? code : undefined] : undefined;
}

/**
 * One client → server WebSocket frame (RFC 6455: FIN, binary, masked with a
 * fresh random key as a browser masks) carrying `payload`, its bytes masked
 * here. The load generator encodes every chunk's frame before the clock
 * starts and writes them to the socket as they are: a browser masks natively,
 * while `ws` masks in JavaScript (no `bufferutil` here) at several ms per MB,
 * which would make the load generator the limit. The server receives the
 * same bytes either way, and unmasks them as it would a browser's.
 * `zeroMask` (an experiment, `--ws-zero-mask`): the key 0, which `ws` skips
 * unmasking — what the server's unmasking costs, not what a browser sends.
 *
 * @example
 * socket.write(maskedFrame(encodeChunkHeader(1, ref, 0, bytes)));
 */
export function maskedFrame(payload: Uint8Array, zeroMask = false): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + 4 + n);
  out[0] = 0x82;
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  const mask = zeroMask ? Buffer.alloc(4) : randomBytes(4);
  mask.copy(out, head);
  const at = head + 4;
  for (let i = 0; i < n; i++) out[at + i] = payload[i]! ^ mask[i & 3]!;
  return out;
}

/** Weft over WebSocket: chunks as binary frames, {@link WS_WINDOW} unacknowledged at most (or `o.wsWindow`). */
export async function weftWsUploader(base: string, o: UploadClientOptions = {}): Promise<Uploader> {
  const window = o.wsWindow ?? WS_WINDOW;
  const peer = new HttpPeer(base);
  const token = await pageToken(peer);
  peer.close();
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/weft/ws`, { headers: { origin: base } });
  await withTimeout(new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  }), 10_000, "weft ws open");
  const inbox = new Inbox();
  ws.on("message", (d, binary) => {
    if (!binary) inbox.take(JSON.parse(String(d)) as Frame);
  });
  ws.on("error", () => {});
  const socket = (ws as unknown as { _socket: { write(b: Buffer): boolean } })._socket;
  /** The chunks' frames, encoded before the clock (unless `wsSend`). */
  let frames: Buffer[] = [];
  const link: Link = {
    inbox,
    send: (env) => ws.send(JSON.stringify(env)),
    prepare: (ref, data, chunkBytes) => {
      frames = [];
      if (o.wsSend === true) return;
      for (let at = 0; at < data.length; at += chunkBytes) frames.push(maskedFrame(encodeChunkHeader(1, ref, at, data.subarray(at, Math.min(data.length, at + chunkBytes))), o.wsZeroMask === true));
    },
    chunks: (ref, data, chunkBytes) => new Promise<void>((resolve, reject) => {
      let sent = 0;
      let acked = 0;
      /** End offsets of the chunks sent and not yet acknowledged. */
      const open: number[] = [];
      const pump = () => {
        while (sent < data.length && open.length < window) {
          const end = Math.min(data.length, sent + chunkBytes);
          if (o.wsSend === true) ws.send(encodeChunkHeader(1, ref, sent, data.subarray(sent, end)));
          else socket.write(frames[sent / chunkBytes]!);
          open.push(end);
          sent = end;
        }
      };
      const closed = () => reject(new Error(`the socket closed after ${acked} of ${data.length} bytes were acknowledged`));
      ws.once("close", closed);
      inbox.tap = (f) => {
        const ack = ackOf(f);
        if (ack === undefined || ack[0] !== ref) return;
        const done = (err?: Error) => {
          inbox.tap = () => {};
          ws.off("close", closed);
          return err === undefined ? resolve() : reject(err);
        };
        if (ack[2] !== undefined) return done(new Error(`chunk refused: ${ack[2]} at ${ack[1]} of ${data.length} bytes`));
        acked = Math.max(acked, ack[1]);
        while (open.length > 0 && open[0]! <= acked) open.shift();
        if (acked >= data.length) return done();
        pump();
      };
      pump();
    }),
    close: () => ws.terminate(),
  };
  return weftUploader(link, token);
}

const linkId = () => randomBytes(15).toString("base64url");

/** One chunk POST on an SSE or HTTP link; resolves with the bytes the server has. */
async function postChunk(peer: HttpPeer, path: string, ref: string, offset: number, bytes: Buffer): Promise<number> {
  const url = `${path}&v=1&u=${ref}&o=${offset}`;
  const res = await peer.fetch("POST", url, bytes, { "content-type": "application/octet-stream", origin: peer.base });
  if (res.status !== 200) throw new Error(`POST ${url}: ${res.status} ${res.body.slice(0, 200)}`);
  return (JSON.parse(res.body) as { o: number }).o;
}

/** SSE and HTTP: one chunk POST at a time, the next from the offset the last answer gave. */
async function postChunks(peer: HttpPeer, path: string, ref: string, data: Buffer, chunkBytes: number): Promise<void> {
  let received = 0;
  // Bounded: every answer must move forward (a stuck server fails the run, not loops it).
  for (let posts = 0; received < data.length; posts++) {
    if (posts > 2 * Math.ceil(data.length / chunkBytes) + 10) throw new Error(`no progress after ${posts} chunk POSTs (${received} of ${data.length} bytes)`);
    received = await postChunk(peer, path, ref, received, data.subarray(received, Math.min(data.length, received + chunkBytes)));
  }
}

/**
 * An envelope's POST failed on the way. After `close()` that is expected: the
 * answer came on the stream or long-poll and the link closed while the POST's
 * own answer was still in flight (its socket destroyed: "socket hang up").
 * Otherwise it is printed; the frame waited on then times out and fails the run.
 */
function sendFailed(peer: HttpPeer, what: string, err: Error): void {
  if (!peer.isClosed) console.error(`${what}: ${err.message}`);
}

/** Weft over SSE: the stream carries the server's frames, each JSON POST one envelope. */
export async function weftSseUploader(base: string): Promise<Uploader> {
  const peer = new HttpPeer(base);
  const token = await pageToken(peer);
  const path = `/weft/sse?l=${linkId()}`;
  const inbox = new Inbox();
  let hello: () => void = () => {};
  const helloSeen = new Promise<void>((r) => (hello = r));
  const parse = sseParser((data, id) => (id === undefined ? hello() : inbox.take(JSON.parse(data) as Frame)));
  const res = await peer.stream(path, { accept: "text/event-stream", [HEADERS.token]: token }, parse, () => {});
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode}`);
  await withTimeout(helloSeen, 10_000, "weft sse hello");
  const link: Link = {
    inbox,
    send: (env) => void peer.fetch("POST", path, JSON.stringify(env), { "content-type": "application/json", origin: base }).then((r) => {
      if (r.status >= 300) console.error(`weft sse: POST ${path}: ${r.status} ${r.body.slice(0, 200)}`);
    }, (err: Error) => sendFailed(peer, `weft sse: POST ${path}`, err)),
    chunks: (ref, data, chunkBytes) => postChunks(peer, path, ref, data, chunkBytes),
    close: () => peer.close(),
  };
  return weftUploader(link, token);
}

/** Weft over HTTP: a long-poll always waiting, each JSON POST answered with the frames it caused. */
export async function weftHttpUploader(base: string): Promise<Uploader> {
  const peer = new HttpPeer(base);
  const token = await pageToken(peer);
  const id = linkId();
  const path = `/weft/http?l=${id}`;
  const inbox = new Inbox();
  const seqs = new LinkSeq();
  const apply = (sent: number, body: string) => {
    const a = JSON.parse(body) as { n: number; f: unknown[] };
    for (const f of seqs.answered(sent, a.n, a.f)) inbox.take((typeof f === "string" ? JSON.parse(f) : f) as Frame);
  };
  const first = await peer.fetch("GET", `${path}&n=0`, undefined, { [HEADERS.token]: token });
  if (first.status !== 200) throw new Error(`GET ${path}&n=0: ${first.status} ${first.body.slice(0, 200)}`);
  void (async () => {
    while (!peer.isClosed) {
      const sent = seqs.sent();
      const res = await peer.fetch("GET", `${path}&n=${seqs.seen}`).catch(() => undefined);
      if (res === undefined || res.status !== 200) return;
      apply(sent, res.body);
    }
  })();
  const link: Link = {
    inbox,
    send: (env) => {
      const sent = seqs.sent();
      void peer.fetch("POST", `${path}&n=${seqs.seen}`, JSON.stringify(env), { "content-type": "application/json", origin: base }).then((r) => {
        if (r.status !== 200) console.error(`weft http: POST ${path}: ${r.status} ${r.body.slice(0, 200)}`);
        else apply(sent, r.body);
      }, (err: Error) => sendFailed(peer, `weft http: POST ${path}`, err));
    },
    chunks: (ref, data, chunkBytes) => postChunks(peer, path, ref, data, chunkBytes),
    close: () => peer.close(),
  };
  return weftUploader(link, token);
}

/** The systems bench/upload.ts measures, by id. */
export const UPLOADERS = {
  floor: floorUploader,
  websocket: weftWsUploader,
  sse: weftSseUploader,
  http: weftHttpUploader,
} as const satisfies Record<string, (base: string, o?: UploadClientOptions) => Promise<Uploader>>;
