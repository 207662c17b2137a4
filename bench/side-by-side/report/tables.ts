// The report's tables, built from the results alone (the console and
// docs/benchmarks.md show the same text).
import type { Results } from "../results.ts";
import { SYSTEMS } from "../systems.ts";
import { provenanceLine } from "../provenance.ts";
import { num, table, withSpread } from "./format.ts";
import { checkTargets, verdict } from "./targets.ts";

const LABEL: Record<string, string> = { floor: "floor (no framework)", weft: "Weft", "socket.io": "Socket.IO 4.8", liveviewjs: "LiveViewJS 0.8.1" };
const METRIC_LABEL: Record<string, string> = { "rt-p50": "RT p50", "rt-p99": "RT p99", "cpu-per-event": "CPU/event", "tput-1x100": "events/s 1×100", "tput-50x1": "events/s 50×1" };
const FLOOR_OF: Record<string, string> = { websocket: "websocket", sse: "sse", http: "http", polling: "http" };

/** Round trip, CPU, throughput and memory, one row per system. */
export function mainTable(r: Results): string {
  // Heap figures measured with fewer sessions than the run's say so under the table.
  const notes = new Map<string, string>();
  const mark = (x: ReturnType<Results["get"]>): string => {
    if (x?.note === undefined || !/^[\d,]+ sessions: /.test(x.note)) return "";
    notes.set(`${LABEL[x.system] ?? x.system} ${x.transport}`, x.note);
    return " *";
  };
  // Figures measured apart from the rest (patched in with their own runs) are marked † and listed.
  const apart = new Map<string, { who: string[]; line: string }>();
  const cell = (x: ReturnType<Results["get"]>): string => {
    if (x?.from === undefined) return withSpread(x);
    const line = provenanceLine(x.from);
    const key = `${METRIC_LABEL[x.metric] ?? x.metric}|${line}`;
    const entry = apart.get(key) ?? { who: [], line };
    entry.who.push(`${LABEL[x.system] ?? x.system} ${x.transport}`);
    apart.set(key, entry);
    return `${withSpread(x)} †`;
  };
  const head = ["system", "transport", "RT p50 µs", "× floor", "RT p99 µs", "CPU/event µs", "events/s 1×100", "events/s 50×1", "busy", "heap/session B", "RSS/session B"];
  const rows = SYSTEMS.map(({ system, transport }) => {
    const g = (m: Parameters<Results["get"]>[2]) => r.get(system, transport, m);
    const floor = r.get("floor", FLOOR_OF[transport]!, "rt-p50")?.value;
    const p50 = g("rt-p50")?.value;
    const x = system === "floor" || p50 === undefined || floor === undefined ? "" : `${(p50 / floor).toFixed(2)}×`;
    return [LABEL[system] ?? system, transport, cell(g("rt-p50")), x, cell(g("rt-p99")), cell(g("cpu-per-event")),
      cell(g("tput-1x100")), cell(g("tput-50x1")), g("tput-50x1-busy") === undefined ? "–" : `${g("tput-50x1-busy")!.value} %`, withSpread(g("heap-per-session")) + mark(g("heap-per-session")), withSpread(g("rss-per-session")) + mark(g("rss-per-session"))];
  });
  return table(head, rows) + [...notes].map(([who, note]) => `\n\n\\* ${who}: ${note}.`).join("") +
    [...apart].map(([key, { who, line }]) => `\n\n† ${key.split("|")[0]}, ${who.join(", ")}: measured apart from the rest of the table (compare these with each other, not across). ${line}`).join("");
}

/** Bytes down per update: Weft per transport, beside Phoenix (computed) and LiveViewJS (measured). */
export function wireTable(r: Results): string {
  const cases = [
    ["bytes-counter", "counter increment"], ["bytes-table-cell", "1 cell of a 100-row table"], ["bytes-list-append", "1 item appended to 1,000"],
    ["bytes-keyed-delete", "first of 1,000 keyed items deleted"], ["bytes-keyed-move", "1 of 1,000 keyed items moved"],
  ] as const;
  const head = ["update", "Weft websocket", "Weft sse", "Weft http", "Phoenix LiveView (computed)", "LiveViewJS (measured)"];
  const rows = cases.map(([m, label]) => [label,
    num(r.get("weft", "websocket", m)?.value), num(r.get("weft", "sse", m)?.value), num(r.get("weft", "http", m)?.value),
    num(r.get("phoenix", "websocket", m)?.value), num(r.get("liveviewjs", "websocket", m)?.value)]);
  return table(head, rows);
}

export function bundleTable(r: Results): string {
  const rows = r.all.filter((x) => x.metric === "bundle-gzip").map((x) => [x.note ?? x.system, num(r.get(x.system, x.transport, "bundle-min")?.value), num(x.value)]);
  return table(["client", "minified B", "min + gzip B"], rows);
}

export function fanoutTable(r: Results): string {
  const last = r.get("weft", "websocket", "fanout-last");
  const p50 = r.get("weft", "websocket", "fanout-p50");
  return table(["setup", "last delivery ms", "p50 delivery ms"], [[last?.note ?? "–", withSpread(last), withSpread(p50)]]);
}

/** Two decimals, or three where two would round onto the bound and hide the verdict (0.7455 is not 0.75). */
function ratioText(ratio: number, bound: number | undefined): string {
  const two = ratio.toFixed(2);
  return bound !== undefined && Number(two) === bound && ratio !== bound ? ratio.toFixed(3) : two;
}

export function targetsTable(r: Results): string {
  const rows = checkTargets(r).map((c) => [c.target, c.figures, c.ratio === undefined ? "" : `${ratioText(c.ratio, c.bound)}×`, c.limit, verdict(c)]);
  return table(["target (issue 6)", "Weft vs reference", "ratio", "bound", "verdict"], rows);
}
