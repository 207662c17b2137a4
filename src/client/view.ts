/**
 * One mounted view: its seq stream, its event refs and the events not yet
 * acknowledged, and how each server message changes the page.
 *
 * Invariants:
 * - messages are applied in seq order exactly once: a seq already applied is a
 *   replay and is skipped; a hole means something was lost, so the view asks for
 *   a full render instead of patching a wrong DOM;
 * - an event stays in `unacked` until a message with `r` ≥ its ref arrives, and
 *   is resent after every join answer, so a dropped link loses no event (the
 *   server drops refs it already applied, so none is applied twice);
 * - events are only sent between a join answer and the link going down: before
 *   the answer the server would reject them as not joined. Events made while the
 *   view is down (join refused, link lost) wait in `unacked` too and go out once,
 *   after the answer; a view that gave up its retries refuses them instead.
 */
import type { ErrorCode } from "../protocol/errors.ts";
import { ATTR, C, CLASS, kindOf, S, type AnnouncePayload, type Envelope, type JoinPayload, type NavigatePayload, type NavPayload } from "../protocol/messages.ts";
import { announce } from "./announce.ts";
import { serializeForm, targetOf } from "./bindings.ts";
import { emit, reportError } from "./dom-events.ts";
import { flashIn } from "./flash.ts";
import { sync } from "./hooks.ts";
import { drop, replied, type Waiters } from "./replies.ts";
import { navigate } from "./navigation.ts";
import { applyTitle } from "./page-title.ts";
import { Loading, patch } from "./dom-patch.ts";
import { limits, oversized } from "./limits.ts";
import { createRendered } from "./rendered.ts";
import { eventCache } from "./event-cache.ts";
import { applyStreams } from "./streams.ts";
import { uploadsAfter } from "./uploads.ts";
import { outage, passing, type Outage } from "./view-retry.ts";

/**
 * What a view needs from the connection that carries it (the live socket).
 *
 * @example
 * const host: ViewHost = { open: true, send: (m) => ws.send(JSON.stringify(m)), joined: () => {} };
 */
export interface ViewHost {
  /** True while the link is up (frames can be sent). */
  readonly open: boolean;
  /** Sends one message to the server. */
  send(msg: Envelope): void;
  /** A join was answered: the link works (the socket resets its backoff). */
  joined(view: View): void;
}

/** Ack after this many applied messages even between heartbeats (bounds the server's outbox). */
const ACK_EVERY = 32;
/** Most events kept waiting for the server; beyond it new ones are refused, not buffered without end. */
const MAX_UNACKED = 500;
/** sessionStorage key guarding the reload on an expired token against a reload loop. */
const RELOAD_KEY = "weft:reloaded";

const EXPIRED: ErrorCode = "E_TOKEN_EXPIRED";
/** A join refused with one of these ends the view; a live patch refused with one is loaded as a page instead. */
const FATAL: readonly ErrorCode[] = ["E_BAD_TOKEN", "E_UNKNOWN_VIEW", "E_UNAUTHORIZED", "E_FORBIDDEN"];
const NOT_JOINED: ErrorCode = "E_NOT_JOINED";

/**
 * A view root on the page and its live session (made by {@link createView}).
 *
 * @example
 * const view = createView(1, root, socket);
 * view.join();                       // when the link opens
 * view.receive(JSON.parse(frame));   // for each server message with v === 1
 * view.push("inc", {}, [button]);    // from the bindings
 */
export interface View {
  /** View id on the wire (`v`), fixed for the page's lifetime. */
  readonly id: number;
  /** The `[weft-view]` element. */
  readonly root: HTMLElement;
  /** Elements waiting for their events' acknowledgement. */
  readonly loading: Loading;
  /** Hook `pushEvent` promises waiting for their ref's answer (replies.ts). */
  readonly replies: Waiters;
  /** Called once, after the first join answer was applied (a live navigation's arrival). */
  onLive: (() => void) | undefined;
  /**
   * The view's current token (the page's, then each join answer's): a new
   * SSE or HTTP link opens with it (docs/transports.md).
   *
   * @example
   * sseTransport(false, view.linkToken);
   */
  readonly linkToken: string;
  /** True once the server refused the view for good (bad token, unknown view), or its root left the page. */
  readonly isDead: boolean;
  /**
   * True while a request of the view is in flight: a join sent and not yet
   * answered or refused, or (joined) an event not yet acknowledged. A view
   * that is down — between join retries, given up, refused for good — waits
   * on nothing: its events stay queued until a join is answered, and a
   * transport switch (which rejoins every view) does not wait for it.
   */
  readonly waiting: boolean;
  /** True while the server has this view joined. */
  readonly isJoined: boolean;
  /**
   * Sends a join: with the last applied seq when the view holds a tree (the
   * server then replays what was missed), without one to get a full render.
   * Does nothing while the link is down: the socket joins every view on open.
   *
   * @example
   * socket.views.forEach((v) => v.join());
   */
  join(): void;
  /**
   * The link went down: events wait in `unacked` until the next join answer.
   *
   * @example
   * transport.onClose = () => views.forEach((v) => v.disconnected());
   */
  disconnected(): void;
  /**
   * Sends an event (or keeps it for the next join answer) and marks `els` as
   * loading. Returns its ref, or the error code it was refused with (see `send`).
   *
   * @example
   * view.push("save", { title: "x" }, [form, submitButton]);
   * view.push("inc", {}, [button], "c1"); // to component "c1"
   * view.push("title", { value: "x" }, [input], undefined, 1); // weft-model="title"
   * view.push("avatar", [[ref, "a.png", "image/png", 912]], [], undefined, undefined, C.upload); // uploads.ts
   */
  push(name: string, payload: unknown, els: readonly Element[], target?: string, b?: 1, t?: string): number | string;
  /**
   * Live-patches the view to `url` (path and query): the server runs its
   * handleParams; `done` runs once that is answered. Ordered with the events
   * and resent after a reconnect like them. A patch the server refuses (no
   * view there, auth refused) becomes a page load of `url`, which shows the
   * server's answer (404, 401, 403).
   *
   * @example
   * view.patchTo("/todos?page=2", [link]);
   */
  patchTo(url: string, els: readonly Element[], done?: () => void): void;
  /**
   * Stops the view without a leave: a live navigation replaced it, and the
   * server ends its session once the new view has joined.
   *
   * @example
   * old.retire();
   */
  retire(): void;
  /**
   * Heartbeat tick: sends the event cache's owed hits, and acknowledges what
   * was applied since the last ack.
   *
   * @example
   * setInterval(() => views.forEach((v) => v.tick()), 30_000);
   */
  tick(): void;
  /**
   * The root left the page: tell the server, stop handling messages.
   *
   * @example
   * if (!view.root.isConnected) view.leave();
   */
  leave(): void;
  /**
   * Handles one server message addressed to this view.
   *
   * @example
   * view.receive({ t: "d", v: 1, q: 8, d: { 0: "2" }, r: 3 });
   */
  receive(m: Envelope): void;
}

/**
 * Mounts view `id` on `root`, carried by `host` (a closure, not a class: its
 * private state is local variables, which the minifier shortens to a letter
 * each). `nav`: a live navigation — the view of `u` replaces view `f` (token
 * `k`) on this root; it joins with a navigate frame.
 *
 * @example
 * const view = createView(1, root, socket);
 */
export function createView(id: number, root: HTMLElement, host: ViewHost, nav?: NavigatePayload): View {
  const loading = new Loading();
  const replies: Waiters = new Map();
  const rendered = createRendered();
  /** Trees of pure events (event-cache.ts), and the HTML they are keyed by and hash: the last built. */
  const ec = eventCache(() => rendered.snap());
  let ht!: string;
  let token = nav?.k ?? root.getAttribute(ATTR.token) ?? "";
  let seq = 0;
  let acked = 0;
  let nextRef = 1;
  let unacked: Envelope[] = [];
  let joined = false;
  /**
   * A join (or navigate) frame went out on the live link and has had neither
   * answer nor refusal yet. Unlike `!joined`, false while the view waits
   * between retries, after it gave up, and while the link is down: nothing of
   * it is in flight then (see `waiting`).
   */
  let joinInFlight = false;
  let dead = false;
  /** A live patch waiting for its answer: its ref, URL, and what to do then (live-nav.ts). */
  let patching: { r: number; u: string; done: (() => void) | undefined } | undefined;

  const join = (): void => {
    if (dead || !host.open) return;
    // Hits the server was not told of (event-cache.ts): the tree is a guess. They go first
    // (while joined), the full render asked for shows them, and the answer resends them (without `w`).
    tellOwed(1);
    joined = false;
    joinInFlight = true;
    if (nav) return host.send({ t: C.navigate, v: id, d: nav });
    const d: JoinPayload = { k: token, u: location.href };
    if (rendered.hasTree) d.q = seq;
    host.send({ t: C.join, v: id, d });
  };

  /** Down state: the root's weft-error marks and the retries of a refused join. */
  const out: Outage = outage(root, join);

  /**
   * Sends (or keeps) `msg` with the next ref: the ref, or the code it was
   * refused with — reported as a `weft:error`, except by a dead view (its
   * root is gone or another view's): that answers its down code or E_NOT_JOINED.
   */
  const send = (msg: Envelope, els: readonly Element[]): number | string => {
    if (dead) return out.code ?? NOT_JOINED;
    const no = (code: string, text: string, ref?: number): string => (reportError(root, code, text, ref, id), code);
    // Given up: retry() marked the outage's code.
    if (out.gaveUp) return no(out.code!, "the view is down");
    if (unacked.length >= MAX_UNACKED) return no("E_CLIENT_TRANSPORT", "too many events waiting");
    const ref = nextRef++;
    msg.r = ref;
    let frame: string;
    try {
      frame = JSON.stringify(msg);
    } catch {
      return no("E_BAD_FRAME", "not JSON", ref); // a payload JSON cannot carry (a cycle, a BigInt)
    }
    // The server would refuse it (and a WebSocket frame far over closes the socket): refuse it here.
    if (oversized(frame)) return no("E_TOO_LARGE", `over ${limits.maxBytes} bytes`, ref);
    // Nothing in flight: a pure event seen before is answered from the cache at once, not loading, and sent later (owed).
    const hit = joined && !v.waiting && msg.t == C.event && ec.hit(msg, ht);
    if (hit) return receive(hit), ref;
    tellOwed(); // the owed hits first: the server applies them before this
    unacked.push(msg);
    for (const el of els) loading.add(el, ref);
    if (joined) host.send(msg);
    return ref;
  };

  /**
   * Sends the event cache's owed hits (event-cache.ts), each then waiting for
   * the server's reply; `x` (a join): also when not joined, into `unacked`
   * for the answer's resend, and the tree is reset: a full render.
   */
  const tellOwed = (x?: 1): void => {
    if (joined || x) for (const m of ec.owe()) x && rendered.reset(), unacked.push(m), joined && host.send(m);
  };

  const receive = (m: Envelope): void => {
    if (dead) return;
    replied(replies, m); // hook pushEvent promises (replies.ts)
    const kind = kindOf(m);
    // Errors outside the view's stream (a refused join or frame) carry no seq.
    if (kind === S.error && m.q === undefined) return failed(m);
    const answer = typeof m.k === "string";
    if (!inOrder(m.q, answer, answer && kind === S.rendered)) return;
    // A frame other than the confirmation of a cached answer: the tree may be a wrong
    // guess, so a full render is asked for; an error (the event refused) is still reported.
    if (!ec.seen(m) && (rejoin(true), kind !== S.error)) return;
    // Mounted afresh (n): weft-recover forms' values, read before the fresh render is morphed in, go after the answer.
    const lost = m.n ? Array.from(root.querySelectorAll<HTMLFormElement>(`form[${ATTR.recover}]`), (f) => [f, serializeForm(f)] as const) : [];
    if (typeof m.h === "string") applyTitle(root, m.h);
    flashIn(m, kind, nav);
    let ok = true;
    if (kind === S.rendered) ok = render(() => rendered.full(m.d, m.s, m.p));
    else if (kind === S.diff) ok = render(() => rendered.diff(m.d, m.s, m.p));
    else if (kind === S.push && typeof m.e === "string") emit(root, m.e, m.d);
    else if (kind === S.announce) announce(m.d as AnnouncePayload);
    else if (kind === S.nav && !navigate(m.d as NavPayload)) reportError(root, "E_NAV_TARGET", "not a same-origin http(s) URL", m.r, id);
    else if (kind === S.error) return failed(m); // a handler or render failure, in the stream
    // Stream ops ride on a full render or a diff: applied after its morph.
    if (ok && m.o !== undefined) {
      try {
        applyStreams(root, m.o);
      } catch (err) {
        reportError(root, "E_CLIENT_PATCH", String(err), undefined, id);
      }
    }
    if (kind === S.rendered || kind === S.diff) sync(v); // hooks: mounted, updated, destroyed after a morph or stream ops
    if (typeof m.r === "number") acknowledge(m.r);
    if (!ok) return; // the view is rejoining for a full render
    if (answer) {
      answered(m.k as string);
      // A nested view's form is its own view's to send; a component's form goes to its component, as its submit would.
      for (const [f, d] of lost) if (f.closest(`[${ATTR.view}]`) == root) v.push(f.getAttribute(ATTR.recover) || "recover", d, [], targetOf(f, root));
    } else if (joined && seq - acked >= ACK_EVERY) ack();
    uploadsAfter(v, m);
  };

  /**
   * Seq bookkeeping for message `q`; false when the message must be skipped.
   * `restart`: a join's full render, which starts the stream afresh at its seq.
   */
  const inOrder = (q: number | undefined, answer: boolean, restart: boolean): boolean => {
    // Without a tree only a join answer's full render helps; anything else is
    // the tail of a stream the view already gave up on (it asked for a full render).
    if (!rendered.hasTree && !restart) return false;
    if (q === undefined) return true;
    if (restart || q === seq + 1) {
      seq = q;
      return true;
    }
    if (q <= seq) return answer; // a replay of what was applied; a join answer still counts
    rejoin(true); // a hole: messages were lost
    return false;
  };

  /** A join answer: the view is live; resend what the server has not applied. */
  const answered = (t: string): void => {
    token = t;
    joined = true;
    joinInFlight = false;
    nav = undefined;
    const live = v.onLive;
    v.onLive = undefined;
    live?.();
    status(true);
    out.up();
    // Only the refs about to be resent can still be answered: nothing else stays loading.
    loading.done((unacked[0]?.r ?? Infinity) - 1);
    host.joined(v);
    try {
      sessionStorage.removeItem(RELOAD_KEY);
    } catch {
      // Storage disabled: the reload guard simply never resets.
    }
    // Without the cache's claim: the tree was reset (a hit's guess is not checked against it).
    for (const msg of unacked) delete msg.w, host.send(msg);
    // Hooks mount (first join, live navigation) or reconnect after the resend: a pushEvent of theirs goes out once.
    sync(v, true);
  };

  const failed = (m: Envelope): void => {
    const code = m.c ?? "E_INTERNAL";
    // A refused join: outside the stream, about no event, while not joined.
    const refusal = !joined && m.q === undefined && m.r === undefined && code !== NOT_JOINED;
    // Each retry of one outage refused alike is not reported again.
    if (!refusal || out.code !== code) reportError(root, code, m.m, m.r, id);
    // A live navigation or live patch the server refused: load the page, which answers as it would (404, 401, 403 …).
    const p = patching;
    const to = nav && refusal ? nav.u : p && p.r === m.r && FATAL.includes(code as ErrorCode) ? p.u : undefined;
    if (to !== undefined) {
      die();
      return location.replace(to);
    }
    if (refusal) {
      joinInFlight = false;
      return refused(code);
    }
    // The server does not know this view on this link (it restarted, or another
    // link took over): the event was not applied, so keep it and rejoin.
    if (code === NOT_JOINED) {
      if (joined) rejoin(false);
    } else if (typeof m.r === "number") {
      // In the stream, the session answered refs in order; a refusal outside
      // it (too large, over the rate, not JSON) concerns that ref alone.
      if (m.q === undefined) settle(m.r);
      else acknowledge(m.r);
    }
  };

  /**
   * The server refused the join: a passing reason is retried with backoff
   * (events keep waiting for the answer), a final one ends the view; either
   * way the root is marked until a join is answered.
   */
  const refused = (code: string): void => {
    if (code === EXPIRED && reloadOnce()) return;
    if (!passing(code)) {
      out.mark(code);
      if (code === EXPIRED || FATAL.includes(code as ErrorCode)) die();
      return;
    }
    if (out.retry(code)) return;
    // Out of retries: the events waiting for this view are refused, visibly.
    for (const msg of unacked) loading.settle(msg.r as number);
    if (unacked.length > 0) reportError(root, code, `${unacked.length} waiting event(s) dropped`, undefined, id);
    unacked = [];
    drop(replies, code);
  };

  /** Builds the HTML and morphs; false when the tree broke and a full render was asked for. */
  const render = (build: () => string): boolean => {
    let html: string;
    try {
      ht = html = build();
    } catch (err) {
      reportError(root, "E_CLIENT_PATCH", String(err), undefined, id);
      rejoin(true);
      return false;
    }
    try {
      patch(root, html, loading);
    } catch (err) {
      // The tree is right, only the DOM update failed: the next patch morphs the
      // whole root again and heals it, so no rejoin.
      reportError(root, "E_CLIENT_PATCH", String(err), undefined, id);
    }
    return true;
  };

  const rejoin = (fresh: boolean): void => {
    if (fresh) rendered.reset();
    join();
  };

  /** Every ref ≤ `ref` is done (applied or refused): forget it and clear its loading state. */
  const acknowledge = (ref: number): void => {
    unacked = unacked.filter((msg) => (msg.r as number) > ref);
    loading.done(ref);
    const p = patching;
    if (p !== undefined && p.r <= ref) {
      patching = undefined;
      p.done?.();
    }
  };

  /** Ref `ref` was refused and will never be applied: forget it, clear its loading state. */
  const settle = (ref: number): void => {
    unacked = unacked.filter((msg) => msg.r !== ref);
    loading.settle(ref);
  };

  const ack = (): void => {
    host.send({ t: C.ack, v: id, q: seq });
    acked = seq;
  };

  const die = (): void => {
    dead = true;
    joined = joinInFlight = false;
    unacked = [];
    loading.done(Infinity);
    drop(replies, out.code ?? NOT_JOINED);
    status(false);
    sync(v); // its hooks are destroyed
  };

  const status = (up: boolean): void => {
    root.classList.toggle(CLASS.connected, up);
    root.classList.toggle(CLASS.disconnected, !up);
  };

  const v: View = {
    id,
    root,
    loading,
    replies,
    onLive: undefined,
    get linkToken() {
      return token;
    },
    get isDead() {
      return dead;
    },
    get waiting() {
      return joinInFlight || (joined && unacked.length > 0);
    },
    get isJoined() {
      return joined;
    },
    join,
    disconnected() {
      joined = joinInFlight = false;
      status(false);
      if (!dead) out.linkDown();
      sync(v, false); // hooks: disconnected
    },
    // `r` (set by send) goes before the payload: the server reads the ids of a
    // frame it refuses unparsed (too large) from its first 256 characters.
    // `t`: another frame of the event sequence (an upload's declaration or cancel, uploads.ts).
    push: (name, payload, els, target, b, t = C.event) => send({ t, v: id, r: 0, e: name, d: payload, g: target, b }, els),
    patchTo(url, els, done) {
      const r = send({ t: C.patch, v: id, r: 0, d: { u: url } }, els); // r before d, as in push
      if (typeof r == "number") patching = { r, u: url, done };
    },
    retire: die,
    tick() {
      tellOwed();
      if (joined && seq !== acked) ack();
    },
    leave() {
      if (joined && host.open) host.send({ t: C.leave, v: id });
      die();
    },
    receive,
  };
  return v;
}

/** Reloads the page unless this tab already did so for an expired token. */
function reloadOnce(): boolean {
  try {
    if (sessionStorage.getItem(RELOAD_KEY) !== null) return false;
    sessionStorage.setItem(RELOAD_KEY, "1");
  } catch {
    return false; // without storage a reload could loop
  }
  location.reload();
  return true;
}

