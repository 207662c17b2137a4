// htmx benchmark (not a test): what an htmx stream costs the server per event,
// next to the native client on the same view.
//  1. A view of ROWS keyed rows (`keyed()`, each `<li id="row-…">`); each event
//     changes one row. One Weft node runs in a child process (this file with
//     --server, IPC for its process.cpuUsage()); the load generator here drives
//     it over loopback, one event at a time (send, wait for the answer):
//       - htmx: a `ws` client on /weft/htmx/ws/rows sending htmx 2 ext-ws
//         frames (form fields + HEADERS), answered with out-of-band fragments;
//       - native: a `ws` client on /weft/ws (join, then `e` frames), answered
//         with a diff frame.
//     Prints the median of the server's CPU time per event over batches, and
//     the bytes of one update.
//  2. In process: parseFragments + changeMessage (what an htmx stream runs per
//     render, after rebuilding the page's HTML) at 200 / 1,000 / 5,000 rows.
// Usage: npm run bench:htmx [-- --events 3000 --batch 200 --rows 200] [--src]
// Weft comes from the built package (dist/) unless `--src` (bench/weft-build.ts).
import { fork } from "node:child_process";
import { createServer } from "node:http";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { median } from "./side-by-side/stats.ts";
import { WEFT_BUILD_LABEL, weft, weftModule } from "./weft-build.ts";

const { createWeft, defineView, html, keyed } = weft;

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const ROWS = arg("rows", 200);
const EVENTS = arg("events", 3000);
const BATCH = arg("batch", 200);
const SECRET = "bench-htmx-secret-0123456789abcdef";

interface Row {
  id: number;
  v: number;
}

/** ROWS keyed rows; `bump` changes the row `k`. */
const Rows = defineView<{ rows: Row[] }>({
  mount: () => ({ rows: Array.from({ length: ROWS }, (_, id) => ({ id, v: 0 })) }),
  events: {
    bump: (s, p: { k?: unknown }) => {
      const k = Number(p.k) % s.rows.length;
      return { rows: s.rows.map((r) => (r.id === k ? { id: r.id, v: r.v + 1 } : r)) };
    },
  },
  render: (s) => html`<main><h1>Rows</h1><ul id="rows">${keyed(s.rows, (r) => r.id, (r) => html`<li id=${`row-${r.id}`}>Row ${r.id}: <b>${r.v}</b></li>`)}</ul></main>`,
});

if (process.argv.includes("--server")) {
  // The node under measurement: the app, a page route that hands out the htmx cookie and token.
  const app = createWeft({
    views: { "/rows": Rows },
    secret: SECRET,
    htmx: { views: ["/rows"] },
    rateLimit: { perSecond: 1e9, burst: 1e9 },
    onError: (err, where) => console.error(`[server] ${where}:`, err),
  });
  const server = createServer((req, res) => {
    if (req.url === "/token") return void res.end(app.htmxToken(req, res));
    app.handler(req, res);
  }).on("upgrade", app.upgrade);
  server.listen(0, "127.0.0.1", () => {
    const address = server.address();
    process.send!({ ready: typeof address === "object" && address !== null ? address.port : 0 });
  });
  process.on("message", (m: { id: number; cmd: string }) => {
    if (m.cmd === "cpu") {
      const u = process.cpuUsage();
      process.send!({ id: m.id, us: u.user + u.system });
    } else if (m.cmd === "close") {
      void app.close().then(() => process.exit(0));
    }
  });
}

/** A server child: its port and its CPU time (µs) on request. */
async function startServer(): Promise<{ port: number; cpu(): Promise<number>; close(): Promise<void> }> {
  const file = fileURLToPath(import.meta.url);
  const args = ["--server", "--rows", String(ROWS), ...(process.argv.includes("--src") ? ["--src"] : [])];
  const proc = fork(file, args, { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once("message", (m: { ready?: number }) => resolve(m.ready ?? 0));
    proc.once("exit", (code) => reject(new Error(`server exited (${code})`)));
  });
  let next = 0;
  const ask = (cmd: string) =>
    new Promise<{ us: number }>((resolve) => {
      const id = ++next;
      const on = (m: { id?: number; us: number }) => {
        if (m.id !== id) return;
        proc.off("message", on);
        resolve(m);
      };
      proc.on("message", on);
      proc.send({ id, cmd });
    });
  return {
    port,
    cpu: async () => (await ask("cpu")).us,
    close: () =>
      new Promise<void>((resolve) => {
        proc.once("exit", () => resolve());
        proc.send({ id: 0, cmd: "close" });
      }),
  };
}

/** One socket: send a frame, wait for the next message it gets. */
function exchange(ws: WebSocket): (frame: string) => Promise<string> {
  return (frame) =>
    new Promise((resolve) => {
      ws.once("message", (d) => resolve(String(d)));
      ws.send(frame);
    });
}

const opened = (ws: WebSocket) =>
  new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
  });
const firstMessage = (ws: WebSocket) => new Promise<string>((resolve) => ws.once("message", (d) => resolve(String(d))));

/** Runs EVENTS events through `send` in batches, the server's CPU read around each batch: median µs per event, bytes of the last answer. */
async function measure(server: { cpu(): Promise<number> }, send: (k: number) => Promise<string>): Promise<{ us: number; bytes: number }> {
  let bytes = 0;
  // Warm-up: JIT, caches.
  for (let i = 0; i < Math.min(500, EVENTS); i++) bytes = Buffer.byteLength(await send(i));
  const perEvent: number[] = [];
  for (let done = 0; done < EVENTS; done += BATCH) {
    const before = await server.cpu();
    for (let i = 0; i < BATCH; i++) bytes = Buffer.byteLength(await send(done + i));
    perEvent.push((await server.cpu() - before) / BATCH);
  }
  return { us: median(perEvent), bytes };
}

async function overHtmx(server: { port: number; cpu(): Promise<number> }): Promise<{ us: number; bytes: number; full: number }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/token`);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  const token = await res.text();
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/weft/htmx/ws/rows`, { headers: { cookie } });
  const first = firstMessage(ws);
  await opened(ws);
  const full = Buffer.byteLength(await first);
  const send = exchange(ws);
  const headers = { "HX-Request": "true", "HX-Trigger": null, "HX-Trigger-Name": null, "HX-Target": null, "HX-Current-URL": `http://127.0.0.1:${server.port}/rows` };
  const r = await measure(server, (k) => send(JSON.stringify({ "weft-event": "bump", "weft-csrf": token, k: String(k % ROWS), HEADERS: headers })));
  ws.close();
  return { ...r, full };
}

async function overNative(server: { port: number; cpu(): Promise<number> }): Promise<{ us: number; bytes: number }> {
  const page = await (await fetch(`http://127.0.0.1:${server.port}/rows`)).text();
  const token = /weft-token="([^"]+)"/.exec(page)?.[1];
  if (token === undefined) throw new Error("no weft-token on the page");
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/weft/ws`);
  await opened(ws);
  const send = exchange(ws);
  await send(JSON.stringify({ t: "j", v: 1, d: { k: token } }));
  let r = 0;
  const out = await measure(server, (k) => send(`{"t":"e","v":1,"r":${++r},"e":"bump","d":{"k":"${k % ROWS}"}}`));
  ws.close();
  return out;
}

/** parseFragments + changeMessage for a page of `n` rows with one row changed: median µs over `reps`. */
async function parseAndDiff(n: number, reps: number): Promise<{ us: number; kb: number }> {
  const { parseFragments, changeMessage } = await weftModule<typeof import("../src/server/htmx/fragments.ts")>("server/htmx/fragments");
  const page = (changed: number, v: number) =>
    `<main><h1>Rows</h1><ul id="rows">${Array.from({ length: n }, (_, i) => `<li id="row-${i}">Row ${i}: <b>${i === changed ? v : 0}</b></li>`).join("")}</ul></main>`;
  let prev = parseFragments(page(-1, 0));
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const next = page(r % n, r + 1);
    const t0 = performance.now();
    const doc = parseFragments(next);
    changeMessage(prev, doc);
    times.push((performance.now() - t0) * 1000);
    prev = doc;
  }
  return { us: median(times.slice(Math.floor(reps / 5))), kb: Buffer.byteLength(page(-1, 0)) / 1024 };
}

async function main(): Promise<void> {
  console.log(WEFT_BUILD_LABEL);
  console.log(`node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const server = await startServer();
  try {
    const hx = await overHtmx(server);
    const native = await overNative(server);
    console.log(`${ROWS} keyed rows, one row changed per event, ${EVENTS} events in batches of ${BATCH} (median of batches):`);
    console.log(`  htmx WebSocket (htmx 2 frames): ${hx.us.toFixed(0)} µs server CPU/event, ${hx.bytes} B/update (full fragments on connect: ${hx.full} B)`);
    console.log(`  native WebSocket client:        ${native.us.toFixed(0)} µs server CPU/event, ${native.bytes} B/update`);
  } finally {
    await server.close();
  }
  console.log("parseFragments + changeMessage per render (one row changed):");
  for (const [n, reps] of [[200, 2000], [1000, 500], [5000, 100]] as const) {
    const r = await parseAndDiff(n, reps);
    console.log(`  ${String(n).padStart(5)} rows (${r.kb.toFixed(0)} KiB of HTML): ${(r.us / 1000).toFixed(2)} ms`);
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

if (!process.argv.includes("--server")) await main();
