/**
 * An ATTACKER: one real client link (WebSocket, SSE or HTTP, from
 * test/support/wires.ts) with views of its own joined, that sends hostile
 * frames and bodies and checks every frame the server sends back. It keeps no
 * frames (a 100k run must not grow), only counts them into the report.
 *
 * @example
 * const a = await Attacker.open(base, "sse", report);
 * await a.sendFrame('{"t":"e","v":1,"r":1,"e":"__proto__","d":{}}', false);
 * const res = await a.post("[1,2", "application/json", false, 5000);
 */
import { kindOf, S, type Envelope } from "../../src/protocol/messages.ts";
import { getPage } from "../support/protocol-client.ts";
import { HttpWire, openWire, SseWire, WsWire, type Wire } from "../support/wires.ts";
import { checkFrame } from "./checks.ts";
import type { FuzzReport, Transport } from "./report.ts";

/** The views every attacker joins on its own link: view id → page path. */
export const OWN_VIEWS: Readonly<Record<number, string>> = { 1: "/counter", 2: "/items", 3: "/bad" };

const JOIN_TIMEOUT_MS = 10_000;

/** One attacking client link; see the module comment. */
export class Attacker {
  /** The server ended this link (or it failed): replace the attacker. */
  dead = false;
  /** Inputs this attacker was picked for (the pool retires it after a while). */
  uses = 0;
  /** Frames sent over a WebSocket since the last heartbeat round trip. */
  unconfirmed = 0;
  private readonly waiters: { pred: (m: Envelope) => boolean; resolve: (ok: boolean) => void; timer: NodeJS.Timeout }[] = [];

  private constructor(readonly transport: Transport, readonly wire: Wire, private readonly report: FuzzReport) {
    wire.onFrame = (f) => this.receive(f);
    // A WebSocket's reason is its close code; the wire's own onClose fires first and knows none.
    if (wire instanceof WsWire) wire.ws.on("close", (code) => this.end(`websocket ${code}`));
    else wire.onClose = () => this.end(`${transport} link ended`);
  }

  /** Opens a link over `transport` and joins the attacker's own views on it. */
  static async open(base: string, transport: Transport, report: FuzzReport): Promise<Attacker> {
    const a = new Attacker(transport, await openWire(transport, base), report);
    const pages = await Promise.all(Object.values(OWN_VIEWS).map((p) => getPage(base, p)));
    const joined = Object.keys(OWN_VIEWS).map((v, i) => {
      const id = Number(v);
      const answered = a.waitFor((m) => m.v === id && (m.k !== undefined || kindOf(m) === S.error), JOIN_TIMEOUT_MS);
      a.wire.send(JSON.stringify({ t: "j", v: id, d: { k: pages[i]!.token } }));
      return answered;
    });
    if (!(await Promise.all(joined)).every(Boolean)) {
      await a.close();
      throw new Error(`an attacker over ${transport} could not join its own views within ${JOIN_TIMEOUT_MS} ms`);
    }
    return a;
  }

  /** The link id (SSE and HTTP). */
  get linkId(): string | undefined {
    if (this.wire instanceof SseWire || this.wire instanceof HttpWire) return new URL(this.wire.url).searchParams.get("l") ?? undefined;
    return undefined;
  }

  /** The Cookie header this attacker's requests carry (its link cookie). */
  get cookie(): string {
    return this.wire instanceof SseWire || this.wire instanceof HttpWire ? this.wire.jar.header() : "";
  }

  /** Sends one WebSocket frame; resolves once written (false: the socket was gone). */
  sendFrame(data: string | Buffer, binary: boolean): Promise<boolean> {
    if (!(this.wire instanceof WsWire) || this.dead) return Promise.resolve(false);
    const ws = this.wire.ws;
    this.unconfirmed++;
    return new Promise((resolve) => {
      try {
        ws.send(data, { binary }, (err) => resolve(err == null));
      } catch {
        resolve(false);
      }
    });
  }

  /**
   * A heartbeat round trip: proves the server still reads this socket. True
   * when answered, false when the socket ended meanwhile; undefined: no answer
   * within `timeoutMs` on an open socket (a hang).
   */
  async roundTrip(timeoutMs: number): Promise<boolean | undefined> {
    this.unconfirmed = 0;
    let timedOut = false;
    const answered = this.waitFor((m) => m.t === S.heartbeat, timeoutMs, () => (timedOut = true));
    if (!(await this.sendFrame('{"t":"h"}', false))) return false;
    const ok = await answered;
    return ok ? true : timedOut && !this.dead ? undefined : false;
  }

  /** POSTs a raw body on this attacker's own link, with its cookie (SSE and HTTP). */
  post(body: string | Buffer, contentType: string | undefined, chunked: boolean, timeoutMs: number, headers: Record<string, string> = {}): Promise<Response> {
    const wire = this.wire;
    if (!(wire instanceof SseWire || wire instanceof HttpWire)) throw new Error("post() is for SSE and HTTP attackers");
    const url = wire instanceof HttpWire ? `${wire.url}&n=${wire.seen}` : wire.url;
    const h: Record<string, string> = { ...headers };
    if (contentType !== undefined) h["content-type"] = contentType;
    const init: RequestInit & { duplex?: "half" } = { method: "POST", headers: h, body: chunked ? streamOf(body) : (body as BodyInit), signal: AbortSignal.timeout(timeoutMs) };
    if (chunked) init.duplex = "half";
    return wire.jar.fetch(url, init);
  }

  /** Feeds a POST answer's frames to the HTTP wire (so its link seq moves on, as a browser's would). */
  accept(text: string): void {
    if (this.wire instanceof HttpWire) this.wire.accept(text);
  }

  /** True when the SSE stream gave up for good (EventSource CLOSED). */
  get streamGone(): boolean {
    return this.wire instanceof SseWire && this.wire.es.readyState === 2;
  }

  async close(): Promise<void> {
    this.end("closed by the fuzzer", false);
    await Promise.race([this.wire.close(), new Promise((r) => setTimeout(r, 2000))]);
  }

  private receive(frame: string): void {
    this.report.framesReceived++;
    const verdict = checkFrame(frame);
    if (verdict.code !== undefined) this.report.bump(this.report.frameCodes, verdict.code);
    if (verdict.problem !== undefined) this.report.fail({ transport: this.transport, kind: "frame", index: -1, problem: verdict.problem, input: "" });
    if (verdict.problem !== undefined && verdict.code === undefined) return;
    const m = (typeof frame === "string" ? JSON.parse(frame) : frame) as Envelope;
    const i = this.waiters.findIndex((w) => w.pred(m));
    if (i < 0) return;
    const [w] = this.waiters.splice(i, 1);
    clearTimeout(w!.timer);
    w!.resolve(true);
  }

  private waitFor(pred: (m: Envelope) => boolean, timeoutMs: number, onTimeout?: () => void): Promise<boolean> {
    return new Promise((resolve) => {
      const w = {
        pred, resolve,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          onTimeout?.();
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  private end(reason: string, count = true): void {
    if (this.dead) return;
    this.dead = true;
    if (count) this.report.bump(this.report.closes, reason);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
  }
}

/** A body as a stream, so fetch sends it chunked without Content-Length. */
function streamOf(body: string | Buffer): ReadableStream<Uint8Array> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  let at = 0;
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(new Uint8Array(bytes.subarray(at, at + 16_384)));
      at += 16_384;
    },
  });
}
