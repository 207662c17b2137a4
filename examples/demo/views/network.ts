import { defineView, html, type StandardSchemaV1 } from "../../../src/index.ts";

/**
 * Bytes down for a counter increment over WebSocket, from docs/benchmarks.md
 * ("Bytes down per update", WebSocket frame header included): Phoenix
 * LiveView's (computed) and Weft's own (measured).
 */
export const BENCH_BYTES = { phoenix: 95, weft: 35 } as const;

/** The +1 button sends no values: a payload with any key (`{ by: 1000 }`) is refused with E_INVALID. */
const nothing: StandardSchemaV1<unknown, Record<string, never>> = {
  "~standard": {
    version: 1,
    vendor: "demo",
    validate: (v) =>
      v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0
        ? { value: {} }
        : { issues: [{ message: "+1 takes no values" }] },
  },
};

/**
 * The page script of /network (in every demo page, examples/demo/layout.ts,
 * like the other hooks: pages navigate live). The NetworkLab hook sits on the
 * server's count; from mount to destroy it counts the visitor's clicks on +1,
 * compares them with what the server counted once nothing is in flight, shows
 * the transport (`weft:transport`), the payload bytes of each event's answer
 * (`weft:frame`, dev pages) and drives `weft.sim` from the buttons and
 * selects. Everything it writes is text (textContent), under `weft-ignore`.
 */
export const NETWORK_SCRIPT = `
var W = window.Weft = window.Weft || {};
W.hooks = W.hooks || {};
W.hooks.NetworkLab = {
  mounted: function () {
    var hook = this, $ = function (id) { return document.getElementById(id); };
    var ac = hook.ac = new AbortController(), on = { signal: ac.signal };
    var inc = $("net-inc"), base = Number(hook.el.textContent), clicks = 0, sizes = [], last;
    var dev = document.querySelector("script[data-dev]") !== null && window.weft && typeof weft.sim === "function";
    var say = function (id, text) { var el = $(id); if (el) el.textContent = text; };
    var name = function (t) { return t === "websocket" ? "WebSocket" : t === "sse" ? "SSE" : t === "http" ? "HTTP" : String(t || "none"); };
    // Exactly once: clicks made against the server's count, judged when no click is in flight.
    hook.check = function () {
      var counted = Number(hook.el.textContent) - base, verdict = $("net-verdict");
      say("net-clicks", String(clicks));
      say("net-server", String(counted));
      if (!verdict) return;
      var busy = inc && inc.classList.contains("weft-loading");
      verdict.className = busy ? "muted" : counted === clicks ? "ok" : "bad";
      verdict.textContent = busy ? "(" + Math.max(0, clicks - counted) + " in flight…)" : counted === clicks ? "✓ exactly once" : "✗ mismatch";
    };
    document.addEventListener("click", function (e) {
      if (e.target instanceof Element && e.target.closest("#net-inc")) { clicks++; hook.check(); }
    }, on);
    if (inc) {
      var mo = new MutationObserver(function () { hook.check(); });
      mo.observe(inc, { attributes: true, attributeFilter: ["class"] });
      ac.signal.addEventListener("abort", function () { mo.disconnect(); });
    }
    // The transport in use, and the switches seen on this page.
    var seen = [];
    hook.transport = function (t) {
      if (t && seen[seen.length - 1] !== t) seen.push(t);
      say("net-transport", t ? name(t) : "connecting…");
      say("net-history", seen.length > 1 ? "(" + seen.slice(-6).map(name).join(" → ") + ")" : "");
    };
    hook.transport(window.weft && weft.transport);
    document.addEventListener("weft:transport", function (e) { hook.transport(e.detail && e.detail.transport); }, on);
    // Bytes per update: the payload of the first answer (a diff, or a reply when nothing changed) to each
    // event the page sent; not a rejoin's answer (a reply naming the last ref applied, with a fresh token).
    var sent = new Set();
    document.addEventListener("weft:frame", function (e) {
      var d = e.detail;
      if (!d || typeof d.r !== "number") return;
      var key = d.v + ":" + d.r;
      if (d.dir === "out" && d.kind === "e") { sent.add(key); return; }
      if (d.dir !== "in" || (d.kind !== "d" && d.kind !== "r") || !sent.delete(key)) return;
      last = d.bytes;
      sizes.push(d.bytes);
      if (sizes.length > 200) sizes.shift();
      var s = sizes.slice().sort(function (a, b) { return a - b; }), m = s.length >> 1;
      var median = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
      say("net-last", last + " bytes");
      say("net-median", median + " bytes (" + sizes.length + " update" + (sizes.length === 1 ? "" : "s") + ")");
    }, on);
    // The simulator: buttons, selects, and its status (also changed from the overlay or the console).
    var latency = $("net-latency"), drop = $("net-drop"), lab = $("net-lab");
    var show = function (st, cut) {
      if (!st) return;
      if (latency && latency.querySelector('option[value="' + st.latencyMs + '"]')) latency.value = String(st.latencyMs);
      if (drop && drop.querySelector('option[value="' + st.drop + '"]')) drop.value = String(st.drop);
      lab.querySelectorAll("[data-force]").forEach(function (b) {
        b.setAttribute("aria-pressed", String((b.getAttribute("data-force") || undefined) === st.forced));
      });
      if (cut) hook.cuts = (hook.cuts || 0) + 1;
      say("net-sim", "Latency " + st.latencyMs + " ms" + (st.jitterMs ? " ± " + st.jitterMs : "") + " · drop " + Math.round(st.drop * 100) + " %" +
        " · " + (st.forced ? "forced onto " + name(st.forced) : "no transport forced") + " · cuts so far " + (hook.cuts || 0));
    };
    if (!dev) {
      $("net-nodev").hidden = false;
      lab.querySelectorAll("[data-sim] button, [data-sim] select").forEach(function (c) { c.disabled = true; });
      say("net-last", "needs dev mode");
      say("net-median", "needs dev mode");
    } else {
      show(weft.sim());
      document.addEventListener("weft:sim", function (e) { show(e.detail, e.detail && e.detail.cut); }, on);
      var run = function (f) {
        try { f(); } catch (err) { say("net-sim", String(err && err.message || err)); }
      };
      lab.addEventListener("click", function (e) {
        var b = e.target instanceof Element && e.target.closest("[data-sim] button");
        if (!b) return;
        run(function () {
          if (b.id === "net-cut") weft.sim.cut();
          else if (b.getAttribute("data-force")) weft.sim.force(b.getAttribute("data-force"));
          else if (b.hasAttribute("data-force")) weft.sim.force();
        });
      }, on);
      lab.addEventListener("change", function (e) {
        if (e.target !== latency && e.target !== drop) return;
        run(function () {
          var now = weft.sim();
          show(weft.sim({ latencyMs: Number(latency.value), jitterMs: now ? now.jitterMs : 0, drop: Number(drop.value) }));
        });
      }, on);
    }
    hook.check();
  },
  updated: function () { this.check(); },
  disconnected: function () { this.transport(undefined); },
  reconnected: function () { this.transport(window.weft && weft.transport); this.check(); },
  destroyed: function () { this.ac.abort(); },
};
`;

/**
 * See the wire: a counter clicked while the connection is cut and the
 * transport forced from WebSocket to SSE to HTTP and back (`weft.sim`, dev
 * mode), with a line proving every click was counted exactly once and the
 * bytes each update took beside Phoenix LiveView's figure. The server holds
 * the count alone; the page script (NETWORK_SCRIPT) does the rest.
 */
export const Network = defineView({
  title: "Network",
  mount: () => ({ count: 0 }),
  events: {
    inc: { schema: nothing, run: (s) => ({ count: s.count + 1 }) },
  },
  render: (s) => html`
    <h1>Network</h1>
    <p>Click <strong>+1</strong> as fast as you like while you cut the connection, switch between WebSocket,
    SSE and HTTP, add latency or drop frames. Every click reaches the server exactly once: the client resends
    what was not acknowledged, and the server applies each event once by its number. Press
    <kbd>Alt</kbd>+<kbd>Shift</kbd>+<kbd>W</kbd> for the devtools overlay and its list of frames
    (<code>docs/devtools.md</code>).</p>
    <section aria-labelledby="net-count-h">
      <h2 id="net-count-h">The server's count</h2>
      <p class="big" id="net-count" weft-hook="NetworkLab">${s.count}</p>
      <button type="button" id="net-inc" weft-click="inc">+1</button>
    </section>
    <div id="net-lab" weft-ignore>
      <p class="net-proof" role="status">Clicks made <strong id="net-clicks">0</strong> — counted by the server
      <strong id="net-server">0</strong> <span id="net-verdict" class="muted">(waiting for the link)</span></p>
      <p>Transport in use: <strong id="net-transport">connecting…</strong> <span id="net-history" class="muted"></span></p>
      <p id="net-nodev" class="net-note" hidden>The simulator needs dev mode (the server's <code>dev</code> option; <code>npm start</code>
      is dev, <code>NODE_ENV=production</code> turns it off). The clicks are still counted.</p>
      <fieldset data-sim>
        <legend>Network simulator</legend>
        <div class="row net-wrap">
          <button type="button" id="net-cut">Cut the connection</button>
        </div>
        <div class="row net-wrap" role="group" aria-labelledby="net-force-l">
          <span id="net-force-l">Force a transport:</span>
          <button type="button" class="secondary" data-force="websocket" aria-pressed="false">WebSocket</button>
          <button type="button" class="secondary" data-force="sse" aria-pressed="false">SSE</button>
          <button type="button" class="secondary" data-force="http" aria-pressed="false">HTTP</button>
          <button type="button" class="secondary" data-force="" aria-pressed="true">Auto</button>
        </div>
        <div class="row net-wrap">
          <label>Latency <select id="net-latency">
            <option value="0">0 ms</option><option value="100">100 ms</option><option value="300">300 ms</option><option value="600">600 ms</option>
          </select></label>
          <label>Drop <select id="net-drop">
            <option value="0">no frames</option><option value="0.05">5 % of frames</option><option value="0.2">20 % of frames</option>
          </select></label>
        </div>
        <p id="net-sim" class="muted" aria-live="polite"></p>
      </fieldset>
      <h2>Bytes per update</h2>
      <dl class="net-bytes">
        <dt>This page, last update (payload)</dt><dd id="net-last">–</dd>
        <dt>This page, median (payload)</dt><dd id="net-median">–</dd>
        <dt>Weft, measured (WebSocket frame)</dt><dd>${BENCH_BYTES.weft} bytes</dd>
        <dt>Phoenix LiveView, computed (WebSocket frame)</dt><dd>${BENCH_BYTES.phoenix} bytes</dd>
      </dl>
      <p class="muted">This page's figures are the payload of each answer to a click: the envelope's JSON, the same
      on every transport (it grows a little as the count and the event numbers get more digits; with
      <code>WEFT_MSGPACK=1 npm start</code>, WebSocket frames are MessagePack, about half the size). The other two, a
      counter increment over WebSocket from <code>docs/benchmarks.md</code>, include the WebSocket frame header
      (2 bytes for frames this small); on SSE and HTTP the stream event or the POST's answer adds more around the same payload.</p>
    </div>`,
});
