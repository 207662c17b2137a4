import { defineView, html } from "../../../src/index.ts";

/** Most points the sparkline keeps. */
const MAX_POINTS = 30;

interface SparkState { points: number[]; rolls: number; last: number | null }

const next = (points: number[]): number[] => {
  const prev = points[points.length - 1] ?? 50;
  const value = Math.max(0, Math.min(100, Math.round(prev + (Math.random() - 0.5) * 30)));
  return [...points, value].slice(-MAX_POINTS);
};

/**
 * Client hooks: the Sparkline hook (examples/demo/layout.ts) draws an SVG
 * chart under weft-ignore from points the server pushes (ctx.pushEvent), and
 * its button asks the server for a die roll with this.pushEvent("roll"),
 * whose promise resolves with the handler's ctx.reply value.
 */
export const Hooks = defineView({
  title: "Hooks",
  mount: (_params, ctx): SparkState => {
    const points = next(next(next([])));
    ctx.pushEvent("points", points); // after the first render: the hook's initial data
    ctx.schedule("tick", null, 2000);
    return { points, rolls: 0, last: null };
  },
  events: {
    roll: (s, p, ctx) => {
      const sides = Math.min(100, Math.max(2, Number(p.sides) || 6));
      const n = 1 + Math.floor(Math.random() * sides);
      ctx.reply({ n, sides }); // the hook's pushEvent promise resolves with this
      return { ...s, rolls: s.rolls + 1, last: n };
    },
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
    value the handler answered with <code>ctx.reply</code>.</p>
    <div id="sparkline" weft-hook="Sparkline" weft-ignore>
      <div class="spark" role="img" aria-label="Sparkline: waiting for data"></div>
      <div class="row"><button type="button" class="secondary">Roll a die</button> <output aria-live="polite"></output></div>
    </div>
    <p class="muted">Latest value: <span id="latest">${s.points[s.points.length - 1] ?? "–"}</span> · rolls so far: <span id="rolls">${s.rolls}</span>${s.last === null ? "" : html` (last ${s.last})`}</p>`,
});
