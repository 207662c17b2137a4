// A hand-written SVG bar chart of one run: round trip p50, server CPU per
// event and 50-client throughput per system, each bar labelled with its
// figure and its ratio to the bare floor of the same transport.
import type { Metric, Results } from "../results.ts";
import { SYSTEMS } from "../systems.ts";
import { num } from "./format.ts";

const COLOR: Record<string, string> = { floor: "#8a9099", weft: "#2f6fdd", "socket.io": "#e0803a", liveviewjs: "#8a5cc2" };
const FLOOR_OF: Record<string, string> = { websocket: "websocket", sse: "sse", http: "http", polling: "http" };
const NAME: Record<string, string> = { floor: "floor", weft: "Weft", "socket.io": "Socket.IO", liveviewjs: "LiveViewJS" };

const W = 760;
const LABEL_W = 190;
const BAR_MAX = 400;
const ROW = 22;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

interface Panel {
  metric: Metric;
  title: string;
}

const PANELS: Panel[] = [
  { metric: "rt-p50", title: "Click → diff round trip, p50 (µs; lower is better)" },
  { metric: "cpu-per-event", title: "Server CPU per event (µs; lower is better)" },
  { metric: "tput-50x1", title: "Throughput, 50 clients × 1 in flight (events/s; higher is better)" },
];

function panel(r: Results, p: Panel, y0: number): { svg: string; height: number } {
  const rows = SYSTEMS.map((s) => ({ s, v: r.get(s.system, s.transport, p.metric)?.value, f: r.get("floor", FLOOR_OF[s.transport]!, p.metric)?.value }));
  // The axis ends at 4× the largest floor figure, so that one slow system does
  // not flatten the rest; a bar cut there ends in a notch.
  const floors = rows.filter((x) => x.s.system === "floor").map((x) => x.v ?? 0);
  const top = Math.max(1, ...rows.map((x) => x.v ?? 0));
  const max = Math.min(top, Math.max(1, 4 * Math.max(...floors, 0)) || top);
  const out = [`<text x="10" y="${y0 + 16}" class="h">${esc(p.title)}</text>`];
  rows.forEach(({ s, v, f }, i) => {
    const y = y0 + 28 + i * ROW;
    out.push(`<text x="10" y="${y + 14}" class="l">${esc(`${NAME[s.system]} · ${s.transport}`)}</text>`);
    if (v === undefined) {
      out.push(`<text x="${LABEL_W}" y="${y + 14}" class="v">not measured</text>`);
      return;
    }
    const cut = v > max;
    const w = Math.max(1, (Math.min(v, max) / max) * BAR_MAX);
    const ratio = s.system !== "floor" && f !== undefined && f > 0 ? ` · ${(v / f).toFixed(2)}× floor` : "";
    out.push(`<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 7}" fill="${COLOR[s.system]}"/>`);
    if (cut) out.push(`<path d="M${LABEL_W + w - 14} ${y + 3}l5 7.5-5 7.5h6l5-7.5-5-7.5z" fill="#fff"/>`);
    out.push(`<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + 14}" class="v">${esc(num(v) + ratio)}</text>`);
  });
  return { svg: out.join("\n"), height: 28 + rows.length * ROW + 14 };
}

/** The whole chart; `caption` (title, then a line on the machine) says which run it shows. */
export function chartSvg(r: Results, caption: readonly [string, string]): string {
  return stackedChart(W, caption, PANELS.map((p) => (y0: number) => panel(r, p, y0)));
}

/** One panel of a {@link stackedChart}: drawn with its top at `y0`, it says its height. */
export type ChartPanel = (y0: number) => { svg: string; height: number };

/**
 * An SVG `width` wide: `caption` (title, then a line on the machine) on top,
 * then the panels one under the other. The side-by-side chart and bench:scale's
 * share it, so that both look alike.
 */
export function stackedChart(width: number, caption: readonly [string, string], panels: readonly ChartPanel[]): string {
  const parts: string[] = [];
  let y = 50;
  for (const draw of panels) {
    const { svg, height } = draw(y);
    parts.push(svg);
    y += height;
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 6}" viewBox="0 0 ${width} ${y + 6}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    "<style>.t{font-size:15px;font-weight:600}.h{font-size:13px;font-weight:600}.l{font-size:12px;fill:#333}.v{font-size:11px;fill:#444}</style>",
    `<rect width="${width}" height="${y + 6}" fill="#fff"/>`,
    `<text x="10" y="22" class="t">${esc(caption[0])}</text>`,
    `<text x="10" y="40" class="v">${esc(caption[1])}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
