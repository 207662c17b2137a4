/**
 * axe-core in a Playwright page: inject its browser build once per page, run
 * every rule on the page as it is now, and fail with one readable block per
 * violation. Shared by the demo's accessibility e2e tests.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";

/** axe-core's browser build, injected into each page as a script. */
const AXE = readFileSync(join(dirname(createRequire(import.meta.url).resolve("axe-core")), "axe.min.js"), "utf8");

/** One axe violation as axe reports it (the fields printed). */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/** The violations, one readable block each: rule, impact, help, and each element with what fails. */
function describeViolations(what: string, vs: Violation[]): string {
  const out = [`${vs.length} accessibility violation(s) on ${what}:`];
  for (const v of vs) {
    out.push(`- ${v.id} (${v.impact ?? "?"}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes) out.push(`    at ${n.target.map(String).join(" ")}: ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`);
  }
  return out.join("\n");
}

/**
 * Runs axe on `page` as it is now and asserts that it finds nothing (`what`
 * names the page and state in the failure message).
 *
 * @example
 * await page.click("#send");
 * await expectNoAxeViolations(page, "/chat after a message");
 */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE });
  const vs = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ["violations"] })).violations;
  }) as Violation[];
  assert.equal(vs.length, 0, describeViolations(what, vs));
}
