/**
 * The operations endpoints: `GET /weft/health` (JSON status) and
 * `GET /weft/metrics` (Prometheus text). Each is on, off, or on behind a
 * bearer token (the `health` and `metrics` options); `requireTLS` applies to
 * both, as to every other request.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PATHS } from "../../protocol/messages.ts";
import type { Core } from "../core.ts";
import type { EndpointAccess } from "../options.ts";
import type { RequestGuard } from "../security/guard.ts";
import { HeaderSecret } from "../security/shared-key.ts";
import { sendError, sendJson } from "./respond.ts";

/** What `GET /weft/health` answers. */
export interface HealthReport {
  status: "ok" | "degraded";
  uptimeSeconds: number;
  sessions: number;
  pendingMounts: number;
  connections: Record<string, number>;
  transports: readonly string[];
  backend: ReturnType<Core["backend"]>;
}

/** One endpoint's access rule, resolved once. */
class Access {
  readonly on: boolean;
  private readonly token: HeaderSecret;

  constructor(rule: EndpointAccess) {
    this.on = rule !== false;
    this.token = new HeaderSecret("authorization", typeof rule === "object" ? rule.token : undefined, "Bearer");
  }

  /** The error to refuse `req` with, if any. */
  refuse(req: IncomingMessage, guard: RequestGuard, requireTLS: boolean) {
    if (requireTLS && !guard.secure(req)) return "E_TLS_REQUIRED" as const;
    return this.token.admits(req) ? undefined : ("E_ENDPOINT_TOKEN" as const);
  }
}

/**
 * Serves health and metrics for one app.
 * @example
 * const ops = new OpsEndpoints(core, guard);
 * if (await ops.serve(req, res, url.pathname)) return; // answered
 */
export class OpsEndpoints {
  private readonly started = Date.now();
  private readonly health: Access;
  private readonly metrics: Access;

  constructor(private readonly core: Core, private readonly guard: RequestGuard) {
    this.health = new Access(core.options.health);
    this.metrics = new Access(core.options.metrics);
  }

  /** Answers `path` when it is an endpoint that is on; false when it is not one (the request goes on). */
  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const access = path === PATHS.health ? this.health : path === PATHS.metrics ? this.metrics : undefined;
    if (access === undefined || !access.on) return false;
    const refused = access.refuse(req, this.guard, this.core.options.requireTLS);
    if (refused === "E_ENDPOINT_TOKEN") res.setHeader("WWW-Authenticate", 'Bearer realm="weft"');
    if (refused !== undefined) {
      sendError(res, refused);
      return true;
    }
    if (access === this.health) {
      const h = this.report();
      sendJson(res, h.status === "ok" ? 200 : 503, h);
      return true;
    }
    const body = await this.core.metrics.text();
    res.writeHead(200, { "Content-Type": this.core.metrics.contentType, "Cache-Control": "no-store" });
    res.end(body);
    return true;
  }

  /** The health report: status, uptime, sessions, connections per transport, backends. */
  report(): HealthReport {
    const core = this.core;
    const r = core.registry.stats();
    const backend = core.backend();
    return {
      status: backend.redis === "down" ? "degraded" : "ok",
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      sessions: r.live,
      pendingMounts: r.pending,
      connections: core.gauges().connections,
      transports: core.options.transports,
      backend,
    };
  }
}
