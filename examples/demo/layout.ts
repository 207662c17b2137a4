import type { PageParts } from "../../src/index.ts";
import { COMMANDS_SCRIPT } from "./views/commands.ts";
import { NETWORK_SCRIPT } from "./views/network.ts";
import { DEMO_CSS } from "./assets.ts";

/** The demo's CSS, inline in every page (the htmx pages, examples/demo/htmx/page.ts, use it too). */
export const CSS = `
:root { --fg: #1d232a; --muted: #646d78; --line: #e3e7ec; --accent: #2f6fdb; --bad: #c0392b; --ok: #1e8449; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #f6f8fa; }
header, main, footer { max-width: 40rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { display: flex; gap: 1rem; align-items: baseline; border-bottom: 1px solid var(--line); }
header a { color: var(--fg); text-decoration: none; } header strong { margin-right: auto; }
main { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin-top: 1.5rem; }
footer { color: var(--muted); font-size: .875rem; }
h1 { margin: .25rem 0 1rem; font-size: 1.5rem; }
a { color: var(--accent); }
button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button.link { border: 0; background: none; color: var(--muted); padding: 0 .25rem; }
button:disabled { opacity: .6; cursor: progress; }
input[type=text], input[type=email], input[type=password], input:not([type]) { font: inherit; padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; width: 100%; }
input[aria-invalid=true] { border-color: var(--bad); }
.row { display: flex; gap: .5rem; align-items: center; }
.big { font-size: 3rem; margin: .5rem 0; font-variant-numeric: tabular-nums; }
.mono { font-family: ui-monospace, monospace; }
.muted { color: var(--muted); }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.todos { list-style: none; padding: 0; } .todos li { display: flex; justify-content: space-between; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.todos li.done label { text-decoration: line-through; color: var(--muted); }
.field { display: block; margin-bottom: .9rem; } .error { display: block; min-height: 1.25rem; color: var(--bad); font-size: .875rem; }
.ok { color: var(--ok); font-weight: 600; }
.chat { list-style: none; padding: 0; min-height: 6rem; max-height: 20rem; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .75rem; margin-bottom: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; } .card .big { display: block; font-size: 2rem; margin: .25rem 0; }
.projects { list-style: none; padding: 0; } .projects p { margin: .25rem 0 .5rem; font-size: .875rem; }
#filters a { padding: 0 .25rem; } #filters a[aria-current] { font-weight: 600; color: var(--fg); text-decoration: none; }
.spark { height: 4rem; margin: .5rem 0; border: 1px solid var(--line); border-radius: 6px; } .spark svg { width: 100%; height: 100%; }
.drop { border-style: dashed; margin-bottom: .75rem; } .drop:focus-within { outline: 2px solid var(--fg); }
.entries { list-style: none; padding: 0; } .entries li { display: flex; align-items: center; gap: .5rem; margin-bottom: .4rem; }
.entries img { object-fit: cover; border-radius: 4px; background: var(--line); } .entries .name { flex: 1; overflow-wrap: anywhere; }
/* weft-upload-progress: set by the client at every acknowledged chunk, no render needed. */
.entries li[weft-upload-progress="100"] .state { color: var(--ok); }
/* In flight (weft-loading): a busy cursor and, on a button, a small spinner after its text. No dimming: opacity
   would lower the text's contrast below WCAG AA. A form or a bound control (weft-model) is loading while it is
   typed in, so it keeps its look. */
button.weft-loading, a.weft-loading { cursor: progress; }
button.weft-loading::after { content: ""; display: inline-block; width: .7em; height: .7em; margin-left: .45em; vertical-align: -.05em;
  border: 2px solid; border-right-color: transparent; border-radius: 50%; animation: weft-spin .8s linear infinite; }
@keyframes weft-spin { to { transform: rotate(1turn); } }
@media (prefers-reduced-motion: reduce) { button.weft-loading::after { animation: none; } }
[weft-flash] > * { display: flex; justify-content: space-between; align-items: center; gap: .5rem; margin: 0 0 .75rem; padding: .5rem .75rem; border: 1px solid var(--ok); border-radius: 6px; background: #eefaf2; }
[weft-flash] > [role=alert] { border-color: var(--bad); background: #fdf0ee; }
[weft-flash] button { border: 0; background: none; color: var(--fg); padding: 0 .35rem; font-size: 1.25rem; line-height: 1; }
[weft-view][weft-error] { opacity: .6; outline: 2px dashed var(--bad); outline-offset: 6px; border-radius: 2px; }
[weft-view][weft-error]::before { content: "Not live (" attr(weft-error-code) ")"; display: block; color: var(--bad); font-size: .875rem; }
#transport { font-weight: 600; } .weft-disconnected #transport-dot, .status.off #transport-dot { color: var(--bad); }
#transport-dot { color: var(--ok); }
`;

// Shows which transport the page uses: the client fires `weft:transport`
// when it connects and sets weft-connected / weft-disconnected on view roots.
const STATUS_SCRIPT = `
function weftStatus(text, on) {
  document.getElementById("transport").textContent = text;
  document.getElementById("status").className = on ? "status" : "status off";
}
document.addEventListener("weft:transport", function (e) { weftStatus(e.detail.transport, true); });
// Watch only the view roots' class (weft-connected / weft-disconnected).
document.querySelectorAll("[weft-view]").forEach(function (root) {
  new MutationObserver(function () {
    if (root.classList.contains("weft-disconnected")) weftStatus("reconnecting…", false);
    else if (root.classList.contains("weft-connected") && window.weft && weft.transport) weftStatus(weft.transport, true);
  }).observe(root, { attributes: true, attributeFilter: ["class"] });
});
`;

// The Sparkline client hook (views/hooks.ts). This inline script runs before the
// client (a deferred script), so it adds to window.Weft, which the client keeps.
// Its own DOM lives under weft-ignore; the server hands it the threshold as
// data-threshold, and each callback has a job (see views/hooks.ts).
const HOOKS_SCRIPT = `
var W = window.Weft = window.Weft || {};
W.hooks = W.hooks || {};
W.hooks.Sparkline = {
  mounted: function () {
    var hook = this, el = this.el, ns = "http://www.w3.org/2000/svg";
    var box = el.querySelector(".spark");
    var svg = document.createElementNS(ns, "svg");
    var line = document.createElementNS(ns, "polyline");
    var limit = document.createElementNS(ns, "line");
    svg.setAttribute("viewBox", "0 0 300 60");
    svg.setAttribute("aria-hidden", "true");
    line.setAttribute("fill", "none");
    line.setAttribute("stroke", "#2f6fdb");
    line.setAttribute("stroke-width", "2");
    limit.setAttribute("x1", "0");
    limit.setAttribute("x2", "300");
    limit.setAttribute("stroke", "#c0392b");
    limit.setAttribute("stroke-dasharray", "4 3");
    svg.append(limit, line);
    box.replaceChildren(svg);
    var y = function (v) { return (58 - v * 0.56).toFixed(1); };
    hook.points = [];
    // Draws the points and the threshold line (data-threshold, which the server changes).
    hook.draw = function () {
      var p = hook.points, t = Number(el.dataset.threshold), step = 300 / Math.max(1, p.length - 1);
      line.setAttribute("points", p.map(function (v, i) { return (i * step).toFixed(1) + "," + y(v); }).join(" "));
      limit.setAttribute("y1", y(t));
      limit.setAttribute("y2", y(t));
      if (p.length) box.setAttribute("aria-label", "Sparkline of " + p.length + " values, latest " + p[p.length - 1] + ", " + p.filter(function (v) { return v > t; }).length + " above the threshold " + t);
    };
    this.handleEvent("points", function (points) {
      hook.points = points;
      hook.at = Date.now();
      hook.draw();
    });
    // A clock of the hook's own: how long ago the last point came. Stopped in destroyed.
    var age = el.querySelector(".age");
    hook.timer = setInterval(function () {
      if (hook.at) age.textContent = "last point " + Math.round((Date.now() - hook.at) / 1000) + " s ago";
    }, 1000);
    var out = el.querySelector("output");
    el.querySelector("button").addEventListener("click", function () {
      hook.pushEvent("roll", { sides: 6 }).then(
        function (r) { out.textContent = "You rolled " + r.n + " (of " + r.sides + ")"; },
        function (e) { out.textContent = "The roll failed (" + e.code + ")"; });
    });
  },
  // The server is about to change the element (its data-threshold): note the value it had.
  beforeUpdate: function () { this.was = this.el.dataset.threshold; },
  // Done: show the change and redraw the threshold line.
  updated: function () {
    var now = this.el.dataset.threshold;
    if (now !== this.was) this.el.querySelector(".threshold").textContent = "threshold " + now + " (was " + this.was + ")";
    this.draw();
  },
  destroyed: function () { clearInterval(this.timer); },
  // The link is down: grey the chart and say so (its points are no longer live) …
  disconnected: function () { this.offline(true); },
  // … until the view has joined again.
  reconnected: function () { this.offline(false); },
  offline: function (on) {
    this.el.querySelector(".spark svg").style.filter = on ? "grayscale(1) opacity(.4)" : "";
    this.el.querySelector(".offline").hidden = !on;
  },
};
`;

/** The demo's page: header, the view, a status line with the transport. */
export function layout(p: PageParts): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${p.title} · Weft demo</title>
<style>${CSS}</style>
<link rel="stylesheet" href="${DEMO_CSS.href}">
${p.script}
</head>
<body weft-announce-connection>
<header><strong><a href="/" weft-navigate>Weft</a></strong><a href="/counter" weft-navigate>Counter</a><a href="/todos" weft-navigate>Todos</a><a href="/signup" weft-navigate>Sign up</a><a href="/clock" weft-navigate>Clock</a><a href="/chat" weft-navigate>Chat</a><a href="/projects" weft-navigate>Projects</a></header>
<main>${p.flash}${p.body}</main>
<footer><span id="status" class="status off"><span id="transport-dot">●</span> Transport: <span id="transport">connecting…</span></span></footer>
<script>${HOOKS_SCRIPT}</script>
<script>${STATUS_SCRIPT}</script>
<script>${COMMANDS_SCRIPT}</script>
<script>${NETWORK_SCRIPT}</script>
</body>
</html>`;
}
