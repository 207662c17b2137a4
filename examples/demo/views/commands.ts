import { defineView, html, JS } from "../../../src/index.ts";

const fmt = (ms: number) => new Date(ms).toISOString().slice(11, 19);

// Styles of this page only: the panel is closed unless a command added "open"; the dialog is hidden until JS.show.
const STYLE = html`<style>
  #details { display: none; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin-top: .5rem; }
  #details.open { display: block; }
  #dialog { position: fixed; inset: 20% auto auto 50%; transform: translateX(-50%); background: #fff; border: 1px solid var(--line);
    border-radius: 8px; padding: 1rem 1.25rem; box-shadow: 0 8px 30px rgba(0,0,0,.2); min-width: 18rem; }
  #likes.pulse { color: var(--accent); }
</style>`;

const openDialog = JS.show("#dialog").focusFirst("#dialog");
const closeDialog = JS.hide("#dialog").focus("#open-dialog");

/**
 * JS commands: a dialog opened and closed in the browser, a panel toggled in
 * the browser that stays open while the server patches the page every second,
 * and commands that end with a push to the server.
 */
export const Commands = defineView({
  title: "JS commands",
  mount: (_params, ctx) => {
    ctx.schedule("tick", null, 1000);
    return { now: Date.now(), likes: 0, greeting: "" };
  },
  events: {
    like: (s) => ({ ...s, likes: s.likes + 1 }),
    greet: (s, p) => ({ ...s, greeting: String(p["name"] ?? "").slice(0, 60) }),
  },
  info: {
    tick: (s, _p, ctx) => {
      ctx.schedule("tick", null, 1000);
      return { ...s, now: Date.now() };
    },
  },
  render: (s) => html`${STYLE}
    <h1>JS commands</h1>
    <p class="muted">The server redraws this page every second: <span class="mono" id="clock">${fmt(s.now)}</span> UTC.
    The buttons below change the page in the browser, with no round trip; what they changed stays through the redraws.</p>

    <h2>A panel</h2>
    <button id="toggle-details" class="secondary" aria-controls="details" weft-click=${JS.toggleClass("open", "#details")}>Show or hide details</button>
    <div id="details" role="region" aria-label="Details">
      <p>Opened in the browser: the server does not know, and its redraws keep it open.</p>
    </div>

    <h2>A dialog</h2>
    <button id="open-dialog" weft-click=${openDialog}>Say hello…</button>
    <p id="greeting" aria-live="polite">${s.greeting ? `Hello, ${s.greeting}!` : ""}</p>
    <div id="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" hidden>
      <h3 id="dialog-title">Say hello</h3>
      <form id="greet-form" weft-submit=${closeDialog.push("greet")}>
        <label class="field">Your name <input name="name" id="name" autocomplete="off"></label>
        <button type="submit">Send</button>
        <button type="button" class="secondary" weft-click=${closeDialog}>Cancel</button>
      </form>
    </div>

    <h2>A push</h2>
    <p><button id="like" weft-click=${JS.transition("pulse", { to: "#likes", time: 600 }).push("like")}>Like</button>
    <span id="likes">${s.likes} likes</span></p>`,
});
