// The child side of a benchmark server: starts one system on loopback and
// answers the load generator's commands over IPC.
//   in:  { id, cmd: "cpu" | "mem" | "stats" | "snapshot" | "close" }
//   out: { ready: port } once listening, { failed: message } if it cannot start,
//        { id, ... } answering each command.
// `mem` forces garbage collection (the child runs with --expose-gc) before it
// reads heapUsed and RSS.

/** A system serving on loopback. */
export interface Running {
  readonly port: number;
  close(): Promise<void>;
  stats?(): Record<string, unknown>;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function settledMemory(): Promise<{ heapUsed: number; rss: number }> {
  if (gc === undefined) throw new Error("run the server with --expose-gc");
  // Several rounds: weak callbacks and finalizers free more on the next pass.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

export async function serve(start: () => Promise<Running>): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) {
    console.error("this is a benchmark server: bench/run.ts starts it (it needs an IPC channel)");
    process.exit(2);
  }
  // The load generator went away: do not outlive it.
  process.on("disconnect", () => process.exit(1));
  let running: Running;
  try {
    running = await start();
  } catch (err) {
    send({ failed: String((err as Error)?.stack ?? err) });
    setTimeout(() => process.exit(1), 50);
    return;
  }
  let closing = false;
  process.on("message", (raw) => {
    const m = raw as { id: number; cmd: string };
    const answer = (x: Record<string, unknown>) => send({ id: m.id, ...x });
    switch (m.cmd) {
      case "cpu": {
        const u = process.cpuUsage();
        return answer({ cpu: u.user + u.system });
      }
      case "mem":
        return void settledMemory().then(answer, (err: unknown) => answer({ error: String(err) }));
      case "stats":
        return answer(running.stats?.() ?? {});
      case "snapshot":
        // A heap snapshot after forced GCs, for finding what a session holds.
        return void settledMemory().then(async () => {
          const { writeHeapSnapshot } = await import("node:v8");
          answer({ file: writeHeapSnapshot((m as { file?: string }).file) });
        }, (err: unknown) => answer({ error: String(err) }));
      case "close":
        if (closing) return;
        closing = true;
        return void Promise.race([running.close(), new Promise((r) => setTimeout(r, 1_000))]).finally(() => {
          answer({ closed: true });
          setTimeout(() => process.exit(0), 20);
        });
    }
  });
  send({ ready: running.port });
}
