/** Starts a Weft app on a free loopback port for a test. */
import { after, before } from "node:test";
import { createWeft, type WeftApp, type WeftOptions } from "../../src/index.ts";
import type { Host } from "./hosts.ts";
import { ProtocolClient } from "./protocol-client.ts";
import type { TransportKind } from "./wires.ts";
import { Admin, BadRender, Counter, Guarded, Items, Profile, Ticker } from "./views.ts";

export const TEST_SECRET = "test-secret-0123456789abcdef";

/**
 * Starts an app on a free loopback port: on its own server (`app.listen`), or
 * served through a host framework (Express, Fastify, Hono); then the app's
 * `close()` also closes the host's server.
 */
export async function startApp(opts: Partial<WeftOptions> = {}, host?: Host): Promise<{ app: WeftApp; base: string; errors: unknown[] }> {
  const errors: unknown[] = [];
  const app = createWeft({
    views: { "/counter": Counter, "/ticker": Ticker, "/items": Items, "/bad": BadRender, "/profile": Profile, "/admin": Admin, "/guarded": Guarded },
    secret: TEST_SECRET,
    onError: (err) => errors.push(err),
    ...opts,
  });
  if (host !== undefined) {
    const hosted = await host.start(app);
    const close = async () => {
      await app.close();
      await hosted.close();
    };
    return { app: { ...app, close }, base: hosted.base, errors };
  }
  const addr = await app.listen(0);
  return { app, base: `http://127.0.0.1:${addr.port}`, errors };
}

/**
 * Registers before/after hooks in the current suite: an app for the suite, and
 * a `connect()` that opens protocol clients over `transport`, closed after.
 * With a `host`, the app is served through that framework.
 */
export function appFixture(transport: TransportKind = "websocket", opts: Partial<WeftOptions> = {}, host?: Host) {
  const fx = {
    ctx: undefined as unknown as Awaited<ReturnType<typeof startApp>>,
    clients: [] as ProtocolClient[],
    async connect(): Promise<ProtocolClient> {
      const c = await ProtocolClient.connect(fx.ctx.base, {}, transport);
      fx.clients.push(c);
      return c;
    },
  };
  before(async () => {
    fx.ctx = await startApp(opts, host);
  });
  after(async () => {
    await Promise.all(fx.clients.map((c) => c.close()));
    await fx.ctx.app.close();
  });
  return fx;
}

/**
 * Registers an `after` hook that closes every app started through the
 * returned function: for suites that need an app per test with its own options.
 */
export function appsFixture(): (opts?: Partial<WeftOptions>) => ReturnType<typeof startApp> {
  const apps: Awaited<ReturnType<typeof startApp>>[] = [];
  after(async () => {
    for (const a of apps) await a.app.close();
  });
  return async (opts = {}) => {
    const a = await startApp(opts);
    apps.push(a);
    return a;
  };
}
