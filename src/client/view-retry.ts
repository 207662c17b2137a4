/**
 * A view that is down: its join was refused, or its link has been lost for a
 * while. It marks the view root (`weft-error`, `weft-error-code`: CSS hooks,
 * docs/errors.md) and retries a join refused for a passing reason with a
 * jittered, capped and bounded backoff, reset by the next join answer.
 *
 * Invariants:
 * - at most one retry is pending per view, and none while the link is down
 *   (the socket joins every view when it opens again);
 * - the root carries `weft-error` exactly while the view is down: from a
 *   refused join, or from the link grace running out, until a join answer.
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

/**
 * The down state of one view root and its join retries.
 *
 * @example
 * const outage = new Outage(root, () => view.join());
 * if (!outage.retry("E_MOUNT")) dropWaitingEvents(); // gave up
 * outage.up();                                        // on the join answer
 */
export class Outage {
  /** The code the root is marked with while down. */
  code: string | undefined;
  /** The retries of this outage ran out: new events are refused, not queued. */
  gaveUp = false;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly root: Element,
    private readonly rejoin: () => void,
    /** Jitter source, in [0, 1); tests pass a fixed one. */
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * A join was refused for a passing reason: marks the root and schedules the
   * next join. False when the retries ran out (the view gave up).
   *
   * @example
   * if (!outage.retry(code)) view.giveUp(code);
   */
  retry(code: string): boolean {
    this.mark(code);
    if (this.retries >= MAX_RETRIES) return !(this.gaveUp = true);
    const bound = Math.min(CAP, BASE * 2 ** this.retries++);
    // Equal jitter: never sooner than half the bound (no hammering), and pages
    // refused together (a restarting backend) do not all come back at once.
    this.retryTimer = setTimeout(guard("E_CLIENT_TRANSPORT", this.rejoin), bound / 2 + (this.random() * bound) / 2);
    return true;
  }

  /**
   * Marks the root with `code` (a final refusal, or a passing one not retried).
   *
   * @example
   * outage.mark("E_FORBIDDEN");
   */
  mark(code: string): void {
    this.stop();
    this.code = code;
    this.root.setAttribute(ATTR.error, "");
    this.root.setAttribute(ATTR.errorCode, code);
  }

  /**
   * The link went down: a pending retry is dropped (the socket joins every view
   * when the link reopens) and, unless the view is back within the grace, the
   * root is marked E_CLIENT_TRANSPORT. Repeated calls (one per failed
   * reconnect) keep the first grace.
   *
   * @example
   * transport.onClose = () => outage.linkDown();
   */
  linkDown(): void {
    clearTimeout(this.retryTimer);
    if (this.graceTimer === undefined && this.code !== LINK_LOST) {
      this.graceTimer = setTimeout(guard("E_CLIENT_TRANSPORT", () => this.mark(LINK_LOST)), LINK_GRACE);
    }
  }

  /**
   * A join was answered: the view is back. Unmarks the root and resets the backoff.
   *
   * @example
   * outage.up();
   */
  up(): void {
    this.stop();
    this.retries = 0;
    this.gaveUp = false;
    if (this.code === undefined) return;
    this.code = undefined;
    this.root.removeAttribute(ATTR.error);
    this.root.removeAttribute(ATTR.errorCode);
  }

  private stop(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
  }
}
