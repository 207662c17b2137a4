/** Starts a Weft app on a free loopback port for a test. */
import { after, before } from "node:test";
import { Redis } from "ioredis";
import { createWeft, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { TokenSigner } from "../../src/server/security/token.ts";
import type { SessionSnapshot } from "../../src/server/store/types.ts";
import type { Host } from "./hosts.ts";
import { ProtocolClient } from "./protocol-client.ts";
import { RedisServer } from "./redis.ts";
import { until } from "./until.ts";
import { wireOptions, type WireKind } from "./wires.ts";
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
export function appFixture(transport: WireKind = "websocket", opts: Partial<WeftOptions> = {}, host?: Host) {
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
    fx.ctx = await startApp({ ...wireOptions(transport), ...opts }, host);
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

/** What {@link clusterFixture} gives a suite: `nodes` are there from its before() hook on. */
export interface Cluster {
  readonly redis: RedisServer;
  readonly nodes: Awaited<ReturnType<typeof startApp>>[];
  /** Waits until the snapshot stored in Redis for the session of `pageToken` (a page's view token) satisfies `ok`. */
  untilStored(pageToken: string, ok: (snapshot: Partial<SessionSnapshot>) => boolean, what: string): Promise<void>;
}

/**
 * Registers before/after hooks in the current suite: a real redis-server and
 * two nodes on it (apps started as by {@link startApp}, with `redis` set),
 * closed after. With `untilUp`, before() also waits until every node's health
 * says Redis is up: a page stored before its node reached Redis would not be
 * there for the other node.
 *
 * @example
 * const cluster = clusterFixture({ views: { "/board": Board }, sessionGraceMs: 30_000 });
 * it("…", async () => { const [a, b] = cluster.nodes; const page = await getPage(a!.base, "/board"); … });
 */
export function clusterFixture(opts: Partial<WeftOptions> = {}, { untilUp = false } = {}): Cluster {
  const redis = new RedisServer();
  const nodes: Cluster["nodes"] = [];
  before(async () => {
    await redis.start();
    for (let i = 0; i < 2; i++) nodes.push(await startApp({ ...opts, redis: redis.url }));
    if (untilUp) await until(async () => (await Promise.all(nodes.map((n) => redisUp(n.base)))).every(Boolean), 5000, "every node on Redis");
  });
  after(async () => {
    for (const n of nodes) await n.app.close();
    await redis.close();
  });
  return {
    redis,
    nodes,
    async untilStored(pageToken, ok, what) {
      const sid = (new TokenSigner([TEST_SECRET]).verify(pageToken) as { sid: string }).sid;
      const store = new Redis(redis.url);
      try {
        await until(async () => ok(JSON.parse((await store.get(`weft:s:${sid}`)) ?? "{}") as Partial<SessionSnapshot>), 5000, what);
      } finally {
        store.disconnect();
      }
    },
  };
}

/** Whether the node at `base` reports Redis up on its health endpoint. */
async function redisUp(base: string): Promise<boolean> {
  const health = (await (await fetch(`${base}/weft/health`)).json()) as { backend?: { redis?: string } };
  return health.backend?.redis === "up";
}
