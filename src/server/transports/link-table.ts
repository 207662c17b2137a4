/**
 * The live SSE and HTTP links of this node: who may open one, who may use one,
 * and when an idle one ends.
 *
 * - Admission: a link is made only by a request that carries a valid view
 *   token of a rendered page (the `x-weft-token` header) and whose client
 *   address is within its connection limits. A bare request with a fresh link
 *   id (a crawler, a cross-site `<img src>`) makes nothing: no link, no cookie,
 *   no count, no Redis key.
 * - Ownership: a link id alone (say, read from an SSE URL in a proxy log) is
 *   not enough to use a link: every request must also carry the link cookie
 *   of the browser that opened it (HttpOnly, compared in constant time).
 * - Expiry: a link with no stream, no waiting poll and no request for
 *   `linkTimeoutMs` ends. Each link has one lazy timer that re-arms itself for
 *   the time left, so a request costs an assignment and nothing is scanned.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorCode } from "../../protocol/errors.ts";
import { HEADERS } from "../../protocol/messages.ts";
import type { Core } from "../core.ts";
import { cookieValue } from "../http/cookie.ts";
import { limitAddress } from "../security/client-address.ts";
import type { ConnectionLimits } from "../security/connection-limits.ts";
import type { RequestGuard } from "../security/guard.ts";
import { BufferedLink } from "./buffered-link.ts";

/** The cookie that binds links to the browser that opened them. */
export const LINK_COOKIE = "weft_link";
const COOKIE_VALUE = /^[A-Za-z0-9_-]{22}$/;

/**
 * The links by id.
 *
 * Invariants: a link is in the table from its admission until it ends (then
 * `onEnd` removes it at once); each link in the table holds one count of its
 * client address in `limits`, released when it is removed.
 *
 * @example
 * const links = new LinkTable(core, guard, limits);
 * const link = links.open(id, "http", req, res, false); // a BufferedLink, or the ErrorCode to answer
 */
export class LinkTable {
  private readonly links = new Map<string, BufferedLink>();
  private readonly kinds = { sse: 0, http: 0 };
  /** Set by `shutdown()`: no link opens any more. */
  private draining = false;

  constructor(private readonly core: Core, private readonly guard: RequestGuard, private readonly limits: ConnectionLimits) {}

  /**
   * The link `id` as the request may see it: unknown unless the request carries
   * the cookie of the browser that opened it.
   */
  get(id: string, req: IncomingMessage): BufferedLink | undefined {
    const link = this.links.get(id);
    return link !== undefined && sameCookie(link.owner, cookieOf(req)) ? link : undefined;
  }

  /** The request's own link `id` of this kind, or the error to answer with. */
  find(id: string, kind: "sse" | "http", req: IncomingMessage): BufferedLink | ErrorCode {
    const link = this.get(id, req);
    if (link === undefined) return "E_UNKNOWN_LINK";
    return link.kind === kind ? link : "E_BAD_LINK";
  }

  /**
   * The request's link `id`, opened when it does not exist yet and the
   * request is admitted — unless the client is resuming one (then it
   * expired), or another browser owns the id.
   */
  open(id: string, kind: "sse" | "http", req: IncomingMessage, res: ServerResponse, resuming: boolean): BufferedLink | ErrorCode {
    const mine = this.find(id, kind, req);
    if (mine !== "E_UNKNOWN_LINK") return mine;
    if (this.links.has(id)) return "E_UNKNOWN_LINK";
    if (this.draining) return "E_SHUTDOWN";
    if (resuming) return "E_LINK_EXPIRED";
    return this.create(id, kind, req, res);
  }

  /** True when link `id` lives on this node (whoever owns it). */
  has(id: string): boolean {
    return this.links.has(id);
  }

  /** Links by kind, for stats and the connection gauges. */
  count(kind: "sse" | "http"): number {
    return this.kinds[kind];
  }

  /**
   * Server shutdown, first step: every link gets its `E_SHUTDOWN` frame (an
   * SSE stream ends after it, a waiting poll is answered with it) and no new
   * link opens (`E_SHUTDOWN`, 503). The links end with `close()`.
   */
  shutdown(): void {
    this.draining = true;
    for (const link of this.links.values()) {
      this.core.metrics.error("E_SHUTDOWN");
      link.shutdown();
    }
  }

  /** Ends every link (server shutdown). */
  close(code: number, reason: string): void {
    for (const link of [...this.links.values()]) link.close(code, reason);
    this.links.clear();
  }

  /**
   * Opens a link for the request's browser, setting its link cookie on `res`
   * when it has none yet. Checks, cheapest first: the address's limits, then
   * the view token; nothing is made or counted before both pass.
   */
  private create(id: string, kind: "sse" | "http", req: IncomingMessage, res: ServerResponse): BufferedLink | ErrorCode {
    const addr = limitAddress(req, this.core.options.trustProxy);
    const refused = this.limits.refusal(addr) ?? this.admit(req) ?? this.limits.open(addr);
    if (refused !== undefined) return refused;
    let owner = cookieOf(req);
    if (owner === undefined) {
      owner = randomBytes(16).toString("base64url");
      const secure = this.guard.secure(req);
      // SameSite=None only where cross-site clients are allowed, and only over TLS (browsers require it).
      const site = this.core.options.allowedOrigins.length > 0 && secure ? "None" : "Strict";
      res.setHeader("Set-Cookie", `${LINK_COOKIE}=${owner}; Path=/weft/; HttpOnly; SameSite=${site}${secure ? "; Secure" : ""}`);
    }
    const link = new BufferedLink(this.core, id, kind, this.core.options.outboxSize, owner, addr);
    // Opened after a better transport failed: counted once a join is answered on it.
    link.fallback = /[?&]fb=1(&|$)/.test(req.url ?? "");
    link.onEnd = () => this.remove(link);
    this.links.set(id, link);
    this.kinds[kind]++;
    this.arm(link, this.core.options.linkTimeoutMs);
    // Other nodes forward this link's requests here. Sent before the answer
    // that tells the client the link is open, so Redis has it first.
    this.core.cluster?.ownLink(id).catch((err: unknown) => this.core.options.onError(err, "link ownership"));
    return link;
  }

  /** Undefined when the request carries a valid view token; else the code to refuse it with. */
  private admit(req: IncomingMessage): ErrorCode | undefined {
    const token = req.headers[HEADERS.token];
    if (typeof token !== "string" || token === "") return "E_LINK_TOKEN";
    const claims = this.core.signer.verify(token);
    return typeof claims === "string" ? claims : undefined;
  }

  private arm(link: BufferedLink, ms: number): void {
    link.idle = setTimeout(() => this.expire(link), ms);
    link.idle.unref();
  }

  /**
   * The link's timer fired: end it when it has been idle for `linkTimeoutMs`,
   * else wait for the time left (a full period while a stream or poll holds it).
   */
  private expire(link: BufferedLink): void {
    if (link.closed) return;
    const timeout = this.core.options.linkTimeoutMs;
    const busy = link.stream !== undefined || link.onFrame !== undefined;
    const left = link.lastActive + timeout - Date.now();
    if (busy || left > 0) return this.arm(link, busy ? timeout : left + 1);
    link.end();
  }

  /** The link ended: forget it, release its address's count and its ownership in Redis. */
  private remove(link: BufferedLink): void {
    clearTimeout(link.idle);
    if (this.links.get(link.id) !== link) return;
    this.links.delete(link.id);
    this.kinds[link.kind]--;
    this.limits.close(link.ip);
    this.core.cluster?.disownLink(link.id);
  }
}

/** Constant-time equality of a link's owner cookie and the request's (same length first: timingSafeEqual needs it). */
function sameCookie(owner: string, got: string | undefined): boolean {
  if (got === undefined || got.length !== owner.length) return false;
  return timingSafeEqual(Buffer.from(got), Buffer.from(owner));
}

/** The request's link cookie when present and well-formed. */
function cookieOf(req: IncomingMessage): string | undefined {
  const v = cookieValue(req, LINK_COOKIE);
  return v !== undefined && COOKIE_VALUE.test(v) ? v : undefined;
}
