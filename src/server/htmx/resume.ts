/**
 * The SSE view streams this node can resume: per live session, the stream's
 * mirror (the tree its page shows) and its log of sent messages, so that a
 * reconnect with `Last-Event-ID: <sid>.<seq>` gets what it missed
 * (view-stream.ts). Node-local: a session lives on one node, and so does
 * what its page was sent.
 *
 * An entry goes when the stream that owns it has been closed for the
 * session's grace (`sessionGraceMs`, after which the registry ends the
 * session) and no reconnect took it over. A lookup is checked against the
 * registry by the caller, so an entry of a session that ended early is never
 * used, only kept until its timer.
 */
import type { Core } from "../core.ts";
import type { HtmxMirror } from "./mirror.ts";
import type { SentLog } from "./sent-log.ts";

/** What a stream keeps of its session for a resume. */
export interface HeldStream {
  /** The session id ("" before the mount). */
  readonly sid: string;
  /** The stream's URL as a key (view pattern, path params, query): a resume must ask for the same. */
  readonly key: string;
  readonly mirror: HtmxMirror;
  /** SSE only: the sent messages. */
  readonly log: SentLog | undefined;
  /** The stream that sends for it now. */
  owner: object;
}

/** Slack after the grace before an entry goes: the registry's grace timer fires first. */
const SLACK_MS = 1_000;

/**
 * The held streams of one Core.
 *
 * @example
 * const held = heldSessions(core);
 * held.hold(stream);                        // an SSE stream joined
 * held.release(stream, owner, 60_000);      // it ended: kept for the grace
 * held.get(sid);                            // a reconnect's Last-Event-ID
 */
export class HeldSessions {
  private readonly bySid = new Map<string, HeldStream>();
  private readonly warned = new Set<string>();

  /** Keeps `held` for a resume of its sid. */
  hold(held: HeldStream): void {
    this.bySid.set(held.sid, held);
  }

  /** The held stream of session `sid`, if any. */
  get(sid: string): HeldStream | undefined {
    return this.bySid.get(sid);
  }

  /** `owner` ended its stream: `held` goes after `graceMs` unless a resume took it over meanwhile. */
  release(held: HeldStream, owner: object, graceMs: number): void {
    if (held.owner !== owner || this.bySid.get(held.sid) !== held) return;
    setTimeout(() => {
      if (held.owner === owner && this.bySid.get(held.sid) === held) this.bySid.delete(held.sid);
    }, graceMs + SLACK_MS).unref();
  }

  /** True the first time `key` is asked (a warning logged once per view and kind). */
  firstWarning(key: string): boolean {
    if (this.warned.has(key)) return false;
    this.warned.add(key);
    return true;
  }
}

const byCore = new WeakMap<Core, HeldSessions>();

/** The held streams of `core` (made on first use). */
export function heldSessions(core: Core): HeldSessions {
  let h = byCore.get(core);
  if (h === undefined) byCore.set(core, (h = new HeldSessions()));
  return h;
}
