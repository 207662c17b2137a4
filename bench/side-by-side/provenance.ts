// Where a benchmark run's figures come from: the commit, whether the working
// tree differed from it, the host, the date and the mode. bench/results.json
// keeps one entry per run it holds; the docs block says them under its tables.
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { machine } from "./machine.ts";

/** One run of the benchmark. */
export interface Provenance {
  /** Short commit hash of HEAD when the run started ("unknown" outside git). */
  commit: string;
  /** True when the benchmark's or the library's files differed from that commit (absent: not recorded). */
  dirty?: boolean;
  /** The host name and the machine (cores, CPU, memory, Node, platform). */
  host: string;
  /** When the run started, ISO 8601. */
  date: string;
  /** full, quick or smoke, and the subset when only some systems ran. */
  mode: string;
  /**
   * Which Weft was measured: "dist", the built package (the default since
   * 2026-12-04), or "src", the TypeScript sources through tsx (`--src`; every
   * run before that date, where the field is absent). See bench/weft-build.ts.
   */
  weft?: "dist" | "src";
  /** How the entry was made, when not by the run itself (reconstructed afterwards). */
  note?: string;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function git(args: readonly string[]): string | undefined {
  const r = spawnSync("git", args, { cwd: ROOT, encoding: "utf8", timeout: 10_000 });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** This run's provenance, read from git and the machine. */
export function currentProvenance(mode: string, date = new Date(), weft: "dist" | "src" = process.env.WEFT_BENCH_SOURCE === "src" ? "src" : "dist"): Provenance {
  const commit = git(["rev-parse", "--short=7", "HEAD"]) ?? "unknown";
  const changed = git(["status", "--porcelain", "--", "src", "bench", "package.json"]);
  return { commit, dirty: changed === undefined || changed !== "", host: `${hostname()}: ${machine()}`, date: date.toISOString(), mode, weft };
}

/** One run as text: "commit d6bd60c (+ uncommitted changes), 2026-11-30 04:20 UTC, full, Weft from dist/" (and the host unless `sameHost`). */
export function describeRun(p: Provenance, sameHost = false): string {
  const when = p.date.length >= 16 ? `${p.date.slice(0, 10)} ${p.date.slice(11, 16)} UTC` : p.date;
  const tree = p.dirty === true ? " (+ uncommitted changes)" : "";
  const rest = sameHost ? "" : `, on ${p.host}${p.note === undefined ? "" : ` [${p.note}]`}`;
  const build = p.weft === undefined ? "" : p.weft === "dist" ? ", Weft from dist/" : ", Weft from src/ through tsx";
  return `commit ${p.commit}${tree}, ${when}, ${p.mode}${build}${rest}`;
}

/** The runs as the line under a run's tables; says so when they are of different commits (flagged, or seen in the list). */
export function provenanceLine(runs: readonly Provenance[], mixedCommits = false): string {
  if (runs.length === 0) return "Provenance: not recorded (results written before runs carried their commit, host and date).";
  const first = runs[0]!;
  const same = runs.length > 1 && runs.every((p) => p.host === first.host && p.note === first.note);
  const list = runs.map((p, i) => (runs.length > 1 ? `(${i + 1}) ` : "") + describeRun(p, same)).join("; ");
  const tail = same ? `; all on ${first.host}${first.note === undefined ? "" : ` [${first.note}]`}` : "";
  const mixed = mixedCommits || new Set(runs.map((p) => p.commit)).size > 1;
  return `${mixed ? "Runs of DIFFERENT COMMITS, merged on request (--mixed)" : runs.length > 1 ? "Runs" : "Run"}: ${list}${tail}.`;
}
