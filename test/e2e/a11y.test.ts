/**
 * axe-core on every page of the demo, in Chromium: no violation of its rules
 * (WCAG A and AA, best practices) once the view is live. The pages come from
 * the demo app's own routes (`createDemo().routes`), so a page added there
 * is checked without a change here; a route with parameters is visited at a
 * URL that some parameterless page links to (or one from SAMPLES).
 *
 * Over WebSocket only: the rules look at the DOM, which is the same on every
 * transport (the transports move frames, not markup).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo, type DemoApp } from "../../examples/demo/app.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";

const skip = browserSkipReason();
const T = { timeout: 60_000 };

/** axe-core's browser build, injected into each page as a script. */
const AXE = readFileSync(join(dirname(createRequire(import.meta.url).resolve("axe-core")), "axe.min.js"), "utf8");

/** A URL for a route with parameters that no parameterless page links to. */
const SAMPLES: Record<string, string> = {};

/** One axe violation as axe reports it (the fields printed). */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/** The violations, one readable block each: rule, impact, help, and each element with what fails. */
function describeViolations(url: string, vs: Violation[]): string {
  const out = [`${vs.length} accessibility violation(s) on ${url}:`];
  for (const v of vs) {
    out.push(`- ${v.id} (${v.impact ?? "?"}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes) out.push(`    at ${n.target.map(String).join(" ")}: ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`);
  }
  return out.join("\n");
}

/** Which path of `paths` matches `route` ("/projects/:id"). */
function concrete(route: string, paths: Iterable<string>): string | undefined {
  const re = new RegExp(`^${route.split("/").map((s) => (s.startsWith(":") ? "[^/?#]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`);
  for (const p of paths) if (re.test(p)) return p;
  return undefined;
}

// The app is made now, so that its routes name the tests.
const app: DemoApp = createDemo({ secret: "a11y-e2e-secret-0123456789abcdef", redis: undefined });
const plain = app.routes.filter((r) => !r.includes(":"));
const withParams = app.routes.filter((r) => r.includes(":"));

describe("the demo's pages under axe-core in Chromium (websocket)", { skip }, () => {
  let base = "";
  let browser: Browser;
  const pageErrors: string[] = [];
  /** Same-origin paths the parameterless pages link to. */
  const links = new Set<string>();

  before(async () => {
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
  });

  /** Opens `path`, notes the same-origin paths it links to, and asserts that axe finds nothing. */
  async function check(path: string): Promise<void> {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (e) => pageErrors.push(`${path}: ${String(e)}`));
    await forceTransport(page, "websocket");
    await page.goto(base + path);
    // Every view on the page is live (a page may hold several, or a child view).
    await page.waitForFunction(() => [...document.querySelectorAll("[weft-view]")].every((v) => v.classList.contains("weft-connected")));
    const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const h of hrefs) if (h.startsWith(base + "/")) links.add(new URL(h).pathname);
    await page.addScriptTag({ content: AXE });
    const vs = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ["violations"] })).violations;
    }) as Violation[];
    await page.close();
    assert.equal(vs.length, 0, describeViolations(path, vs));
  }

  for (const path of plain) {
    it(`has no violations on ${path}`, T, () => check(path));
  }

  for (const route of withParams) {
    it(`has no violations on ${route} (at a URL a page links to)`, T, async () => {
      const path = SAMPLES[route] ?? concrete(route, links);
      assert.ok(path !== undefined, `no parameterless demo page links to a URL of ${route}: add one to SAMPLES in test/e2e/a11y.test.ts`);
      await check(path);
    });
  }

  it("covers every route of the demo", () => {
    assert.ok(plain.length > 5 && plain.includes("/"), `the demo's routes: ${app.routes.join(", ")}`);
  });
});
