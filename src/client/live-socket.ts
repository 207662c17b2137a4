/**
 * The page's one connection, multiplexing all its views: it opens a transport
 * (picked by negotiate.ts), joins every view on open, routes server messages by
 * view id, sends heartbeats, detects a dead link and reconnects with backoff.
 */
import { ATTR, C, kindOf, S, type Envelope } from "../protocol/messages.ts";
import { emit, guard, reportError } from "./dom-events.ts";
import { Negotiator } from "./negotiate.ts";
import type { Transport } from "./transports/types.ts";
import { View, type ViewHost } from "./view.ts";

/** First reconnect waits at most this long (full jitter: a random delay below it). */
const BASE_DELAY = 500;
/** Backoff cap: even after many failures a retry comes within this. */
const MAX_DELAY = 10_000;
/** A transport that has not opened by then is treated as failed (a proxy may hold it forever). */
const CONNECT_TIMEOUT = 10_000;
/** Frames kept while the link is down; older ones are dropped (events live on in their view). */
const MAX_QUEUE = 100;

/** Page globals the client reads. */
const page = globalThis as { weftDebug?: unknown; WEFT_TRANSPORT?: unknown };

/**
 * The connection and the views it carries.
 *
 * @example
 * const socket = new LiveSocket(30_000);
 * socket.scan();    // mount every [weft-view] root
 * socket.connect(); // open, join, keep alive
 */
export class LiveSocket implements ViewHost {
  /** Mounted views by id. */
  readonly views = new Map<number, View>();
  /** True while a transport is open. */
  open = false;
  private readonly roots = new Map<Element, View>();
  private readonly negotiator = new Negotiator(page.WEFT_TRANSPORT);
  private transport: Transport | undefined;
  private current: string | undefined;
  private queue: string[] = [];
  private nextId = 1;
  private attempts = 0;
  private lastRx = 0;
  private lastPing = 0;
  private beat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /**
   * Whether the link counted as up (a join was answered since the last report):
   * a `weft:error` is reported once per outage, not per retry, and a server that
   * accepts sockets only to drop them is still one outage.
   */
  private up = true;

  /** @param heartbeat interval in ms (the script tag's `data-heartbeat`). */
  constructor(private readonly heartbeat = 30_000) {}

  /**
   * Name of the transport in use (the last one that connected), if any.
   *
   * @example
   * socket.transportName; // "websocket"
   */
  get transportName(): string | undefined {
    return this.current;
  }

  /**
   * Opens a transport now, unless one is open or opening.
   *
   * @example
   * socket.connect();
   */
  connect(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    if (this.transport !== undefined) return;
    const t = this.negotiator.create();
    this.transport = t;
    let opened = false;
    const timeout = setTimeout(guard("E_CLIENT_TRANSPORT", () => this.lost(t, false)), CONNECT_TIMEOUT);
    t.onOpen = guard("E_CLIENT_TRANSPORT", () => {
      opened = true;
      clearTimeout(timeout);
      this.opened(t);
    });
    t.onMessage = guard("E_CLIENT_TRANSPORT", (frame: string) => this.receive(frame));
    t.onClose = guard("E_CLIENT_TRANSPORT", () => {
      clearTimeout(timeout);
      this.lost(t, opened);
    });
    t.open();
  }

  /**
   * Skips the backoff wait (the browser came back online).
   *
   * @example
   * addEventListener("online", () => socket.wake());
   */
  wake(): void {
    if (this.retry !== undefined) this.connect();
  }

  /**
   * Mounts views for new `[weft-view]` roots and leaves views whose root left
   * the page. Safe to call often (after patches, from a MutationObserver).
   *
   * @example
   * new MutationObserver(() => socket.scan()).observe(document.body, { childList: true, subtree: true });
   */
  scan(): void {
    for (const view of this.views.values()) {
      if (view.root.isConnected) continue;
      view.leave();
      this.views.delete(view.id);
      this.roots.delete(view.root);
    }
    for (const root of Array.from(document.querySelectorAll<HTMLElement>(`[${ATTR.view}]`))) {
      if (this.roots.has(root)) continue;
      const view = new View(this.nextId++, root, this);
      this.views.set(view.id, view);
      this.roots.set(root, view);
      view.join();
    }
  }

  /**
   * The view mounted on `root`.
   *
   * @example
   * socket.viewOf(button.closest("[weft-view]")!)?.push("inc", {}, [button]);
   */
  viewOf(root: Element): View | undefined {
    return this.roots.get(root);
  }

  /**
   * Sends a message now, or queues it until the link is up.
   *
   * @example
   * socket.send({ t: C.heartbeat });
   */
  send(msg: Envelope): void {
    this.debug("out", msg);
    const frame = JSON.stringify(msg);
    if (this.open && this.transport !== undefined) this.transport.send(frame);
    else if (this.queue.push(frame) > MAX_QUEUE) this.queue.shift();
  }

  /**
   * A view's join was answered: the link really works, so the next outage
   * starts its backoff from the shortest delay again.
   */
  joined(_view: View): void {
    this.attempts = 0;
    this.up = true;
  }

  private opened(t: Transport): void {
    this.open = true;
    this.current = t.name;
    this.lastRx = this.lastPing = Date.now();
    this.beat = setInterval(guard("E_CLIENT_TRANSPORT", () => this.tick()), this.heartbeat);
    emit(document, "transport", { transport: t.name });
    for (const view of this.views.values()) view.join();
    // Joins go first: frames queued while down may need a joined view.
    const queued = this.queue;
    this.queue = [];
    for (const frame of queued) t.send(frame);
  }

  /** The link is gone (or never came up): tell the views, retry after a jittered backoff. */
  private lost(t: Transport, opened: boolean): void {
    if (this.transport !== t) return; // a stale transport's late callback
    t.close();
    this.transport = undefined;
    this.open = false;
    clearInterval(this.beat);
    if (!opened) this.negotiator.failed();
    for (const view of this.views.values()) view.disconnected();
    if (this.up) {
      this.up = false;
      reportError(document, "E_CLIENT_TRANSPORT");
    }
    // Full jitter (random delay below the exponential bound): a server restart
    // does not see every page reconnect in the same instant.
    const bound = Math.min(MAX_DELAY, BASE_DELAY * 2 ** Math.min(this.attempts++, 10));
    this.retry = setTimeout(guard("E_CLIENT_TRANSPORT", () => this.connect()), Math.random() * bound);
  }

  private tick(): void {
    const t = this.transport;
    if (t === undefined || !this.open) return;
    const now = Date.now();
    // Dead: the last ping got no answer and nothing at all came for two intervals.
    // (Comparing with the ping, not just the clock, keeps a background tab whose
    // timers the browser throttles from mistaking its own slowness for a dead link.)
    if (this.lastRx < this.lastPing && now - this.lastRx >= 2 * this.heartbeat) return this.lost(t, true);
    this.lastPing = now;
    this.send({ t: C.heartbeat });
    for (const view of this.views.values()) view.tick();
  }

  private receive(frame: string): void {
    this.lastRx = Date.now();
    let m: unknown;
    try {
      m = JSON.parse(frame);
    } catch {
      return reportError(document, "E_CLIENT_TRANSPORT", "unreadable frame from the server");
    }
    if (typeof m !== "object" || m === null || Array.isArray(m)) return;
    const msg = m as Envelope;
    this.debug("in", msg);
    const kind = kindOf(msg);
    if (kind === S.heartbeat) return;
    const view = typeof msg.v === "number" ? this.views.get(msg.v) : undefined;
    if (view === undefined) {
      if (kind === S.error) reportError(document, msg.c ?? "E_INTERNAL", msg.m, msg.r, msg.v);
      return;
    }
    try {
      view.receive(msg);
    } catch (err) {
      reportError(view.root, "E_CLIENT_PATCH", String(err), msg.r, view.id);
    }
  }

  private debug(direction: "in" | "out", msg: Envelope): void {
    if (page.weftDebug) console.debug(`weft ${direction}`, msg.v ?? "-", msg);
  }
}
