/** Starts a Weft app on a free loopback port for a test. */
import { createWeft, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { BadRender, Counter, Items, Ticker } from "./views.ts";

export const TEST_SECRET = "test-secret-0123456789abcdef";

export async function startApp(opts: Partial<WeftOptions> = {}): Promise<{ app: WeftApp; base: string; errors: unknown[] }> {
  const errors: unknown[] = [];
  const app = createWeft({
    views: { "/counter": Counter, "/ticker": Ticker, "/items": Items, "/bad": BadRender },
    secret: TEST_SECRET,
    onError: (err) => errors.push(err),
    ...opts,
  });
  const addr = await app.listen(0);
  return { app, base: `http://127.0.0.1:${addr.port}`, errors };
}
