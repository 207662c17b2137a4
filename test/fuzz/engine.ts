/**
 * The fuzz engine: starts an app, puts one VICTIM on each transport (joined to
 * /counter, at count 3) and a few ATTACKERS beside it, then sends `runs`
 * hostile inputs drawn from a seeded fast-check arbitrary, spread across the
 * transports, with `concurrency` in flight. Every `checkEvery` inputs, and at
 * the end, it checks the invariants: no uncaught exception or unhandled
 * rejection, no onError the fuzzer did not ask for, each victim exactly as it
 * was and sent nothing it did not cause, and a fresh client still works.
 *
 * Memory stays bounded: inputs are drawn in chunks and dropped once sent, the
 * report keeps counters and the first failures, attackers keep no frames, and
 * an attacker whose link the server ended is closed and replaced.
 *
 * @example
 * const report = await runFuzz({ runs: 3000, seed: 42 });
 * console.log(report.summary());
 * process.exitCode = report.ok ? 0 : 1;
 */
import fc from "fast-check";
import type { WeftApp, WeftOptions } from "../../src/index.ts";
import { getPage } from "../support/protocol-client.ts";
import { startApp } from "../support/server.ts";
import { Attacker, OWN_VIEWS } from "./attacker.ts";
import { deliver, type Arena } from "./deliver.ts";
import { failingHandlersIn, fuzzInput, type FuzzInput } from "./inputs.ts";
import { FuzzReport, recordProcessErrors, type Transport } from "./report.ts";
import { freshClientWorks, Victim, VICTIM_VIEW } from "./victim.ts";

/** What to run: how many inputs, from which seed, over which transports, how fast. */
export interface FuzzOptions {
  /** Inputs to send, in all. */
  readonly runs: number;
  /** fast-check seed: the same seed draws the same inputs. */
  readonly seed: number;
  /** Default: all three. */
  readonly transports?: readonly Transport[];
  /** Inputs between invariant checkpoints. Default: runs / 6, at least 500. */
  readonly checkEvery?: number;
  /** Inputs in flight at once. Default 16. */
  readonly concurrency?: number;
  /** Attackers per transport. Default 3. */
  readonly attackers?: number;
  /** The run stops drawing inputs after this long, ms (and reports it). Default 10 minutes. */
  readonly timeLimitMs?: number;
  /** App options over {@link FUZZ_APP_OPTIONS}. */
  readonly app?: Partial<WeftOptions>;
  /** Progress lines (checkpoints). */
  readonly log?: (line: string) => void;
}

/**
 * The app the volume run attacks: limits a peer controls at their defaults,
 * except the rate limits (one attacker link sends thousands of frames a
 * second; the default limits have their own test) and the waits an HTTP
 * answer may take (so a run does not sit in long-polls).
 */
export const FUZZ_APP_OPTIONS: Partial<WeftOptions> = {
  rateLimit: { perSecond: 1e9, burst: 1e9 },
  abuseLimit: 1e9,
  longPollMs: 3_000,
  httpAnswerWaitMs: 1_000,
};

const CHUNK = 200;
const REQUEST_TIMEOUT_MS = 10_000;
const CLOSE_TIMEOUT_MS = 5_000;
/** Inputs an attacker sends before a fresh one (with its views joined again) takes its slot. */
const RETIRE_AFTER = 400;

/**
 * Runs the hostile inputs against a fresh app and returns the report (never
 * throws for what it finds: a broken rule is a failure in the report).
 * @example
 * const report = await runFuzz({ runs: 3000, seed: 42, transports: ["sse", "http"] });
 * assert.ok(report.ok, report.summary());
 */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzReport> {
  const transports = opts.transports ?? ["websocket", "sse", "http"];
  const report = new FuzzReport();
  const stopRecording = recordProcessErrors(report);
  const started = Date.now();
  const { app, base } = await startApp({ ...FUZZ_APP_OPTIONS, ...opts.app, onError: (err, where) => report.appError(err, where) });
  const pool = new AttackerPool(base, report, opts.attackers ?? 3, 50 + Math.ceil(opts.runs / 10));
  const victims: Partial<Record<Transport, Victim>> = {};
  try {
    for (const t of transports) victims[t] = await Victim.open(base, t);
    const run: Run = { opts, transports, report, base, victims, pool, started, stats: () => app.stats() };
    await attack(run, await inputsFor(run));
    // Let late errors (timers, rejected promises) surface before the last look.
    await new Promise((r) => setTimeout(r, 300));
    await finalInvariants(base, transports, victims, report, opts.runs);
  } catch (err) {
    report.fail({ transport: "-", kind: "fuzzer", index: report.total, problem: `the run stopped: ${(err as Error).stack ?? String(err)}`, input: "" });
  } finally {
    await pool.close();
    await Promise.all(Object.values(victims).map((v) => v.close().catch(() => {})));
    // app.close() waits for every socket to end: a socket the server lost track of would hold it forever.
    const closed = await Promise.race([app.close().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), CLOSE_TIMEOUT_MS))]);
    report.invariant("app.close() resolves", closed, closed ? "" : `still pending after ${CLOSE_TIMEOUT_MS} ms`);
    stopRecording();
    report.durationMs = Date.now() - started;
  }
  return report;
}

/** One run's moving parts. */
interface Run {
  readonly opts: FuzzOptions;
  readonly transports: readonly Transport[];
  readonly report: FuzzReport;
  readonly base: string;
  readonly victims: Partial<Record<Transport, Victim>>;
  readonly pool: AttackerPool;
  readonly started: number;
  readonly stats: () => ReturnType<WeftApp["stats"]>;
}

/** The run's input source: the arbitrary needs a real token and the victim's session id. */
async function inputsFor(run: Run): Promise<InputSource> {
  const sample = await getPage(run.base, "/counter");
  const victimSid = run.victims[run.transports[0]!]!.sid;
  const maxBytes = run.opts.app?.maxMessageBytes ?? 64 * 1024;
  const arb = fuzzInput(run.transports, { sampleToken: sample.token, victimSid, victimView: VICTIM_VIEW, ownViews: Object.keys(OWN_VIEWS).map(Number), maxBytes, allowHuge: true });
  return new InputSource(arb, run.opts.seed);
}

/** Sends every input, `concurrency` at a time, with a checkpoint every `checkEvery`; stops at the time limit. */
async function attack(run: Run, source: InputSource): Promise<void> {
  const { opts, report, pool } = run;
  const arena: Arena = { base: run.base, report, victims: run.victims, timeoutMs: REQUEST_TIMEOUT_MS, attacker: (t, slot) => pool.get(t, slot) };
  const deadline = run.started + (opts.timeLimitMs ?? 600_000);
  const checkEvery = opts.checkEvery ?? Math.max(500, Math.ceil(opts.runs / 6));
  const step = async (): Promise<boolean> => {
    const next = Date.now() > deadline || pool.exhausted ? undefined : source.next();
    if (next === undefined) {
      if (Date.now() > deadline) report.timedOut = true;
      return false;
    }
    report.count(next.item.transport, next.item.input.kind);
    for (const h of failingHandlersIn(next.item.input)) report.sentFailing.add(h);
    await deliver(arena, next.item, next.index);
    return true;
  };
  while (source.drawn < opts.runs && !report.timedOut && !pool.exhausted) {
    source.limit = Math.min(opts.runs, source.drawn + checkEvery);
    await runWorkers(opts.concurrency ?? 16, step);
    const problems = await checkpoint(run.base, run.transports, run.victims, report);
    const st = run.stats();
    opts.log?.(`${report.total} inputs, ${((Date.now() - run.started) / 1000).toFixed(1)} s, failures ${report.failureCount}; server: ${st.sessions} sessions, ${st.pendingMounts} pending, ${st.sockets} sockets, ${st.sseLinks + st.httpLinks} links${problems.length ? `; ${problems.join("; ")}` : ""}`);
  }
}

/** Checks victims and fresh clients mid-run; problems become failures. */
async function checkpoint(base: string, transports: readonly Transport[], victims: Partial<Record<Transport, Victim>>, report: FuzzReport): Promise<string[]> {
  const problems: string[] = [];
  for (const t of transports) {
    const v = await victims[t]!.check();
    if (v !== undefined) problems.push(`victim over ${t}: ${v}`);
    const f = await freshClientWorks(base, t);
    if (f !== undefined) problems.push(`fresh client over ${t}: ${f}`);
  }
  for (const p of problems) report.fail({ transport: "-", kind: "checkpoint", index: report.total, problem: p, input: "" });
  return problems;
}

async function finalInvariants(base: string, transports: readonly Transport[], victims: Partial<Record<Transport, Victim>>, report: FuzzReport, runs: number): Promise<void> {
  report.invariant("every input was sent and answered in time", report.total === runs && !report.timedOut, `${report.total} of ${runs}${report.timedOut ? ", stopped at the time limit" : ""}`);
  report.invariant("no uncaught exception", report.uncaught.length === 0, report.uncaught[0] ?? "");
  report.invariant("no unhandled rejection", report.unhandled.length === 0, report.unhandled[0] ?? "");
  report.invariant("onError saw only the failures the fuzzer asked for", report.appErrorCount === 0, report.appErrors[0] ?? `${report.expectedAppErrors} expected`);
  for (const t of transports) {
    const v = await victims[t]!.check();
    report.invariant(`the ${t} victim keeps its state and receives only its own answers`, v === undefined, v ?? "");
  }
  for (const t of transports) {
    const f = await freshClientWorks(base, t);
    report.invariant(`a fresh ${t} client joins /counter and clicks +`, f === undefined, f ?? "");
  }
}

/** Runs `n` workers, each calling `step` until it returns false. */
async function runWorkers(n: number, step: () => Promise<boolean>): Promise<void> {
  const worker = async () => {
    while (await step());
  };
  await Promise.all(Array.from({ length: n }, worker));
}

/**
 * Draws inputs lazily, CHUNK at a time, each chunk from its own seed derived
 * from the run's seed and the chunk's position: the same seed draws the same
 * inputs, and only one chunk is held at once.
 */
class InputSource {
  drawn = 0;
  /** Draws stop here (the next checkpoint). */
  limit = 0;
  private buffer: FuzzInput[] = [];

  constructor(private readonly arb: fc.Arbitrary<FuzzInput>, private readonly seed: number) {}

  next(): { item: FuzzInput; index: number } | undefined {
    if (this.drawn >= this.limit) return undefined;
    if (this.buffer.length === 0) this.buffer = fc.sample(this.arb, { seed: (this.seed + this.drawn * 7919) | 0, numRuns: CHUNK });
    return { item: this.buffer.shift()!, index: this.drawn++ };
  }
}

/**
 * Attackers by transport and slot; a dead one is closed and replaced, up to
 * `maxReplacements` in all. An attacker is also retired after RETIRE_AFTER
 * inputs: damaged frames (a `t` turned into "l", a `v` into 1) make it leave
 * its own views, and events then only ever meet E_NOT_JOINED.
 */
class AttackerPool {
  private readonly slots = new Map<string, Promise<Attacker>>();
  private replacements = 0;
  exhausted = false;

  constructor(private readonly base: string, private readonly report: FuzzReport, private readonly size: number, private readonly maxReplacements: number) {}

  async get(t: Transport, index: number): Promise<Attacker> {
    const key = `${t}/${index % this.size}`;
    const current = this.slots.get(key);
    if (current !== undefined) {
      const a = await current;
      if (!a.dead && !a.streamGone && ++a.uses <= RETIRE_AFTER) return a;
      if (this.slots.get(key) !== current) return this.get(t, index); // another worker replaced it already
      void a.close();
      if (a.uses <= RETIRE_AFTER && ++this.replacements > this.maxReplacements && !this.exhausted) {
        this.exhausted = true;
        this.report.fail({ transport: t, kind: "attackers", index: -1, problem: `the server ended more than ${this.maxReplacements} attacker links; stopping`, input: "" });
      }
    }
    const opening = Attacker.open(this.base, t, this.report);
    this.slots.set(key, opening);
    opening.catch(() => this.slots.get(key) === opening && this.slots.delete(key));
    return opening;
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.slots.values());
    await Promise.all(all.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
    this.slots.clear();
  }
}
