// What an idle session holds (not a test): starts one system of the
// side-by-side benchmark (bench/side-by-side/servers/), takes a heap snapshot
// of the server after warm-up, connects N sessions, takes another, and prints
// the difference per session by V8 node type and constructor, largest first.
//
// Usage: npm run bench:heap -- [--system weft-ws] [--sessions 2000] [--top 25] [--keep DIR]
//   --keep DIR   leaves the two .heapsnapshot files there (open them in Chrome DevTools)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServerChild } from "./side-by-side/child.ts";
import type { BenchClient } from "./side-by-side/clients/types.ts";
import { SYSTEMS } from "./side-by-side/systems.ts";
import { WEFT_BUILD_LABEL } from "./weft-build.ts";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const system = arg("system", "weft-ws");
const sessions = Math.min(Math.max(Number(arg("sessions", "2000")) || 2000, 10), 20_000);
const top = Math.min(Math.max(Number(arg("top", "25")) || 25, 1), 200);
const keep = arg("keep", "");
const spec = SYSTEMS.find((s) => s.id === system);
if (spec === undefined) throw new Error(`--system: unknown ${system} (known: ${SYSTEMS.map((s) => s.id).join(", ")})`);

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per "type name" (strings, code and closures by type alone). */
function tally(file: string): Map<string, { bytes: number; count: number }> {
  const snap = JSON.parse(readFileSync(file, "utf8")) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [iType, iName, iSize, width] = [fields.indexOf("type"), fields.indexOf("name"), fields.indexOf("self_size"), fields.length];
  const out = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + iType]!]!;
    const byType = type === "string" || type === "concatenated string" || type === "sliced string" || type === "code" || type === "closure";
    const key = byType ? type : `${type} ${snap.strings[snap.nodes[i + iName]!]!.slice(0, 60)}`;
    const e = out.get(key) ?? { bytes: 0, count: 0 };
    e.bytes += snap.nodes[i + iSize]!;
    e.count++;
    out.set(key, e);
  }
  return out;
}

const dir = keep !== "" ? keep : mkdtempSync(join(tmpdir(), "weft-heap-"));
const server = await ServerChild.start(spec.script, spec.args);
const clients: BenchClient[] = [];
try {
  // Warm-up: the code paths of a session are compiled before the first snapshot.
  for (let i = 0; i < 50; i++) clients.push(await spec.connect(server.base));
  const before = await server.call<{ file: string }>("snapshot", { file: join(dir, `${system}-before.heapsnapshot`) }, 120_000);
  const m0 = await server.mem();
  let next = 0;
  const worker = async () => {
    while (next < sessions) {
      next++;
      clients.push(await spec.connect(server.base));
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  const m1 = await server.mem();
  const after = await server.call<{ file: string }>("snapshot", { file: join(dir, `${system}-after.heapsnapshot`) }, 120_000);
  const a = tally(before.file);
  const b = tally(after.file);
  const rows = [...b].map(([key, e]) => ({ key, bytes: (e.bytes - (a.get(key)?.bytes ?? 0)) / sessions, count: (e.count - (a.get(key)?.count ?? 0)) / sessions }));
  rows.sort((x, y) => y.bytes - x.bytes);
  const total = rows.reduce((n, r) => n + r.bytes, 0);
  if (spec.system === "weft") console.log(WEFT_BUILD_LABEL);
  console.log(`${system}: ${sessions} idle sessions; heapUsed ${Math.round((m1.heapUsed - m0.heapUsed) / sessions)} B/session; snapshot delta ${Math.round(total)} B/session\n`);
  console.log("   B/session  objects/session  V8 type and constructor");
  for (const r of rows.slice(0, top)) console.log(`${r.bytes.toFixed(1).padStart(12)}  ${r.count.toFixed(2).padStart(15)}  ${r.key}`);
  if (keep !== "") console.log(`\nsnapshots: ${before.file}, ${after.file}`);
} finally {
  for (const c of clients) c.close();
  await server.close();
  if (keep === "") rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
