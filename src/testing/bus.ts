/**
 * The test bus: what several mounted views share in one test — an in-memory
 * pub/sub (so `ctx.broadcast` in one view reaches `info` in another), presence,
 * and one controllable clock. Every kit action waits on the bus until all of
 * its views are at rest, so a broadcast's effect is visible when the action
 * that sent it resolves.
 */
import { MemoryPresence } from "../server/presence/memory.ts";
import type { Presence } from "../server/presence/types.ts";
import { MemoryPubSub } from "../server/pubsub/memory.ts";
import type { PubSub } from "../server/pubsub/types.ts";
import type { Json } from "../server/view.ts";
import { TestClock } from "./clock.ts";
import { WeftTestError } from "./test-error.ts";

/**
 * Options of {@link createTestBus}.
 *
 * @example
 * const bus = createTestBus({ timeoutMs: 1000 } satisfies TestBusOptions);
 */
export interface TestBusOptions {
  /**
   * How long (real time, ms) the kit waits for views' work to finish after an
   * action before it fails with E_TEST_TIMEOUT. Default 5000.
   */
  readonly timeoutMs?: number;
}

/** A mounted view as the bus sees it. @internal */
export interface BusMember {
  /** Resolves once the view's queued and running work is done (or after `ms`). */
  settle(ms: number): Promise<void>;
  /** Frames the view has received so far (grows with every answer). */
  readonly frameCount: number;
  /** A name for messages. */
  readonly label: string;
}

/**
 * Views mounted on one bus share pub/sub, presence and time.
 *
 * @example
 * const bus = createTestBus();
 * const a = await mountView(Chat, { bus, params: { name: "ann" } });
 * const b = await mountView(Chat, { bus, params: { name: "bob" } });
 * await a.submit("form", { text: "hi" });
 * b.text("ul"); // "ann: hi"
 */
export interface TestBus {
  /** The bus's clock: `advance` moves it for every view on the bus. */
  readonly clock: TestClock;
  /** @internal the pub/sub the views use */
  readonly pubsub: PubSub;
  /** @internal presence shared by the views */
  readonly presence: Presence;
  /** @internal real-time bound on waiting for work, ms */
  readonly timeoutMs: number;
  /** Publishes `info[name](state, payload)` to every view subscribed to `topic`, as `app.broadcast` does, and waits for their work. */
  broadcast(topic: string, name: string, payload?: Json): Promise<void>;
  /** Advances the shared clock by `ms`, firing due timers in order, and waits for the work they cause; resolves with how many fired. */
  advance(ms: number): Promise<number>;
  /** Waits until every view on the bus is at rest (no queued or running work, no broadcast in flight). */
  settle(): Promise<void>;
  /** @internal registers a mounted view */
  add(member: BusMember): () => void;
}

/** At most this many rounds of "deliver broadcasts, wait for work" per settle: a ping-pong of broadcasts between views ends with an error. */
const MAX_ROUNDS = 1000;

class Bus implements TestBus {
  readonly clock = new TestClock();
  readonly pubsub = new MemoryPubSub();
  readonly presence: Presence = new MemoryPresence(() => {});
  readonly timeoutMs: number;
  private readonly members = new Set<BusMember>();

  constructor(options: TestBusOptions) {
    const t = options.timeoutMs ?? 5000;
    if (!Number.isFinite(t) || t <= 0) throw new RangeError(`createTestBus({ timeoutMs }): a finite number of ms > 0, got ${String(t)}`);
    this.timeoutMs = t;
  }

  add(member: BusMember): () => void {
    this.members.add(member);
    return () => this.members.delete(member);
  }

  async broadcast(topic: string, name: string, payload: Json = null): Promise<void> {
    await this.pubsub.publish(topic, { name, payload });
    await this.settle();
  }

  advance(ms: number): Promise<number> {
    return this.clock.advance(ms, () => this.settle());
  }

  async settle(): Promise<void> {
    // Pub/sub delivers on a microtask and handlers may be async: alternate
    // "let queued callbacks run" and "wait for every view's work" until a
    // round changes nothing.
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const before = this.frames();
      await new Promise<void>((r) => setImmediate(r));
      for (const m of this.members) await this.settleOne(m);
      if (this.frames() === before && round > 0) return;
    }
    throw new WeftTestError("E_TEST_TIMEOUT", `views kept sending each other work for ${MAX_ROUNDS} rounds`);
  }

  private async settleOne(m: BusMember): Promise<void> {
    const started = Date.now();
    await m.settle(this.timeoutMs);
    if (Date.now() - started >= this.timeoutMs) {
      throw new WeftTestError("E_TEST_TIMEOUT", `${m.label} was still busy after ${this.timeoutMs} ms (timeoutMs)`);
    }
  }

  private frames(): number {
    let n = 0;
    for (const m of this.members) n += m.frameCount;
    return n;
  }
}

/**
 * Creates a bus for views that talk to each other (broadcasts, presence) or
 * share time. Views mounted without `bus` each get their own.
 *
 * @example
 * const bus = createTestBus({ timeoutMs: 1000 });
 * const a = await mountView(Room, { bus });
 * await bus.broadcast("room:1", "refresh");
 */
export function createTestBus(options: TestBusOptions = {}): TestBus {
  return new Bus(options);
}
