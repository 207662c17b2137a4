// The report's tables, built from the results alone (the console and
// docs/benchmarks.md show the same text).
import type { Results } from "../results.ts";
import { SYSTEMS } from "../systems.ts";
import { provenanceLine } from "../provenance.ts";
import { num, table, withSpread } from "./format.ts";
import { checkTargets, verdict } from "./targets.ts";

const LABEL: Record<string, string> = { floor: "floor (no framework)", weft: "Weft", "socket.io": "Socket.IO 4.8", liveviewjs: "LiveViewJS 0.8.1" };
const METRIC_LABEL: Record<string, string> = { "rt-p50": "RT p50", "rt-p99": "RT p99", "cpu-per-event": "CPU/event", "tput-1x100": "events/s 1×100", "tput-50x1": "events/s 50×1" };
const FLOOR_OF: Record<string, string> = { websocket: "websocket", "websocket+msgpack": "websocket", sse: "sse", http: "http", polling: "http" };
/**
 * Systems whose figures may live elsewhere in docs/benchmarks.md: a run with
 * none of their main-table figures shows this line under the table instead of
 * a row of dashes.
 */
const ELSEWHERE: Record<string, string> = {
  "weft websocket+msgpack": "Weft websocket+msgpack (the msgpack option) is not in these runs: its figures, measured beside Weft websocket in runs of their own, are in \"MessagePack beside JSON on WebSocket\" below.",
};
const MAIN_METRICS = ["rt-p50", "rt-p99", "cpu-per-event", "tput-1x100", "tput-50x1", "heap-per-session", "rss-per-session"] as const;

/** Round trip, CPU, throughput and memory, one row per system. */
export function mainTable(r: Results): string {
  // Heap figures measured with fewer sessions than the run's say so under the table.
  const notes = new Map<string, string>();
  const mark = (x: ReturnType<Results["get"]>): string => {
    if (x?.note === undefined || !/^[\d,]+ sessions: /.test(x.note)) return "";
    notes.set(`${LABEL[x.system] ?? x.system} ${x.transport}`, x.note);
    return " *";
  };
  const apart = apartMarks();
  const cell = (x: Figure): string => apart.mark(x, withSpread(x), METRIC_LABEL[x?.metric ?? ""] ?? x?.metric ?? "");
  const head = ["system", "transport", "RT p50 µs", "× floor", "RT p99 µs", "CPU/event µs", "events/s 1×100", "events/s 50×1", "busy", "heap/session B", "RSS/session B"];
  const absent = SYSTEMS.filter(({ system, transport }) => ELSEWHERE[`${system} ${transport}`] !== undefined && MAIN_METRICS.every((m) => r.get(system, transport, m) === undefined));
  const rows = SYSTEMS.filter((s) => !absent.includes(s)).map(({ system, transport }) => {
    const g = (m: Parameters<Results["get"]>[2]) => r.get(system, transport, m);
    const floor = r.get("floor", FLOOR_OF[transport]!, "rt-p50")?.value;
    const p50 = g("rt-p50")?.value;
    const x = system === "floor" || p50 === undefined || floor === undefined ? "" : `${(p50 / floor).toFixed(2)}×`;
    return [LABEL[system] ?? system, transport, cell(g("rt-p50")), x, cell(g("rt-p99")), cell(g("cpu-per-event")),
      cell(g("tput-1x100")), cell(g("tput-50x1")), g("tput-50x1-busy") === undefined ? "–" : `${g("tput-50x1-busy")!.value} %`, withSpread(g("heap-per-session")) + mark(g("heap-per-session")), withSpread(g("rss-per-session")) + mark(g("rss-per-session"))];
  });
  return table(head, rows) + [...notes].map(([who, note]) => `\n\n\\* ${who}: ${note}.`).join("") + apart.notes() +
    absent.map(({ system, transport }) => `\n\n${ELSEWHERE[`${system} ${transport}`]}`).join("");
}

type Figure = ReturnType<Results["get"]>;

/**
 * Marks figures measured apart from the rest of a table (patched in with their
 * own runs, `from`) with † and lists, under the table, whose they are and
 * the runs they come from, one note per `what` (a column; "" for the whole
 * table) and run: "† what, who, who: …". `who` defaults to the figure's system
 * and transport.
 */
function apartMarks(): { mark(x: Figure, text: string, what: string, who?: string): string; notes(): string } {
  const apart = new Map<string, { what: string; who: string[]; line: string }>();
  return {
    mark(x, text, what, who) {
      if (x?.from === undefined) return text;
      const line = provenanceLine(x.from);
      const key = `${what}|${line}`;
      const entry = apart.get(key) ?? { what, who: [], line };
      const name = who ?? `${LABEL[x.system] ?? x.system} ${x.transport}`;
      if (name !== "" && !entry.who.includes(name)) entry.who.push(name);
      apart.set(key, entry);
      return `${text} †`;
    },
    notes: () => [...apart.values()].map(({ what, who, line }) => `\n\n† ${[what, ...who].filter((w) => w !== "").join(", ")}: measured apart from the rest of the table (compare these with each other, not across). ${line}`).join(""),
  };
}

/** Bytes down per update: Weft per transport, beside Phoenix (computed) and LiveViewJS (measured). */
export function wireTable(r: Results): string {
  const cases = [
    ["bytes-counter", "counter increment"], ["bytes-table-cell", "1 cell of a 100-row table"], ["bytes-list-append", "1 item appended to 1,000"],
    ["bytes-keyed-delete", "first of 1,000 keyed items deleted"], ["bytes-keyed-move", "1 of 1,000 keyed items moved"],
  ] as const;
  const head = ["update", "Weft websocket", "Weft websocket+msgpack", "Weft sse", "Weft http", "Phoenix LiveView (computed)", "LiveViewJS (measured)"];
  const apart = apartMarks();
  const rows = cases.map(([m, label]) => [label, ...([["weft", "websocket"], ["weft", "websocket+msgpack"], ["weft", "sse"], ["weft", "http"], ["phoenix", "websocket"], ["liveviewjs", "websocket"]] as const)
    .map(([system, transport]) => { const x = r.get(system, transport, m); return apart.mark(x, num(x?.value), "", label); })]);
  return table(head, rows) + apart.notes();
}

export function bundleTable(r: Results): string {
  const apart = apartMarks();
  const rows = r.all.filter((x) => x.metric === "bundle-gzip").map((x) => {
    const min = r.get(x.system, x.transport, "bundle-min");
    const client = x.note ?? x.system;
    return [client, apart.mark(min, num(min?.value), "", client), apart.mark(x, num(x.value), "", client)];
  });
  return table(["client", "minified B", "min + gzip B"], rows) + apart.notes();
}

export function fanoutTable(r: Results): string {
  const last = r.get("weft", "websocket", "fanout-last");
  const p50 = r.get("weft", "websocket", "fanout-p50");
  return table(["setup", "last delivery ms", "p50 delivery ms"], [[last?.note ?? "–", withSpread(last), withSpread(p50)]]);
}

/** Upload of one file (bench/upload.ts): MB/s, against the busboy floor, and server CPU per MB, at the default chunk size and 1 MiB. */
export function uploadGroupTable(r: Results): string {
  const floor = r.get("floor", "multipart", "upload-mbps")?.value;
  const x = (v: number | undefined) => (v === undefined || floor === undefined || !(floor > 0) ? "" : `${(v / floor).toFixed(2)}×`);
  const rows = ([["floor", "multipart"], ["weft", "websocket"], ["weft", "sse"], ["weft", "http"]] as const).map(([system, transport]) => {
    const g = (m: Parameters<Results["get"]>[2]) => r.get(system, transport, m);
    const name = system === "floor" ? "floor: node:http + busboy" : "Weft";
    const big = system === "floor" ? ["–", "", "–"] : [withSpread(g("upload-mbps-1mib")), x(g("upload-mbps-1mib")?.value), withSpread(g("upload-cpu-mb-1mib"))];
    return [name, transport, withSpread(g("upload-mbps")), system === "floor" ? "" : x(g("upload-mbps")?.value), withSpread(g("upload-cpu-mb")), ...big];
  });
  return table(["system", "transport", "MB/s (default chunks, 512 KiB)", "× floor", "server CPU ms/MB", "MB/s (1 MiB chunks)", "× floor", "server CPU ms/MB"], rows);
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
