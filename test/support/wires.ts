/**
 * Real transport clients for the tests, one per transport, behind one small
 * interface: a `ws` socket, an `eventsource` stream + fetch POSTs, and fetch
 * long-polls + POSTs. They speak the link protocol of docs/transports.md: an
 * SSE or HTTP link opens with a page's view token (the x-weft-token header).
 */
import { randomBytes } from "node:crypto";
import { EventSource } from "eventsource";
import WebSocket from "ws";
import { pack, unpack } from "msgpackr";
import { HEADERS, MSGPACK_PROTOCOL, PATHS } from "../../src/protocol/messages.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import { TEST_SECRET } from "./server.ts";

export type TransportKind = "websocket" | "sse" | "http";
export const TRANSPORTS: readonly TransportKind[] = ["websocket", "sse", "http"];
/** A transport, or "msgpack": WebSocket with MessagePack frames (subprotocol weft.msgpack, app option `msgpack`). */
export type WireKind = TransportKind | "msgpack";
/** The wires the protocol conformance suite runs on: every transport, and WebSocket's MessagePack encoding. */
export const WIRES: readonly WireKind[] = [...TRANSPORTS, "msgpack"];

/** The app options a wire needs: `msgpack: true` for the MessagePack one. */
export function wireOptions(kind: WireKind): { msgpack?: true } {
  return kind === "msgpack" ? { msgpack: true } : {};
}

export interface Wire {
  readonly kind: TransportKind;
  send(frame: string): void;
  onFrame: (frame: string) => void;
  onClose: () => void;
  close(): Promise<void>;
  /** Requests that carried frames and failed or were refused (SSE and HTTP POSTs). */
  readonly failures?: readonly string[];
}

export function newLinkId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * A view token to open an SSE or HTTP link with: `headers[x-weft-token]` when
 * given, else one signed with the test secret (a link needs a valid token,
 * not a rendered page: no mount runs for it). A server with another secret
 * needs the token passed in.
 */
export function linkToken(headers: Record<string, string> = {}): string {
  return headers[HEADERS.token] ?? new TokenSigner([TEST_SECRET]).sign({ sid: newLinkId(), view: "/", params: {}, exp: Date.now() + 3_600_000 });
}

export async function openWire(kind: WireKind, base: string, headers: Record<string, string> = {}): Promise<Wire> {
  if (kind === "websocket" || kind === "msgpack") return WsWire.open(base, headers, kind === "msgpack");
  const token = linkToken(headers);
  // Every request of the link carries the other headers, as a browser's requests carry theirs.
  const { [HEADERS.token]: _, ...rest } = headers;
  if (kind === "sse") return SseWire.open(base, newLinkId(), new Jar(rest), token);
  return HttpWire.open(base, newLinkId(), new Jar(rest), token);
}

/**
 * A `ws` socket; `packed`: it offers MessagePack, and the server must choose
 * it. Frames stay JSON text for the tests: packed and unpacked here, at the
 * socket (a binary frame that does not decode is passed on as its bytes).
 */
export class WsWire implements Wire {
  readonly kind = "websocket";
  onFrame: (f: string) => void = () => {};
  onClose: () => void = () => {};
  /** Binary frames received (every frame of a MessagePack socket is one). */
  binaryFrames = 0;
  private constructor(readonly ws: WebSocket, readonly packed: boolean) {
    ws.on("message", (d: Buffer, binary) => {
      if (binary) this.binaryFrames++;
      this.onFrame(packed && binary ? JSON.stringify(unpack(d)) : String(d));
    });
    ws.on("close", () => this.onClose());
  }
  static async open(base: string, headers: Record<string, string>, packed = false): Promise<WsWire> {
    const ws = new WebSocket(base.replace(/^http/, "ws") + PATHS.socket, packed ? [MSGPACK_PROTOCOL] : [], { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    if (packed && ws.protocol !== MSGPACK_PROTOCOL) throw new Error(`the server chose ${JSON.stringify(ws.protocol)}, not ${MSGPACK_PROTOCOL}`);
    return new WsWire(ws, packed);
  }
  /** Sends a JSON frame (packed on a MessagePack socket). */
  send(frame: string): void {
    this.ws.send(this.packed ? pack(JSON.parse(frame)) : frame);
  }
  /**
   * Sends a raw frame: on a MessagePack socket, text that is JSON goes packed
   * and anything else as its bytes in a binary frame; elsewhere as given.
   */
  sendRaw(frame: string | Buffer): void {
    if (!this.packed || Buffer.isBuffer(frame)) return this.ws.send(frame);
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch {
      return this.ws.send(Buffer.from(frame));
    }
    this.ws.send(pack(value));
  }
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((r) => {
      this.ws.once("close", () => r());
      this.ws.close();
    });
  }
}

/** Keeps the cookies a server sets (the link cookie), as a browser would, for one client. */
export class Jar {
  private readonly cookies = new Map<string, string>();
  /** `extra`: headers every request of this client carries (e.g. what an authorize hook reads). */
  constructor(private readonly extra: Record<string, string> = {}) {}
  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.extra)) if (!headers.has(k)) headers.set(k, v);
    if (this.cookies.size > 0) headers.set("cookie", [headers.get("cookie"), ...[...this.cookies].map(([k, v]) => `${k}=${v}`)].filter((c) => c !== null && c !== "").join("; "));
    const res = await fetch(input, { ...init, headers });
    this.store(res.headers.getSetCookie());
    return res;
  };
  /** Keeps the cookies of Set-Cookie header values. */
  store(setCookies: readonly string[] | undefined): void {
    for (const c of setCookies ?? []) {
      const [pair] = c.split(";");
      const eq = pair!.indexOf("=");
      if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  }
  /** The Cookie header this jar sends. */
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/**
 * Sends frames one POST at a time, in order. A POST that fails or is refused
 * does not stop the next one; it is kept in `failures` (the last 20), which a
 * test client's timeout shows, so a refused POST is not a silent wait.
 */
class Poster {
  private chain: Promise<unknown> = Promise.resolve();
  readonly failures: string[] = [];
  constructor(private readonly url: () => string, private readonly jar: Jar, private readonly onAnswer: (body: string) => void = () => {}) {}
  post(frame: string): void {
    this.chain = this.chain.then(async () => {
      const res = await this.jar.fetch(this.url(), { method: "POST", headers: { "content-type": "application/json" }, body: `[${frame}]` });
      const text = await res.text();
      if (res.ok && text) this.onAnswer(text);
      else if (!res.ok) this.failed(`POST ${frame.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`);
    }).catch((err: unknown) => this.failed(`POST ${frame.slice(0, 80)} → ${String(err)}`));
  }
  private failed(what: string): void {
    if (this.failures.push(what) > 20) this.failures.shift();
  }
}

export class SseWire implements Wire {
  readonly kind = "sse";
  onFrame: (f: string) => void = () => {};
  onClose: () => void = () => {};
  readonly lastIds: string[] = [];
  private readonly poster: Poster;
  /** POSTs that failed or were refused. */
  get failures(): readonly string[] {
    return this.poster.failures;
  }
  private constructor(readonly es: EventSource, readonly url: string, readonly jar: Jar) {
    this.poster = new Poster(() => url, jar);
    es.onmessage = (e) => {
      if (e.lastEventId) this.lastIds.push(e.lastEventId);
      if (e.data !== '{"t":"h"}' || e.lastEventId) this.onFrame(e.data);
    };
  }
  /** Opens link `id` as a browser does: a POST with the view token, then the stream. */
  static async open(base: string, id = newLinkId(), jar = new Jar(), token?: string): Promise<SseWire> {
    const url = `${base}${PATHS.sse}?l=${id}`;
    const opened = await jar.fetch(url, { method: "POST", headers: { "content-type": "application/json", [HEADERS.token]: token ?? linkToken() }, body: "[]" });
    if (!opened.ok) throw new Error(`SSE open failed: ${opened.status} ${await opened.text()}`);
    const es = new EventSource(url, { fetch: jar.fetch });
    // The hello event (no id) proves the stream delivers.
    await new Promise<void>((resolve, reject) => {
      es.onmessage = () => resolve();
      es.onerror = (e) => reject(new Error(`SSE failed: ${String((e as { message?: string }).message)}`));
    });
    es.onerror = () => {};
    return new SseWire(es, url, jar);
  }
  send(frame: string): void {
    this.poster.post(frame);
  }
  /** POSTs a raw body on this link (with its cookie), for hostile-input tests. */
  postRaw(body: string | Buffer, contentType = "application/json", headers: Record<string, string> = {}): Promise<Response> {
    return this.jar.fetch(this.url, { method: "POST", headers: { "content-type": contentType, ...headers }, body: body as BodyInit });
  }
  async close(): Promise<void> {
    this.es.close();
    this.onClose();
  }
}

export class HttpWire implements Wire {
  readonly kind = "http";
  onFrame: (f: string) => void = () => {};
  onClose: () => void = () => {};
  seen = 0;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly poster: Poster;
  /** POSTs that failed or were refused. */
  get failures(): readonly string[] {
    return this.poster.failures;
  }
  private constructor(readonly url: string, readonly jar: Jar) {
    this.poster = new Poster(() => `${url}&n=${this.seen}`, jar, (body) => this.accept(body));
    void this.loop();
  }
  /** Opens link `id`: its first poll carries the view token. */
  static async open(base: string, id = newLinkId(), jar = new Jar(), token?: string): Promise<HttpWire> {
    const url = `${base}${PATHS.http}?l=${id}`;
    const res = await jar.fetch(`${url}&n=0`, { headers: { [HEADERS.token]: token ?? linkToken() } });
    if (!res.ok) throw new Error(`HTTP open failed: ${res.status}`);
    await res.text();
    return new HttpWire(url, jar);
  }
  send(frame: string): void {
    this.poster.post(frame);
  }
  /** POSTs a raw body on this link (with its cookie), for hostile-input tests. */
  postRaw(body: string | Buffer, contentType = "application/json", headers: Record<string, string> = {}): Promise<Response> {
    return this.jar.fetch(`${this.url}&n=${this.seen}`, { method: "POST", headers: { "content-type": contentType, ...headers }, body: body as BodyInit });
  }
  /** Applies an answer's frames in link-seq order, each once. */
  accept(body: string): void {
    const { n, f } = JSON.parse(body) as { n: number; f: unknown[] };
    const first = n - f.length + 1;
    f.forEach((frame, i) => {
      if (first + i <= this.seen) return;
      this.seen = first + i;
      this.onFrame(JSON.stringify(frame));
    });
  }
  private async loop(): Promise<void> {
    while (!this.closed) {
      try {
        const res = await this.jar.fetch(`${this.url}&n=${this.seen}`, { signal: this.abort.signal });
        if (!res.ok) break;
        this.accept(await res.text());
      } catch {
        break;
      }
    }
    this.onClose();
  }
  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
  }
}
