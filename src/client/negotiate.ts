/**
 * Transport negotiation (docs/transports.md, "How the client picks a
 * transport"): which transport to open, which next when one fails, which to
 * remember, and which better ones to probe. Decisions only — the live socket
 * opens, times and switches — so this is unit-tested with fake transports and
 * a fake storage.
 */
import { httpTransport } from "./transports/http.ts";
import { sseTransport } from "./transports/sse.ts";
import type { TransportFactory } from "./transports/types.ts";
import { webSocketTransport } from "./transports/websocket.ts";

/**
 * Every transport the client has, best first, with how long each may take to
 * open before it counts as failed. Only the page's start transport (HTTP,
 * which every proxy passes) is waited for; WebSocket and SSE are probed in the
 * background, where these limits end a probe that a proxy holds (SSE: its
 * hello, which a buffering proxy holds back; WebSocket: an upgrade that is
 * accepted and never answered).
 *
 * @example
 * TRANSPORTS.map((t) => t.name); // ["websocket", "sse", "http"]
 */
export const TRANSPORTS: readonly TransportFactory[] = [
  { name: "websocket", openMs: 5_000, create: () => webSocketTransport() },
  { name: "sse", openMs: 2_500, create: sseTransport },
  { name: "http", openMs: 10_000, create: httpTransport },
];

/** sessionStorage key: the better transport a probe last proved in this tab (per origin, as sessionStorage is); probed first. */
export const REMEMBER_KEY = "weft:transport";
/** After the first round (at once), a round that found nothing better waits this, doubling per failed round. */
const NEXT_PROBE_MS = 10_000;
/** Probes back off up to this. */
const MAX_PROBE_MS = 300_000;

/** What the negotiator is told once, at page start. */
export interface NegotiatorOptions {
  /** The server's offer: the script tag's `data-transports` ("websocket,sse,http"), in any order. All when absent. */
  offered?: string | null | undefined;
  /** `window.WEFT_TRANSPORT`: a known name means that transport alone, no fallback and no probing. */
  forced?: unknown;
  /** Where the transport that worked is remembered (sessionStorage); nothing is remembered without one. */
  storage?: Pick<Storage, "getItem" | "setItem"> | undefined;
  /** The transports to pick from (tests pass fakes). */
  transports?: readonly TransportFactory[];
}

/**
 * Picks transports for one page (made by {@link createNegotiator}). The page never waits on a transport that may
 * not work: it starts on the most permissive one offered (the last in the
 * client's own order, whatever the offer's) — HTTP, which works wherever HTTP
 * does — and the better ones are probed at once in the background (the one
 * this tab remembers first), the page switching up when one proves a
 * round trip. A start transport that fails is followed at once by the others,
 * best first (a proxy that blocks `/weft/http` but passes WebSocket); when
 * every one failed, the retry waits the backoff and starts over.
 *
 * `forced` wins even over the offer (it is a test and debugging switch); an
 * unknown forced name is ignored rather than leaving the page without a link.
 * Unknown names in the offer are skipped; an offer with none the client knows
 * counts as absent.
 *
 * @example
 * const n = createNegotiator({ offered: "websocket,sse,http", forced: window.WEFT_TRANSPORT, storage: sessionStorage });
 * const t = n.current.create();  // "http"
 * // it never worked:            if (n.failed()) retryNow(); else retryAfterBackoff();
 * // a working link dropped:     n.restart();
 * // probe n.better() after n.probeDelay(); one proved itself: n.use(name); n.worked(name);
 */
export interface Negotiator {
  /** The transports to use, best first. */
  readonly order: readonly TransportFactory[];
  /** True when `window.WEFT_TRANSPORT` picked the one transport. */
  readonly forced: boolean;
  /**
   * The transport to open now.
   *
   * @example
   * negotiator.current.create().open();
   */
  readonly current: TransportFactory;
  /**
   * The current transport never worked: move to the next one (after the start
   * transport: the others, best first). True when there is a next one to try
   * at once; false when every transport failed (back to the start transport,
   * after the normal backoff).
   *
   * @example
   * if (negotiator.failed()) connect(); else setTimeout(connect, backoff());
   */
  failed(): boolean;
  /**
   * A link that worked dropped: the reconnect starts over on the start
   * transport (so it waits on no probe either), and probing starts at once.
   *
   * @example
   * negotiator.restart();
   */
  restart(): void;
  /**
   * A probe proved `name` (or a join was answered over it): remember it for
   * the next page of this tab, which probes it first. The start transport is
   * not remembered: every page starts on it anyway.
   *
   * @example
   * negotiator.worked("sse");
   */
  worked(name: string): void;
  /**
   * The page switched to `name` (a probe succeeded): it is current now, and
   * what is still better is probed after the next delay (10 s).
   *
   * @example
   * negotiator.use("websocket");
   */
  use(name: string): void;
  /**
   * Transports better than the current one: what to probe, best first, except
   * that the one this tab remembers goes first (it worked here before; in
   * front of a proxy that holds WebSocket upgrades it saves waiting out the
   * WebSocket probe). None when forced or already on the best.
   *
   * @example
   * negotiator.better().map((t) => t.name); // ["websocket", "sse"] while on "http"
   */
  better(): readonly TransportFactory[];
  /**
   * How long to wait before the next probe round: none for the first, then
   * 10 s, doubling per failed round up to 5 minutes.
   *
   * @example
   * setTimeout(probeRound, negotiator.probeDelay());
   */
  probeDelay(): number;
  /**
   * A probe round found nothing better that works: back off.
   *
   * @example
   * negotiator.probeFailed();
   */
  probeFailed(): void;
}

/**
 * Makes the page's negotiator (a closure, not a class: its state is local
 * variables, which the minifier shortens to a letter each).
 *
 * @example
 * const n = createNegotiator({ offered: "websocket,sse,http", storage: sessionStorage });
 */
export function createNegotiator({ offered, forced, storage, transports = TRANSPORTS }: NegotiatorOptions = {}): Negotiator {
  const only = transports.filter((t) => t.name === forced);
  const order = only.length > 0 ? only : pick(offered, transports);
  /** Index in `order` of the start transport (the last: the one that always works). */
  const start = order.length - 1;
  let index = start;
  /** Transports tried since the start one without one working (the start one included). */
  let tried = 1;
  let rounds = 0;
  const remembered = (): string | null => {
    try {
      return storage?.getItem(REMEMBER_KEY) ?? null;
    } catch {
      return null; // storage disabled
    }
  };
  const restart = (): void => {
    index = start;
    tried = 1;
    rounds = 0;
  };
  return {
    order,
    forced: only.length > 0,
    get current() {
      return order[index]!;
    },
    failed() {
      if (tried >= order.length) {
        restart();
        return false;
      }
      index = tried++ - 1;
      return true;
    },
    restart,
    worked(name) {
      if (name === order[start]?.name) return;
      try {
        storage?.setItem(REMEMBER_KEY, name);
      } catch {
        // Storage full or disabled: nothing is remembered.
      }
    },
    use(name) {
      const i = order.findIndex((t) => t.name === name);
      if (i >= 0) index = i;
      tried = 1;
      rounds = 1;
    },
    better() {
      const better = order.slice(0, index);
      const r = better.findIndex((t) => t.name === remembered());
      return r > 0 ? [better[r]!, ...better.slice(0, r), ...better.slice(r + 1)] : better;
    },
    probeDelay: () => (rounds === 0 ? 0 : Math.min(MAX_PROBE_MS, NEXT_PROBE_MS * 2 ** (rounds - 1))),
    probeFailed() {
      rounds = Math.min(rounds + 1, 16);
    },
  };
}

/**
 * The offered transports this client has, in the client's own order (best
 * first), whatever the offer's order: the start transport (the last) is then
 * always the most permissive one offered. All of them when none is offered.
 */
function pick(offered: string | null | undefined, transports: readonly TransportFactory[]): readonly TransportFactory[] {
  const names = (offered ?? "").split(",").map((s) => s.trim());
  const picked = transports.filter((t) => names.includes(t.name));
  return picked.length > 0 ? picked : transports;
}
