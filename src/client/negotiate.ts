/**
 * Transport negotiation (docs/transports.md, "How the client picks a
 * transport"): which transport to open, which next when one fails, which to
 * remember, and which better ones to probe. Decisions only — the live socket
 * opens, times and switches — so this is unit-tested with fake transports and
 * a fake storage.
 */
import { HttpTransport } from "./transports/http.ts";
import { SseTransport } from "./transports/sse.ts";
import type { TransportFactory } from "./transports/types.ts";
import { WebSocketTransport } from "./transports/websocket.ts";

/**
 * Every transport the client has, best first, with how long each may take to
 * open before it counts as failed: SSE gets 2.5 s for its hello (a proxy that
 * buffers the stream holds it back), the others what a slow network needs.
 *
 * @example
 * TRANSPORTS.map((t) => t.name); // ["websocket", "sse", "http"]
 */
export const TRANSPORTS: readonly TransportFactory[] = [
  { name: "websocket", openMs: 5_000, create: () => new WebSocketTransport() },
  { name: "sse", openMs: 2_500, create: (fallback, token) => new SseTransport(fallback, token) },
  { name: "http", openMs: 10_000, create: (fallback, token) => new HttpTransport(fallback, token) },
];

/** sessionStorage key: the transport whose join was last answered in this tab (per origin, as sessionStorage is). */
export const REMEMBER_KEY = "weft:transport";
/** First background probe of a better transport, after settling on a lesser one. */
const FIRST_PROBE_MS = 10_000;
/** Probes back off (×2 per failed round) up to this. */
const MAX_PROBE_MS = 300_000;

/** What the negotiator is told once, at page start. */
export interface NegotiatorOptions {
  /** The server's offer, best first: the script tag's `data-transports` ("websocket,sse,http"). All when absent. */
  offered?: string | null | undefined;
  /** `window.WEFT_TRANSPORT`: a known name means that transport alone, no fallback and no probing. */
  forced?: unknown;
  /** Where the transport that worked is remembered (sessionStorage); nothing is remembered without one. */
  storage?: Pick<Storage, "getItem" | "setItem"> | undefined;
  /** The transports to pick from (tests pass fakes). */
  transports?: readonly TransportFactory[];
}

/**
 * Picks transports for one page.
 *
 * `forced` wins even over the offer (it is a test and debugging switch); an
 * unknown forced name is ignored rather than leaving the page without a link.
 * Unknown names in the offer are skipped; an offer with none the client knows
 * counts as absent.
 *
 * @example
 * const n = new Negotiator({ offered: "websocket,sse,http", forced: window.WEFT_TRANSPORT, storage: sessionStorage });
 * const t = n.current.create();
 * // it never worked:            if (n.failed()) retryNow(); else retryAfterBackoff();
 * // its join was answered:      n.worked(t.name);
 */
export class Negotiator {
  /** The transports to use, best first. */
  readonly order: readonly TransportFactory[];
  /** True when `window.WEFT_TRANSPORT` picked the one transport. */
  readonly forced: boolean;
  private readonly storage: NegotiatorOptions["storage"];
  private index: number;
  private rounds = 0;

  constructor({ offered, forced, storage, transports = TRANSPORTS }: NegotiatorOptions = {}) {
    const only = transports.filter((t) => t.name === forced);
    this.forced = only.length > 0;
    this.order = this.forced ? only : pick(offered, transports);
    this.storage = storage;
    let remembered: string | null = null;
    try {
      remembered = storage?.getItem(REMEMBER_KEY) ?? null;
    } catch {
      // Storage disabled: start with the best.
    }
    this.index = Math.max(0, this.order.findIndex((t) => t.name === remembered));
  }

  /**
   * The transport to open now.
   *
   * @example
   * negotiator.current.create().open();
   */
  get current(): TransportFactory {
    return this.order[this.index]!;
  }

  /**
   * The current transport never worked: move to the next one. True when there
   * is a next one to try at once; false when the list wrapped around (every
   * transport failed, so the retry waits the normal backoff).
   *
   * @example
   * if (negotiator.failed()) connect(); else setTimeout(connect, backoff());
   */
  failed(): boolean {
    this.index = (this.index + 1) % this.order.length;
    return this.index !== 0;
  }

  /**
   * A join was answered over `name`: remember it for the next page of this tab.
   *
   * @example
   * negotiator.worked("sse");
   */
  worked(name: string): void {
    try {
      this.storage?.setItem(REMEMBER_KEY, name);
    } catch {
      // Storage full or disabled: nothing is remembered.
    }
  }

  /**
   * The page switched to `name` (a probe succeeded): it is current now, and
   * probing of what is still better starts over from the first delay.
   *
   * @example
   * negotiator.use("websocket");
   */
  use(name: string): void {
    const i = this.order.findIndex((t) => t.name === name);
    if (i >= 0) this.index = i;
    this.rounds = 0;
  }

  /**
   * Transports better than the current one, best first: what to probe.
   * None when forced or already on the best.
   *
   * @example
   * negotiator.better().map((t) => t.name); // ["websocket", "sse"] while on "http"
   */
  better(): readonly TransportFactory[] {
    return this.order.slice(0, this.index);
  }

  /**
   * How long to wait before the next probe round: 10 s, then doubling per
   * failed round up to 5 minutes.
   *
   * @example
   * setTimeout(probeRound, negotiator.probeDelay());
   */
  probeDelay(): number {
    return Math.min(MAX_PROBE_MS, FIRST_PROBE_MS * 2 ** this.rounds);
  }

  /**
   * A probe round found nothing better that works: back off.
   *
   * @example
   * negotiator.probeFailed();
   */
  probeFailed(): void {
    this.rounds = Math.min(this.rounds + 1, 16);
  }
}

/** The offered transports this client has, in the offer's order; all of them when none is. */
function pick(offered: string | null | undefined, transports: readonly TransportFactory[]): readonly TransportFactory[] {
  const names = (offered ?? "").split(",").map((s) => s.trim());
  const picked = transports.filter((t) => names.includes(t.name)).sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  return picked.length > 0 ? picked : transports;
}
