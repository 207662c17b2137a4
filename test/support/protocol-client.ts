/**
 * A test client that speaks the Weft protocol over a real `ws` socket and
 * rebuilds each view's HTML with the same pure tree code the browser uses.
 */
import type WebSocket from "ws";
import { C, kindOf, S, type Envelope, type RenderedTree, type TreeDiff } from "../../src/protocol/messages.ts";
import { applyDiff, applyParts, toHtml } from "../../src/protocol/tree.ts";
import { openWire, WsWire, type WireKind, type Wire } from "./wires.ts";

/** Fetches a view page and returns its HTML and join token. */
export async function getPage(base: string, path: string): Promise<{ html: string; token: string; status: number }> {
  const res = await fetch(base + path);
  const html = await res.text();
  const token = /weft-token="([^"]+)"/.exec(html)?.[1] ?? "";
  return { html, token, status: res.status };
}

/** One view as the client sees it. */
export class ClientView {
  tree: RenderedTree | undefined;
  seq = 0;
  token = "";
  readonly statics = new Map<number, readonly string[]>();
  /** Component trees by id (`p`). */
  parts = new Map<string, RenderedTree>();
  html(): string {
    return this.tree === undefined ? "" : toHtml(this.tree, (id) => this.statics.get(id), (id) => this.parts.get(id));
  }
}

export class ProtocolClient {
  readonly received: Envelope[] = [];
  readonly views = new Map<number, ClientView>();
  private waiters: { pred: (m: Envelope) => boolean; resolve: (m: Envelope) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private ref = 0;
  closed = false;
  closeCode = 0;

  private constructor(readonly wire: Wire) {
    wire.onFrame = (f) => this.onMessage(f);
    wire.onClose = () => {
      this.closed = true;
    };
    if (wire instanceof WsWire) wire.ws.on("close", (code) => (this.closeCode = code));
  }

  /** The socket, for WebSocket-only tests. */
  get ws(): WebSocket {
    if (!(this.wire instanceof WsWire)) throw new Error("not a WebSocket client");
    return this.wire.ws;
  }

  /** Opens a link to the server at `base` (http://host:port) over `transport`. */
  static async connect(base: string, headers: Record<string, string> = {}, transport: WireKind = "websocket"): Promise<ProtocolClient> {
    return new ProtocolClient(await openWire(transport, base, headers));
  }

  /** Sends a raw frame. */
  sendRaw(frame: string | Buffer): void {
    if (this.wire instanceof WsWire) this.wire.sendRaw(frame);
    else this.wire.send(String(frame));
  }

  /** Sends an envelope. */
  send(env: Envelope): void {
    this.wire.send(JSON.stringify(env));
  }

  /** Joins view `v` with `token`; resolves with the join answer. */
  join(v: number, token: string, lastSeq?: number): Promise<Envelope> {
    const view = this.views.get(v) ?? new ClientView();
    view.token = token;
    this.views.set(v, view);
    const d: Record<string, unknown> = { k: token };
    if (lastSeq !== undefined) d.q = lastSeq;
    this.send({ t: C.join, v, d });
    return this.next((m) => m.v === v && (m.k !== undefined || kindOf(m) === S.error));
  }

  /** Sends event `name` to view `v`; resolves with the message that answers its ref. */
  event(v: number, name: string, payload: Record<string, unknown> = {}, ref = ++this.ref, target?: string): Promise<Envelope> {
    this.ref = Math.max(this.ref, ref);
    this.send({ t: C.event, v, r: ref, e: name, d: payload, g: target });
    return this.next((m) => m.v === v && m.r === ref);
  }

  /** Resolves with the next message (already received or not) matching `pred`. */
  next(pred: (m: Envelope) => boolean, timeoutMs = 5000): Promise<Envelope> {
    const seen = this.received.findIndex(pred);
    if (seen >= 0) return Promise.resolve(this.received.splice(seen, 1)[0] as Envelope);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const failed = this.wire.failures?.length ? `; refused or failed POSTs: ${this.wire.failures.join(" | ")}` : "";
        reject(new Error(`no matching message in ${timeoutMs} ms; got ${JSON.stringify(this.received.slice(-5))}${failed}`));
      }, timeoutMs);
      this.waiters.push({ pred, resolve, reject, timer });
    });
  }

  /** Waits `ms` and returns what arrived meanwhile (for "sends nothing" checks). */
  async quiet(ms = 150): Promise<Envelope[]> {
    const before = this.received.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.received.slice(before);
  }

  close(): Promise<void> {
    return this.wire.close();
  }

  private onMessage(frame: string): void {
    const m = JSON.parse(frame) as Envelope;
    this.apply(m);
    const w = this.waiters.find((x) => x.pred(m));
    if (w !== undefined) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      clearTimeout(w.timer);
      w.resolve(m);
      return;
    }
    this.received.push(m);
  }

  private apply(m: Envelope): void {
    const view = m.v === undefined ? undefined : this.views.get(m.v);
    if (view === undefined || m.q === undefined) return;
    if (m.q <= view.seq) return;
    view.seq = m.q;
    for (const [id, s] of Object.entries(m.s ?? {})) view.statics.set(Number(id), s);
    if (m.k !== undefined) view.token = m.k;
    if (m.t === S.rendered) {
      view.tree = m.d as RenderedTree;
      view.parts = new Map();
      applyParts(view.parts, m.p);
    } else if (kindOf(m) === S.diff) {
      if (m.d !== undefined) view.tree = applyDiff(view.tree, m.d as TreeDiff);
      applyParts(view.parts, m.p);
    }
  }
}
