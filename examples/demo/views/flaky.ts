import { defineView, html, type ViewDefinition } from "../../../src/index.ts";

interface State {
  clicks: number;
}

/**
 * A view whose first live mount fails — as a mount whose database is still
 * starting would — to show what a page does with a refused join: the root
 * carries `weft-error` / `weft-error-code="E_MOUNT"` (styled by the demo's
 * layout), the view retries by itself with backoff and recovers, and clicks
 * made meanwhile count once.
 *
 * The page's own mount never fails: a page's first join takes that mount over,
 * so a live mount runs only when the view rejoins a server that no longer has
 * its session — stop the demo server and start it again with the page open
 * (with a fixed `WEFT_SECRET`, else the new process refuses the page's token
 * for good: E_BAD_TOKEN).
 *
 * @example
 * createWeft({ views: { "/flaky": createFlaky() } });
 */
export function createFlaky(): ViewDefinition<State> {
  let liveMounts = 0;
  return defineView<State>({
    title: "Flaky mount",
    mount: (_params, ctx) => {
      if (ctx.connected && ++liveMounts === 1) throw new Error("demo: the first live mount of this process fails on purpose");
      return { clicks: 0 };
    },
    events: { click: (s) => ({ clicks: s.clicks + 1 }) },
    render: (s) => html`
      <h1>Flaky mount</h1>
      <p>This view's first live mount in each server process fails (<code>E_MOUNT</code>).
        To see it: start the demo with a fixed secret (<code>WEFT_SECRET=some-long-secret npm start</code>),
        keep this page open, stop the server and start it again.</p>
      <ol class="muted">
        <li>After 5 s without a link the view is marked down (<code>E_CLIENT_TRANSPORT</code>).</li>
        <li>The server is back: the view rejoins, its mount runs afresh and fails (<code>E_MOUNT</code>).</li>
        <li>About a second later it retries, recovers, and the mark goes.</li>
      </ol>
      <p>Click while it is down: the clicks wait and count once the view is back.</p>
      <p class="big" id="clicks">${s.clicks}</p>
      <button weft-click="click" id="click">Click</button>`,
  });
}

/** The demo's flaky view (one per process). */
export const Flaky = createFlaky();
