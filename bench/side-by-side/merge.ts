// Several runs' results → one: each figure the median of the runs' figures,
// and the runs' provenance kept. Runs of different commits measure different
// code: they are refused unless `mixed` is asked for, and then labelled.
import type { Provenance } from "./provenance.ts";
import { Results, type Metric, type Result, type ResultsFile } from "./results.ts";
import { median } from "./stats.ts";

/** A run's results: as read from a file, or as stored (a legacy file is a bare array, with no provenance). */
export type RunResults = Results | ResultsFile | readonly Result[];

function parts(run: RunResults): { results: readonly Result[]; provenance: readonly Provenance[] } {
  if (run instanceof Results) return { results: run.all, provenance: run.provenance };
  if (Array.isArray(run)) return { results: run, provenance: [] };
  const f = run as ResultsFile;
  return { results: f.results, provenance: f.provenance ?? [] };
}

/**
 * The figures of `runs`, each the median across the runs that have it.
 * Throws when a run has no provenance or the runs are of different commits
 * (unless `mixed`: then the result says so).
 *
 * @example
 * const merged = mergeRuns([readResults("a.json"), readResults("b.json"), readResults("c.json")]);
 */
export function mergeRuns(runs: readonly RunResults[], opts: { mixed?: boolean; names?: readonly string[] } = {}): Results {
  if (runs.length < 2) throw new Error("--merge: give two or more results files, comma-separated");
  const all = runs.map(parts);
  const name = (i: number) => opts.names?.[i] ?? `run ${i + 1}`;
  const unknown = all.findIndex((p) => p.provenance.length === 0);
  if (unknown >= 0) throw new Error(`--merge: ${name(unknown)} has no provenance (no commit, host or date): rerun it, or patch its figures in by hand`);
  const commits = all.map((p, i) => `${name(i)}: ${[...new Set(p.provenance.map((x) => x.commit))].join("+")}`);
  const mixed = new Set(all.flatMap((p) => p.provenance.map((x) => x.commit))).size > 1;
  if (mixed && opts.mixed !== true) {
    throw new Error(`--merge: the runs are of different commits (${commits.join(", ")}); merge runs of one commit, or pass --mixed to merge them labelled as such`);
  }
  const merged = new Results();
  merged.provenance = all.flatMap((p) => p.provenance);
  merged.mixedCommits = mixed;
  for (const r of all[0]!.results) {
    const same = all.map((p) => p.results.find((x) => x.system === r.system && x.transport === r.transport && x.metric === r.metric));
    if (same.some((x) => x === undefined)) continue;
    const values = same.map((x) => x!.value);
    const note = r.note === undefined ? undefined : `${r.note}; median of ${runs.length} runs`;
    merged.add(r.system, r.transport, r.metric as Metric, median(values), { runs: values, note });
  }
  return merged;
}
