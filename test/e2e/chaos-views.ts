/** The view the chaos test drives: counts applied events and pushes numbered messages. */
import { createWeft, defineView, html, type WeftApp } from "../../src/index.ts";

export const EVENTS = 1000;
export const PUSHES = 1000;

interface State {
  applied: number;
  dups: number;
  seen: Record<string, true>;
  pushed: number;
}

const Chaos = defineView<State>({
  mount: () => ({ applied: 0, dups: 0, seen: {}, pushed: 0 }),
  events: {
    // Each event carries the client's own number: seeing one twice is a double apply.
    hit: (s, p) => {
      const i = String(p.i);
      if (s.seen[i]) return { ...s, dups: s.dups + 1 };
      s.seen[i] = true;
      return { ...s, applied: s.applied + 1 };
    },
    start: (s, _p, ctx) => {
      if (s.pushed === 0) ctx.schedule("tick", null, 5);
      return s;
    },
  },
  info: {
    tick: (s, _p, ctx) => {
      const pushed = s.pushed + 1;
      ctx.pushEvent("m", { i: pushed });
      if (pushed < PUSHES) ctx.schedule("tick", null, 5);
      return { ...s, pushed };
    },
  },
  render: (s) => html`
    <p>applied <b id="applied">${s.applied}</b> dups <b id="dups">${s.dups}</b> pushed <b id="pushed">${s.pushed}</b></p>
    <button id="hit" weft-click="hit">hit</button>
    <button id="start" weft-click="start">start</button>`,
});

/**
 * The chaos app. `outboxSize` 4096 is large enough to replay whatever a cut makes
 * the client miss; without it the default (256) holds, and a longer outage gets
 * a full render instead of a replay.
 */
export async function startChaosApp(outboxSize?: number): Promise<{ app: WeftApp; port: number }> {
  const app = createWeft({ views: { "/chaos": Chaos }, secret: "chaos-secret-0123456789abcdef", heartbeatMs: 5000,
    ...(outboxSize === undefined ? {} : { outboxSize }),
    // The page clicks ~200 times a second on purpose: above the default rate limit.
    rateLimit: { perSecond: 2000, burst: 2000 } });
  const { port } = await app.listen(0);
  return { app, port };
}
