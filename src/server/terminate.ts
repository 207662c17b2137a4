/**
 * A view's `terminate(reason, state, ctx)`: runs once when a session's live
 * instance on this node ends, whatever ends it. Its failures are reported,
 * never thrown: a session ending must not crash the node or stop the others
 * from ending. The sessions' endings that are still running are kept here, so
 * that `app.close()` can wait for them, within a bound.
 */
import { checkTopic, type PubSub } from "./pubsub/types.ts";
import type { Presence } from "./presence/types.ts";
import type { Json, Params, SessionData, TerminateContext, TerminateReason, ViewDefinition } from "./view.ts";

/** What a session hands over for its view's terminate. */
export interface Ending<S> {
  readonly reason: TerminateReason;
  /** The last committed state (a handler still running is not in it). */
  readonly state: S;
  /** The registered view path: it names the view in error reports. */
  readonly path: string;
  readonly params: Params;
  readonly session: SessionData;
}

/** The session's backends terminate's context reaches. */
export interface EndingConfig {
  readonly pubsub: PubSub;
  readonly presence?: Presence | undefined;
  readonly onError: (err: unknown, where: string) => void;
}

/**
 * Calls `view.terminate` (when it has one) with `ending`. Resolves once it has
 * finished (an async one awaited); never rejects: a throw or a rejection goes
 * to `onError` as `terminate of /path (reason)`. Undefined when there is
 * nothing to wait for.
 *
 * @example
 * const done = runTerminate(view, { reason: "closed", state, path: "/chat", params, session }, config);
 */
export function runTerminate<S>(view: ViewDefinition<S>, ending: Ending<S>, config: EndingConfig): Promise<void> | undefined {
  const fn = view.terminate;
  if (fn === undefined) return undefined;
  const where = `terminate of ${ending.path} (${ending.reason})`;
  try {
    const out = fn(ending.reason, ending.state, terminateContext(ending, config));
    if (!(out instanceof Promise)) return undefined;
    return out.then(() => undefined, (err: unknown) => config.onError(err, where));
  } catch (err) {
    config.onError(err, where);
    return undefined;
  }
}

/**
 * The context terminate gets: no client to reach (pushes, navigation, timers
 * and subscriptions have no session to go to), but broadcasts and presence
 * reads work. Broadcast failures are reported, never thrown.
 */
function terminateContext(ending: Ending<unknown>, config: EndingConfig): TerminateContext {
  return {
    connected: false,
    params: ending.params,
    session: ending.session,
    broadcast: (topic: string, name: string, payload?: Json) => {
      let sent: Promise<void>;
      try {
        sent = config.pubsub.publish(checkTopic(topic), { name, payload: payload ?? null });
      } catch (err) {
        sent = Promise.reject(err);
      }
      sent.catch((err: unknown) => config.onError(err, `broadcast to "${topic.slice(0, 64)}" from terminate`));
    },
    presence: (topic: string) => config.presence?.list(topic) ?? [],
  };
}

/**
 * The endings still running on this node.
 *
 * @example
 * const endings = new Endings();
 * endings.add(runTerminate(view, ending, config));
 * await endings.settled(5_000); // app.close(): at most 5 s
 */
export class Endings {
  private readonly running = new Set<Promise<void>>();

  /** Keeps `p` until it settles (nothing to keep when undefined). */
  add(p: Promise<void> | undefined): void {
    if (p === undefined) return;
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** Resolves when every running ending has finished, or after `ms`: a terminate that hangs does not hang the caller. */
  async settled(ms: number): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.all(this.running), bound]);
    clearTimeout(timer);
  }

  /** How many are running. */
  get size(): number {
    return this.running.size;
  }
}
