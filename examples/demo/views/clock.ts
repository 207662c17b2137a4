import { defineView, html } from "../../../src/index.ts";

const fmt = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** A clock pushed by the server every second: no browser event involved. */
export const Clock = defineView({
  title: "Clock",
  mount: (_params, ctx) => {
    ctx.schedule("tick", null, 1000);
    return { now: Date.now() };
  },
  info: {
    tick: (_s, _p, ctx) => {
      ctx.schedule("tick", null, 1000);
      return { now: Date.now() };
    },
  },
  render: (s) => html`
    <h1>Clock</h1>
    <p class="big mono" id="clock">${fmt(s.now)}</p>
    <p class="muted">UTC, pushed by the server once a second.</p>`,
});
