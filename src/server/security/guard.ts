/**
 * Request checks shared by the WebSocket upgrade and every transport request:
 * TLS (with proxies trusted only where configured), the Origin allowlist, the
 * shared key of service clients, and CORS for allowed cross-origin clients.
 * Connections per address are counted in connection-limits.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErrorCode } from "../../protocol/errors.ts";
import { HEADERS } from "../../protocol/messages.ts";
import { sendError } from "../http/respond.ts";
import type { ResolvedOptions } from "../options.ts";
import { isTrustedProxy, normalize } from "./client-address.ts";
import { HeaderSecret, KEY_HEADER } from "./shared-key.ts";

export class RequestGuard {
  private readonly key: HeaderSecret;

  constructor(private readonly o: ResolvedOptions) {
    this.key = new HeaderSecret(KEY_HEADER, o.sharedKey);
  }

  /** Checks a transport request or upgrade; the error code to refuse with, if any. */
  check(req: IncomingMessage): ErrorCode | undefined {
    const refused = this.checkPage(req);
    if (refused !== undefined) return refused;
    const origin = req.headers.origin;
    // Browsers always send Origin on WebSocket handshakes and on POSTs; a
    // request without one is not a browser's, and cross-site attacks need one.
    if (origin === undefined) return undefined;
    return this.allowed(origin, req) ? undefined : "E_ORIGIN";
  }

  /**
   * Checks a page request: TLS when required, and the shared key when one is
   * set (a browser that is not behind the gateway adding it fails here,
   * clearly, rather than on a page that can never connect). The key proves
   * who sent the request, not which page: it never skips the origin check.
   */
  checkPage(req: IncomingMessage): ErrorCode | undefined {
    if (this.o.requireTLS && !this.secure(req)) return "E_TLS_REQUIRED";
    if (!this.key.admits(req)) return "E_SHARED_KEY";
    return undefined;
  }

  /** True when TLS protects the request (directly, or per a trusted proxy). */
  secure(req: IncomingMessage): boolean {
    if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
    return this.trusted(req) && first(req.headers["x-forwarded-proto"]) === "https";
  }

  /**
   * Answers a CORS preflight, or adds CORS headers for an allowed cross-origin
   * client. Returns true when the request was a preflight (answered).
   */
  cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const cross = origin !== undefined && origin !== this.self(req) && this.allowed(origin, req);
    if (cross) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Vary", "Origin");
    }
    if (req.method !== "OPTIONS") return false;
    if (cross) {
      res.setHeader("Access-Control-Allow-Methods", "GET, POST");
      res.setHeader("Access-Control-Allow-Headers", `content-type, last-event-id, ${HEADERS.token}`);
      res.setHeader("Access-Control-Max-Age", "600");
    }
    if (cross) res.writeHead(204).end();
    else sendError(res, "E_ORIGIN");
    return true;
  }

  private allowed(origin: string, req: IncomingMessage): boolean {
    const list = this.o.allowedOrigins;
    return origin === this.self(req) || list === "*" || list.includes(origin);
  }

  /** The origin the request was made to (scheme and host), as the browser sees it. */
  private self(req: IncomingMessage): string {
    const host = (this.trusted(req) ? first(req.headers["x-forwarded-host"]) : undefined) ?? req.headers.host ?? "";
    return `${this.secure(req) ? "https" : "http"}://${host}`;
  }

  /** The same trust decision as the client address (client-address.ts): one spelling of the peer, one rule. */
  private trusted(req: IncomingMessage): boolean {
    return isTrustedProxy(normalize(req.socket.remoteAddress ?? ""), this.o.trustProxy);
  }
}

function first(h: string | string[] | undefined): string | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  return v?.split(",")[0]?.trim() || undefined;
}
