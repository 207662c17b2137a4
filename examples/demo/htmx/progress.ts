/**
 * Pattern 1, a background task reporting progress, two ways:
 * - the view's own task (ctx.startAsync): its progress is the view's state,
 *   and the changed `#job-bar` / `#job-badge` reach the page as OOB fragments
 *   over the view's socket;
 * - the Channels "group" way: the task broadcasts to topic `jobs:<id>`, and
 *   the page's second socket (/weft/htmx/topic/jobs%3A<id>) gets each
 *   broadcast rendered by the topic's `render` (progressTopic below).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { defineView, escapeHtml, html, renderToString, type AsyncReport, type AsyncReports, type Json, type Template, type HtmxTopic } from "../../../src/index.ts";
import { connLine, ERROR_SLOT, type HtmxPage } from "./page.ts";

/** Steps of a job; each takes the page's `?step=` ms (20–1000, default 300). */
const STEPS = 10;

const stepOf = (p: string | undefined): number => Math.min(1000, Math.max(20, Number.parseInt(p ?? "", 10) || 300));

/** A job id from the page's query: 1–32 letters and digits, else a fixed one. */
function jobOf(p: string | null | undefined): string {
  return typeof p === "string" && /^[a-z0-9]{1,32}$/i.test(p) ? p : "demo";
}

type State = { job: string; stepMs: number; async?: AsyncReports };

/** The job: STEPS pauses (stopped at once by the signal), calling `step(pct)` after each. */
async function run(stepMs: number, signal: AbortSignal, step: (pct: number) => void): Promise<Json> {
  for (let i = 1; i <= STEPS; i++) {
    await sleep(stepMs, undefined, { signal });
    step(Math.round((i * 100) / STEPS));
  }
  return { steps: STEPS };
}

const STATUS: Record<AsyncReport["status"] | "idle", string> = { idle: "idle", running: "running", ok: "done", failed: "failed", cancelled: "cancelled" };

/** The bar and the badge, with ids `${prefix}-bar` / `${prefix}-badge`; `oob` marks them for a topic message. */
function bar(prefix: string, pct: number, status: string, oob: boolean): Template {
  const swap = oob ? "true" : undefined;
  return html`<progress id=${`${prefix}-bar`} hx-swap-oob=${swap} max="100" value=${pct}>${pct}%</progress>
    <span id=${`${prefix}-badge`} hx-swap-oob=${swap} class="badge" role="status" data-status=${status}>${status}</span>`;
}

function viewParts(s: State): Template {
  const r = s.async?.job as AsyncReport | undefined;
  const pct = typeof r?.progress === "number" ? r.progress : r?.status === "ok" ? 100 : 0;
  return bar("job", pct, STATUS[r?.status ?? "idle"], false);
}

/** The htmx view of the page (at /hx/progress): the job's bar and badge. */
export const HxProgress = defineView<State>({
  title: "Progress (htmx)",
  mount: (params) => ({ job: jobOf(params.job), stepMs: stepOf(params.step) }),
  events: {
    // The view's own task: its progress is state, each change one small OOB message.
    start: (s, _p, ctx) => {
      ctx.startAsync("job", ({ signal, progress }) => run(s.stepMs, signal, progress), { timeoutMs: 60_000 });
    },
    // The group task: it broadcasts to jobs:<id>; every page on that topic's socket sees it.
    group: (s, _p, ctx) => {
      const topic = `jobs:${s.job}`;
      const report = (pct: number, status: string) => {
        remember(topic, pct, status);
        ctx.broadcast(topic, "progress", { pct, status });
      };
      report(0, "running");
      ctx.startAsync("group", ({ signal }) => run(s.stepMs, signal, (pct) => report(pct, pct === 100 ? "done" : "running")), { timeoutMs: 60_000 });
    },
  },
  render: viewParts,
});

/** The last progress of the group jobs this process ran, by topic (the most recent 200): a page that (re)connects starts from it. */
const lastProgress = new Map<string, { pct: number; status: string }>();

function remember(topic: string, pct: number, status: string): void {
  lastProgress.delete(topic);
  lastProgress.set(topic, { pct, status });
  if (lastProgress.size > 200) lastProgress.delete(lastProgress.keys().next().value!);
}

/**
 * The topic `jobs:*`: a broadcast `progress {pct, status}` becomes the group bar and badge, swapped out of band;
 * a page that connects gets the job's last progress (`current`).
 */
export const progressTopic: HtmxTopic = {
  current: (topic) => {
    const p = lastProgress.get(topic);
    return bar("group", p?.pct ?? 0, p?.status ?? "idle", true);
  },
  render: ({ name, payload }) => {
    const p = payload as { pct?: unknown; status?: unknown } | null;
    if (name !== "progress" || p === null || typeof p !== "object" || typeof p.pct !== "number" || !Number.isFinite(p.pct)) return undefined;
    const pct = Math.min(100, Math.max(0, Math.round(p.pct)));
    return bar("group", pct, p.status === "done" ? "done" : "running", true);
  },
};

export const progressPage: HtmxPage = {
  slug: "progress",
  title: "Background task progress",
  summary: "a task on the server moves a progress bar and a status badge by out-of-band swaps; also through a topic (a group)",
  body: ({ gen, token, query }) => {
    const step = stepOf(query.get("step") ?? undefined);
    // One job id per page load (or the page's ?job=): the group's topic.
    const job = query.has("job") ? jobOf(query.get("job")) : Math.random().toString(36).slice(2, 10);
    const viewUrl = `/weft/htmx/ws/hx/progress?job=${job}&step=${step}`;
    const topicUrl = `/weft/htmx/topic/${encodeURIComponent(`jobs:${job}`)}`;
    return `
<p class="muted">Start runs a task in the view (ctx.startAsync, ${STEPS} steps of ${step} ms). Only the bar and the badge travel,
as out-of-band fragments by id.</p>
<div class="panel" data-live="view" ${gen.ws(viewUrl, token, "attributes")}>
  <h2>The view's task</h2>
  ${connLine("view", "View socket")}
  <div class="row"><button id="start" name="start" type="button" ${gen.send}>Start</button>
  <button id="group" name="group" type="button" class="secondary" ${gen.send}>Start a group job</button></div>
  <p><label for="job-bar">Job progress</label><br>${renderToString(viewParts({ job, stepMs: step }))}</p>
  ${ERROR_SLOT}
</div>
<div class="panel" data-live="group" ${gen.ws(topicUrl, token, "attributes")}>
  <h2>The group <span class="mono">${escapeHtml(`jobs:${job}`)}</span></h2>
  ${connLine("group", "Topic socket")}
  <p class="muted">"Start a group job" runs a task that broadcasts each step to the topic; this socket gets the topic's rendering.</p>
  <p><label for="group-bar">Group job progress</label><br>${renderToString(bar("group", 0, "idle", false))}</p>
</div>`;
  },
};
