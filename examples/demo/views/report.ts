import { setTimeout as sleep } from "node:timers/promises";
import { defineView, html, type AsyncReport, type AsyncReports } from "../../../src/index.ts";

/** The report's steps; each takes `stepMs` (the page's `?step=` in ms, 20–1000; default 250). */
const STEPS = 20;

type State = { count: number; stepMs: number; runs: string[]; async?: AsyncReports };
type Result = { rows: number; total: number };

const stepOf = (p: string | undefined): number => Math.min(1000, Math.max(20, Number.parseInt(p ?? "", 10) || 250));

/**
 * Builds the "report": STEPS pauses that stop at once when the task is
 * cancelled (the signal aborts the pause), a progress report after each.
 */
async function build(stepMs: number, { signal, progress }: { signal: AbortSignal; progress: (v: number) => void }): Promise<Result> {
  let total = 0;
  for (let i = 1; i <= STEPS; i++) {
    await sleep(stepMs, undefined, { signal });
    total += i * 37;
    progress(Math.round((i * 100) / STEPS));
  }
  return { rows: STEPS * 50, total };
}

const said: Record<AsyncReport["status"], string> = {
  running: "Running…",
  ok: "Done.",
  failed: "Failed.",
  cancelled: "Cancelled.",
};

/**
 * Run report: background work with ctx.startAsync. The report runs beside
 * the view's queue — the counter keeps answering while it runs — and its
 * progress (the bar) and result reach the page as state (`state.async.report`);
 * Cancel aborts it through its signal, and the status says so at once.
 */
export const Report = defineView<State>({
  title: "Run report",
  mount: (params) => ({ count: 0, stepMs: stepOf(params.step), runs: [] }),
  events: {
    start: (s, _p, ctx) => {
      ctx.startAsync("report", (task) => build(s.stepMs, task), { timeoutMs: 60_000 });
    },
    cancel: (_s, _p, ctx) => {
      ctx.cancelAsync("report");
    },
    inc: (s) => ({ ...s, count: s.count + 1 }),
  },
  info: {
    // Called once per run, when it ends (ok, failed or cancelled): the last five outcomes.
    report: (s, r) => {
      const report = r as AsyncReport<Result>;
      const line = report.status === "ok" ? `${report.result?.rows} rows` : `${report.status} at ${report.progress ?? 0}%`;
      return { ...s, runs: [line, ...s.runs].slice(0, 5) };
    },
  },
  render: (s) => {
    const r = s.async?.report as AsyncReport<Result> | undefined;
    const running = r?.status === "running";
    const pct = typeof r?.progress === "number" ? r.progress : 0;
    return html`
    <h1>Run report</h1>
    <p class="muted">The report runs on the server in the background (${STEPS} steps of ${s.stepMs} ms). Its progress
      and result come to this page as state; Cancel stops it.</p>
    <div class="row">
      ${running
        ? html`<button id="start" weft-click="start" disabled>Start report</button><button id="cancel" class="secondary" weft-click="cancel">Cancel</button>`
        : html`<button id="start" weft-click="start">${r === undefined ? "Start report" : "Run again"}</button><button id="cancel" class="secondary" weft-click="cancel" disabled>Cancel</button>`}
    </div>
    <p><label for="report-progress">Report progress</label><br>
      <progress id="report-progress" max="100" value=${pct}>${pct}%</progress> <span id="report-pct">${pct}%</span></p>
    <p id="report-status" role="status" data-status=${r?.status ?? "idle"}>${r === undefined ? "Not started." : said[r.status]}${r?.status === "failed" ? ` (${r.error})` : ""}</p>
    ${r?.status === "ok" && r.result !== null ? html`<p id="report-result">${r.result.rows} rows, total ${r.result.total}.</p>` : ""}
    ${s.runs.length > 0 ? html`<h2>Past runs</h2><ol id="runs">${s.runs.map((line) => html`<li>${line}</li>`)}</ol>` : ""}
    <h2>Meanwhile</h2>
    <p>The view keeps answering while the report runs:</p>
    <button id="tally" weft-click="inc" class="secondary">Clicked <span id="count">${s.count}</span> times</button>`;
  },
});
