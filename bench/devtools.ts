// Devtools benchmark (not a test): what the development part of the client
// (/weft/client-dev.js: the network wrappers of devtools/sim.ts, the wire log
// of devtools/wire.ts that parses every frame and dispatches `weft:frame`, the
// overlay of devtools/overlay.ts) costs a page. One counter view, served by two
// apps on loopback, development mode (the default) and `dev: false`, identical otherwise; real
// Chromium (playwright-core, the flags of test/support/browser.ts).
//
// A run: a fresh browser context on one configuration (transport forced with
// window.WEFT_TRANSPORT; dev or production; on WebSocket also dev with the
// overlay's panel open, Alt+Shift+W, which redraws per frame), 30 clicks to
// warm up, then N clicks one after another, each waiting for its update. The
// clicks are paced as a person's are: one per animation frame (the next click
// goes after a frame and a task have passed since the last update), so the
// panel draws once per click, not once per burst. Per click, in the page:
// performance.now() from the click's dispatch (`button.click()`) to the
// MutationObserver callback that sees the new count (the microtask checkpoint
// after the task that applied the diff, so the wire log's work on that frame
// is inside). Per run, from CDP (`Performance.getMetrics`): the page's
// main-thread ScriptDuration and TaskDuration over the N clicks, divided by N
// (the bench's own click loop is in both, the same in every configuration).
//
// Runs alternate: each round goes through every configuration, transport by
// transport with production and development side by side, and every other
// round in reverse order, so that drift on a shared machine falls on both.
// The round trips are pooled over the rounds (median, p90); the main-thread
// times are the median (min–max) of the rounds' runs.
//
// The apps lift the per-connection rate limit (100 messages/s, burst 200 by
// default), which back-to-back clicks would hit; nothing else differs from
// the defaults but `dev`.
//
// Usage: npm run bench:devtools                 300 clicks × 3 rounds per configuration;
//                                               writes bench/results-devtools.json
//        npm run bench:devtools -- --clicks 100 --rounds 2   (bounded: ≤ 2,000 and ≤ 10)
//        npm run bench:devtools -- --transports websocket    (a subset)
//        npm run bench:devtools -- --no-write   print only
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { Browser, CDPSession, Page } from "playwright-core";
import { forceTransport, launchBrowser } from "../test/support/browser.ts";
import { currentProvenance, provenanceLine } from "./side-by-side/provenance.ts";
import { median, pct, round } from "./side-by-side/stats.ts";
import { weft, WEFT_BUILD_LABEL } from "./weft-build.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
/** A whole number from the command line, within bounds (every loop of the bench is bounded). */
function bounded(name: string, fallback: number, max: number): number {
  const n = Number(arg(name) ?? fallback);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`bench:devtools: --${name} must be a whole number from 1 to ${max}, not ${arg(name)}`);
  return n;
}
const CLICKS = bounded("clicks", 300, 2_000);
const ROUNDS = bounded("rounds", 3, 10);
const WARMUP = 30;
/** No update this long after a click fails the run. */
const CLICK_TIMEOUT_MS = 10_000;
const WRITE = !process.argv.includes("--no-write");
const ALL = ["websocket", "sse", "http"] as const;
type Transport = (typeof ALL)[number];
const TRANSPORTS = (arg("transports")?.split(",") ?? ALL) as Transport[];
for (const t of TRANSPORTS) if (!ALL.includes(t)) throw new Error(`bench:devtools: unknown transport ${t} (websocket, sse, http)`);
const RESULTS = fileURLToPath(new URL("./results-devtools.json", import.meta.url));

/** One configuration of the page. */
interface Config {
  name: string;
  transport: Transport;
  dev: boolean;
  /** The overlay's panel open (dev only). */
  panel: boolean;
}

const CONFIGS: Config[] = TRANSPORTS.flatMap((transport): Config[] => [
  { name: `${transport} production`, transport, dev: false, panel: false },
  { name: `${transport} dev`, transport, dev: true, panel: false },
  ...(transport === "websocket" ? [{ name: `${transport} dev, panel open`, transport, dev: true, panel: true }] : []),
]);

/** What one run measured. */
interface Run {
  /** Round trip per click, ms. */
  rtts: number[];
  /** Main-thread script time per click, ms (CDP ScriptDuration). */
  scriptMs: number;
  /** Main-thread task time per click, ms (CDP TaskDuration: script, style, layout, paint…). */
  taskMs: number;
  /** Style and layout time per click, ms (CDP RecalcStyleDuration + LayoutDuration). */
  layoutMs: number;
  /** Wall time of the N clicks, s. */
  wallS: number;
}

const { createWeft, defineView, html } = weft;

/** The page: a count and a +1 button. */
const Counter = defineView<{ n: number }>({
  mount: () => ({ n: 0 }),
  events: { inc: (s) => ({ n: s.n + 1 }) },
  render: (s) => html`<p>count <b id="count">${s.n}</b></p> <button id="inc" weft-click="inc">+1</button>`,
});

const SECRET = "bench-devtools-secret-0123456789abcdef";
// Development mode as an app gets it by default (no `dev` option, NODE_ENV not "production"):
// an explicit `dev: true` would also start hot reload's file watcher, which is not the client's cost.
if (process.env.NODE_ENV === "production") throw new Error("bench:devtools: run it without NODE_ENV=production (the dev app takes the default)");
const app = (dev: boolean) =>
  createWeft({ views: { "/": Counter }, secret: SECRET, ...(dev ? {} : { dev: false }), rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } });

/**
 * The click loop, run in the page as plain JavaScript (a string: no compiler
 * helper may end up in it). Resolves with each click's round trip in ms.
 */
const CLICK_LOOP = `async (n, timeoutMs) => {
  const rtts = [];
  const count = () => Number(document.getElementById("count")?.textContent);
  for (let i = 0; i < n; i++) {
    // One click per animation frame, as a person clicks: a frame and a task pass between updates.
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    const want = count() + 1;
    let t1 = 0;
    let mo;
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => { mo.disconnect(); reject(new Error("no update " + timeoutMs + " ms after click " + i)); }, timeoutMs);
      mo = new MutationObserver(() => {
        if (count() < want) return;
        t1 = performance.now();
        mo.disconnect();
        clearTimeout(timer);
        resolve();
      });
      mo.observe(document.body, { childList: true, characterData: true, subtree: true });
    });
    const t0 = performance.now();
    document.getElementById("inc").click();
    await done;
    rtts.push(t1 - t0);
  }
  return rtts;
}`;

const clicks = (page: Page, n: number): Promise<number[]> => page.evaluate(`(${CLICK_LOOP})(${n}, ${CLICK_TIMEOUT_MS})`) as Promise<number[]>;

/** The page's main-thread metrics (CDP), in seconds. */
async function metrics(cdp: CDPSession): Promise<{ script: number; task: number; layout: number }> {
  const { metrics: m } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
  const get = (name: string) => m.find((x) => x.name === name)?.value ?? NaN;
  return { script: get("ScriptDuration"), task: get("TaskDuration"), layout: get("LayoutDuration") + get("RecalcStyleDuration") };
}

const pageErrors: string[] = [];

async function once(browser: Browser, base: string, c: Config): Promise<Run> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (e) => pageErrors.push(`${c.name}: ${String(e)}`));
    await forceTransport(page, c.transport);
    await page.goto(`${base}/`);
    await page.waitForSelector("[weft-view].weft-connected");
    // The page is what the configuration says: the development part linked or not, on the forced transport.
    const seen = await page.evaluate(() => ({
      dev: document.querySelector('script[src*="client-dev"]') !== null,
      overlay: document.querySelector("weft-devtools") !== null,
      transport: (window as unknown as { weft?: { transport?: string } }).weft?.transport,
    }));
    if (seen.dev !== c.dev || seen.overlay !== c.dev || seen.transport !== c.transport) throw new Error(`${c.name}: the page is not that configuration: ${JSON.stringify(seen)}`);
    if (c.panel) {
      await page.keyboard.press("Alt+Shift+W");
      await page.locator('weft-devtools [role="dialog"][aria-label="Weft devtools"]').waitFor({ state: "visible" });
    }
    await clicks(page, WARMUP);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const before = await metrics(cdp);
    const t0 = performance.now();
    const rtts = await clicks(page, CLICKS);
    const wallS = (performance.now() - t0) / 1000;
    const after = await metrics(cdp);
    const shown = Number(await page.textContent("#count"));
    if (shown !== WARMUP + CLICKS) throw new Error(`${c.name}: the page shows ${shown}, not ${WARMUP + CLICKS}`);
    return { rtts, scriptMs: ((after.script - before.script) * 1000) / CLICKS, taskMs: ((after.task - before.task) * 1000) / CLICKS, layoutMs: ((after.layout - before.layout) * 1000) / CLICKS, wallS };
  } finally {
    await context.close();
  }
}

const provenance = currentProvenance(`devtools ${CLICKS} clicks × ${ROUNDS} rounds${arg("transports") === undefined ? "" : ` --transports ${TRANSPORTS.join(",")}`}`);
const loadStart = loadavg().map((x) => round(x, 2));
const prod = app(false);
const dev = app(true);
const bases = {
  prod: `http://127.0.0.1:${(await prod.listen(0)).port}`,
  dev: `http://127.0.0.1:${(await dev.listen(0)).port}`,
};
// Each app builds or reads its client once: not inside a measured run.
for (const b of Object.values(bases)) await (await fetch(`${b}/weft/client.js`)).arrayBuffer();
const browser = await launchBrowser();
const runs = new Map<string, Run[]>(CONFIGS.map((c) => [c.name, []]));
const started = Date.now();
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of r % 2 === 0 ? CONFIGS : [...CONFIGS].reverse()) {
      const run = await once(browser, c.dev ? bases.dev : bases.prod, c);
      runs.get(c.name)!.push(run);
      console.error(`  round ${r + 1}/${ROUNDS} ${c.name}: rtt p50 ${median(run.rtts).toFixed(2)} ms, script ${run.scriptMs.toFixed(3)} ms/click, task ${run.taskMs.toFixed(3)} ms/click (style + layout ${run.layoutMs.toFixed(3)}), ${run.wallS.toFixed(1)} s`);
    }
  }
} finally {
  await browser.close();
  await prod.close();
  await dev.close();
}
if (pageErrors.length > 0) throw new Error(`page errors:\n${pageErrors.join("\n")}`);

/** One configuration's figures. */
interface Row {
  config: string;
  transport: Transport;
  dev: boolean;
  panel: boolean;
  clicks: number;
  rttMs: { p50: number; p90: number };
  scriptMsPerClick: { value: number; min: number; max: number };
  taskMsPerClick: { value: number; min: number; max: number };
  styleLayoutMsPerClick: { value: number; min: number; max: number };
}

const spreadOf = (xs: number[], digits: number) => ({ value: round(median(xs), digits), min: round(Math.min(...xs), digits), max: round(Math.max(...xs), digits) });
const rows: Row[] = CONFIGS.map((c) => {
  const rs = runs.get(c.name)!;
  const all = rs.flatMap((r) => r.rtts);
  return {
    config: c.name, transport: c.transport, dev: c.dev, panel: c.panel, clicks: all.length,
    rttMs: { p50: round(median(all), 2), p90: round(pct(all, 90), 2) },
    scriptMsPerClick: spreadOf(rs.map((r) => r.scriptMs), 3),
    taskMsPerClick: spreadOf(rs.map((r) => r.taskMs), 3),
    styleLayoutMsPerClick: spreadOf(rs.map((r) => r.layoutMs), 3),
  };
});

const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");
const fmtSpread = (s: { value: number; min: number; max: number }) => `${s.value.toFixed(3)} (${s.min.toFixed(3)}–${s.max.toFixed(3)})`;
const lines = [
  "| page | round trip p50 ms | p90 ms | main-thread script ms/click | task ms/click | of which style + layout | vs production: p50 · script · task |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map((r) => {
    const p = rows.find((x) => x.transport === r.transport && !x.dev)!;
    const vs = r.dev ? `${ratio(r.rttMs.p50, p.rttMs.p50)} · ${ratio(r.scriptMsPerClick.value, p.scriptMsPerClick.value)} · ${ratio(r.taskMsPerClick.value, p.taskMsPerClick.value)}` : "";
    return `| ${r.config} | ${r.rttMs.p50.toFixed(2)} | ${r.rttMs.p90.toFixed(2)} | ${fmtSpread(r.scriptMsPerClick)} | ${fmtSpread(r.taskMsPerClick)} | ${r.styleLayoutMsPerClick.value.toFixed(3)} | ${vs} |`;
  }),
];
const loadEnd = loadavg().map((x) => round(x, 2));
console.log(`\n${CLICKS} clicks × ${ROUNDS} rounds per page, one per animation frame; round trips pooled over the rounds, main-thread times median (min–max) of the rounds; ${WEFT_BUILD_LABEL}; ${round((Date.now() - started) / 1000, 0)} s\n`);
console.log(lines.join("\n"));
console.log(`\n${provenanceLine([provenance])} Load average ${loadStart.join(", ")} → ${loadEnd.join(", ")}.`);
if (WRITE) {
  writeFileSync(RESULTS, JSON.stringify({ provenance: [provenance], loadAverage: { start: loadStart, end: loadEnd }, clicks: CLICKS, rounds: ROUNDS, warmup: WARMUP, rows }, null, 2) + "\n");
  console.log("wrote bench/results-devtools.json");
}
