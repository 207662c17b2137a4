/**
 * The development overlay (docs/devtools.md): a panel toggled by Alt+Shift+W
 * that shows the transport in use and its history, the views with their seq
 * and unacknowledged events, the frames in and out with their sizes and round
 * trips, every error with its code, the event that caused it and a hint, and
 * the simulator's controls (sim.ts) — plus a dismissible toast per error.
 *
 * It lives in the shadow root of a `<weft-devtools>` element, so the page's
 * styles do not reach it and its styles do not reach the page. Everything it
 * shows from the wire is set as text (`textContent`), never parsed as HTML: a
 * frame carrying markup shows that markup.
 */
import { hintOf } from "../dev-log.ts";
import { EVENT_PREFIX, type WeftErrorDetail } from "../dom-events.ts";
import type { Sim, SimSettings, SimTransport } from "./types.ts";
import type { ErrorRecord, FrameRecord, WireLog } from "./wire.ts";

/** Frames drawn in the panel (the newest; the log keeps more). */
const SHOWN_FRAMES = 150;
/** A toast goes away by itself after this. */
const TOAST_MS = 8_000;
/** Toasts shown at once. */
const MAX_TOASTS = 3;
/** An outage reported this soon after the simulator cut is its doing: listed, not toasted. */
const CUT_QUIET_MS = 15_000;

const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
.panel { position: fixed; z-index: 2147483647; right: 8px; bottom: 8px; width: min(34rem, calc(100vw - 16px));
  max-height: min(80vh, 46rem); overflow: auto; background: #111827; color: #f9fafb; border: 1px solid #6b7280;
  border-radius: 8px; font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; padding: 8px 12px; }
.panel[hidden], .toast[hidden] { display: none; }
.bar { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
h2 { font-size: 14px; margin: 0; }
h3 { font-size: 13px; margin: 10px 0 4px; color: #93c5fd; }
button, input { font: inherit; color: #111827; background: #f9fafb; border: 1px solid #9ca3af; border-radius: 4px; padding: 2px 8px; }
button:focus-visible, input:focus-visible, .panel:focus-visible { outline: 2px solid #fbbf24; outline-offset: 1px; }
button[aria-pressed="true"] { background: #fbbf24; }
ol, ul { margin: 0; padding: 0; list-style: none; }
li { padding: 1px 0; border-bottom: 1px solid #374151; }
.frames { position: relative; max-height: 16rem; overflow: auto; }
.frames code { display: block; white-space: pre-wrap; word-break: break-all; color: #d1d5db; }
[data-dir="in"] .dir { color: #86efac; }
[data-dir="out"] .dir { color: #fcd34d; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 1px 6px 1px 0; }
.code { color: #fca5a5; font-weight: bold; }
.hint { color: #d1d5db; }
.sim { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; }
.sim input { width: 6rem; }
.toasts { position: fixed; z-index: 2147483647; left: 8px; bottom: 8px; display: flex; flex-direction: column; gap: 6px;
  pointer-events: none; max-width: min(26rem, calc(100vw - 16px)); }
.toast { pointer-events: none; background: #7f1d1d; color: #fff; border-radius: 6px; padding: 6px 10px;
  font: 13px/1.4 system-ui, sans-serif; box-shadow: 0 2px 8px rgb(0 0 0 / 0.4); }
.toast button { pointer-events: auto; margin-left: 8px; }
`;

/** What the overlay is given. */
export interface OverlayDeps {
  readonly log: WireLog;
  readonly sim: Sim;
  /** The transport in use (`window.weft.transport`). */
  readonly transport: () => string | undefined;
}

/**
 * Mounts the overlay on `doc` (once its body exists) and starts listening.
 *
 * @example
 * installOverlay(document, { log, sim: control.sim, transport: () => window.weft?.transport });
 */
export function installOverlay(doc: Document, deps: OverlayDeps): Overlay {
  const { log } = deps;
  const host = doc.createElement("weft-devtools");
  const root = host.attachShadow({ mode: "open" });
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // A constructed sheet (CSSOM), not a <style> element: a page whose policy refuses inline styles
  // (`style-src 'self'`) lets the CSSOM through.
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
  const panel = el("section", { class: "panel", role: "dialog", "aria-label": "Weft devtools", tabindex: "-1" });
  panel.hidden = true;
  const header = el("div", { class: "bar" }); // not <header>: a second banner landmark on the page (axe)
  const close = el("button", { type: "button" }, "Close");
  header.append(el("h2", {}, "Weft devtools (Alt+Shift+W)"), close);

  const section = (name: string, title: string): HTMLElement => {
    const s = el("div", { "data-section": name });
    s.append(el("h3", {}, title));
    panel.append(s);
    return s;
  };
  panel.append(header);
  const transportSec = section("transport", "Transport");
  const transportNow = el("p");
  const historyList = el("ol", { "aria-label": "Transport history" });
  transportSec.append(transportNow, historyList);

  const simSec = section("sim", "Simulator");
  const simBox = el("div", { class: "sim" });
  const number = (label: string, name: string, step: string, max: string): HTMLInputElement => {
    const id = `weft-sim-${name}`;
    const input = el("input", { type: "number", id, name, min: "0", max, step, value: "0" });
    simBox.append(el("label", { for: id }, label), input);
    return input;
  };
  const latency = number("Latency ms", "latencyMs", "50", "60000");
  const jitter = number("Jitter ms", "jitterMs", "50", "60000");
  const drop = number("Drop", "drop", "0.05", "1");
  const simError = el("p", { role: "status" });
  const cut = el("button", { type: "button" }, "Cut");
  const forceButtons: [HTMLButtonElement, SimTransport | undefined][] = [
    [el("button", { type: "button" }, "WebSocket"), "websocket"],
    [el("button", { type: "button" }, "SSE"), "sse"],
    [el("button", { type: "button" }, "HTTP"), "http"],
    [el("button", { type: "button" }, "Auto"), undefined],
  ];
  simBox.append(cut, ...forceButtons.map(([b]) => b));
  simSec.append(simBox, simError);

  const viewsSec = section("views", "Views");
  const viewsTable = el("table");
  // The header row is made once; each draw puts it back before the rows.
  const viewsHead = el("tr");
  for (const t of ["view", "seq", "unacked", "sent", "acked", "resent", "joins", "last rtt"]) viewsHead.append(el("th", { scope: "col" }, t));
  viewsSec.append(viewsTable);

  const framesSec = section("frames", "Frames");
  const totals = el("p");
  const framesList = el("ol", { class: "frames", "aria-label": "Frames, newest last", tabindex: "0" });
  framesSec.append(totals, framesList);

  const errorsSec = section("errors", "Errors");
  const errorsList = el("ol", { "aria-label": "Errors" });
  errorsSec.append(errorsList);

  const toasts = el("div", { class: "toasts" });
  root.append(panel, toasts);

  // Drawing: on the next animation frame, only while the panel is open. Rows already drawn stay
  // (a frame's row never changes): one being read keeps its place and its selected text on a busy page.
  let queued = false;
  let drawnFrame = 0;
  let drawnError: ErrorRecord | undefined;
  let drawnHistory: unknown;
  const draw = (): void => {
    queued = false;
    if (panel.hidden) return;
    transportNow.textContent = `In use: ${deps.transport() ?? "connecting"}`;
    const lastHistory = log.history[log.history.length - 1];
    if (lastHistory !== drawnHistory) {
      drawnHistory = lastHistory;
      historyList.replaceChildren(...log.history.slice(-12).map((h) => el("li", {}, `${time(h.at)} ${h.text}`)));
    }
    viewsTable.replaceChildren(viewsHead, ...[...log.views.values()].map((s) => {
      const tr = el("tr", { "data-view": String(s.v) });
      for (const c of [s.v, s.seq, s.unacked.size, s.sent, s.acked, s.resent, s.joins, s.rtt === undefined ? "–" : `${s.rtt} ms`]) tr.append(el("td", {}, String(c)));
      return tr;
    }));
    const t = log.totals;
    totals.textContent = `in ${t.in} frames, ${t.bytesIn} B · out ${t.out} frames, ${t.bytesOut} B`;
    const atEnd = framesList.scrollTop + framesList.clientHeight >= framesList.scrollHeight - 4;
    // The first row in sight and where it is, to keep it there as rows go from the top.
    const top = framesList.scrollTop;
    const anchor = [...framesList.children].find((r) => (r as HTMLElement).offsetTop + (r as HTMLElement).offsetHeight > top) as HTMLElement | undefined;
    const anchorAt = anchor === undefined ? 0 : anchor.offsetTop - top;
    let from = log.frames.length;
    while (from > 0 && log.frames[from - 1]!.id > drawnFrame) from--;
    const fresh = log.frames.slice(Math.max(from, log.frames.length - SHOWN_FRAMES));
    if (fresh.length > 0) {
      drawnFrame = fresh[fresh.length - 1]!.id;
      framesList.append(...fresh.map(frameRow));
    }
    while (framesList.children.length > SHOWN_FRAMES) framesList.firstElementChild!.remove();
    if (atEnd) framesList.scrollTop = framesList.scrollHeight;
    else if (anchor?.isConnected) framesList.scrollTop = anchor.offsetTop - anchorAt;
    const lastError = log.errors[log.errors.length - 1];
    if (lastError !== drawnError) {
      drawnError = lastError;
      errorsList.replaceChildren(...log.errors.slice(-30).map(errorRow));
    }
  };
  const redraw = (): void => {
    if (queued || panel.hidden) return;
    queued = true;
    requestAnimationFrame(draw);
  };
  log.onChange = redraw;

  const frameRow = (f: FrameRecord): HTMLLIElement => {
    const li = el("li", { "data-dir": f.dir });
    const what = [f.kind, f.e, f.v === undefined ? undefined : `v${f.v}`, f.r === undefined ? undefined : `r${f.r}`].filter(Boolean).join(" ");
    li.append(
      el("span", { class: "dir" }, f.dir === "in" ? "↓ in " : "↑ out "),
      el("span", {}, `${time(f.at)} ${f.transport} ${what} ${f.bytes} B${f.rtt === undefined ? "" : ` · ${f.rtt} ms round trip`}`),
      el("code", {}, f.text),
    );
    return li;
  };
  const errorRow = (e: ErrorRecord): HTMLLIElement => {
    const li = el("li", { "data-code": e.code });
    const hint = hintOf(e.code);
    li.append(
      el("span", { class: "code" }, e.code),
      el("span", {}, ` ${e.message}`),
      el("div", {}, `event: ${e.event ?? "–"}${e.view === undefined ? "" : ` · view ${e.view}`}${e.ref === undefined ? "" : ` · ref ${e.ref}`}`),
    );
    if (hint !== undefined) li.append(el("div", { class: "hint" }, `hint: ${hint}`));
    return li;
  };

  // Opening, closing, keys.
  let before: Element | null = null;
  const setOpen = (open: boolean): void => {
    if (open === !panel.hidden) return;
    panel.hidden = !open;
    if (open) {
      before = doc.activeElement;
      draw();
      panel.focus();
    } else if (before instanceof HTMLElement && before.isConnected) before.focus();
  };
  close.addEventListener("click", () => setOpen(false));
  doc.addEventListener("keydown", (e) => {
    if (e.altKey && e.shiftKey && !e.ctrlKey && !e.metaKey && e.code === "KeyW") {
      e.preventDefault();
      setOpen(!!panel.hidden);
    } else if (e.key === "Escape") {
      for (const t of [...toasts.children]) t.remove();
    }
  });
  panel.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.stopPropagation();
      setOpen(false);
    }
  });

  // The simulator's controls.
  const apply = (): void => {
    try {
      deps.sim({ latencyMs: Number(latency.value), jitterMs: Number(jitter.value), drop: Number(drop.value) });
      simError.textContent = "";
    } catch (err) {
      simError.textContent = (err as Error).message;
    }
  };
  for (const input of [latency, jitter, drop]) input.addEventListener("change", apply);
  cut.addEventListener("click", () => deps.sim.cut());
  for (const [b, name] of forceButtons) b.addEventListener("click", () => deps.sim.force(name));
  const showSettings = (s: SimSettings): void => {
    latency.value = String(s.latencyMs);
    jitter.value = String(s.jitterMs);
    drop.value = String(s.drop);
    for (const [b, name] of forceButtons) b.setAttribute("aria-pressed", String(name === s.forced));
  };
  showSettings({ latencyMs: 0, jitterMs: 0, drop: 0, forced: undefined });

  // Errors: listed, and a toast each.
  const toast = (e: ErrorRecord): void => {
    const box = el("div", { class: "toast", role: "alert", "data-toast": e.code });
    const dismiss = el("button", { type: "button" }, "Dismiss");
    box.append(el("strong", {}, e.code), el("span", {}, ` ${e.message}${e.event === undefined ? "" : ` (event ${e.event})`}`), dismiss);
    const timer = setTimeout(() => box.remove(), TOAST_MS);
    dismiss.addEventListener("click", () => {
      clearTimeout(timer);
      box.remove();
    });
    toasts.append(box);
    while (toasts.children.length > MAX_TOASTS) toasts.firstElementChild!.remove();
  };
  let lastCut = -Infinity;
  doc.addEventListener(EVENT_PREFIX + "error", (ev) => {
    const d = (ev as CustomEvent<WeftErrorDetail>).detail;
    if (d === null || typeof d !== "object") return;
    const rec = log.error(d.code, d.message, d.view, d.ref);
    if (!(d.code === "E_CLIENT_TRANSPORT" && Date.now() - lastCut < CUT_QUIET_MS)) toast(rec);
  });
  doc.addEventListener(EVENT_PREFIX + "transport", (ev) => {
    const d = (ev as CustomEvent<{ transport?: string; previous?: string }>).detail;
    log.note(d?.previous ? `${d.previous} → ${d.transport}` : `connected: ${d?.transport}`);
  });

  const mount = (): void => {
    doc.body.append(host);
  };
  if (doc.body) mount();
  else doc.addEventListener("DOMContentLoaded", mount, { once: true });

  return {
    simChanged(s, wasCut) {
      if (wasCut) lastCut = Date.now();
      showSettings(s);
      log.note(wasCut ? "cut by weft.sim" : `sim: latency ${s.latencyMs} ms, jitter ${s.jitterMs} ms, drop ${s.drop}${s.forced ? `, only ${s.forced}` : ""}`);
    },
  };
}

/** What {@link installOverlay} returns. */
export interface Overlay {
  /** The simulator's settings changed (or it cut): the controls follow, the history says so. */
  simChanged(settings: SimSettings, cut: boolean): void;
}

function time(at: number): string {
  const d = new Date(at);
  return `${String(d.getMinutes()).padStart(2, "0")}:${String(d.getSeconds()).padStart(2, "0")}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}
