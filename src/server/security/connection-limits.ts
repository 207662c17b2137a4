/**
 * Connections (WebSocket sockets and SSE/HTTP links) counted per client
 * address and in total, each with a finite limit. O(1) per open and close:
 * counts live in a Map, nothing is scanned.
 */
import type { ErrorCode } from "../../protocol/errors.ts";

/** The limits, as resolved options name them. */
export interface ConnectionLimitOptions {
  /** Connections on this node at most, from all addresses. */
  readonly maxConnections: number;
  /** Connections from one client address at most. */
  readonly maxConnectionsPerIp: number;
}

/**
 * Counts connections by client address.
 *
 * Invariant: every successful {@link open} is matched by exactly one
 * {@link close} of the same address (the caller's to keep), so counts never
 * drift and an address with no connection holds no Map entry.
 *
 * @example
 * const limits = new ConnectionLimits({ maxConnections: 10_000, maxConnectionsPerIp: 1_000 });
 * const refused = limits.open(addr);
 * if (refused === undefined) socket.once("close", () => limits.close(addr));
 */
export class ConnectionLimits {
  private readonly perAddress = new Map<string, number>();
  private total = 0;

  constructor(private readonly o: ConnectionLimitOptions) {}

  /**
   * The error a new connection from `addr` would be refused with, if any;
   * counts nothing (check before costly work, {@link open} after it).
   */
  refusal(addr: string): ErrorCode | undefined {
    if (this.total >= this.o.maxConnections) return "E_SERVER_BUSY";
    if ((this.perAddress.get(addr) ?? 0) >= this.o.maxConnectionsPerIp) return "E_TOO_MANY_CONNECTIONS";
    return undefined;
  }

  /** Counts a connection from `addr`; the error to refuse it with when over a limit (then nothing is counted). */
  open(addr: string): ErrorCode | undefined {
    const refused = this.refusal(addr);
    if (refused !== undefined) return refused;
    this.perAddress.set(addr, (this.perAddress.get(addr) ?? 0) + 1);
    this.total++;
    return undefined;
  }

  /** A connection counted by {@link open} ended. */
  close(addr: string): void {
    const n = this.perAddress.get(addr);
    if (n === undefined) return;
    if (n <= 1) this.perAddress.delete(addr);
    else this.perAddress.set(addr, n - 1);
    this.total--;
  }

  /** Connections counted now, in total. */
  get size(): number {
    return this.total;
  }
}
