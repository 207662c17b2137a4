/** Views shared by the integration tests. */
import { defineView, html } from "../../src/index.ts";

export let counterMounts = 0;

export const Counter = defineView({
  mount: (params) => {
    counterMounts++;
    return { count: Number(params.start ?? 0) };
  },
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    add: (s, p) => ({ count: s.count + Number(p.by ?? 1) }),
    slow: async (s) => {
      await new Promise((r) => setTimeout(r, 30));
      return { count: s.count + 100 };
    },
    same: (s) => s,
    boom: () => {
      throw new Error("handler exploded");
    },
    push: (s, _p, ctx) => {
      ctx.pushEvent("hello", { n: s.count });
    },
  },
  render: (s) => html`<div><p>Count: <b>${s.count}</b></p><button weft-click="inc">+</button></div>`,
});

export const Ticker = defineView({
  mount: (_p, ctx) => {
    ctx.schedule("tick", null, 20);
    return { ticks: 0 };
  },
  info: {
    tick: (s, _p, ctx) => {
      if (s.ticks < 1000) ctx.schedule("tick", null, 20);
      return { ticks: s.ticks + 1 };
    },
  },
  render: (s) => html`<span>${s.ticks}</span>`,
});

export const Items = defineView({
  mount: () => ({ items: ["a", "b"] as string[] }),
  events: {
    add: (s, p) => ({ items: [...s.items, String(p.text)] }),
  },
  render: (s) => html`<ul>${s.items.map((i) => html`<li>${i}</li>`)}</ul>`,
});

export const BadRender = defineView({
  mount: () => ({ n: 0, broken: false }),
  events: { breakIt: (s) => ({ ...s, broken: true }) },
  render: (s) => {
    if (s.broken) throw new Error("render exploded");
    return html`<i>${s.n}</i>`;
  },
});
