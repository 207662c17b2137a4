/**
 * Transport negotiation: which transport to try, and which next when one never
 * opens. Today only WebSocket exists; SSE and HTTP plug in by joining
 * {@link TRANSPORTS} (best first), and the fallback policy lives here, not in
 * the live socket.
 */
import type { Transport, TransportFactory } from "./transports/types.ts";
import { WebSocketTransport } from "./transports/websocket.ts";

/**
 * Every transport the client has, best first.
 *
 * @example
 * TRANSPORTS.map((t) => t.name); // ["websocket"]
 */
export const TRANSPORTS: readonly TransportFactory[] = [
  { name: "websocket", create: () => new WebSocketTransport() },
];

/**
 * Picks transports for one page.
 *
 * `forced` is `window.WEFT_TRANSPORT`: when it names a transport this client has,
 * only that one is used (tests and proxies that need one transport). An unknown
 * name is ignored rather than leaving the page without a link.
 *
 * @example
 * const n = new Negotiator((window as { WEFT_TRANSPORT?: unknown }).WEFT_TRANSPORT);
 * const t = n.create();
 * t.onClose = () => { if (!opened) n.failed(); };
 */
export class Negotiator {
  private readonly order: readonly TransportFactory[];
  private index = 0;

  constructor(forced?: unknown) {
    const only = TRANSPORTS.filter((t) => t.name === forced);
    this.order = only.length > 0 ? only : TRANSPORTS;
  }

  /**
   * A fresh transport of the current choice.
   *
   * @example
   * socket.transport = negotiator.create();
   */
  create(): Transport {
    return (this.order[this.index] ?? TRANSPORTS[0]!).create();
  }

  /**
   * The last transport never opened: fall back to the next one right away,
   * rather than after many retries of one that is blocked. Wraps around, since
   * a network that blocked everything may recover.
   *
   * @example
   * negotiator.failed();
   */
  failed(): void {
    this.index = (this.index + 1) % this.order.length;
  }
}
