/**
 * The devtools of a development page, put together: the simulator (sim.ts)
 * wraps the network now, before the client loads; its frames go to the wire
 * log (wire.ts), which the overlay (overlay.ts) shows and which dispatches a
 * `weft:frame` event per frame on `document`; `window.weft.sim` is the
 * simulator's as soon as the client sets `window.weft`.
 */
import { emit } from "../dom-events.ts";
import { installOverlay } from "./overlay.ts";
import { installSim } from "./sim.ts";
import type { Sim } from "./types.ts";
import { WireLog } from "./wire.ts";

/**
 * Installs the devtools on `win` (once).
 *
 * @example
 * installDevtools(window); // dev.ts
 */
export function installDevtools(win: Window & typeof globalThis): void {
  const doc = win.document;
  // The server marks the client's script tag of a development page; the simulator refuses elsewhere.
  const control = installSim(win, () => doc.querySelector("script[data-dev]") !== null);
  const log = new WireLog();
  control.tap = (dir, transport, data) => log.add(dir, transport, data);
  log.onFrame = (f) => emit(doc, "frame", { dir: f.dir, transport: f.transport, bytes: f.bytes, kind: f.kind, v: f.v, r: f.r, text: f.text });
  const overlay = installOverlay(doc, { log, sim: control.sim, transport: () => (win as { weft?: { transport?: string } }).weft?.transport });
  control.onChange = (settings, cut) => {
    overlay.simChanged(settings, cut);
    emit(doc, "sim", { ...settings, cut });
  };
  // The client sets `window.weft` once, at DOM ready: the simulator goes on it then.
  let weft: { sim?: Sim } | undefined;
  Object.defineProperty(win, "weft", {
    configurable: true,
    enumerable: true,
    get: () => weft,
    set(value: { sim?: Sim } | undefined) {
      weft = value;
      if (value !== null && typeof value === "object") {
        try {
          Object.defineProperty(value, "sim", { value: control.sim, configurable: true, enumerable: true, writable: false });
        } catch {
          // A frozen object: left as it is.
        }
      }
    },
  });
}
