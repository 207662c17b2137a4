/**
 * One htmx client of a view, over a WebSocket or an SSE response.
 *
 * It reuses Weft's engine rather than copying it: the stream is a real
 * {@link Connection} over a {@link Link} of its own, fed frames it
 * synthesizes — the join of a page-load mount (`core.mountPage`, then
 * `{ t: "j", v: 1, d: { k: token } }`) and one `{ t: "e", v: 1, r, e, d }`
 * per htmx frame — so the handler allowlist, payload depth checks, schemas,
 * rate limits (and the close past `abuseLimit`), E_BUSY and E_TIMEOUT are the
 * native client's, unchanged. What the session sends back goes through the
 * stream's mirror (mirror.ts: a rendered tree → OOB fragments by id) or
 * envelope-out.ts (push, error, nav, flash, announce).
 *
 * A WebSocket stream's session ends with its socket (htmx cannot resume a
 * socket). An SSE stream's session waits `sessionGraceMs` for a reconnect
 * with `Last-Event-ID: <sid>.<seq>`: this node keeps, per such session, the
 * stream's mirror and its log of sent messages (resume.ts).
 */
import type { IncomingMessage } from "node:http";
import { ERRORS, type ErrorCode } from "../../protocol/errors.ts";
import { ATTR, C, kindOf, S, type Envelope } from "../../protocol/messages.ts";
import { Connection, type Link } from "../connection.ts";
import type { Core } from "../core.ts";
import type { RouteMatch } from "../router.ts";
import type { Params } from "../view.ts";
import { clearErrorOut, envelopeOut, errorOut, type OutContext } from "./envelope-out.ts";
import { isRefusal, parseFrame } from "./frames.ts";
import { HtmxMirror } from "./mirror.ts";
import { DEFAULT_ERROR_ID } from "./options.ts";
import type { HtmxOut, HtmxSender } from "./out.ts";
import { heldSessions, type HeldStream } from "./resume.ts";
import { SentLog } from "./sent-log.ts";

/** What opens a view stream. */
export interface ViewStreamStart {
  readonly core: Core;
  readonly req: IncomingMessage;
  readonly route: RouteMatch;
  readonly query: Params;
  readonly sender: HtmxSender;
  /** SSE: the Last-Event-ID `<sid>.<seq>` read back; resumes that session when this node still holds it. */
  readonly resume?: { readonly sid: string; readonly seq: number } | undefined;
  /**
   * WebSocket: checks a frame's CSRF token (`csrf.checker(req)` of
   * htmx/csrf.ts, made once per socket from the upgrade's cookie, which
   * accepts tokens of every rotated secret). Not given: every frame is refused E_HTMX_CSRF.
   */
  readonly checkCsrf?: ((given: string | undefined) => boolean) | undefined;
}

/** A live htmx view stream. */
export interface HtmxViewStream {
  /** One WebSocket text frame from htmx (`bytes`: its size). Never throws. */
  receive(text: string, bytes: number): void;
  /**
   * A frame refused before it reached the stream (binary, oversized): charged
   * to the Connection's rate bucket like an event, answered with the error
   * fragment; past `abuseLimit` refusals over the rate the link closes 4429.
   */
  refuse(code: ErrorCode, message: string): void;
  /** The stream ended. */
  close(): void;
}

/** An open refused: the code and the message of its error fragment (a denial's own message when it gave one). */
export interface ViewRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** The view id of the stream's one view on its Connection. */
const V = 1;
/** Event names remembered by ref, for the error fragment's data-event. */
const MAX_NAMES = 64;
/** Consecutive renders the mirror could not apply before the stream gives up (1011). */
const MAX_RESYNCS = 3;
/** What the root element of a liveView() child carries: its view path. */
const CHILD_ROOT = ` ${ATTR.view}="`;
/** How the join of an open ended: joined, refused with a code, or the stream closed first. */
type JoinOutcome = "joined" | "closed" | ErrorCode;

/**
 * Mounts (or resumes) the view and sends its current fragments; a refusal
 * when it cannot (the mount's denial with its message, E_FORBIDDEN after a
 * redirect at mount, E_MOUNT when mount throws). Never throws.
 *
 * @example
 * const stream = await openViewStream({ core, req, route, query: {}, sender, checkCsrf: csrf.checker(req) });
 * if ("code" in stream) refuse(stream.code, stream.message);
 * else socket.on("message", (data: Buffer) => stream.receive(data.toString("utf8"), data.length));
 */
export async function openViewStream(start: ViewStreamStart): Promise<HtmxViewStream | ViewRefusal> {
  try {
    const s = new ViewStream(start);
    const code = await s.open();
    return code === undefined ? s : { code, message: s.refusalMessage ?? ERRORS[code].message };
  } catch (err) {
    start.core.options.onError(err, "htmx view stream");
    return { code: "E_INTERNAL", message: ERRORS.E_INTERNAL.message };
  }
}

/** What a stream was opened for: the view pattern, its path params and the query, in a stable order. */
function streamKey(start: ViewStreamStart): string {
  const sorted = (p: Params): [string, string][] => Object.entries(p).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([start.route.pattern, sorted(start.route.params), sorted(start.query)]);
}

class ViewStream implements HtmxViewStream {
  private readonly core: Core;
  private readonly sender: HtmxSender;
  private readonly conn: Connection;
  private readonly errorId: string;
  private held: HeldStream;
  private ref = 0;
  private readonly names = new Map<number, string>();
  private closed = false;
  private resyncs = 0;
  /** Set while a join is answered: resolved by the first envelope for the view (or a refusal, or close). */
  private joining: ((outcome: JoinOutcome) => void) | undefined;
  /** Set by the Connection's heartbeat answer: a refused frame got through the rate limit. */
  private passed = false;
  /** The stream closed while its mount's join was on its way: the session it starts is ended as soon as it answers. */
  private orphan: string | undefined;
  /**
   * The error fragment shows a refusal: the highest event ref at that time.
   * The first answer (no error) to a later event clears it. Undefined: nothing shown.
   */
  private errorAt: number | undefined;
  /** The message of a denial at mount that gave its own (`deny(401, "sign in first")`). */
  refusalMessage: string | undefined;
  /** What envelopeOut reads of the stream (made once, not per message). */
  private readonly out: OutContext;
  /** What the stream was opened for ({@link streamKey}): a resume must ask for the same. */
  private readonly key: string;

  constructor(private readonly start: ViewStreamStart) {
    this.core = start.core;
    this.sender = start.sender;
    this.errorId = start.core.options.htmx?.errorId ?? DEFAULT_ERROR_ID;
    this.out = { errorId: this.errorId, eventOf: (r) => (r === undefined ? undefined : this.names.get(r)) };
    this.key = streamKey(start);
    this.held = this.fresh("");
    const link: Link = {
      kind: start.sender.kind,
      // Only the heartbeat answer comes as text (sendEnvelope takes every envelope).
      send: () => void (this.passed = true),
      sendEnvelope: (env) => this.take(env),
      close: (code, reason) => this.sender.close(code, reason),
    };
    this.conn = new Connection(start.core, link);
    this.conn.request = start.req;
    start.sender.onClose(() => this.close());
  }

  /** Resumes the session of `start.resume` when this node holds it, else mounts afresh. Undefined when live. */
  async open(): Promise<ErrorCode | undefined> {
    const r = this.start.resume;
    if (r !== undefined && this.sender.kind === "sse") {
      const outcome = await this.resume(r.sid, r.seq);
      if (outcome === "joined" || outcome === "closed") return undefined;
    }
    return this.mount();
  }

  /** A page-load mount of the route, then its join. */
  private async mount(): Promise<ErrorCode | undefined> {
    const { core, route, query, req } = this.start;
    let m: Awaited<ReturnType<Core["mountPage"]>>;
    try {
      m = await core.mountPage(route, query, req);
    } catch (err) {
      core.options.onError(err, `htmx mount of ${route.pattern}`);
      return "E_MOUNT";
    }
    if (m.kind === "denied") {
      this.refusalMessage = m.message;
      return m.code;
    }
    // Closed while mounting: nobody will join this page's mount.
    if (this.closed) {
      if (m.kind === "view") core.registry.forgetPending(m.init.sid);
      return undefined;
    }
    if (m.kind === "redirect") {
      // The page learns where to go (page script: location.assign), and the stream is refused.
      this.send(envelopeOut({ t: S.nav, d: { kind: "redirect", to: m.to } }, this.out)!, undefined);
      return "E_FORBIDDEN";
    }
    this.held = this.fresh(m.init.sid);
    const outcome = await this.join(m.token, undefined);
    if (outcome === "joined" && this.held.log !== undefined) heldSessions(this.core).hold(this.held);
    if (outcome === "closed" || outcome === "joined") return undefined;
    return outcome;
  }

  /**
   * Rejoins held session `sid` through the Connection with the mirror's seq
   * (the native replay brings only what the mirror lacks), after resending the
   * logged messages the browser missed since `seq` (or the full fragments).
   * `core.join` runs authorize on this request: another user's sid is refused,
   * and the caller mounts afresh.
   */
  private async resume(sid: string, seq: number): Promise<JoinOutcome> {
    const held = heldSessions(this.core).get(sid);
    const s = this.core.registry.get(sid);
    // Only a stream of the same URL (view, path params and query) takes it: another board's page never gets this one's session.
    if (held === undefined || s === undefined || held.key !== this.key || s.path !== this.start.route.pattern) return "E_NOT_JOINED";
    // A fresh token for the live session, as core.resync makes one.
    const token = this.core.token(s.sid, s.path, s.params, s.ctx.session);
    const outcome = await this.join(token, held.mirror.seq, () => {
      this.held = held;
      held.owner = this;
      const missed = held.log?.after(seq);
      if (missed === undefined) this.send({ data: held.mirror.full() }, held.mirror.seq, true);
      else for (const out of missed) this.sender.send(out);
    });
    return outcome;
  }

  /**
   * Sends the join and waits for its answer: the first envelope for the view
   * (a render or a replayed message: the session is attached) or the refusal
   * (an error outside the stream). `joined` runs before that first envelope is handled.
   */
  private join(token: string, q: number | undefined, joined?: () => void): Promise<JoinOutcome> {
    return new Promise<JoinOutcome>((resolve) => {
      if (this.closed) return resolve("closed");
      this.joining = (outcome) => {
        this.joining = undefined;
        if (outcome === "joined") joined?.();
        resolve(outcome);
      };
      this.conn.handle({ t: C.join, v: V, d: q === undefined ? { k: token } : { k: token, q } });
    });
  }

  receive(text: string, bytes: number): void {
    if (this.closed) return;
    try {
      const max = this.core.options.maxMessageBytes;
      if (bytes > max) return this.refuse("E_TOO_LARGE", `the message is ${bytes} bytes; the limit is ${max}`);
      const f = parseFrame(text);
      if (isRefusal(f)) return this.refuse(f.code, f.message);
      if (!this.csrfOk(f.csrf)) return this.refuse("E_HTMX_CSRF", ERRORS.E_HTMX_CSRF.message, f.event);
      const r = ++this.ref;
      this.names.set(r, f.event);
      if (this.names.size > MAX_NAMES) this.names.delete(this.names.keys().next().value as number);
      this.conn.handle({ t: C.event, v: V, r, e: f.event, d: f.payload });
    } catch (err) {
      this.core.options.onError(err, "htmx frame");
      this.send(errorOut({ c: "E_INTERNAL" }, this.out), undefined);
      this.errorAt = this.ref;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const wasJoining = this.joining !== undefined;
    this.joining?.("closed");
    if (this.sender.kind === "websocket") this.conn.handle({ t: C.leave, v: V });
    this.conn.close();
    const sid = this.held.sid;
    if (sid === "") return;
    if (this.sender.kind === "websocket" || wasJoining) {
      // Nobody can come back to it: the leave above may have been rate-limited, or the join is still on its way.
      if (wasJoining) this.orphan = sid;
      this.endSession(sid);
      return;
    }
    heldSessions(this.core).release(this.held, this, this.core.options.sessionGraceMs);
  }

  /**
   * Ends session `sid` unless a link carries it. Also once more after the
   * current turn: a join answered just now is released by the Connection
   * (it is closed) in a promise callback that runs after this.
   */
  private endSession(sid: string): void {
    const end = (): void => {
      const s = this.core.registry.get(sid);
      if (s !== undefined && !s.attached) this.core.registry.drop(s);
    };
    end();
    setImmediate(end);
  }

  /** Everything the session (and the Connection) sends for the view. */
  private take(env: Envelope): void {
    if (this.closed) {
      const sid = this.orphan;
      this.orphan = undefined;
      if (sid !== undefined) this.endSession(sid);
      return;
    }
    try {
      if (this.joining !== undefined) {
        // An error outside the view's stream (no seq) answers the join: refused.
        if (kindOf(env) === S.error && env.q === undefined && typeof env.c === "string") return this.joining(env.c as ErrorCode);
        this.joining("joined");
      }
      this.held.mirror.saw(env.q);
      const kind = kindOf(env);
      if (kind === S.rendered || kind === S.diff) {
        this.render(env);
        return this.clearError(env, kind);
      }
      const out = envelopeOut(env, this.out);
      if (out !== undefined) this.send(out, env.q);
      this.clearError(env, kind);
      // The session went (ended, or moved to another node): reconnecting mounts it again.
      if (kind === S.error && env.c === "E_NOT_JOINED") this.sender.close(1012, "session ended: reconnect");
    } catch (err) {
      this.core.options.onError(err, "htmx view message");
    }
  }

  /** A render or diff: through the mirror; a diff that does not fit asks the session for a full render. */
  private render(env: Envelope): void {
    let step;
    try {
      step = this.held.mirror.apply(env);
    } catch (err) {
      if (++this.resyncs > MAX_RESYNCS) {
        this.core.options.onError(err, `htmx mirror of ${this.start.route.pattern}`);
        this.sender.close(1011, "cannot follow the view's renders");
        return;
      }
      this.conn.resync();
      return;
    }
    if (step === undefined) return;
    if (step.full) this.resyncs = 0;
    if (step.outside) this.warnOnce("outside", "a change lies outside every element with an id: htmx pages cannot get it (give what changes an id; docs/htmx.md)");
    if (step.streams) this.warnOnce("streams", "ctx.stream is not sent to htmx pages (docs/htmx.md)");
    // A liveView() hole is the child's root carrying its view path (escaped HTML never holds `weft-view="` otherwise).
    if (step.html.includes(CHILD_ROOT)) this.warnOnce("children", "liveView() children are not served to htmx pages: they need Weft's client to join (docs/htmx.md#not-supported)");
    if (step.html !== "") this.send({ data: step.html }, env.q, step.full);
  }

  /** Sends one message with its SSE id `<sid>.<seq>` (when it has a seq) and logs it for a resume. */
  private send(out: HtmxOut, seq: number | undefined, full = false): void {
    const withId: HtmxOut = seq === undefined || this.held.sid === "" ? out : { ...out, id: `${this.held.sid}.${seq}` };
    if (seq !== undefined) this.held.log?.push(seq, withId, full);
    this.sender.send(withId);
  }

  /**
   * A frame refused before it reached the Connection. It still costs a token
   * of the Connection's rate bucket, like every native frame: a heartbeat
   * frame is handled (answered through `send`, which is dropped) or refused
   * E_RATE_LIMIT — and the link closed past `abuseLimit` — by the Connection.
   */
  refuse(code: ErrorCode, message: string, event?: string): void {
    if (this.closed) return;
    this.passed = false;
    this.conn.handle({ t: C.heartbeat });
    if (!this.passed) return;
    this.core.metrics.error(code);
    this.send(errorOut({ c: code, m: message }, { errorId: this.errorId, eventOf: () => event }), undefined);
    this.errorAt = this.ref;
  }

  /**
   * Tracks the error fragment: an error shows it; the first envelope that
   * answers a later event (a render, diff, reply, nav … carrying its ref) and
   * is no error sends the empty fragment, once.
   */
  private clearError(env: Envelope, kind: string): void {
    if (kind === S.error) {
      this.errorAt = Math.max(this.errorAt ?? 0, env.r ?? this.ref);
      return;
    }
    if (this.errorAt === undefined || env.r === undefined || env.r <= this.errorAt || !this.names.has(env.r)) return;
    this.errorAt = undefined;
    this.send(clearErrorOut(this.errorId), undefined);
  }

  private csrfOk(given: string | undefined): boolean {
    return this.start.checkCsrf?.(given) === true;
  }

  private fresh(sid: string): HeldStream {
    const log = this.sender.kind === "sse" ? new SentLog(this.core.options.outboxSize) : undefined;
    return { sid, key: this.key, mirror: new HtmxMirror(), log, owner: this };
  }

  private warnOnce(what: string, message: string): void {
    if (heldSessions(this.core).firstWarning(`${what} ${this.start.route.pattern}`)) {
      this.core.options.logger.warn({ view: this.start.route.pattern }, message);
    }
  }
}
