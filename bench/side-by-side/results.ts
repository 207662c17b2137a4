// One figure of the benchmark, and the results file (bench/results.json):
// { provenance: the runs the figures come from, mixedCommits?, results }.
import { readFileSync, writeFileSync } from "node:fs";
import type { Provenance } from "./provenance.ts";

export interface Result {
  system: string;
  transport: string;
  metric: string;
  value: number;
  unit: string;
  /** The repeated runs the value is the median of (when repeated). */
  runs?: number[];
  /** How it was measured, when that is not the plain metric (fewer sessions in quick mode, a computed encoding). */
  note?: string;
  /** The runs this figure comes from when they are not the file's (a figure measured apart and patched in). */
  from?: Provenance[];
}

/** The metrics, their units and what they mean (the table and the docs read this). */
export const METRICS = {
  "rt-p50": { unit: "µs", label: "round trip p50" },
  "rt-p99": { unit: "µs", label: "round trip p99" },
  "cpu-per-event": { unit: "µs", label: "server CPU per event" },
  "tput-1x100": { unit: "events/s", label: "throughput, 1 client × 100 in flight" },
  "tput-50x1": { unit: "events/s", label: "throughput, 50 clients × 1 in flight" },
  "tput-50x1-busy": { unit: "%", label: "server CPU busy during the 50 × 1 runs" },
  "heap-per-session": { unit: "bytes", label: "heap per idle session" },
  "rss-per-session": { unit: "bytes", label: "RSS per idle session" },
  "bytes-counter": { unit: "bytes", label: "bytes down, counter increment" },
  "bytes-table-cell": { unit: "bytes", label: "bytes down, 1 cell of a 100-row table" },
  "bytes-list-append": { unit: "bytes", label: "bytes down, 1 item appended to 1,000" },
  "bytes-keyed-delete": { unit: "bytes", label: "bytes down, the first of 1,000 keyed items deleted" },
  "bytes-keyed-move": { unit: "bytes", label: "bytes down, 1 of 1,000 keyed items moved (last to first)" },
  "fanout-last": { unit: "ms", label: "broadcast to N sessions, last delivery" },
  "fanout-p50": { unit: "ms", label: "broadcast to N sessions, p50 delivery" },
  "bundle-min": { unit: "bytes", label: "client bundle, minified" },
  "bundle-gzip": { unit: "bytes", label: "client bundle, minified + gzip" },
  "upload-mbps": { unit: "MB/s", label: "upload of one file (bench/upload.ts), default chunkBytes (512 KiB)" },
  "upload-cpu-mb": { unit: "ms/MB", label: "server CPU per MB uploaded, default chunkBytes" },
  "upload-mbps-1mib": { unit: "MB/s", label: "upload of one file, 1 MiB chunks" },
  "upload-cpu-mb-1mib": { unit: "ms/MB", label: "server CPU per MB uploaded, 1 MiB chunks" },
} as const;

export type Metric = keyof typeof METRICS;

/** Results of one or more runs, with the runs they come from. */
export class Results {
  readonly all: Result[] = [];
  /** The runs (commit, host, date) these figures come from; empty when not recorded. */
  provenance: Provenance[] = [];
  /** True when the runs are of different commits (merged with --mixed). */
  mixedCommits = false;

  add(system: string, transport: string, metric: Metric, value: number, extra: { runs?: number[]; note?: string; from?: Provenance[] } = {}): void {
    const r: Result = { system, transport, metric, value, unit: METRICS[metric].unit };
    if (extra.runs !== undefined && extra.runs.length > 1) r.runs = extra.runs;
    if (extra.note !== undefined) r.note = extra.note;
    if (extra.from !== undefined) r.from = extra.from;
    this.all.push(r);
  }

  get(system: string, transport: string, metric: Metric): Result | undefined {
    return this.all.find((r) => r.system === system && r.transport === transport && r.metric === metric);
  }
}

/** A results file as stored; files written before provenance was kept are a bare array. */
export interface ResultsFile {
  provenance: Provenance[];
  mixedCommits?: boolean;
  results: Result[];
}

/** Reads a results file (either form). */
export function readResults(file: string): Results {
  const raw = JSON.parse(readFileSync(file, "utf8")) as ResultsFile | Result[];
  const r = new Results();
  if (Array.isArray(raw)) {
    r.all.push(...raw);
  } else {
    r.all.push(...raw.results);
    r.provenance = raw.provenance ?? [];
    r.mixedCommits = raw.mixedCommits === true;
  }
  return r;
}

/** Writes results with their provenance, one figure a line. */
export function writeResults(file: string, r: Results): void {
  const head = `{\n"provenance": ${JSON.stringify(r.provenance)},\n${r.mixedCommits ? `"mixedCommits": true,\n` : ""}"results": [\n`;
  writeFileSync(file, `${head}${r.all.map((x) => JSON.stringify(x)).join(",\n")}\n]\n}\n`);
}
