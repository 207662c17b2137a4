// Number formatting and markdown tables for the report.
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
