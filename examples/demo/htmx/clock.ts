/**
 * A view over SSE (/weft/htmx/sse/hx/clock): a read-only stream of the
 * view's OOB fragments, here a clock the view moves with ctx.schedule. Each
 * event has the id `<session>.<seq>`: when the stream drops, the browser
 * reconnects with it as Last-Event-ID and the same session goes on (the
 * messages it missed come from the stream's outbox) — the clock's "since"
 * stays, its tick count does not start again.
 */
import { defineView, html, renderToString, type Template } from "../../../src/index.ts";
import { connLine, type HtmxPage } from "./page.ts";

/** The tick, from the stream URL's `?tick=` in ms (50–5000, default 1000). */
const tickOf = (p: string | null | undefined): number => Math.min(5000, Math.max(50, Number.parseInt(p ?? "", 10) || 1000));

interface State {
  ms: number;
  ticks: number;
  /** When this session was mounted (UTC time of day) and a random tag of it: both the same after a resume. */
  since: string;
  session: string;
  now: string;
}

const time = () => new Date().toISOString().slice(11, 19);

function clock(s: State): Template {
  return html`<p id="clock" data-session=${s.session} data-ticks=${s.ticks}>It is <time>${s.now}</time> UTC. Tick ${s.ticks} of the session started at ${s.since}.</p>`;
}

/** The htmx view of the page (at /hx/clock). */
export const HxClock = defineView<State>({
  title: "Clock (htmx)",
  mount: (params, ctx) => {
    const ms = tickOf(params.tick);
    // Timers asked for in mount start when the stream joins.
    ctx.schedule("tick", null, ms);
    const now = time();
    return { ms, ticks: 0, since: now, session: Math.random().toString(36).slice(2, 10), now };
  },
  info: {
    tick: (s, _p, ctx) => {
      ctx.schedule("tick", null, s.ms);
      return { ...s, ticks: s.ticks + 1, now: time() };
    },
  },
  render: clock,
});

export const clockPage: HtmxPage = {
  slug: "clock",
  title: "A view over SSE",
  summary: "a view's fragments as a read-only event stream; a dropped stream resumes the same session (Last-Event-ID)",
  body: ({ gen, query }) => {
    const tick = tickOf(query.get("tick"));
    const now = time();
    return `
<p class="muted">No socket here: the view's changes come as server-sent events (${gen.n === 2 ? "sse-connect with sse-swap=\"message\"" : "hx-sse:connect"}),
each an out-of-band fragment with an id that a reconnect sends back.</p>
<div data-live="clock" ${gen.sse(`/weft/htmx/sse/hx/clock?tick=${tick}`)}>
  ${connLine("clock", "Clock stream")}
  ${renderToString(clock({ ms: tick, ticks: 0, since: now, session: "", now }))}
</div>`;
  },
};
