/**
 * The browser bundle's entry (served at /weft/client.js): on DOM ready it mounts
 * every `[weft-view]` root, wires the bindings and connects.
 *
 * Exposes `window.weft = { transport, probing, socket, sim }` for tests and debugging,
 * and `window.Weft` (the page's: `Weft.hooks`, hooks.ts) as soon as it runs. Reads
 * from its own script tag `data-heartbeat` (ms), `data-transports` (the
 * server's offer, best first), `data-max-bytes` (the server's size limit for
 * what the client sends), and `window.WEFT_TRANSPORT` (forces one). The
 * console log of a dev page is apart, in /weft/client-dev.js (dev.ts).
 */
import { ATTR } from "../protocol/messages.ts";
import { bind } from "./bindings.ts";
import { limits } from "./limits.ts";
import { guard } from "./dom-events.ts";
import { installHooks } from "./hooks.ts";
import { liveSocket, type LiveSocket } from "./live-socket.ts";
import { installLiveNav } from "./live-nav.ts";
import { flashBoot } from "./flash.ts";
import { installFocus } from "./focus.ts";
import { createNegotiator } from "./negotiate.ts";
import { installUploads } from "./uploads.ts";
import type { Sim } from "./devtools/types.ts";

/** Read now: `document.currentScript` is only set while this script first runs. */
const script = document.currentScript;
const heartbeat = Number(script?.getAttribute("data-heartbeat")) || 30_000;
const offered = script?.getAttribute("data-transports");
limits.maxBytes = Number(script?.getAttribute("data-max-bytes")) || limits.maxBytes;
// Now, not at DOM ready: a page script right after this one may register hooks on `window.Weft`.
installHooks();

/**
 * What `window.weft` holds.
 *
 * @example
 * (window as unknown as { weft: WeftGlobal }).weft.transport; // "websocket"
 */
export interface WeftGlobal {
  /** Name of the transport in use ("websocket", "sse", "http"), once one has connected. */
  readonly transport: string | undefined;
  /** Name of the better transport being probed in the background, if any. */
  readonly probing: string | undefined;
  /** The page's connection and its views. */
  readonly socket: LiveSocket;
  /**
   * The network simulator (docs/devtools.md): latency, cuts, a forced
   * transport. Only pages in development mode have it (the development part,
   * devtools/index.ts, puts devtools/sim.ts's here); elsewhere each call warns and does nothing.
   *
   * @example
   * weft.sim({ latencyMs: 200, jitterMs: 50, drop: 0.1 }); weft.sim.cut(); weft.sim.force("sse");
   */
  readonly sim: Sim;
}

/** `weft.sim` outside development mode: a warning, nothing changes (the development part replaces it). */
const noSim = ((): void => console.warn("weft.sim: dev only")) as Sim;
noSim.cut = noSim.force = noSim as () => void;

/** sessionStorage, or undefined where touching it throws (storage disabled, sandboxed frames). */
function tabStorage(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined;
  }
}

function boot(): void {
  const forced = (window as { WEFT_TRANSPORT?: unknown }).WEFT_TRANSPORT;
  const socket = liveSocket(heartbeat, createNegotiator({ offered, forced, storage: tabStorage() }));
  const weft: WeftGlobal = {
    get transport() {
      return socket.transportName;
    },
    get probing() {
      return socket.probingName;
    },
    socket,
    sim: noSim,
  };
  (window as unknown as { weft: WeftGlobal }).weft = weft;
  bind(document, (root) => socket.viewOf(root));
  installLiveNav(socket);
  flashBoot();
  installFocus();
  installUploads(socket);
  socket.scan();
  // Roots added or removed later (by a patch or by page scripts) join or leave.
  // Only mutations that add or remove a view root trigger a scan: patches that
  // touch ordinary elements (most of them) cost one check per changed node.
  new MutationObserver(guard((records: MutationRecord[]) => {
    if (records.some(touchesRoot)) socket.scan();
  })).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
  addEventListener("online", guard(() => socket.wake()));
  addEventListener("pagehide", guard((e: PageTransitionEvent) => {
    if (!e.persisted) socket.farewell();
  }));
  socket.connect();
}

const ROOT = `[${ATTR.view}]`;

function touchesRoot(r: MutationRecord): boolean {
  const has = (n: Node) => n instanceof Element && (n.matches(ROOT) || n.querySelector(ROOT) !== null);
  return [...r.addedNodes, ...r.removedNodes].some(has);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", guard(boot));
else guard(boot)();
