/**
 * Views for the browser bindings tests (bindings.test.ts). Most of them record
 * every event they receive, server-side, and render the record as JSON in
 * `#log`: the test then reads what the server really got, and how many times.
 */
import { createWeft, defineView, html, type EventHandler, type Payload, type Template, type ViewDefinition, type WeftApp } from "../../src/index.ts";

/** One event as the server received it. */
export interface Entry {
  /** Event name. */
  e: string;
  /** Payload as the handler saw it. */
  p: Payload;
}

/** State of a recording view. */
interface LogState {
  log: Entry[];
  /** A counter the body may render (changes the page without logging). */
  n: number;
}

/** Slow handler delay: long enough to observe the in-flight state. */
export const SLOW_MS = 400;

const record = (name: string): EventHandler<LogState> => (s, p) => ({ ...s, log: [...s.log, { e: name, p }] });

/**
 * A view that logs each of `names` and renders `body` above the log.
 * `extra` handlers do not log (or log as they like).
 */
function recorder(
  body: (s: LogState) => Template,
  names: readonly string[],
  extra: Record<string, EventHandler<LogState>> = {},
): ViewDefinition<LogState> {
  const events: Record<string, EventHandler<LogState>> = {};
  for (const name of names) events[name] = record(name);
  return defineView<LogState>({
    mount: () => ({ log: [], n: 0 }),
    events: { ...events, ...extra },
    render: (s) => html`${body(s)}<pre id="log">${JSON.stringify(s.log)}</pre><span id="count">${s.log.length}</span>`,
  });
}

const inc: EventHandler<LogState> = (s) => ({ ...s, n: s.n + 1 });

const Click = recorder(
  () => html`<button id="btn" weft-click="clicked" weft-value-id="42" weft-value-kind="primary">Go</button>`,
  ["clicked"],
);

const Form = recorder(
  () => html`
    <form id="form" weft-submit="save">
      <input name="title">
      <input type="checkbox" name="agree" value="yes">
      <input type="checkbox" name="news" value="yes">
      <select name="color"><option value="red">Red</option><option value="blue">Blue</option></select>
      <input type="checkbox" name="tags" value="a">
      <input type="checkbox" name="tags" value="b">
      <input type="checkbox" name="tags" value="c">
      <button id="submit" type="submit">Save</button>
    </form>`,
  ["save"],
);

const Change = recorder(
  () => html`
    <form id="form" weft-change="changed">
      <input name="note" value="hi">
      <select name="size"><option value="s">S</option><option value="m">M</option><option value="l">L</option></select>
      <input type="checkbox" name="gift" value="yes">
    </form>`,
  ["changed"],
);

const Debounce = recorder(
  () => html`
    <input id="q" name="q" weft-input="typed" weft-debounce="1000">
    <input id="b" name="b" weft-input="blurred" weft-debounce="blur">
    <button id="other">elsewhere</button>`,
  ["typed", "blurred"],
);

// The button sits in a weft-ignore region so that the `weft-value-n` the test
// sets from page script is not reset by the morph of each server answer.
const Throttle = recorder(
  () => html`<div weft-ignore><button id="thr" weft-click="hit" weft-throttle="300" weft-value-n="0">hit</button></div>`,
  ["hit"],
);

const Keys = recorder(() => html`<input id="k" name="k" weft-keydown="key" weft-key="Enter">`, ["key"]);

const Focus = recorder(
  () => html`<input id="f" name="f" value="x" weft-focus="focused" weft-blur="blurred"><button id="other">elsewhere</button>`,
  ["focused", "blurred"],
);

const Slow = recorder(
  (s) => html`<button id="save" weft-click="save" weft-disable-with="Saving…">Save ${s.n}</button><b id="n">${s.n}</b>`,
  [],
  {
    save: async (s) => {
      await new Promise((r) => setTimeout(r, SLOW_MS));
      return { ...s, n: s.n + 1 };
    },
  },
);

const Push = recorder(() => html`<button id="push" weft-click="push">push</button>`, [], {
  push: (s, _p, ctx) => {
    ctx.pushEvent("saved", { id: 7, title: "Draft", tags: ["a", "b"] });
    return s;
  },
});

const Errors = recorder(
  (s) => html`
    <button id="boom" weft-click="boom">boom</button>
    <button id="nope" weft-click="nope">nope</button>
    <button id="inc" weft-click="inc">+</button><b id="n">${s.n}</b>`,
  [],
  {
    inc,
    boom: () => {
      throw new Error("handler exploded on purpose");
    },
  },
);

const Ignore = recorder(
  (s) => html`<div id="widget" weft-ignore><span id="server">server ${s.n}</span></div>
    <button id="inc" weft-click="inc">+</button><b id="n">${s.n}</b>`,
  [],
  { inc },
);

const Counter = recorder((s) => html`<button id="inc" weft-click="inc">+</button><b id="n">${s.n}</b>`, [], { inc });

const Navigate = recorder(
  (s) => html`<button id="go" weft-click="go">go</button><button id="inc" weft-click="inc">+</button><b id="n">${s.n}</b>`,
  [],
  {
    inc,
    go: (s, _p, ctx) => {
      ctx.navigate("/navigate?page=other", { kind: "patch" });
      return { ...s, n: s.n + 100 };
    },
  },
);

/** Starts the test app on a free loopback port; `errors` collects what app code threw. */
export async function startBindingsApp(): Promise<{ app: WeftApp; base: string; errors: unknown[] }> {
  const errors: unknown[] = [];
  const app = createWeft({
    views: {
      "/click": Click, "/form": Form, "/change": Change, "/debounce": Debounce, "/throttle": Throttle,
      "/keys": Keys, "/focus": Focus, "/slow": Slow, "/push": Push, "/errors": Errors, "/ignore": Ignore,
      "/counter": Counter, "/navigate": Navigate,
    },
    secret: "bindings-e2e-secret-0123456789",
    onError: (err) => errors.push(err),
  });
  const addr = await app.listen(0);
  return { app, base: `http://127.0.0.1:${addr.port}`, errors };
}
