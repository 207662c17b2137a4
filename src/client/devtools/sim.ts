/**
 * The network simulator of the development part (docs/devtools.md): it wraps
 * the page's `WebSocket`, `EventSource` and `fetch` before the client loads, so
 * that every Weft connection of the page (and nothing else: other URLs get the
 * browser's own objects) passes through it. Through it:
 *
 * - every Weft frame, in and out, is told to a tap (the overlay's wire log);
 * - `latencyMs` and `jitterMs` delay each frame (each request and each answer),
 *   in order, as a slow link would;
 * - `drop` cuts the page's connections at a random frame, that frame lost;
 * - `cut()` cuts them now, as a network would: a WebSocket closes with 1006, an
 *   SSE stream drops and reconnects by itself with its last event id (as
 *   EventSource does), a request in flight fails with a TypeError — a POST may
 *   have reached the server, its answer is lost;
 * - `force(name)` blocks the other transports, as a proxy would (a WebSocket
 *   never opens, a request fails), and cuts: the client falls over to `name`.
 *
 * The client is not told any of this: it recovers as it would from the real
 * thing, which is the point — exactly-once delivery and loading states can be
 * watched holding. The simulator runs only on a page in development mode (the
 * client's script tag has `data-dev`); elsewhere it warns and changes nothing.
 */
import { PATHS } from "../../protocol/messages.ts";
import type { Sim, SimOptions, SimSettings, SimTransport } from "./types.ts";

/** Told of every Weft frame: its direction, its transport and its data as sent (a string, or bytes for binary frames). */
export type Tap = (dir: "in" | "out", transport: SimTransport, data: string | ArrayBuffer | ArrayBufferView | Blob) => void;

/** The simulator, as {@link installSim} returns it. */
export interface SimControl {
  /** `window.weft.sim`. */
  readonly sim: Sim;
  /** Receives every Weft frame (set by the overlay). */
  tap: Tap;
  /** Told when the settings change (`cut`: a cut happened). */
  onChange: (settings: SimSettings, cut: boolean) => void;
}

const TRANSPORTS: readonly SimTransport[] = ["websocket", "sse", "http"];
const MAX_MS = 60_000;
const OPTION_KEYS: readonly string[] = ["latencyMs", "jitterMs", "drop"];
/** How long a cut SSE stream waits before it reconnects (EventSource's own wait: the server's `retry:`). */
const SSE_RETRY_MS = 1_000;
const CUT_MESSAGE = "Failed to fetch (weft.sim cut)";

/** Something the simulator can cut: a socket, a stream, a request. */
interface Link {
  cut(): void;
  /** Sends now what it holds back (the page is going away). */
  flush?(): void;
}

/**
 * Wraps the network objects of `win` (once) and returns the simulator.
 *
 * @param isDevPage whether the page is in development mode, asked at each call of `weft.sim`.
 *
 * @example
 * const control = installSim(window, () => document.querySelector("script[data-dev]") !== null);
 * control.tap = (dir, transport, data) => log.push({ dir, transport, data });
 */
export function installSim(win: typeof globalThis, isDevPage: () => boolean): SimControl {
  // Frozen: the page gets this object from weft.sim(), and must not change it past the checks.
  let settings: SimSettings = Object.freeze({ latencyMs: 0, jitterMs: 0, drop: 0, forced: undefined });
  const links = new Set<Link>();
  const blocked = (t: SimTransport): boolean => settings.forced !== undefined && settings.forced !== t;
  const lost = (): boolean => settings.drop > 0 && Math.random() < settings.drop;

  const control: SimControl = { sim: undefined as unknown as Sim, tap: () => {}, onChange: () => {} };
  const cutAll = (): void => {
    for (const l of [...links]) l.cut();
    control.onChange(settings, true);
  };

  /**
   * One direction of one connection: runs each step after the simulated delay, in order.
   * Steps wait in a queue behind one timer: a timer each would not keep the order, as
   * timers due in the same millisecond (or set across a millisecond's edge: browsers
   * truncate the delay, Node counts it from the event loop's cached clock) may fire in
   * either order.
   */
  const pipe = () => {
    let last = 0;
    const queue: Array<[at: number, fn: () => void]> = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const next = (): void => {
      timer = undefined;
      // A step may clear the queue (a close, a cut): the loop then ends.
      while (queue.length > 0 && queue[0]![0] <= Date.now()) {
        const fn = queue.shift()![1];
        try {
          fn();
        } catch (err) {
          // The page's handler threw: reported as it would be from a timer of its own; the rest still runs.
          setTimeout(() => {
            throw err;
          }, 0);
        }
      }
      if (queue.length > 0 && timer === undefined) timer = setTimeout(next, Math.max(0, queue[0]![0] - Date.now()));
    };
    return {
      run(fn: () => void): void {
        const { latencyMs, jitterMs } = settings;
        if (latencyMs === 0 && jitterMs === 0 && queue.length === 0) return fn();
        last = Math.max(last, Date.now() + latencyMs + Math.random() * jitterMs);
        queue.push([last, fn]);
        if (timer === undefined) timer = setTimeout(next, Math.max(0, last - Date.now()));
      },
      clear(): void {
        clearTimeout(timer);
        timer = undefined;
        queue.length = 0;
      },
      /** Runs every step now, in order. */
      flush(): void {
        for (const [, fn] of queue.splice(0)) fn();
      },
    };
  };

  // The page going away: a timer would not outlive it, so what a socket holds back goes now, and
  // so does what the page sends from then on (the client's farewell), as a real link would send it.
  let leaving = false;
  win.addEventListener?.("pagehide", () => {
    leaving = true;
    for (const l of links) l.flush?.();
  });
  win.addEventListener?.("pageshow", () => (leaving = false));

  const ours = (url: string | URL, path: string): boolean => {
    try {
      const u = new URL(url, win.location.href);
      return u.pathname === path && u.host === win.location.host;
    } catch {
      return false;
    }
  };

  /**
   * The `on*` handlers of a wrapped object, as the browser runs them: listeners like the others
   * (the event's target set; a handler that throws is reported, and the other listeners still run).
   */
  const handle = (target: EventTarget, types: readonly string[]): void => {
    for (const type of types) {
      target.addEventListener(type, (ev) => {
        const handler = (target as unknown as Record<string, unknown>)["on" + type];
        if (typeof handler === "function") handler.call(target, ev);
      });
    }
  };
  /**
   * Puts `Sim` in place of the page's `name` constructor for URLs of `path`
   * (other URLs get the browser's own), with the ready-state constants on both.
   */
  const wrap = <T>(name: "WebSocket" | "EventSource", Native: new (url: string | URL, more?: never) => T, path: string, Sim: new (url: string | URL, more?: never) => object, states: Record<string, number>): void => {
    for (const [k, v] of Object.entries(states)) {
      Object.defineProperty(Sim, k, { value: v });
      Object.defineProperty(Sim.prototype, k, { value: v });
    }
    const Wrapped = function (url: string | URL, more?: never) {
      return ours(url, path) ? new Sim(url, more) : new Native(url, more);
    };
    Object.assign(Wrapped, states);
    Wrapped.prototype = Native.prototype;
    (win as unknown as Record<string, unknown>)[name] = Wrapped;
  };

  // WebSocket: /weft/ws only.
  const NativeSocket = win.WebSocket;
  if (NativeSocket !== undefined) {
    class SimSocket extends EventTarget {
      onopen: ((e: Event) => void) | null = null;
      onmessage: ((e: MessageEvent) => void) | null = null;
      onclose: ((e: CloseEvent) => void) | null = null;
      onerror: ((e: Event) => void) | null = null;
      readyState = 0;
      readonly url: string;
      private real: WebSocket | undefined;
      private type: BinaryType = "blob";
      private readonly down = pipe();
      private readonly up = pipe();
      private readonly link: Link = { cut: () => this.end(1006, true), flush: () => this.up.flush() };

      constructor(url: string | URL, protocols?: string | string[]) {
        super();
        handle(this, ["open", "message", "error", "close"]);
        // As the browser gives it: absolute, http(s) as ws(s).
        const u = new URL(url, win.location.href);
        if (u.protocol === "http:" || u.protocol === "https:") u.protocol = u.protocol === "http:" ? "ws:" : "wss:";
        this.url = u.href;
        links.add(this.link);
        if (blocked("websocket")) {
          // A proxy that refuses the upgrade: the socket never opens.
          setTimeout(() => this.down.run(() => this.end(1006, true)), 0);
          return;
        }
        const real = (this.real = new NativeSocket(url, protocols));
        real.binaryType = this.type;
        real.onopen = () => this.down.run(() => {
          this.readyState = 1;
          this.dispatchEvent(new Event("open"));
        });
        real.onmessage = (e: MessageEvent) => {
          if (lost()) return cutAll();
          this.down.run(() => {
            if (this.readyState !== 1) return;
            control.tap("in", "websocket", e.data);
            this.dispatchEvent(new MessageEvent("message", { data: e.data }));
          });
        };
        real.onclose = (e: CloseEvent) => this.down.run(() => this.end(e.code, e.code === 1006, e.reason, e.wasClean));
      }

      get protocol(): string {
        return this.real?.protocol ?? "";
      }
      get extensions(): string {
        return this.real?.extensions ?? "";
      }
      get bufferedAmount(): number {
        return this.real?.bufferedAmount ?? 0;
      }
      get binaryType(): BinaryType {
        return this.type;
      }
      set binaryType(t: BinaryType) {
        this.type = t;
        if (this.real) this.real.binaryType = t;
      }

      send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer> | Blob): void {
        if (this.readyState === 0) throw new DOMException("Still in CONNECTING state.", "InvalidStateError");
        if (this.readyState !== 1) return;
        control.tap("out", "websocket", data as string);
        if (lost()) return cutAll();
        const step = (): void => void (this.real?.readyState === 1 && this.real.send(data));
        if (leaving) {
          this.up.flush();
          step();
        } else this.up.run(step);
      }

      close(code?: number, reason?: string): void {
        if (this.readyState >= 2) return;
        this.readyState = 2;
        if (this.real === undefined) return this.end(1006, false);
        this.real.close(code, reason);
      }

      /**
       * Closed: by the server, by close(), or cut (`error`: the close is abnormal and an error comes first).
       * Nothing passes from now on; the page is told in a task of its own (a cut may come from inside its own send).
       */
      private end(code: number, error: boolean, reason = "", wasClean = false): void {
        if (this.readyState === 3) return;
        links.delete(this.link);
        this.down.clear();
        this.up.clear();
        const real = this.real;
        if (real && real.readyState < 2) {
          real.onopen = real.onmessage = real.onclose = null;
          real.close();
        }
        this.readyState = 3;
        setTimeout(() => {
          if (error) this.dispatchEvent(new Event("error"));
          this.dispatchEvent(new CloseEvent("close", { code, reason, wasClean }));
        }, 0);
      }
    }
    wrap("WebSocket", NativeSocket, PATHS.socket, SimSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  }

  // EventSource: /weft/sse only.
  const NativeStream = win.EventSource;
  if (NativeStream !== undefined) {
    class SimStream extends EventTarget {
      onopen: ((e: Event) => void) | null = null;
      onmessage: ((e: MessageEvent) => void) | null = null;
      onerror: ((e: Event) => void) | null = null;
      readyState = 0;
      readonly url: string;
      readonly withCredentials = false;
      private real: EventSource | undefined;
      private lastId = "";
      private retry: ReturnType<typeof setTimeout> | undefined;
      private readonly down = pipe();
      private readonly link: Link = { cut: () => this.drop() };

      constructor(url: string | URL) {
        super();
        handle(this, ["open", "message", "error"]);
        this.url = new URL(url, win.location.href).href;
        links.add(this.link);
        this.connect();
      }

      private connect(): void {
        if (blocked("sse")) {
          // A proxy that refuses the stream: EventSource gives up (CLOSED).
          setTimeout(() => this.down.run(() => this.fail()), 0);
          return;
        }
        const url = this.lastId === "" ? this.url : `${this.url}&last=${encodeURIComponent(this.lastId)}`;
        const real = (this.real = new NativeStream(url));
        real.onopen = () => this.down.run(() => {
          this.readyState = 1;
          this.dispatchEvent(new Event("open"));
        });
        real.onmessage = (e: MessageEvent) => {
          if (lost()) return cutAll();
          const id = e.lastEventId;
          this.down.run(() => {
            if (this.readyState === 2) return;
            control.tap("in", "sse", e.data as string);
            if (id !== "") this.lastId = id;
            this.dispatchEvent(new MessageEvent("message", { data: e.data, lastEventId: id }));
          });
        };
        real.onerror = () => this.down.run(() => {
          if (real.readyState === 2) return this.fail();
          this.readyState = 0;
          this.dispatchEvent(new Event("error"));
        });
      }

      /** Cut: the stream drops; reconnects after a moment with its last event id, as EventSource does. */
      private drop(): void {
        if (this.readyState === 2) return;
        this.down.clear();
        this.stopReal();
        this.readyState = 0;
        setTimeout(() => this.readyState === 0 && this.dispatchEvent(new Event("error")), 0);
        clearTimeout(this.retry);
        this.retry = setTimeout(() => this.readyState === 0 && this.connect(), SSE_RETRY_MS);
      }

      private fail(): void {
        if (this.readyState === 2) return;
        this.close();
        this.dispatchEvent(new Event("error"));
      }

      private stopReal(): void {
        if (this.real === undefined) return;
        this.real.onopen = this.real.onmessage = this.real.onerror = null;
        this.real.close();
        this.real = undefined;
      }

      close(): void {
        this.readyState = 2;
        links.delete(this.link);
        clearTimeout(this.retry);
        this.down.clear();
        this.stopReal();
      }
    }
    wrap("EventSource", NativeStream, PATHS.sse, SimStream, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
  }

  // fetch: /weft/sse (the stream's POSTs) and /weft/http.
  const nativeFetch = win.fetch.bind(win);
  win.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : undefined;
    const url = request ? request.url : String(input);
    const transport: SimTransport | undefined = ours(url, PATHS.http) ? "http" : ours(url, PATHS.sse) ? "sse" : undefined;
    // The page's signal: its init's, else its Request's (as the browser reads it).
    const signal = init?.signal ?? request?.signal;
    if (transport === undefined || signal?.aborted) return nativeFetch(input, init);
    return new Promise<Response>((resolve, reject) => {
      const up = pipe();
      const down = pipe();
      const abort = new AbortController();
      const isPost = (init?.method ?? request?.method ?? "GET").toUpperCase() === "POST";
      let settled = false;
      const onAbort = (): void => {
        abort.abort();
        settle(() => reject(signal!.reason ?? new DOMException("The operation was aborted.", "AbortError")));
      };
      const settle = (f: () => void): void => {
        if (settled) return;
        settled = true;
        links.delete(link);
        // A link's one signal serves all its requests: nothing of this one stays on it.
        signal?.removeEventListener("abort", onAbort);
        up.clear();
        down.clear();
        f();
      };
      const failNow = (): void => settle(() => reject(new TypeError(CUT_MESSAGE)));
      const link: Link = {
        cut() {
          // A POST may have reached the server: only its answer is lost. A poll is ended.
          if (!isPost) abort.abort();
          failNow();
        },
      };
      links.add(link);
      signal?.addEventListener("abort", onAbort);
      // The native request ends on a cut or on the page's abort, also once answered (its body) where
      // the browser has AbortSignal.any (older ones: until the answer, by onAbort).
      const both = signal !== undefined && typeof AbortSignal.any === "function" ? AbortSignal.any([signal, abort.signal]) : abort.signal;
      if (init?.body !== undefined && init.body !== null) control.tap("out", transport, init.body as string);
      if (blocked(transport)) return up.run(failNow);
      if (lost()) return cutAll();
      const send = (): void => {
        nativeFetch(input, { ...init, signal: both }).then(
          (res) => {
            if (settled) return;
            if (lost()) return cutAll();
            // Read from a copy, when the page gets the answer (a long poll's body comes with it).
            const copy = res.clone();
            down.run(() => settle(() => {
              copy.text().then((text) => control.tap("in", transport, text), () => {});
              resolve(res);
            }));
          },
          (err: unknown) => down.run(() => settle(() => reject(err))),
        );
      };
      // A keepalive request (the farewell on pagehide) goes at once: a timer would not outlive the page.
      if (init?.keepalive === true) send();
      else up.run(send);
    });
  };

  const check = (name: string, v: unknown, max: number): number => {
    if (v === undefined) return 0;
    if (typeof v !== "number" || !(v >= 0 && v <= max)) throw new RangeError(`weft.sim: ${name} must be a number from 0 to ${max}, not ${String(v)}`);
    return v;
  };
  const refused = (): boolean => {
    if (isDevPage()) return false;
    console.warn("weft.sim: dev only");
    return true;
  };

  const sim = ((options?: SimOptions): SimSettings | undefined => {
    if (refused()) return undefined;
    if (options === undefined) return settings;
    if (typeof options !== "object" || options === null) throw new RangeError("weft.sim: pass { latencyMs, jitterMs, drop }");
    // A misspelt key (`latency: 50`) would otherwise read as 0: refused by name.
    const unknown = Object.keys(options).find((k) => !OPTION_KEYS.includes(k));
    if (unknown !== undefined) throw new RangeError(`weft.sim: unknown setting ${unknown.slice(0, 40)}; the settings are ${OPTION_KEYS.join(", ")}`);
    const next = {
      latencyMs: check("latencyMs", options.latencyMs, MAX_MS),
      jitterMs: check("jitterMs", options.jitterMs, MAX_MS),
      drop: check("drop", options.drop, 1),
    };
    settings = Object.freeze({ ...next, forced: settings.forced });
    control.onChange(settings, false);
    return settings;
  }) as Sim;
  sim.cut = () => {
    if (!refused()) cutAll();
  };
  sim.force = (transport?: SimTransport) => {
    if (refused()) return;
    if (transport !== undefined && !TRANSPORTS.includes(transport)) {
      throw new RangeError(`weft.sim: force takes ${TRANSPORTS.join(", ")} or nothing, not ${String(transport)}`);
    }
    settings = Object.freeze({ ...settings, forced: transport });
    if (transport === undefined) return control.onChange(settings, false);
    cutAll();
  };
  (control as { sim: Sim }).sim = sim;
  return control;
}
