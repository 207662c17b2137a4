/**
 * The package as a user gets it: `npm pack` of the repository (its prepack
 * builds dist/), then `npm install` of the tarball into fresh apps in a
 * temporary directory outside the repository, so that nothing resolves to the
 * repository's node_modules (no tsx, no esbuild, no TypeScript sources).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A command's outcome. */
export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment for child processes: no `npm_*` variables inherited from an
 * outer `npm test` (they would reconfigure the inner npm) and no NODE_OPTIONS
 * (a loader such as tsx must not help the app).
 */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith("npm_") && k !== "NODE_OPTIONS") env[k] = v;
  }
  return env;
}

/** Runs a command to completion (bounded by `timeoutMs`) and returns its output. */
export function run(cmd: string, args: readonly string[], cwd: string, timeoutMs = 180_000): RunResult {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? `\n${String(r.error)}` : "") };
}

/** Runs a command and throws with its output unless it exits 0. */
export function runOk(cmd: string, args: readonly string[], cwd: string, timeoutMs?: number): RunResult {
  const r = run(cmd, args, cwd, timeoutMs);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** One file of a packed tarball, as `npm pack --json` lists it. */
export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

/** Packs `repo` into `dest` (running its prepack, which builds dist/); returns the tarball and its file list. */
export function pack(repo: string, dest: string): { tarball: string; files: PackedFile[] } {
  const r = runOk("npm", ["pack", "--json", "--pack-destination", dest], repo, 300_000);
  // Lifecycle scripts (the build) print to stdout before npm's JSON.
  const json = r.stdout.slice(r.stdout.search(/^\[/m));
  const [info] = JSON.parse(json) as [{ filename: string; files: PackedFile[] }];
  return { tarball: join(dest, info.filename), files: info.files };
}

/** Creates `dir` with `files` (name → text) and installs `tarball` into it from the registry (cache first). */
export function installApp(dir: string, tarball: string, files: Record<string, string>, init?: "npm-init"): void {
  mkdirSync(dir, { recursive: true });
  if (init === "npm-init") runOk("npm", ["init", "-y"], dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  runOk("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], dir, 300_000);
}

/** A started `node <script>` that printed "listening <port>". */
export interface AppProcess {
  readonly base: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `node script` in `dir` (plain node: no loader) and waits (bounded) for its "listening <port>" line. */
export async function startApp(dir: string, script: string): Promise<AppProcess> {
  const proc: ChildProcess = spawn(process.execPath, [script], { cwd: dir, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr?.on("data", (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 20_000;
  let m: RegExpMatchArray | null;
  while ((m = out.match(/listening (\d+)/)) === null) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`node ${script} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base: `http://127.0.0.1:${m[1]}`,
    output: () => out,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
