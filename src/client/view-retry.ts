/**
 * A view that is down: its join was refused, or its link has been lost for a
 * while. It marks the view root (`weft-error`, `weft-error-code`: CSS hooks,
 * docs/errors.md) and retries a join refused for a passing reason with a
 * jittered, capped and bounded backoff, reset by the next join answer.
 *
 * Invariants:
 * - one timer per view: a pending retry or the link's grace, never both, and
 *   no retry while the link is down (the socket joins every view when it
 *   opens again);
 * - the root carries `weft-error` exactly while the view is down: from a
 *   refused join, or from the link grace running out, until a join answer.
 *
 * A closure rather than a class: its state minifies to one-letter names.
 */
import { ATTR } from "../protocol/messages.ts";
import { guard } from "./dom-events.ts";

/**
 * Join refusals that pass: the next join may well be answered (a mount that
 * failed on a flaky backend, a rate or view limit, an internal error), so the
 * view retries. Every other refusal is final or cannot be helped by resending
 * the same join (a bad or expired token, an unknown view, a denial).
 */
const PASSING: readonly string[] = ["E_MOUNT", "E_RATE_LIMIT", "E_TOO_MANY_VIEWS", "E_INTERNAL"];

/** The backoff: the n-th retry waits between half and all of min(CAP, BASE · 2ⁿ) ms. */
const BASE = 1000;
const CAP = 30_000;
/** Retries of one outage; past them the view gives up until its link reopens. */
const MAX_RETRIES = 10;
/** A link down this long marks the view (a shorter blip only shows weft-disconnected). */
const LINK_GRACE = 5000;
/** The code a lost link marks the root with. */
const LINK_LOST = "E_CLIENT_TRANSPORT";

/**
 * True when a join refused with `code` is worth retrying.
 *
 * @example
 * passing("E_MOUNT"); // true
 * passing("E_FORBIDDEN"); // false
 */
export function passing(code: string): boolean {
  return PASSING.includes(code);
}

/** The down state of one view root and its join retries (see {@link outage}). */
export interface Outage {
  /** The code the root is marked with while down. */
  readonly code: string | undefined;
  /** The retries of this outage ran out: new events are refused, not queued. */
  readonly gaveUp: boolean;
  /** A join was refused for a passing reason: marks the root, schedules the next join; false once the retries ran out. */
  retry(code: string): boolean;
  /** Marks the root with `code` (a final refusal, or one not retried); drops a pending retry. */
  mark(code: string): void;
  /**
   * The link went down: a pending retry is dropped (the socket joins every
   * view when the link reopens) and, unless the view is back within the
   * grace, the root is marked E_CLIENT_TRANSPORT. Repeated calls (one per
   * failed reconnect) keep the first grace.
   */
  linkDown(): void;
  /** A join was answered: unmarks the root and resets the backoff. */
  up(): void;
}

/**
 * The down state of view root `root`; `rejoin` sends its join again.
 *
 * @example
 * const down = outage(root, () => view.join());
 * if (!down.retry("E_MOUNT")) dropWaitingEvents(); // gave up
 * down.up();                                       // on the join answer
 */
export function outage(root: Element, rejoin: () => void): Outage {
  let retries = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let grace = false;
  const stop = (): void => {
    clearTimeout(timer);
    grace = false;
  };
  const o: { -readonly [K in keyof Outage]: Outage[K] } = {
    code: undefined,
    gaveUp: false,
    retry(code) {
      o.mark(code);
      if (retries >= MAX_RETRIES) return !(o.gaveUp = true);
      const bound = Math.min(CAP, BASE * 2 ** retries++);
      // Equal jitter: never sooner than half the bound (no hammering), and pages
      // refused together (a restarting backend) do not all come back at once.
      timer = setTimeout(guard(rejoin), (bound + Math.random() * bound) / 2);
      return true;
    },
    mark(code) {
      stop();
      o.code = code;
      root.setAttribute(ATTR.error, "");
      root.setAttribute(ATTR.errorCode, code);
    },
    linkDown() {
      if (grace || o.code === LINK_LOST) return;
      stop();
      grace = true;
      timer = setTimeout(() => o.mark(LINK_LOST), LINK_GRACE);
    },
    up() {
      stop();
      retries = 0;
      o.gaveUp = false;
      if (o.code === undefined) return;
      o.code = undefined;
      root.removeAttribute(ATTR.error);
      root.removeAttribute(ATTR.errorCode);
    },
  };
  return o;
}
