// Failover benchmark (not a test): how soon a page is interactive, and how
// soon the server's pushes flow, behind each proxy mode of
// test/support/proxy-modes.ts (a real nginx; the "cut" mode cuts long
// requests at 30 s). Each run opens /ticks in a fresh Chromium context (no
// remembered transport), clicks the counter at once, and watches for 3 s a
// view that the server pushes a tick to every 200 ms (the click goes in as
// soon as the client has loaded). Measured in the page
// from its navigation start: when the click shows applied, when the first
// pushed tick shows, and how many tick updates show within the first 3 s.
//
// Usage: npm run bench:failover [-- --runs 10] [--modes upgrade-dropped,cut]
//        [--prev DIR]   also run the same bench in DIR, a worktree of an older
//                       commit (its server and client), mode by mode before
//                       this tree's runs of the mode, and print both
//        [--json]       print only the results, as one JSON line
//        [--debug]      log the page's frames, print them for a run that fails
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchBrowser } from "../test/support/browser.ts";
import { proxyModes, startProxy } from "../test/support/proxy-modes.ts";
import { startTicksApp } from "../test/e2e/proxy-modes-views.ts";

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(arg("runs") ?? 10);
const JSON_ONLY = process.argv.includes("--json");
/** Log each run's frames and failed requests, and print them for a run that failed. */
const DEBUG = process.argv.includes("--debug");
const PREV = arg("prev");
const WATCH_MS = 3_000;
const only = arg("modes")?.split(",");
const modes = proxyModes(30).filter((m) => only === undefined || only.includes(m.name));

/** One mode's runs. */
interface ModeResult {
  mode: string;
  /** ms from navigation start, per run. */
  firstEvent: number[];
  firstTick: number[];
  /** Tick updates shown within the first 3 s, per run. */
  ticks3s: number[];
  /** The transport each run was on at 3 s. */
  endedOn: string[];
  /** Runs whose click was not applied (or no tick shown) within 30 s: what the page showed. */
  failed: string[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function measure(list = modes): Promise<ModeResult[]> {
  const { app, port } = await startTicksApp();
  const browser = await launchBrowser();
  const results: ModeResult[] = [];
  try {
    for (const mode of list) {
      const proxy = await startProxy(mode, port);
      const r: ModeResult = { mode: mode.name, firstEvent: [], firstTick: [], ticks3s: [], endedOn: [], failed: [] };
      try {
        for (let i = 0; i < RUNS; i++) await once(browser, proxy.base, r);
      } finally {
        await proxy.stop();
      }
      results.push(r);
      if (!JSON_ONLY) console.error(`  ${mode.name}: first event ${median(r.firstEvent).toFixed(0)} ms, first tick ${median(r.firstTick).toFixed(0)} ms, ticks in 3 s ${median(r.ticks3s)}`);
    }
  } finally {
    await browser.close();
    await app.close();
  }
  return results;
}

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Win = Window & { bench: { count: number; ticks: number[] }; weft?: { transport?: string } };

async function once(browser: Browser, base: string, r: ModeResult): Promise<void> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // Times (ms since navigation start) at which the count and the ticks changed in the DOM.
    await page.addInitScript(() => {
      const w = window as unknown as Win;
      w.bench = { count: -1, ticks: [] };
      let ticks: string | undefined;
      // The whole document is watched: a patch may replace the elements themselves.
      new MutationObserver(() => {
        const t = performance.now();
        if (w.bench.count < 0 && document.getElementById("count")?.textContent === "1") w.bench.count = t;
        const now = document.getElementById("ticks")?.textContent ?? undefined;
        if (ticks !== undefined && now !== ticks) w.bench.ticks.push(t);
        ticks = now;
      }).observe(document, { childList: true, characterData: true, subtree: true });
    });
    const log: string[] = [];
    if (DEBUG) {
      await page.addInitScript(() => ((window as unknown as { weftDebug: boolean }).weftDebug = true));
      page.on("console", (m) => log.push(`${m.type()} ${m.text()}`));
      page.on("requestfailed", (q) => log.push(`failed ${q.method()} ${q.url()} ${q.failure()?.errorText}`));
      page.on("response", (q) => q.status() >= 400 && log.push(`${q.status()} ${q.request().method()} ${q.url()}`));
    }
    await page.goto(`${base}/ticks`, { waitUntil: "commit" });
    // The click goes in as soon as the client is there (its script is deferred:
    // a click on the server-rendered button before it runs reaches no handler).
    await page.waitForFunction(() => (window as unknown as Win).weft !== undefined, undefined, { polling: 5 });
    await page.click("#inc");
    try {
      await page.waitForFunction(() => document.getElementById("count")?.textContent === "1", undefined, { timeout: 30_000 });
      await page.waitForFunction((ms) => performance.now() >= ms && (window as unknown as Win).bench.ticks.length > 0, WATCH_MS, { timeout: 30_000 });
    } catch {
      // A run that never got there is counted, with what the page showed, not dropped.
      const seen = await page.evaluate(() => [(window as unknown as Win).weft?.transport, document.getElementById("count")?.textContent, document.querySelector("[weft-view]")?.className]);
      r.failed.push(seen.join(" "));
      if (DEBUG) console.error(`${r.mode}: run failed (${seen.join(" ")})\n${log.join("\n")}`);
      return;
    }
    const b = await page.evaluate(() => ({ ...(window as unknown as Win).bench, on: (window as unknown as Win).weft?.transport ?? "" }));
    r.firstEvent.push(b.count);
    r.firstTick.push(b.ticks[0]!);
    r.ticks3s.push(b.ticks.filter((t) => t <= WATCH_MS).length);
    r.endedOn.push(b.on);
  } finally {
    await context.close();
  }
}

/** Runs this bench in `dir` (an older worktree): its server and client, these modes and this bench. */
function measureIn(dir: string, names: readonly string[]): ModeResult[] {
  const here = join(dirname(fileURLToPath(import.meta.url)), "..");
  for (const f of ["bench/failover.ts", "test/support/nginx.ts", "test/support/proxy-modes.ts", "test/e2e/proxy-modes-views.ts"]) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(here, f), join(dir, f));
  }
  const args = ["--import", "tsx", "bench/failover.ts", "--json", "--runs", String(RUNS), "--modes", names.join(",")];
  const out = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  if (out.status !== 0) throw new Error(`the bench in ${dir} failed (${out.status})`);
  return (JSON.parse(out.stdout.trim().split("\n").at(-1)!) as { failover: ModeResult[] }).failover;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const spread = (xs: number[]) => `${s(median(xs))} (${s(Math.min(...xs))}–${s(Math.max(...xs))})`;
const row = (r: ModeResult | undefined) =>
  r === undefined ? "– | – | –" : `${spread(r.firstEvent)} | ${spread(r.firstTick)} | ${median(r.ticks3s)} (${Math.min(...r.ticks3s)}–${Math.max(...r.ticks3s)}) | ${[...new Set(r.endedOn)].join(", ")}${r.failed.length ? `; ${r.failed.length} of ${RUNS} runs not done in 30 s` : ""}`;

if (JSON_ONLY) {
  console.log(JSON.stringify({ failover: await measure() }));
} else {
  // With --prev, mode by mode: the older tree's runs, then this tree's, so
  // that both see about the same load on a shared machine.
  const before: ModeResult[] | undefined = PREV === undefined ? undefined : [];
  const after: ModeResult[] = [];
  for (const mode of modes) {
    if (PREV !== undefined) {
      before!.push(...measureIn(PREV, [mode.name]));
      console.error(`  ${mode.name} in ${PREV}: ${JSON.stringify(before!.at(-1))}`);
    }
    after.push(...(await measure([mode])));
  }
  console.log(`\nmedian (min–max) of ${RUNS} runs, from navigation start; ticks pushed every 200 ms\n`);
  console.log("| proxy mode | | page load → first applied event | → first pushed tick shown | tick updates shown in the first 3 s | on at 3 s |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const m of modes) {
    const a = after.find((r) => r.mode === m.name);
    if (before !== undefined) console.log(`| ${m.name}: ${m.description} | before | ${row(before.find((r) => r.mode === m.name))} |`);
    console.log(`| ${before === undefined ? `${m.name}: ${m.description}` : ""} | ${before === undefined ? "" : "after"} | ${row(a)} |`);
  }
  console.log(JSON.stringify({ failover: after, ...(before && { before }) }));
}
