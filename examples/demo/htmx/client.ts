/**
 * The one script of the htmx demo pages besides htmx itself, served at
 * /htmx/demo.js. It only listens to htmx's own events (both generations'
 * names) and never builds HTML from a string itself:
 * - each socket or stream (an element with `data-live="NAME"`) shows its
 *   state in `#NAME-conn` (`data-state`: connecting, open, live — a message
 *   came —, closed with `data-code`, reconnecting);
 * - a ws-send form with `data-reset` is emptied once sent;
 * - a JSON broadcast (or current state) of topic "status" sets `#status-text` (pattern 4: JSON
 *   messages handled by page script, `htmx:wsAfterMessage` /
 *   `htmx:ws:after:message:incoming`);
 */

/** Where the pages load it. */
export const PAGE_SCRIPT_PATH = "/htmx/demo.js";

export const PAGE_SCRIPT = `(function () {
  "use strict";
  function box(e) {
    var t = e.target;
    return t && t.closest ? t.closest("[data-live]") : null;
  }
  function show(e, state, text, code) {
    var b = box(e);
    var el = b && document.getElementById(b.getAttribute("data-live") + "-conn");
    if (!el) return;
    if (state === "live" && el.getAttribute("data-state") === "live") return;
    el.setAttribute("data-state", state);
    if (code !== undefined && code !== null) el.setAttribute("data-code", String(code));
    el.textContent = text;
  }
  function on(names, fn) {
    names.forEach(function (n) { document.addEventListener(n, fn); });
  }
  on(["htmx:wsConnecting"], function (e) { show(e, "connecting", "connecting…"); });
  on(["htmx:wsOpen", "htmx:ws:after:connection", "htmx:sseOpen", "htmx:sse:after:connection"], function (e) {
    show(e, "open", "connected");
  });
  on(["htmx:wsClose"], function (e) {
    var code = e.detail && e.detail.event ? e.detail.event.code : undefined;
    show(e, "closed", "closed (" + code + "), reconnecting if the server asked for it…", code);
  });
  on(["htmx:ws:close"], function (e) {
    var code = e.detail ? e.detail.code : undefined;
    show(e, "closed", "closed (" + code + "), reconnecting if the server asked for it…", code);
  });
  on(["htmx:sseError", "htmx:sse:error"], function (e) { show(e, "reconnecting", "reconnecting…"); });

  // A message: the socket is live; a JSON broadcast of "status" is shown as text.
  function text(e) {
    var m = e.detail ? e.detail.message : undefined;
    if (typeof m === "string") return m;
    return m && typeof m.data === "string" ? m.data : "";
  }
  on(["htmx:wsAfterMessage", "htmx:ws:after:message:incoming", "htmx:sseMessage", "htmx:sse:after:message"], function (e) {
    show(e, "live", "live");
    var t = text(e);
    if (t.charAt(0) !== "{") return;
    var msg;
    try { msg = JSON.parse(t); } catch (err) { return; }
    // A broadcast, or the topic's current state sent when the socket connects.
    if (!msg || (msg.weft !== "broadcast" && msg.weft !== "current") || msg.topic !== "status") return;
    var out = document.getElementById("status-text");
    var data = msg.data || {};
    if (!out) return;
    out.textContent = typeof data.text === "string" ? data.text : "";
    // One of the three levels, else none (the topic's "no status yet", or a level this page does not know).
    out.setAttribute("data-level", data.level === "ok" || data.level === "degraded" || data.level === "down" ? data.level : "none");
  });

  // A form sent over the socket: empty it for the next message.
  on(["htmx:wsAfterSend", "htmx:ws:after:message:outgoing"], function (e) {
    var f = e.target;
    if (f && f.tagName === "FORM" && f.hasAttribute("data-reset")) {
      f.reset();
      var first = f.querySelector("input:not([type=hidden])");
      if (first) first.focus();
    }
  });
})();
`;
