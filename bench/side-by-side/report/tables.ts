// The report's tables, built from the results alone (the console and
// docs/benchmarks.md show the same text).
import type { Results } from "../results.ts";
import { SYSTEMS } from "../systems.ts";
import { num, table, withSpread } from "./format.ts";
import { checkTargets, verdict } from "./targets.ts";

const LABEL: Record<string, string> = { floor: "floor (no framework)", weft: "Weft", "socket.io": "Socket.IO 4.8", liveviewjs: "LiveViewJS 0.8.1" };
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
  const head = ["system", "transport", "RT p50 µs", "× floor", "RT p99 µs", "CPU/event µs", "events/s 1×100", "events/s 50×1", "busy", "heap/session B", "RSS/session B"];
  const rows = SYSTEMS.map(({ system, transport }) => {
    const g = (m: Parameters<Results["get"]>[2]) => r.get(system, transport, m);
    const floor = r.get("floor", FLOOR_OF[transport]!, "rt-p50")?.value;
    const p50 = g("rt-p50")?.value;
    const x = system === "floor" || p50 === undefined || floor === undefined ? "" : `${(p50 / floor).toFixed(2)}×`;
    return [LABEL[system] ?? system, transport, withSpread(g("rt-p50")), x, withSpread(g("rt-p99")), withSpread(g("cpu-per-event")),
      withSpread(g("tput-1x100")), withSpread(g("tput-50x1")), g("tput-50x1-busy") === undefined ? "–" : `${g("tput-50x1-busy")!.value} %`, withSpread(g("heap-per-session")) + mark(g("heap-per-session")), withSpread(g("rss-per-session")) + mark(g("rss-per-session"))];
  });
  return table(head, rows) + [...notes].map(([who, note]) => `\n\n\\* ${who}: ${note}.`).join("");
}

/** Bytes down per update: Weft per transport, beside Phoenix (computed) and LiveViewJS (measured). */
export function wireTable(r: Results): string {
  const cases = [["bytes-counter", "counter increment"], ["bytes-table-cell", "1 cell of a 100-row table"], ["bytes-list-append", "1 item appended to 1,000"]] as const;
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
