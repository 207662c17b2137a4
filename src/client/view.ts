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
import { Rendered } from "./rendered.ts";
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
 * A view root on the page and its live session.
 *
 * @example
 * const view = new View(1, root, socket);
 * view.join();                       // when the link opens
 * view.receive(JSON.parse(frame));   // for each server message with v === 1
 * view.push("inc", {}, [button]);    // from the bindings
 */
export class View {
  /** Elements waiting for their events' acknowledgement. */
  readonly loading = new Loading();
  /** Hook `pushEvent` promises waiting for their ref's answer (replies.ts). */
  readonly replies: Waiters = new Map();
  private readonly rendered = new Rendered();
  /** Trees of pure events (event-cache.ts), and the HTML they are keyed by and hash: the last built. */
  private readonly ec = eventCache(() => this.rendered.snap());
  private ht!: string;
  private token: string;
  private seq = 0;
  private acked = 0;
  private nextRef = 1;
  private unacked: Envelope[] = [];
  private joined = false;
  /**
   * A join (or navigate) frame went out on the live link and has had neither
   * answer nor refusal yet. Unlike `!joined`, false while the view waits
   * between retries, after it gave up, and while the link is down: nothing of
   * it is in flight then (see `waiting`).
   */
  private joinInFlight = false;
  private dead = false;
  /** Down state: the root's weft-error marks and the retries of a refused join. */
  private readonly outage: Outage;
  /** A live patch waiting for its answer: its ref, URL, and what to do then (live-nav.ts). */
  private patching: { r: number; u: string; done: (() => void) | undefined } | undefined;
  /** Called once, after the first join answer was applied (a live navigation's arrival). */
  onLive: (() => void) | undefined;

  constructor(
    /** View id on the wire (`v`), fixed for the page's lifetime. */
    readonly id: number,
    /** The `[weft-view]` element. */
    readonly root: HTMLElement,
    private readonly host: ViewHost,
    /** A live navigation: the view of `u` replaces view `f` (token `k`) on this root; it joins with a navigate frame. */
    private nav?: NavigatePayload,
  ) {
    this.token = nav?.k ?? root.getAttribute(ATTR.token) ?? "";
    this.outage = outage(root, () => this.join());
  }

  /**
   * The view's current token (the page's, then each join answer's): a new
   * SSE or HTTP link opens with it (docs/transports.md).
   *
   * @example
   * new SseTransport(false, view.linkToken);
   */
  get linkToken(): string {
    return this.token;
  }

  /** True once the server refused the view for good (bad token, unknown view), or its root left the page. */
  get isDead(): boolean {
    return this.dead;
  }

  /**
   * Sends a join: with the last applied seq when the view holds a tree (the
   * server then replays what was missed), without one to get a full render.
   * Does nothing while the link is down: the socket joins every view on open.
   *
   * @example
   * socket.views.forEach((v) => v.join());
   */
  join(): void {
    if (this.dead || !this.host.open) return;
    // Hits the server was not told of (event-cache.ts): the tree is a guess. They go first
    // (while joined), the full render asked for shows them, and the answer resends them (without `w`).
    this.tellOwed(1);
    this.joined = false;
    this.joinInFlight = true;
    if (this.nav) return this.host.send({ t: C.navigate, v: this.id, d: this.nav });
    const d: JoinPayload = { k: this.token, u: location.href };
    if (this.rendered.hasTree) d.q = this.seq;
    this.host.send({ t: C.join, v: this.id, d });
  }

  /**
   * The link went down: events wait in `unacked` until the next join answer.
   *
   * @example
   * transport.onClose = () => views.forEach((v) => v.disconnected());
   */
  disconnected(): void {
    this.joined = this.joinInFlight = false;
    this.status(false);
    if (!this.dead) this.outage.linkDown();
    sync(this, false); // hooks: disconnected
  }

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
  push(name: string, payload: unknown, els: readonly Element[], target?: string, b?: 1, t: string = C.event): number | string {
    // `r` (set by send) goes before the payload: the server reads the ids of a
    // frame it refuses unparsed (too large) from its first 256 characters.
    // `t`: another frame of the event sequence (an upload's declaration or cancel, uploads.ts).
    return this.send({ t, v: this.id, r: 0, e: name, d: payload, g: target, b }, els);
  }

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
  patchTo(url: string, els: readonly Element[], done?: () => void): void {
    const r = this.send({ t: C.patch, v: this.id, r: 0, d: { u: url } }, els); // r before d, as in push
    if (typeof r == "number") this.patching = { r, u: url, done };
  }

  /**
   * Stops the view without a leave: a live navigation replaced it, and the
   * server ends its session once the new view has joined.
   *
   * @example
   * old.retire();
   */
  retire(): void {
    this.die();
  }

  /**
   * Sends (or keeps) `msg` with the next ref: the ref, or the code it was
   * refused with — reported as a `weft:error`, except by a dead view (its
   * root is gone or another view's): that answers its down code or E_NOT_JOINED.
   */
  private send(msg: Envelope, els: readonly Element[]): number | string {
    const o = this.outage;
    if (this.dead) return o.code ?? NOT_JOINED;
    const no = (code: string, text: string, ref?: number): string => (reportError(this.root, code, text, ref, this.id), code);
    // Given up: retry() marked the outage's code.
    if (o.gaveUp) return no(o.code!, "the view is down");
    if (this.unacked.length >= MAX_UNACKED) return no("E_CLIENT_TRANSPORT", "too many events waiting");
    const ref = this.nextRef++;
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
    const hit = this.joined && !this.waiting && msg.t == C.event && this.ec.hit(msg, this.ht);
    if (hit) return this.receive(hit), ref;
    this.tellOwed(); // the owed hits first: the server applies them before this
    this.unacked.push(msg);
    for (const el of els) this.loading.add(el, ref);
    if (this.joined) this.host.send(msg);
    return ref;
  }

  /**
   * Sends the event cache's owed hits (event-cache.ts), each then waiting for
   * the server's reply; `x` (a join): also when not joined, into `unacked`
   * for the answer's resend, and the tree is reset: a full render.
   */
  private tellOwed(x?: 1): void {
    if (this.joined || x) for (const m of this.ec.owe()) x && this.rendered.reset(), this.unacked.push(m), this.joined && this.host.send(m);
  }

  /**
   * Heartbeat tick: sends the event cache's owed hits, and acknowledges what
   * was applied since the last ack.
   *
   * @example
   * setInterval(() => views.forEach((v) => v.tick()), 30_000);
   */
  tick(): void {
    this.tellOwed();
    if (this.joined && this.seq !== this.acked) this.ack();
  }

  /**
   * True while a request of the view is in flight: a join sent and not yet
   * answered or refused, or (joined) an event not yet acknowledged. A view
   * that is down — between join retries, given up, refused for good — waits
   * on nothing: its events stay queued until a join is answered, and a
   * transport switch (which rejoins every view) does not wait for it.
   */
  get waiting(): boolean {
    return this.joinInFlight || (this.joined && this.unacked.length > 0);
  }

  /** True while the server has this view joined. */
  get isJoined(): boolean {
    return this.joined;
  }

  /**
   * The root left the page: tell the server, stop handling messages.
   *
   * @example
   * if (!view.root.isConnected) view.leave();
   */
  leave(): void {
    if (this.joined && this.host.open) this.host.send({ t: C.leave, v: this.id });
    this.die();
  }

  /**
   * Handles one server message addressed to this view.
   *
   * @example
   * view.receive({ t: "d", v: 1, q: 8, d: { 0: "2" }, r: 3 });
   */
  receive(m: Envelope): void {
    if (this.dead) return;
    replied(this.replies, m); // hook pushEvent promises (replies.ts)
    const kind = kindOf(m);
    // Errors outside the view's stream (a refused join or frame) carry no seq.
    if (kind === S.error && m.q === undefined) return this.failed(m);
    const answer = typeof m.k === "string";
    if (!this.inOrder(m.q, answer, answer && kind === S.rendered)) return;
    // A frame other than the confirmation of a cached answer: the tree may be a wrong
    // guess, so a full render is asked for; an error (the event refused) is still reported.
    if (!this.ec.seen(m) && (this.rejoin(true), kind !== S.error)) return;
    // Mounted afresh (n): weft-recover forms' values, read before the fresh render is morphed in, go after the answer.
    const lost = m.n ? Array.from(this.root.querySelectorAll<HTMLFormElement>(`form[${ATTR.recover}]`), (f) => [f, serializeForm(f)] as const) : [];
    if (typeof m.h === "string") applyTitle(this.root, m.h);
    flashIn(m, kind, this.nav);
    let ok = true;
    if (kind === S.rendered) ok = this.render(() => this.rendered.full(m.d, m.s, m.p));
    else if (kind === S.diff) ok = this.render(() => this.rendered.diff(m.d, m.s, m.p));
    else if (kind === S.push && typeof m.e === "string") emit(this.root, m.e, m.d);
    else if (kind === S.announce) announce(m.d as AnnouncePayload);
    else if (kind === S.nav && !navigate(m.d as NavPayload)) reportError(this.root, "E_NAV_TARGET", "not a same-origin http(s) URL", m.r, this.id);
    else if (kind === S.error) return this.failed(m); // a handler or render failure, in the stream
    // Stream ops ride on a full render or a diff: applied after its morph.
    if (ok && m.o !== undefined) {
      try {
        applyStreams(this.root, m.o);
      } catch (err) {
        reportError(this.root, "E_CLIENT_PATCH", String(err), undefined, this.id);
      }
    }
    if (kind === S.rendered || kind === S.diff) sync(this); // hooks: mounted, updated, destroyed after a morph or stream ops
    if (typeof m.r === "number") this.acknowledge(m.r);
    if (!ok) return; // the view is rejoining for a full render
    if (answer) {
      this.answered(m.k as string);
      // A nested view's form is its own view's to send; a component's form goes to its component, as its submit would.
      for (const [f, d] of lost) if (f.closest(`[${ATTR.view}]`) == this.root) this.push(f.getAttribute(ATTR.recover) || "recover", d, [], targetOf(f, this.root));
    } else if (this.joined && this.seq - this.acked >= ACK_EVERY) this.ack();
    uploadsAfter(this, m);
  }

  /**
   * Seq bookkeeping for message `q`; false when the message must be skipped.
   * `restart`: a join's full render, which starts the stream afresh at its seq.
   */
  private inOrder(q: number | undefined, answer: boolean, restart: boolean): boolean {
    // Without a tree only a join answer's full render helps; anything else is
    // the tail of a stream the view already gave up on (it asked for a full render).
    if (!this.rendered.hasTree && !restart) return false;
    if (q === undefined) return true;
    if (restart || q === this.seq + 1) {
      this.seq = q;
      return true;
    }
    if (q <= this.seq) return answer; // a replay of what was applied; a join answer still counts
    this.rejoin(true); // a hole: messages were lost
    return false;
  }

  /** A join answer: the view is live; resend what the server has not applied. */
  private answered(token: string): void {
    this.token = token;
    this.joined = true;
    this.joinInFlight = false;
    this.nav = undefined;
    const live = this.onLive;
    this.onLive = undefined;
    live?.();
    this.status(true);
    this.outage.up();
    // Only the refs about to be resent can still be answered: nothing else stays loading.
    this.loading.done((this.unacked[0]?.r ?? Infinity) - 1);
    this.host.joined(this);
    try {
      sessionStorage.removeItem(RELOAD_KEY);
    } catch {
      // Storage disabled: the reload guard simply never resets.
    }
    // Without the cache's claim: the tree was reset (a hit's guess is not checked against it).
    for (const msg of this.unacked) delete msg.w, this.host.send(msg);
    // Hooks mount (first join, live navigation) or reconnect after the resend: a pushEvent of theirs goes out once.
    sync(this, true);
  }

  private failed(m: Envelope): void {
    const code = m.c ?? "E_INTERNAL";
    // A refused join: outside the stream, about no event, while not joined.
    const refusal = !this.joined && m.q === undefined && m.r === undefined && code !== NOT_JOINED;
    // Each retry of one outage refused alike is not reported again.
    if (!refusal || this.outage.code !== code) reportError(this.root, code, m.m, m.r, this.id);
    // A live navigation or live patch the server refused: load the page, which answers as it would (404, 401, 403 …).
    const p = this.patching;
    const to = this.nav && refusal ? this.nav.u : p && p.r === m.r && FATAL.includes(code as ErrorCode) ? p.u : undefined;
    if (to !== undefined) {
      this.die();
      return location.replace(to);
    }
    if (refusal) {
      this.joinInFlight = false;
      return this.refused(code);
    }
    // The server does not know this view on this link (it restarted, or another
    // link took over): the event was not applied, so keep it and rejoin.
    if (code === NOT_JOINED) {
      if (this.joined) this.rejoin(false);
    } else if (typeof m.r === "number") {
      // In the stream, the session answered refs in order; a refusal outside
      // it (too large, over the rate, not JSON) concerns that ref alone.
      if (m.q === undefined) this.settle(m.r);
      else this.acknowledge(m.r);
    }
  }

  /**
   * The server refused the join: a passing reason is retried with backoff
   * (events keep waiting for the answer), a final one ends the view; either
   * way the root is marked until a join is answered.
   */
  private refused(code: string): void {
    if (code === EXPIRED && reloadOnce()) return;
    if (!passing(code)) {
      this.outage.mark(code);
      if (code === EXPIRED || FATAL.includes(code as ErrorCode)) this.die();
      return;
    }
    if (this.outage.retry(code)) return;
    // Out of retries: the events waiting for this view are refused, visibly.
    for (const msg of this.unacked) this.loading.settle(msg.r as number);
    if (this.unacked.length > 0) reportError(this.root, code, `${this.unacked.length} waiting event(s) dropped`, undefined, this.id);
    this.unacked = [];
    drop(this.replies, code);
  }

  /** Builds the HTML and morphs; false when the tree broke and a full render was asked for. */
  private render(build: () => string): boolean {
    let html: string;
    try {
      this.ht = html = build();
    } catch (err) {
      reportError(this.root, "E_CLIENT_PATCH", String(err), undefined, this.id);
      this.rejoin(true);
      return false;
    }
    try {
      patch(this.root, html, this.loading);
    } catch (err) {
      // The tree is right, only the DOM update failed: the next patch morphs the
      // whole root again and heals it, so no rejoin.
      reportError(this.root, "E_CLIENT_PATCH", String(err), undefined, this.id);
    }
    return true;
  }

  private rejoin(fresh: boolean): void {
    if (fresh) this.rendered.reset();
    this.join();
  }

  /** Every ref ≤ `ref` is done (applied or refused): forget it and clear its loading state. */
  private acknowledge(ref: number): void {
    this.unacked = this.unacked.filter((msg) => (msg.r as number) > ref);
    this.loading.done(ref);
    const p = this.patching;
    if (p !== undefined && p.r <= ref) {
      this.patching = undefined;
      p.done?.();
    }
  }

  /** Ref `ref` was refused and will never be applied: forget it, clear its loading state. */
  private settle(ref: number): void {
    this.unacked = this.unacked.filter((msg) => msg.r !== ref);
    this.loading.settle(ref);
  }

  private ack(): void {
    this.host.send({ t: C.ack, v: this.id, q: this.seq });
    this.acked = this.seq;
  }

  private die(): void {
    this.dead = true;
    this.joined = this.joinInFlight = false;
    this.unacked = [];
    this.loading.done(Infinity);
    drop(this.replies, this.outage.code ?? NOT_JOINED);
    this.status(false);
    sync(this); // its hooks are destroyed
  }

  private status(up: boolean): void {
    this.root.classList.toggle(CLASS.connected, up);
    this.root.classList.toggle(CLASS.disconnected, !up);
  }
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

