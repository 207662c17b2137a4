// Number formatting and markdown tables for the report, and the docs blocks they fill.
import { readFileSync, writeFileSync } from "node:fs";
import type { Result } from "../results.ts";

/** 1234567 → "1,234,567"; small values keep one decimal. */
export function num(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  const digits = Math.abs(x) >= 100 ? 0 : 1;
  return x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** A result as "median (min–max)" when it was repeated. */
export function withSpread(r: Result | undefined): string {
  if (r === undefined) return "–";
  if (r.runs === undefined || r.runs.length < 2) return num(r.value);
  return `${num(r.value)} (${num(Math.min(...r.runs))}–${num(Math.max(...r.runs))})`;
}

/** A markdown table, columns padded for the terminal. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

/**
 * Puts `block` (which starts with `start` and ends with `end`) in place of the
 * block between those markers in the file at `path`; the rest of the file is
 * left as it is. Throws when the markers are missing.
 *
 * @example
 * replaceBlock("docs/benchmarks.md", "<!-- bench:start -->", "<!-- bench:end -->", block);
 */
export function replaceBlock(path: string, start: string, end: string, block: string): void {
  const doc = readFileSync(path, "utf8");
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error(`docs/${path.split("/").pop()} has no ${start} … ${end} markers`);
  writeFileSync(path, doc.slice(0, a) + block + doc.slice(b + end.length));
}
