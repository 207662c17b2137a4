/**
 * The template phase of the fuzzer: random call sites (template-sites.ts)
 * rendered in process with hostile values, each output read back with parse5
 * and held to the rules of docs/security.md §Escaping: a hostile value is
 * refused with a TypeError, or the page has exactly the elements, attributes
 * and comments a benign value gives (an attribute list may add bare names,
 * never on* or srcdoc), every URL is relative or of a safe scheme, and script
 * and style bodies are as the template wrote them.
 *
 * @example
 * const r = runTemplateFuzz({ runs: 5000, seed: 42, timeLimitMs: 60_000 });
 * console.log(r.summary());
 */
import fc from "fast-check";
import { html, type Template } from "../../src/index.ts";
import { renderToString } from "../../src/server/template/render-tree.ts";
import { elements, SAFE_SCHEMES, schemeOf, scriptBodies, shape, urlsIn, type ParsedElement } from "../support/html-tree.ts";
import { canaryValue, hostileValue, templateSite, type TemplateSite } from "./template-sites.ts";

/** What to run. */
export interface TemplateFuzzOptions {
  readonly runs: number;
  readonly seed: number;
  /** Stops drawing inputs after this long, ms. */
  readonly timeLimitMs: number;
}

/** One broken rule, with what reproduces it. */
export interface TemplateFailure {
  readonly index: number;
  readonly family: string;
  readonly statics: readonly string[];
  readonly value: unknown;
  readonly canary: string;
  readonly problem: string;
}

/** Counts and the first failures of a template run. */
export class TemplateFuzzReport {
  total = 0;
  rendered = 0;
  refused = 0;
  timedOut = false;
  ms = 0;
  readonly byFamily: Record<string, { rendered: number; refused: number }> = {};
  readonly failures: TemplateFailure[] = [];
  failureCount = 0;

  get ok(): boolean {
    return this.failureCount === 0 && !this.timedOut;
  }

  /** A few lines for the console. */
  summary(): string {
    const fam = Object.entries(this.byFamily).sort().map(([k, v]) => `    ${k}: ${v.rendered} rendered, ${v.refused} refused`);
    const fails = this.failures.map((f) => `    #${f.index} ${f.family}: ${f.problem}\n      statics ${JSON.stringify(f.statics)} value ${JSON.stringify(f.value)} canary ${JSON.stringify(f.canary)}`);
    return [
      `templates: ${this.total} inputs in ${(this.ms / 1000).toFixed(1)} s — ${this.rendered} rendered, ${this.refused} refused, ${this.failureCount} failures${this.timedOut ? " (time limit reached)" : ""}`,
      ...fam,
      ...(fails.length > 0 ? ["  first failures:", ...fails] : []),
    ].join("\n");
  }
}

const CHUNK = 500;
const KEEP_FAILURES = 20;

/** Runs `runs` generated inputs (or until the time limit) and returns the report. */
export function runTemplateFuzz(opts: TemplateFuzzOptions): TemplateFuzzReport {
  const report = new TemplateFuzzReport();
  const t0 = performance.now();
  const input = fc.tuple(templateSite, hostileValue, canaryValue);
  for (let done = 0, chunk = 0; done < opts.runs; chunk++) {
    if (performance.now() - t0 > opts.timeLimitMs) { report.timedOut = true; break; }
    const n = Math.min(CHUNK, opts.runs - done);
    for (const [site, value, canary] of fc.sample(input, { seed: opts.seed + chunk, numRuns: n })) {
      const problem = checkOne(site, value, canary, report);
      if (problem !== undefined) {
        report.failureCount++;
        if (report.failures.length < KEEP_FAILURES) report.failures.push({ index: done, family: site.family, statics: site.parts, value, canary, problem });
      }
      done++;
      report.total++;
    }
  }
  report.ms = performance.now() - t0;
  return report;
}

function call(site: TemplateSite, value: unknown, canary: string): Template {
  const strings = Object.assign([...site.parts], { raw: [...site.parts] }) as unknown as TemplateStringsArray;
  return html(strings, value as string, canary);
}

/** Checks one input; returns the broken rule, if any. */
function checkOne(site: TemplateSite, value: string | string[], canary: string, report: TemplateFuzzReport): string | undefined {
  const count = (report.byFamily[site.family] ??= { rendered: 0, refused: 0 });
  let benign: string | undefined;
  try { benign = renderToString(call(site, site.names ? "" : "a", "/ok")); } catch { /* a raw()-only position */ }
  let out: string;
  try {
    out = renderToString(call(site, value, canary));
  } catch (err) {
    if (!(err instanceof TypeError)) return `threw ${String(err)}`;
    report.refused++;
    count.refused++;
    return undefined;
  }
  report.rendered++;
  count.rendered++;
  if (benign === undefined) return `rendered where a benign value is refused: ${out}`;
  const got = elements(out);
  const want = elements(benign);
  const structure = site.names ? sameWithNames(got, want) : sameShape(out, benign);
  if (structure !== undefined) return `${structure}: ${out}`;
  for (const e of got) {
    for (const u of urlsIn(e)) {
      const scheme = schemeOf(u);
      if (scheme !== undefined && !SAFE_SCHEMES.has(scheme)) return `unsafe URL ${JSON.stringify(u)} in <${e.tag}>: ${out}`;
    }
  }
  if (JSON.stringify(scriptBodies(got)) !== JSON.stringify(scriptBodies(want))) return `script/style body changed: ${out}`;
  return undefined;
}

function sameShape(out: string, benign: string): string | undefined {
  const a = shape(out).join("\n");
  const b = shape(benign).join("\n");
  return a === b ? undefined : `structure differs from a benign value's (${JSON.stringify(b)})`;
}

/** An attribute list may add bare, non-script names; nothing else may change. */
function sameWithNames(got: readonly ParsedElement[], want: readonly ParsedElement[]): string | undefined {
  if (got.map((e) => e.tag).join() !== want.map((e) => e.tag).join()) return "elements differ from a benign value's";
  for (let i = 0; i < got.length; i++) {
    const known = new Set(want[i]!.attrs.map((a) => a.name));
    for (const a of got[i]!.attrs) {
      if (known.has(a.name)) continue;
      if (a.value !== "" || a.name.startsWith("on") || a.name === "srcdoc") return `attribute ${a.name}=${JSON.stringify(a.value)} added`;
    }
  }
  return undefined;
}
