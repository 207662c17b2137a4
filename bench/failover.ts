// Failover benchmark (not a test): page load to the first applied event when a
// real nginx in front of the app does not forward WebSocket upgrades, so the
// client must fall back. Each run uses a fresh browser context (no remembered
// transport). Prints the median and spread of the runs.
// Usage: npm run bench:failover [-- --runs 20]
import { performance } from "node:perf_hooks";
import { createDemo } from "../examples/demo/app.ts";
import { launchBrowser } from "../test/support/browser.ts";
import { Nginx } from "../test/support/nginx.ts";

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const RUNS = arg("runs", 20);

// djust falls back to SSE after 5 failed WebSocket reconnects; its client waits
// max(0.5 s, random · min(1 s · 2^(k−1), 30 s)) before attempt k. Expected wait
// over 5 attempts: Σ (c² + 0.5²) / 2c for c = 1, 2, 4, 8, 16 s.
const DJUST_EXPECTED_S = [1, 2, 4, 8, 16].reduce((s, c) => s + (c * c + 0.25) / (2 * c), 0);

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

const app = createDemo({ secret: "bench-secret-0123456789abcdef", onError: () => {} });
const { port } = await app.listen(0);
const proxy = new Nginx(port, { upgrade: false });
const base = await proxy.start();
const browser = await launchBrowser();
const times: number[] = [];
const transports: string[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const t0 = performance.now();
    await page.goto(`${base}/counter`, { waitUntil: "commit" });
    await page.click("#inc");
    await page.waitForFunction(() => document.querySelector("#count")?.textContent === "1", undefined, { timeout: 30_000 });
    times.push(performance.now() - t0);
    transports.push(await page.evaluate(() => (window as unknown as { weft: { transport: string } }).weft.transport));
    await context.close();
  }
} finally {
  await browser.close();
  await proxy.stop();
  await app.close();
}
const used = [...new Set(transports)].join(", ");
console.log(`page load → first applied event, WebSocket blocked by nginx (${RUNS} runs, ended on: ${used})`);
console.log(`  median ${(pct(times, 50) / 1000).toFixed(3)} s, min ${(Math.min(...times) / 1000).toFixed(3)} s, p90 ${(pct(times, 90) / 1000).toFixed(3)} s, max ${(Math.max(...times) / 1000).toFixed(3)} s (target < 1.5 s)`);
console.log(`  djust's default waits ≈ ${DJUST_EXPECTED_S.toFixed(1)} s on average (2.5–31 s) for its 5 WebSocket reconnects before trying SSE`);
