/**
 * Probing: while the page runs on a lesser transport, the better ones are tried
 * in the background, alone, without touching the live link or the views.
 */
import { C } from "../protocol/messages.ts";
import { guard } from "./dom-events.ts";
import type { Negotiator } from "./negotiate.ts";
import type { Transport, TransportFactory } from "./transports/types.ts";

/** Once open, the probe's heartbeat must be answered within this. */
const ANSWER_MS = 5_000;
/** The heartbeat, as both sides spell it. */
const HEARTBEAT = JSON.stringify({ t: C.heartbeat });

/**
 * Opens a transport of `factory` and proves a full round trip over it: it opens
 * (for SSE and HTTP: its hello arrived, within `factory.openMs`), then a
 * heartbeat sent over it is answered. `done` gets the open transport — its
 * callbacks are the caller's to replace — or undefined when it failed (it is
 * closed then). Never calls `done` synchronously. Returns a cancel function
 * (closes the transport; `done` is not called). `token`: a view token of the
 * page, which a new SSE or HTTP link must carry; `fallback`: a better
 * transport failed before this one was tried (the server counts it).
 *
 * @example
 * const cancel = probe(TRANSPORTS[0], (t) => t ? switchTo(t) : later());
 */
export function probe(factory: TransportFactory, done: (t: Transport | undefined) => void, token?: string, fallback = false): () => void {
  const t = factory.create(fallback, token);
  let over = false;
  let timer = setTimeout(() => finish(false), factory.openMs);
  const end = () => {
    over = true;
    clearTimeout(timer);
  };
  const finish = (ok: boolean) => {
    if (over) return;
    end();
    if (!ok) t.close();
    done(ok ? t : undefined);
  };
  t.onOpen = () => {
    clearTimeout(timer);
    timer = setTimeout(() => finish(false), ANSWER_MS);
    t.send(HEARTBEAT);
  };
  t.onMessage = (frame) => frame === HEARTBEAT && finish(true);
  t.onClose = () => finish(false);
  t.open();
  return () => {
    if (over) return;
    end();
    t.close();
  };
}

/**
 * Probe rounds for one page: after the negotiator's delay (none for the first
 * round), each transport better than the current one is probed, one at a
 * time, in the negotiator's order; the first that works is handed to `proven`
 * (which switches to it). A round where none works backs off (10 s, doubling,
 * up to 5 minutes). The page keeps working on its current transport all along:
 * nothing waits on a probe. Made by {@link createProber}.
 *
 * @example
 * const prober = createProber(negotiator, (t) => switchTo(t), () => firstView.linkToken);
 * prober.schedule(); // on open: does nothing on the best transport or when forced
 * prober.stop();     // the link dropped: no probe runs while reconnecting
 */
export interface Prober {
  /**
   * Name of the transport being probed, if any.
   *
   * @example
   * prober.probing; // "websocket"
   */
  readonly probing: string | undefined;
  /**
   * Schedules the next probe round, unless one is scheduled or running, or
   * nothing is better than the current transport.
   *
   * @example
   * prober.schedule();
   */
  schedule(): void;
  /**
   * Cancels the scheduled round or the running probe (its transport is closed).
   *
   * @example
   * prober.stop();
   */
  stop(): void;
}

/**
 * Makes the probe rounds of a page (a closure: its state is local variables).
 * `token`: a view token of the page, which a probed SSE or HTTP link opens with.
 *
 * @example
 * const prober = createProber(negotiator, (t) => switchTo(t));
 */
export function createProber(negotiator: Negotiator, proven: (t: Transport) => void, token: () => string | undefined = () => undefined): Prober {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let cancel: (() => void) | undefined;
  let name: string | undefined;
  const round = (candidates: readonly TransportFactory[], i: number): void => {
    timer = undefined;
    const factory = candidates[i];
    if (factory === undefined) {
      negotiator.probeFailed();
      return p.schedule();
    }
    name = factory.name;
    cancel = probe(
      factory,
      guard((t: Transport | undefined) => {
        cancel = name = undefined;
        if (t === undefined) round(candidates, i + 1);
        else proven(t);
      }),
      token(),
      i > 0, // a better one failed this round: a fallback, as the server counts them
    );
  };
  const p: Prober = {
    get probing() {
      return name;
    },
    schedule() {
      if (timer !== undefined || cancel !== undefined) return;
      const better = negotiator.better();
      if (better.length === 0) return;
      timer = setTimeout(guard(() => round(better, 0)), negotiator.probeDelay());
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
      cancel?.();
      cancel = name = undefined;
    },
  };
  return p;
}
