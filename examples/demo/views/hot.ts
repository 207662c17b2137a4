import { defineView, html } from "../../../src/index.ts";

/** Change this text while `npm run dev` runs and save: the open page shows it and keeps its count. */
const NOTE = "Edit this sentence in examples/demo/views/hot.ts and save.";

/** The demo's hot reload page (docs/hot-reload.md): a count that survives edits of this module and of demo.css. */
export const Hot = defineView({
  title: "Hot reload",
  mount: () => ({ count: 0 }),
  events: { inc: (s: { count: number }) => ({ count: s.count + 1 }) },
  render: (s) => html`
    <h1>Hot reload</h1>
    <p>Start the demo with <code>npm run dev</code> and count a few times. Then edit this view's module
    or <code>examples/demo/demo.css</code> and save: this page shows the new code or style at once, over
    whatever transport it uses, without reloading — and the count stays where it was.</p>
    <p class="hot-note" id="hot-note">${NOTE}</p>
    <p class="big" id="hot-count" aria-live="polite">${s.count}</p>
    <button weft-click="inc">Count</button>`,
});
