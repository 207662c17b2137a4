/**
 * The simulator's public shapes (`window.weft.sim`, docs/devtools.md), apart
 * from its code: the client's entry (index.ts) types `weft.sim` with them and
 * carries only a stub that warns, while the working simulator is in the
 * development part (sim.ts), which production pages do not load.
 */

/** The transports a page can be forced onto. */
export type SimTransport = "websocket" | "sse" | "http";

/** What `weft.sim(options)` takes: a missing key is 0. */
export interface SimOptions {
  /** Added delay in ms per direction: each frame out and each frame in (a request: before it goes and before its answer). 0..60000. */
  latencyMs?: number;
  /** Plus a random 0..jitterMs per frame; the order of frames is kept. 0..60000. */
  jitterMs?: number;
  /** 0..1: the chance per frame (per request on a link transport) that the page's connections are cut right there. */
  drop?: number;
}

/** The simulator's settings, as `weft.sim()` returns them. */
export interface SimSettings {
  readonly latencyMs: number;
  readonly jitterMs: number;
  readonly drop: number;
  /** The transport every other one is blocked for (`weft.sim.force`), if any. */
  readonly forced: SimTransport | undefined;
}

/**
 * `window.weft.sim`: latency, connection cuts and a forced transport, so that
 * a developer can watch exactly-once delivery and loading states hold. Works
 * on pages in development mode only; elsewhere every call warns and changes nothing.
 *
 * @example
 * weft.sim({ latencyMs: 200, jitterMs: 50, drop: 0.05 });
 * weft.sim.cut();          // every Weft connection of the page drops now
 * weft.sim.force("sse");   // WebSocket and HTTP blocked: the page falls over to SSE
 * weft.sim.force();        // the block is lifted
 * weft.sim({});            // no latency, no drops
 */
export interface Sim {
  /** Sets latency, jitter and drop (a missing key is 0) and returns the settings; without an argument only returns them. */
  (options?: SimOptions): SimSettings | undefined;
  /** Cuts every live Weft connection of the page now. */
  cut(): void;
  /** Blocks every transport but `transport`, then cuts; without one, lifts the block. */
  force(transport?: SimTransport): void;
}
