import { defineView, html, JS } from "../../../src/index.ts";

const fmt = (ms: number) => new Date(ms).toISOString().slice(11, 19);

// Styles of this page only: the panel is closed unless a command added "open"; the dialog and the tips are hidden
// until a command shows them; a marked note has a bar and a word before it (read by screen readers too).
const STYLE = html`<style>
  #details { display: none; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin-top: .5rem; }
  #details.open { display: block; }
  #dialog { position: fixed; inset: 20% auto auto 50%; transform: translateX(-50%); background: #fff; border: 1px solid var(--line);
    border-radius: 8px; padding: 1rem 1.25rem; box-shadow: 0 8px 30px rgba(0,0,0,.2); min-width: 18rem; }
  #likes.pulse, #page-note.pulse { color: var(--accent); }
  #note { padding-left: .5rem; border-left: 4px solid transparent; }
  #note.marked { border-left-color: var(--accent); }
  #note.marked::before { content: "Marked: "; font-weight: 600; }
  #tips { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin-top: .5rem; }
</style>`;

const openDialog = JS.show("#dialog").focusFirst("#dialog-body");
const closeDialog = JS.hide("#dialog").focus("#open-dialog");

/**
 * The page's own script (the demo's layout adds it to every page): a listener
 * for the `demo:note` event that the "Tell the page" button dispatches with
 * `JS.dispatch`. It shows the event's detail as text and runs a command list
 * from page code with `Weft.js`. `#page-note` is `weft-ignore`, so the server's
 * redraws leave the text it wrote.
 */
export const COMMANDS_SCRIPT = `
document.addEventListener("demo:note", function (e) {
  var out = document.getElementById("page-note");
  if (!out || !window.Weft || !Weft.js) return;
  out.textContent = "The page heard demo:note with detail " + JSON.stringify(e.detail);
  Weft.js(out, '[["transition",{"names":"pulse","time":800}]]');
});
`;

/**
 * JS commands, every one of them: a dialog opened and closed in the browser
 * (Escape closes it, Tab stays inside it), a panel and tips toggled, a note
 * marked, that stay so while the server patches the page every second, an
 * event dispatched to the page's own script, and commands that end with a
 * push to the server.
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
    <p><button id="toggle-tips" class="secondary" aria-controls="tips" weft-click=${JS.toggle("#tips")}>Show or hide tips</button></p>
    <div id="tips" role="region" aria-label="Tips" hidden>
      <p>JS.toggle shows what is hidden and hides what is shown; JS.toggleClass does the same with a class.</p>
    </div>

    <h2>A mark</h2>
    <p class="row">
      <button id="mark" weft-click=${JS.addClass("marked", "#note").setAttribute("title", "Marked: in this browser", "#note")}>Mark the note</button>
      <button id="unmark" class="secondary" weft-click=${JS.removeClass("marked", "#note").removeAttribute("title", "#note")}>Unmark it</button>
    </p>
    <p id="note">A note the server redraws at ${fmt(s.now)}: a mark made in the browser stays on it.</p>

    <h2>A dialog</h2>
    <button id="open-dialog" weft-click=${openDialog}>Say hello…</button>
    <p id="greeting" aria-live="polite">${s.greeting ? `Hello, ${s.greeting}!` : ""}</p>
    <div id="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" hidden weft-keydown=${closeDialog} weft-key="Escape">
      <span id="trap-start" tabindex="0" weft-focus=${JS.focus("#dialog-cancel")}></span>
      <div id="dialog-body">
        <h3 id="dialog-title">Say hello</h3>
        <form id="greet-form" weft-submit=${closeDialog.push("greet")}>
          <label class="field">Your name <input name="name" id="name" autocomplete="off"></label>
          <button type="submit" id="dialog-send">Send</button>
          <button type="button" id="dialog-cancel" class="secondary" weft-click=${closeDialog}>Cancel</button>
        </form>
      </div>
      <span id="trap-end" tabindex="0" weft-focus=${JS.focusFirst("#dialog-body")}></span>
    </div>

    <h2>An event for the page</h2>
    <p><button id="tell-page" weft-click=${JS.dispatch("demo:note", { detail: { likes: s.likes, at: fmt(s.now) } })}>Tell the page</button></p>
    <p><output id="page-note" weft-ignore aria-live="polite"></output></p>

    <h2>A push</h2>
    <p><button id="like" weft-click=${JS.transition("pulse", { to: "#likes", time: 600 }).push("like")}>Like</button>
    <span id="likes">${s.likes} likes</span></p>`,
});
