/**
 * The proxies that Weft's transport start-up must cope with, in one place for
 * the e2e tests (test/e2e/proxy-modes.test.ts) and the failover bench
 * (bench/failover.ts): each a real nginx in front of the app, configured as a
 * proxy seen in the field. See docs/transports.md, "What proxies do".
 */
import { createServer, type Server, type Socket } from "node:net";
import { Nginx, type NginxMode } from "./nginx.ts";

/** The modes, by name. */
export type ProxyModeName = "websocket" | "upgrade-dropped" | "buffered-gzip" | "upgrade-blackholed" | "cut";

/** One proxy mode. */
export interface ProxyMode {
  readonly name: ProxyModeName;
  /** What the proxy does, for the bench's table. */
  readonly description: string;
  /** The nginx settings (the black hole's port is filled in at start). */
  readonly nginx: NginxMode;
  /** `/weft/ws` goes to a TCP server that accepts and never answers. */
  readonly blackhole?: boolean;
  /** The transport the page ends up on once its probes are done. */
  readonly settlesOn: string;
}

/**
 * The modes: the normal case (WebSocket passes), and the four that used to
 * make a page wait. `cutS`: the read timeout of the "cut" mode (30 s in the
 * bench, as proxies do; tests use a few seconds).
 *
 * @example
 * for (const mode of proxyModes(3)) await startProxy(mode, appPort);
 */
export function proxyModes(cutS = 30): readonly ProxyMode[] {
  return [
    { name: "websocket", description: "forwards Upgrade (the normal case)", nginx: { upgrade: true }, settlesOn: "websocket" },
    { name: "upgrade-dropped", description: "drops Upgrade", nginx: {}, settlesOn: "sse" },
    {
      name: "buffered-gzip",
      description: "drops Upgrade; proxy_buffering on, proxy_ignore_headers X-Accel-Buffering, gzip on text/event-stream",
      nginx: { buffer: true },
      settlesOn: "http",
    },
    { name: "upgrade-blackholed", description: "accepts the upgrade's TCP connection and never answers", nginx: {}, blackhole: true, settlesOn: "sse" },
    { name: "cut", description: `drops Upgrade; proxy_read_timeout ${cutS}s cuts long-polls and idle streams`, nginx: { readTimeoutS: cutS }, settlesOn: "sse" },
  ];
}

/** A started proxy: its base URL, and how to stop it. */
export interface RunningProxy {
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * Starts `mode` in front of the app on `appPort` (and its black hole, if it has one).
 *
 * @example
 * const proxy = await startProxy(proxyModes(3)[1]!, port);
 * await page.goto(proxy.base + "/counter");
 * await proxy.stop();
 */
export async function startProxy(mode: ProxyMode, appPort: number): Promise<RunningProxy> {
  const hole = mode.blackhole ? await blackHole() : undefined;
  const nginx = new Nginx(appPort, { ...mode.nginx, ...(hole && { wsPort: hole.port }) });
  try {
    const base = await nginx.start();
    return { base, stop: async () => void (await Promise.all([nginx.stop(), hole?.close()])) };
  } catch (err) {
    await hole?.close();
    throw err;
  }
}

/** A TCP server on loopback that accepts every connection, reads it, and never writes a byte. */
async function blackHole(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on("error", () => {});
    s.on("close", () => sockets.delete(s));
    s.resume(); // read and drop: the request is taken, never answered
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
