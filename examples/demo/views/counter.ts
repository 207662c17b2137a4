import { defineView, html } from "../../../src/index.ts";

/** A counter: the smallest live view. */
export const Counter = defineView({
  title: "Counter",
  mount: (params) => ({ count: Number.parseInt(params.start ?? "0", 10) || 0 }),
  events: {
    inc: (s) => ({ count: s.count + 1 }),
    dec: (s) => ({ count: s.count - 1 }),
    reset: () => ({ count: 0 }),
  },
  render: (s) => html`
    <h1>Counter</h1>
    <p class="big" id="count">${s.count}</p>
    <div class="row">
      <button weft-click="dec" aria-label="decrement">−</button>
      <button weft-click="inc" id="inc" aria-label="increment">+</button>
      <button weft-click="reset" class="secondary">Reset</button>
    </div>`,
});
