/**
 * The page's one connection, multiplexing all its views: it opens a transport
 * (picked by negotiate.ts: HTTP first, which needs no probe), falls back at
 * once to the next when one fails, joins every view on open, routes server
 * messages by view id, sends heartbeats, detects a dead link and reconnects
 * with backoff — and, while on a lesser transport, probes the better ones in
 * the background and switches up to one that proved itself.
 *
 * Exactly once across a switch (and across any reconnect): one transport is
 * live at a time; the old one is closed the moment the new one takes over, so
 * nothing of it is read afterwards. Each view then rejoins over the new link
 * with the last seq it applied: the server replays what came after (or sends a
 * full render), and a seq already applied is skipped by the view. Events not
 * yet acknowledged stay in their view and are resent after the join answer;
 * the server applies each ref once (and refuses, unapplied, an event that still
 * arrives on the old link, as the session is no longer attached to it).
 */
import { ATTR, C, kindOf, S, type Envelope } from "../protocol/messages.ts";
import { emit, guard, reportError } from "./dom-events.ts";
import { linkNote } from "./announce.ts";
import { createNegotiator } from "./negotiate.ts";
import { createProber } from "./probe.ts";
import type { Transport } from "./transports/types.ts";
import { acked } from "./uploads.ts";
import { createView, type View, type ViewHost } from "./view.ts";

/** First reconnect waits at most this long (full jitter: a random delay below it). */
const BASE_DELAY = 500;
/** Backoff cap: even after many failures a retry comes within this. */
const MAX_DELAY = 10_000;
/** Frames kept while the link is down; older ones are dropped (events live on in their view). */
const MAX_QUEUE = 100;

const CODE = "E_CLIENT_TRANSPORT";

/** Page globals the client reads. */
const page = globalThis as { weftDebug?: unknown };

/**
 * The connection and the views it carries (made by {@link liveSocket}).
 *
 * @example
 * const socket = liveSocket(30_000, createNegotiator({ offered: "websocket,sse,http" }));
 * socket.scan();    // mount every [weft-view] root
 * socket.connect(); // open, join, keep alive
 */
export interface LiveSocket extends ViewHost {
  /** Mounted views by id. */
  readonly views: Map<number, View>;
  /** True while a transport is open. */
  open: boolean;
  /**
   * Name of the transport in use (the last one that connected), if any.
   *
   * @example
   * socket.transportName; // "websocket"
   */
  readonly transportName: string | undefined;
  /**
   * Name of the better transport being probed in the background, if any.
   *
   * @example
   * socket.probingName; // "websocket" while the page runs on "http"
   */
  readonly probingName: string | undefined;
  /**
   * Opens a transport now, unless one is open or opening.
   *
   * @example
   * socket.connect();
   */
  connect(): void;
  /**
   * Skips the backoff wait (the browser came back online).
   *
   * @example
   * addEventListener("online", () => socket.wake());
   */
  wake(): void;
  /**
   * Mounts views for new `[weft-view]` roots and leaves views whose root left
   * the page. Safe to call often (after patches, from a MutationObserver).
   *
   * @example
   * new MutationObserver(() => socket.scan()).observe(document.body, { childList: true, subtree: true });
   */
  scan(): void;
  /**
   * Live navigation: the view of `url` (path and query) replaces `old` on its
   * root, joining over this link with a navigate frame; the server ends the
   * old view's session once the new one has joined.
   *
   * @example
   * socket.replace(socket.viewOf(root)!, "/todos/42").onLive = () => root.focus();
   */
  replace(old: View, url: string): View;
  /**
   * The view mounted on `root`.
   *
   * @example
   * socket.viewOf(button.closest("[weft-view]")!)?.push("inc", {}, [button]);
   */
  viewOf(root: Element): View | undefined;
  /**
   * Sends a message now, or queues it until the link is up.
   *
   * @example
   * socket.send({ t: C.heartbeat });
   */
  send(msg: Envelope): void;
  /**
   * Sends bytes `b` of upload entry `ref` of view `v` (from byte `o` of its
   * file) on the live transport; dropped while the link is down (the entry
   * resumes from its last acknowledged byte once the view has joined again).
   *
   * @example
   * socket.sendChunk(1, ref, 0, file.slice(0, 65_536));
   */
  sendChunk(v: number, ref: string, o: number, b: Blob): void;
  /**
   * The page is going away for good (not into the back-forward cache): every
   * joined view leaves now, so its session ends at once — it leaves presence
   * lists, frees the server — instead of waiting out its grace period.
   *
   * @example
   * addEventListener("pagehide", (e) => { if (!e.persisted) socket.farewell(); });
   */
  farewell(): void;
  /**
   * A view's join was answered: the link really works, so the next outage
   * starts its backoff from the shortest delay again.
   */
  joined(view: View): void;
}

/**
 * Makes the page's connection (a closure, not a class: its private state is
 * local variables, which the minifier shortens to a letter each).
 *
 * @param heartbeat interval in ms (the script tag's `data-heartbeat`).
 * @param negotiator picks the transports (the script tag's `data-transports`, `window.WEFT_TRANSPORT`).
 *
 * @example
 * const socket = liveSocket(30_000, createNegotiator({ offered: "websocket,sse,http" }));
 * socket.scan();
 * socket.connect();
 */
export function liveSocket(heartbeat = 30_000, negotiator = createNegotiator()): LiveSocket {
  const views = new Map<number, View>();
  const roots = new Map<Element, View>();
  let transport: Transport | undefined;
  /** The transport last announced (`weft:transport`, `window.weft.transport`). */
  let current: string | undefined;
  /**
   * A view frame came over the live transport: it works end to end, so losing
   * it is an outage (retry it after a backoff), not a failed transport (try
   * the next one at once).
   */
  let proven = false;
  /** A proven transport that takes over once no join or event is in flight (switchTo). */
  let next: Transport | undefined;
  /** The next link is opened because a better transport failed. */
  let fallingBack = false;
  let queue: string[] = [];
  let nextId = 1;
  let attempts = 0;
  let lastRx = 0;
  let lastPing = 0;
  let beat: ReturnType<typeof setInterval> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let openTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Whether the link counted as up (a join was answered since the last report):
   * a `weft:error` is reported once per outage, not per retry, and a server that
   * accepts sockets only to drop them is still one outage.
   */
  let up = true;

  /** A view token of the page, which a new SSE or HTTP link opens with (the first live view's). */
  const linkToken = (): string | undefined => {
    for (const view of views.values()) if (!view.isDead) return view.linkToken;
    return undefined;
  };

  /** Makes `t` the live transport: its frames and its end are handled here from now on. */
  const use = (t: Transport): void => {
    transport = t;
    proven = false;
    t.onMessage = guard((frame: string) => transport === t && receive(frame));
    t.onClose = guard((c?: string) => lost(t, c));
  };

  const opened = (t: Transport): void => {
    s.open = true;
    proven = views.size === 0; // nothing to join: opening is all it can prove
    lastRx = lastPing = Date.now();
    beat = setInterval(guard(tick), heartbeat);
    announce(t.name);
    for (const view of views.values()) view.join();
    // Joins go first: frames queued while down may need a joined view.
    const queued = queue;
    queue = [];
    for (const frame of queued) t.send(frame);
    prober.schedule();
  };

  /**
   * The link is gone (or never came up). A transport that never worked (blocked,
   * buffered, cut before its first join answer) is followed at once by the
   * next one; a dropped link that worked, or every transport having failed,
   * waits a jittered backoff.
   *
   * A link the server refused for its view token (`c`: E_TOKEN_EXPIRED,
   * E_BAD_TOKEN, E_LINK_TOKEN; docs/transports.md) is a refused join of the
   * view that gave the token (see linkToken): an expired one reloads the page
   * once, a bad one ends the view — no new link is opened with it.
   */
  const lost = (t: Transport, c?: string): void => {
    if (transport !== t) return; // a stale transport's late callback
    t.close();
    transport = undefined;
    s.open = false;
    clearTimeout(openTimer);
    clearInterval(beat);
    prober.stop();
    next?.close();
    next = undefined;
    for (const view of views.values()) view.disconnected();
    if (/TOKEN/.test(c!)) for (const v of views.values()) if (!v.isDead) return v.receive({ t: S.error, c });
    if (!proven && negotiator.failed()) {
      fallingBack = true;
      retry = setTimeout(guard(connect), 0);
      return;
    }
    if (up) {
      up = false;
      linkNote(false);
      reportError(document, CODE);
    }
    negotiator.restart(); // reconnect on the start transport, probing again at once
    // Full jitter (random delay below the exponential bound): a server restart
    // does not see every page reconnect in the same instant.
    const bound = Math.min(MAX_DELAY, BASE_DELAY * 2 ** Math.min(attempts++, 10));
    retry = setTimeout(guard(connect), Math.random() * bound);
  };

  /** Fires `weft:transport` when the transport in use changes (the first connect included). */
  const announce = (name: string): void => {
    if (name === current) return;
    const previous = current;
    current = name;
    emit(document, "transport", { transport: name, previous });
  };

  /**
   * A probe proved `t`: it becomes the live transport. The old one is closed at
   * once (see the top of this file for why nothing is lost or applied twice);
   * views keep their connected state — the switch is not an outage — and each
   * rejoins over `t`, resuming from its last seq.
   */
  const switchTo = (t: Transport): void => {
    const old = transport;
    if (old === undefined || !s.open) return t.close();
    if (busy()) return switchWhenIdle(t);
    next = undefined;
    old.close();
    negotiator.use(t.name);
    use(t);
    lastRx = lastPing = Date.now();
    announce(t.name);
    for (const view of views.values()) view.join();
    prober.schedule();
  };

  /**
   * A join or an event is in flight: switching now would abandon its request
   * on the old link and send it again over the new one, a round trip later.
   * `t` takes over when the page is next idle (see receive); if it closes
   * meanwhile, probing starts over.
   */
  const switchWhenIdle = (t: Transport): void => {
    if (next !== t) next?.close();
    next = t;
    t.onMessage = () => {};
    t.onClose = guard(() => {
      if (next !== t) return;
      next = undefined;
      prober.schedule();
    });
  };

  /**
   * Whether a request is in flight: a view's join not yet answered or refused,
   * or an event of a joined view not yet acknowledged. A view that is down
   * (between join retries, given up) does not count: the switch rejoins it.
   */
  const busy = (): boolean => {
    for (const view of views.values()) if (view.waiting) return true;
    return false;
  };

  const tick = (): void => {
    const t = transport;
    if (t === undefined || !s.open) return;
    const now = Date.now();
    // Dead: the last ping got no answer and nothing at all came for two intervals.
    // (Comparing with the ping, not just the clock, keeps a background tab whose
    // timers the browser throttles from mistaking its own slowness for a dead link.)
    if (lastRx < lastPing && now - lastRx >= 2 * heartbeat) return lost(t);
    lastPing = now;
    send({ t: C.heartbeat });
    for (const view of views.values()) view.tick();
  };

  const receive = (frame: string): void => {
    lastRx = Date.now();
    let m: unknown;
    try {
      m = JSON.parse(frame);
    } catch {
      return reportError(document, CODE, "unreadable frame from the server");
    }
    if (typeof m !== "object" || m === null || Array.isArray(m)) return;
    const msg = m as Envelope;
    if (typeof msg.v === "number") proven = true; // a view's answer came back: the round trip works
    debug("in", msg);
    const kind = kindOf(msg);
    if (kind === S.heartbeat) return;
    if (kind === S.uploadAck) return acked(msg.d);
    const view = typeof msg.v === "number" ? views.get(msg.v) : undefined;
    if (view === undefined) {
      // The server is shutting down (an SSE or HTTP link's last frame): not an
      // error of the page — reconnect, after the usual jittered backoff, to
      // whichever node the balancer picks, as after a WebSocket's 4503. The
      // transport worked, so this is an outage, not a failed transport.
      if (kind === S.error && msg.c === "E_SHUTDOWN" && msg.v === undefined) {
        if (transport) (proven = true), lost(transport);
        return;
      }
      if (kind === S.error) reportError(document, msg.c ?? "E_INTERNAL", msg.m, msg.r, msg.v);
      return;
    }
    try {
      view.receive(msg);
    } catch (err) {
      reportError(view.root, "E_CLIENT_PATCH", String(err), msg.r, view.id);
    }
    if (next !== undefined && !busy()) switchTo(next);
  };

  const debug = (direction: "in" | "out", msg: Envelope): void => {
    if (page.weftDebug) console.debug(`weft ${direction}`, msg.v ?? "-", msg);
  };

  const send = (msg: Envelope): void => {
    debug("out", msg);
    const frame = JSON.stringify(msg);
    if (s.open && transport !== undefined) transport.send(frame);
    else if (queue.push(frame) > MAX_QUEUE) queue.shift();
  };

  function connect(): void {
    clearTimeout(retry);
    retry = undefined;
    if (transport !== undefined) return;
    const factory = negotiator.current;
    const t = factory.create(fallingBack, linkToken());
    fallingBack = false;
    use(t);
    // Not open in time: a proxy holds the request, or buffers the SSE hello.
    openTimer = setTimeout(guard(() => lost(t)), factory.openMs);
    t.onOpen = guard(() => {
      clearTimeout(openTimer);
      opened(t);
    });
    t.open();
  }

  const prober = createProber(negotiator, switchTo, linkToken);

  const s: LiveSocket = {
    views,
    open: false,
    get transportName() {
      return current;
    },
    get probingName() {
      return prober.probing;
    },
    connect,
    wake() {
      if (retry !== undefined) connect();
    },
    scan() {
      for (const view of views.values()) {
        if (view.root.isConnected) continue;
        view.leave();
        views.delete(view.id);
        roots.delete(view.root);
      }
      for (const root of Array.from(document.querySelectorAll<HTMLElement>(`[${ATTR.view}]`))) {
        if (roots.has(root)) continue;
        const view = createView(nextId++, root, s);
        views.set(view.id, view);
        roots.set(root, view);
        view.join();
      }
    },
    replace(old, url) {
      old.retire();
      const view = createView(nextId++, old.root, s, { k: old.linkToken, u: url, f: old.id });
      views.delete(old.id);
      views.set(view.id, view);
      roots.set(old.root, view);
      view.join();
      return view;
    },
    viewOf: (root) => roots.get(root),
    send,
    sendChunk(v, ref, o, b) {
      if (s.open) transport?.sendChunk?.(v, ref, o, b);
    },
    farewell() {
      const frames: string[] = [];
      for (const view of views.values()) if (view.isJoined) frames.push(JSON.stringify({ t: C.leave, v: view.id }));
      if (s.open && transport !== undefined) transport.farewell(frames);
    },
    joined() {
      attempts = 0;
      linkNote(true);
      up = true;
      proven = true;
      if (transport !== undefined) negotiator.worked(transport.name);
    },
  };
  return s;
}
