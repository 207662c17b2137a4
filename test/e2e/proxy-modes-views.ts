/**
 * The app that the proxy-mode tests and the failover bench drive: one view
 * with a counter the page clicks and a tick the server pushes every 200 ms.
 */
import { createWeft, defineView, html, type WeftApp, type WeftOptions } from "../../src/index.ts";

/** Server pushes: one tick every this many ms. */
export const TICK_MS = 200;

interface State {
  count: number;
  ticks: number;
  /** The ticks are paused (`stop`): the link idles, so a proxy's read timeout cuts its long requests. */
  stopped: boolean;
}

const Ticks = defineView<State>({
  mount: (_params, ctx) => {
    ctx.schedule("tick", null, TICK_MS);
    return { count: 0, ticks: 0, stopped: false };
  },
  events: {
    inc: (s) => ({ ...s, count: s.count + 1 }),
    stop: (s) => ({ ...s, stopped: true }),
    go: (s, _p, ctx) => {
      if (s.stopped) ctx.schedule("tick", null, TICK_MS);
      return { ...s, stopped: false };
    },
  },
  info: {
    tick: (s, _p, ctx) => {
      if (s.stopped) return s;
      ctx.schedule("tick", null, TICK_MS);
      return { ...s, ticks: s.ticks + 1 };
    },
  },
  render: (s) => html`
    <p>count <b id="count">${s.count}</b> ticks <b id="ticks">${s.ticks}</b></p>
    <button id="inc" weft-click="inc">+</button>
    <button id="stop" weft-click="stop">stop</button>
    <button id="go" weft-click="go">go</button>`,
});

/**
 * Starts the app on a free port.
 *
 * @example
 * const { app, port } = await startTicksApp();
 */
export async function startTicksApp(options: Partial<WeftOptions> = {}): Promise<{ app: WeftApp; port: number }> {
  const app = createWeft({ views: { "/ticks": Ticks }, secret: "proxy-modes-secret-0123456789abcdef", onError: () => {}, ...options });
  const { port } = await app.listen(0);
  return { app, port };
}
