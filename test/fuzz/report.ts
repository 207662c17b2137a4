/**
 * What a fuzz run counts and finds, in bounded memory: counters by transport
 * and kind, answer and close-code histograms, the first failures in full and
 * the rest as a count, and what the process and the app reported on their own.
 *
 * @example
 * const report = new FuzzReport();
 * report.count("websocket", "deep");
 * report.fail({ transport: "websocket", kind: "deep", index: 3, problem: "no answer", input: "[[[…" });
 */
import { clip } from "./checks.ts";
import { DeliberateError } from "../support/views.ts";

export type Transport = "websocket" | "sse" | "http";

/** One broken rule, with the input that broke it. */
export interface Failure {
  readonly transport: Transport | "-";
  readonly kind: string;
  /** Index of the input in the run (-1: an invariant or a background observation). */
  readonly index: number;
  readonly problem: string;
  /** The input, clipped. */
  readonly input: string;
}

/** One invariant checked at a checkpoint or at the end. */
export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

const MAX_KEPT = 100;

/**
 * The outcome of a run; `ok` when nothing broke, `summary()` for people.
 * @example
 * const r = new FuzzReport();
 * r.count("http", "bad-n");
 * r.ok; // true
 */
export class FuzzReport {
  /** Inputs sent, by transport and kind. */
  readonly sent: Record<Transport, Record<string, number>> = { websocket: {}, sse: {}, http: {} };
  /** HTTP answers by label ("404 E_UNKNOWN_LINK"), per transport. */
  readonly answers: Record<string, number> = {};
  /** Error frames received by attackers, by code. */
  readonly frameCodes: Record<string, number> = {};
  /** Attacker links the server ended, by reason (WebSocket close code, "sse 404"...). */
  readonly closes: Record<string, number> = {};
  /** Answers that took longer than a second, by transport/kind. */
  readonly slow: Record<string, number> = {};
  /** Time spent delivering inputs (send to checked answer), ms, by transport/kind: total and slowest. */
  readonly latency: Record<string, { total: number; max: number }> = {};
  framesReceived = 0;
  readonly failures: Failure[] = [];
  failureCount = 0;
  /** Failures grouped by kind and problem (numbers and quoted text blurred), so 900 of one bug read as one line. */
  readonly failureGroups: Record<string, number> = {};
  readonly appErrors: string[] = [];
  appErrorCount = 0;
  /** DeliberateErrors from handlers the fuzzer sent (boom, breakIt, a refused add payload). */
  expectedAppErrors = 0;
  readonly uncaught: string[] = [];
  readonly unhandled: string[] = [];
  readonly invariants: InvariantResult[] = [];
  /** Handler names the fuzzer sent that legitimately make the app's onError fire. */
  readonly sentFailing = new Set<string>();
  timedOut = false;
  durationMs = 0;

  get total(): number {
    let n = 0;
    for (const t of Object.values(this.sent)) for (const c of Object.values(t)) n += c;
    return n;
  }

  count(transport: Transport, kind: string): void {
    this.sent[transport][kind] = (this.sent[transport][kind] ?? 0) + 1;
  }

  /** Records how long one input took, send to checked answer. */
  took(key: string, ms: number, slowMs = 1000): void {
    const l = (this.latency[key] ??= { total: 0, max: 0 });
    l.total += ms;
    l.max = Math.max(l.max, ms);
    if (ms > slowMs) this.bump(this.slow, key);
  }

  bump(table: Record<string, number>, key: string): void {
    table[key] = (table[key] ?? 0) + 1;
  }

  fail(f: Failure): void {
    this.failureCount++;
    this.bump(this.failureGroups, `${f.transport}/${f.kind}: ${f.problem.replace(/\d+/g, "N").replace(/"[^"]*"/g, '"…"').slice(0, 90)}`);
    if (this.failures.length < MAX_KEPT) this.failures.push({ ...f, input: clip(f.input) });
  }

  /**
   * The app's onError hook. Expected: a {@link DeliberateError} thrown by the
   * handler named in `where`, which the fuzzer sent. Every other error is a
   * finding — a TypeError out of a test view's handler included: it means the
   * framework handed the handler something it must not (a view refuses bad
   * payloads on purpose, with a DeliberateError).
   */
  appError(err: unknown, where: string): void {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof DeliberateError && where === `event "${err.handler}"` && this.sentFailing.has(err.handler)) {
      this.expectedAppErrors++;
      return;
    }
    this.appErrorCount++;
    if (this.appErrors.length < MAX_KEPT) this.appErrors.push(`${where}: ${err instanceof Error ? (err.stack ?? message).split("\n").slice(0, 4).join(" | ") : message}`);
  }

  invariant(name: string, ok: boolean, detail = ""): void {
    this.invariants.push({ name, ok, detail });
    if (!ok) this.fail({ transport: "-", kind: "invariant", index: -1, problem: `${name}: ${detail}`, input: "" });
  }

  /** True when nothing broke. */
  get ok(): boolean {
    return this.failureCount === 0 && this.appErrorCount === 0 && this.uncaught.length === 0 && this.unhandled.length === 0 && !this.timedOut;
  }

  /** A human summary: counts per transport and kind, histograms, invariants, failures. */
  summary(): string {
    const lines: string[] = [`${this.total} inputs in ${(this.durationMs / 1000).toFixed(1)} s${this.timedOut ? " (stopped at the time limit)" : ""}; ${this.framesReceived} frames received by attackers`];
    for (const [t, kinds] of Object.entries(this.sent)) {
      const n = Object.values(kinds).reduce((a, b) => a + b, 0);
      lines.push(`  ${t}: ${n}`);
      for (const [k, c] of Object.entries(kinds).sort((a, b) => b[1] - a[1])) lines.push(`    ${k.padEnd(22)} ${c}`);
    }
    const slowest = Object.entries(this.latency).sort((a, b) => b[1].max - a[1].max).slice(0, 6);
    lines.push(`slowest answers: ${slowest.map(([k, l]) => `${k} ${l.max} ms`).join(", ") || "none"}`);
    lines.push(`answers: ${fmt(this.answers)}`, `error frames: ${fmt(this.frameCodes)}`, `links ended by the server: ${fmt(this.closes)}`, `answers over 1 s: ${fmt(this.slow)}`);
    lines.push(`onError: ${this.expectedAppErrors} expected (deliberate: boom, breakIt, refused add payloads), ${this.appErrorCount} unexpected; uncaught exceptions: ${this.uncaught.length}; unhandled rejections: ${this.unhandled.length}`);
    for (const i of this.invariants) lines.push(`  [${i.ok ? "ok" : "FAIL"}] ${i.name}${i.detail ? ` — ${i.detail}` : ""}`);
    for (const e of this.appErrors.slice(0, 10)) lines.push(`  onError: ${e}`);
    for (const e of [...this.uncaught, ...this.unhandled].slice(0, 10)) lines.push(`  process: ${e}`);
    lines.push(`failures: ${this.failureCount}`);
    for (const [g, n] of Object.entries(this.failureGroups).sort((a, b) => b[1] - a[1]).slice(0, 20)) lines.push(`  ${String(n).padStart(6)} × ${g}`);
    if (this.failures.length > 0) lines.push("first failures:");
    for (const f of this.failures.slice(0, 30)) lines.push(`  #${f.index} ${f.transport}/${f.kind}: ${f.problem}${f.input ? `\n      input: ${f.input}` : ""}`);
    return lines.join("\n");
  }
}

function fmt(t: Record<string, number>): string {
  const e = Object.entries(t).sort((a, b) => b[1] - a[1]);
  return e.length === 0 ? "none" : e.map(([k, v]) => `${k}=${v}`).join(", ");
}

/**
 * Records uncaught exceptions and unhandled rejections into `report` until the
 * returned function is called. The app runs in this process, so these are the
 * server's (or the fuzzer's, which is a bug too).
 */
export function recordProcessErrors(report: FuzzReport): () => void {
  const onUncaught = (err: unknown) => report.uncaught.push(describe(err));
  const onUnhandled = (err: unknown) => report.unhandled.push(describe(err));
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUnhandled);
  return () => {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUnhandled);
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message).split("\n").slice(0, 6).join(" | ") : String(err);
}
