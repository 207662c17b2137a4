/**
 * The full hostile-input run (`npm run fuzz`): first 20,000 random template
 * call sites with hostile values, rendered in process and read back with an
 * HTML parser (test/fuzz/template-fuzz.ts); then at least 100,000 seeded inputs
 * across WebSocket, SSE and HTTP against one app with a victim on each
 * transport (test/fuzz/engine.ts). Prints the count per transport and kind and
 * the invariant results; exits 1 on any failure.
 *
 * Usage:
 *   npm run fuzz                                   # 100,000 inputs, a random seed (printed)
 *   npm run fuzz -- --runs 20000 --seed 42         # or FUZZ_RUNS=20000 FUZZ_SEED=42
 *   npm run fuzz -- --concurrency 32 --time-limit 900
 *   npm run fuzz -- --runs 0 --template-runs 5000   # templates only (or FUZZ_TEMPLATE_RUNS)
 */
import { runFuzz } from "../test/fuzz/engine.ts";
import { runTemplateFuzz } from "../test/fuzz/template-fuzz.ts";

interface Args {
  runs: number;
  templateRuns: number;
  seed: number;
  concurrency: number;
  timeLimitS: number;
}

function parseArgs(argv: readonly string[]): Args {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  };
  const num = (name: string, env: string | undefined, fallback: number): number => {
    const raw = flag(name) ?? env;
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) {
      console.error(`fuzz: --${name} must be a whole number, got "${raw}" (e.g. npm run fuzz -- --${name} 100000)`);
      process.exit(2);
    }
    return n;
  };
  return {
    runs: num("runs", process.env.FUZZ_RUNS, 100_000),
    templateRuns: num("template-runs", process.env.FUZZ_TEMPLATE_RUNS, 20_000),
    seed: num("seed", process.env.FUZZ_SEED, Math.floor(Math.random() * 2 ** 31)),
    concurrency: num("concurrency", process.env.FUZZ_CONCURRENCY, 16),
    timeLimitS: num("time-limit", process.env.FUZZ_TIME_LIMIT, 1_800),
  };
}

const args = parseArgs(process.argv.slice(2));
const templates = runTemplateFuzz({ runs: args.templateRuns, seed: args.seed, timeLimitMs: args.timeLimitS * 1000 });
console.log(templates.summary());
if (args.runs === 0) {
  console.log(templates.ok ? "fuzz: OK" : `fuzz: FAILED (seed ${args.seed}: rerun with --seed ${args.seed} --runs 0 --template-runs ${args.templateRuns})`);
  process.exit(templates.ok ? 0 : 1);
}
console.log(`fuzz: ${args.runs} inputs, seed ${args.seed}, ${args.concurrency} in flight, time limit ${args.timeLimitS} s`);
const report = await runFuzz({
  runs: args.runs,
  seed: args.seed,
  concurrency: args.concurrency,
  timeLimitMs: args.timeLimitS * 1000,
  log: (line) => console.log(`  ${line}; heap ${mib(process.memoryUsage().heapUsed)} MiB, rss ${mib(process.memoryUsage().rss)} MiB`),
});
console.log(report.summary());
const ok = report.ok && templates.ok;
console.log(ok ? "fuzz: OK" : `fuzz: FAILED (seed ${args.seed}: rerun with --seed ${args.seed} --runs ${args.runs} --template-runs ${args.templateRuns})`);
// Sockets a broken server leaves open must not keep the process alive.
process.exit(ok ? 0 : 1);

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}
