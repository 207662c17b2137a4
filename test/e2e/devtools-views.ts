/**
 * The small views test/e2e/devtools.test.ts drives: a counter that counts on
 * the server what it applied (per run), a view whose handler throws, and one
 * whose frames carry markup.
 */
import { defineView, html } from "../../src/index.ts";

/** What each run's counter applied on the server (the path's `:run` → clicks applied). */
export const applied = new Map<string, number>();

/** The message of the error Broken's handler throws (the suite's onError expects it and nothing else). */
export const ON_PURPOSE = "exploded on purpose";

/** A string of markup: shown as text in the page (escaped), but raw inside the frames' JSON. */
export const MARKUP = `<img src=x onerror='window.__pwned=1'>`;

/** A counter per run: `inc` counts, `ping` is a round trip that changes nothing else. */
export const Counter = defineView<{ run: string; n: number; pings: number }>({
  mount: (params) => ({ run: String(params.run), n: 0, pings: 0 }),
  events: {
    inc: (s) => {
      applied.set(s.run, (applied.get(s.run) ?? 0) + 1);
      return { ...s, n: s.n + 1 };
    },
    ping: (s) => ({ ...s, pings: s.pings + 1 }),
  },
  render: (s) => html`<p>count <b id="count">${s.n}</b> pings <b id="pings">${s.pings}</b></p>
    <button id="inc" weft-click="inc">+1</button> <button id="ping" weft-click="ping">ping</button>`,
});

/** A view with a handler that throws (E_HANDLER) and a button bound to an event it has not (E_UNKNOWN_EVENT). */
export const Broken = defineView<{ n: number }>({
  mount: () => ({ n: 0 }),
  events: {
    explode: () => {
      throw new Error(ON_PURPOSE);
    },
    inc: (s) => ({ n: s.n + 1 }),
  },
  render: (s) => html`<button id="explode" weft-click="explode">explode</button> <button id="typo" weft-click="nosuch">typo</button>
    <button id="inc" weft-click="inc">inc</button> <b id="n">${s.n}</b>`,
});

/**
 * Markup everywhere a frame carries a raw string: the event's payload
 * (weft-value-html, out), a push (in), the page title (in) and an error's
 * message (an unknown event named with markup). The diff of the
 * state's text carries it escaped; the page shows it as text.
 */
export const Hostile = defineView<{ text: string }>({
  mount: () => ({ text: "" }),
  title: (s) => (s.text === "" ? "hostile" : s.text),
  events: {
    show: (s, p, ctx) => {
      ctx.pushEvent("note", { html: MARKUP });
      return { ...s, text: String(p.html) };
    },
  },
  // #bad's event name is the markup: the server's E_UNKNOWN_EVENT message names it (the toast and the errors section show it).
  render: (s) => html`<button id="show" weft-click="show" weft-value-html=${MARKUP}>show</button> <button id="bad" weft-click=${MARKUP}>bad</button>
    <p id="text">${s.text}</p>`,
});
