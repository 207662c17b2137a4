import { defineView, html } from "../../../src/index.ts";

/** Most points the sparkline keeps. */
const MAX_POINTS = 30;

interface SparkState { points: number[]; rolls: number; last: number | null; threshold: number }

const next = (points: number[]): number[] => {
  const prev = points[points.length - 1] ?? 50;
  const value = Math.max(0, Math.min(100, Math.round(prev + (Math.random() - 0.5) * 30)));
  return [...points, value].slice(-MAX_POINTS);
};

/**
 * Client hooks: the Sparkline hook (examples/demo/layout.ts) draws an SVG
 * chart under weft-ignore from points the server pushes (ctx.pushEvent), and
 * its button asks the server for a die roll with this.pushEvent("roll"),
 * whose promise resolves with the handler's ctx.reply value. Every callback
 * has a use: the threshold travels as a data-* attribute of the hooked
 * element (beforeUpdate reads the old value, updated the new one and
 * redraws), destroyed stops the hook's "last point … ago" timer, and
 * disconnected/reconnected grey the chart and show "offline" while the link
 * is down.
 */
export const Hooks = defineView({
  title: "Hooks",
  mount: (_params, ctx): SparkState => {
    const points = next(next(next([])));
    ctx.pushEvent("points", points); // after the first render: the hook's initial data
    ctx.schedule("tick", null, 2000);
    return { points, rolls: 0, last: null, threshold: 50 };
  },
  events: {
    roll: (s, p, ctx) => {
      const sides = Math.min(100, Math.max(2, Number(p.sides) || 6));
      const n = 1 + Math.floor(Math.random() * sides);
      ctx.reply({ n, sides }); // the hook's pushEvent promise resolves with this
      return { ...s, rolls: s.rolls + 1, last: n };
    },
    threshold: (s, p) => ({ ...s, threshold: Math.min(90, Math.max(10, s.threshold + (Number(p.by) === -10 ? -10 : 10))) }),
  },
  info: {
    tick: (s, _p, ctx) => {
      const points = next(s.points);
      ctx.pushEvent("points", points);
      ctx.schedule("tick", null, 2000);
      return { ...s, points };
    },
  },
  render: (s) => html`
    <h1>Hooks</h1>
    <p>The chart below is drawn in the browser by a client hook (<code>weft-hook="Sparkline"</code>)
    from points the server pushes every two seconds; <code>weft-ignore</code> keeps its drawing
    through every patch. Its button sends an event with <code>this.pushEvent</code> and shows the
    value the handler answered with <code>ctx.reply</code>. The threshold (the dashed line) is a
    <code>data-threshold</code> attribute the server changes: <code>beforeUpdate</code> notes the old value,
    <code>updated</code> redraws. While the link is down (<code>disconnected</code>) the chart turns grey and
    says so, until <code>reconnected</code>; <code>destroyed</code> stops the hook's clock when you leave.</p>
    <div id="sparkline" weft-hook="Sparkline" weft-ignore data-threshold=${s.threshold}>
      <div class="spark" role="img" aria-label="Sparkline: waiting for data"></div>
      <p class="muted"><span class="age">no data yet</span> · <span class="threshold">threshold ${s.threshold}</span> <strong class="offline" hidden>offline</strong></p>
      <div class="row"><button type="button" class="secondary">Roll a die</button> <output aria-live="polite"></output></div>
    </div>
    <div class="row"><button type="button" class="secondary" weft-click="threshold" weft-value-by="-10">Lower the threshold</button>
    <button type="button" class="secondary" weft-click="threshold" weft-value-by="10">Raise the threshold</button></div>
    <p class="muted">Latest value: <span id="latest">${s.points[s.points.length - 1] ?? "–"}</span> · rolls so far: <span id="rolls">${s.rolls}</span>${s.last === null ? "" : html` (last ${s.last})`}</p>`,
});
