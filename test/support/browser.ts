/**
 * Real Chromium for the browser tests (Debian's `chromium`, driven by
 * playwright-core). Where it is missing the tests skip loudly — except in CI
 * (CI=true), where a missing browser fails the run.
 */
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { createWeft, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { missingBinary } from "./requires.ts";
import { TcpProxy } from "./tcp-proxy.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return missingBinary(CHROMIUM, "Chromium", "apt-get install chromium");
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}

/** Forces the page's transport (window.WEFT_TRANSPORT) before its scripts run. */
export async function forceTransport(page: Page, transport: string): Promise<void> {
  await page.addInitScript((t) => {
    (window as unknown as { WEFT_TRANSPORT: string }).WEFT_TRANSPORT = t;
  }, transport);
}

/** Options of {@link e2eApp}. */
export type E2eAppOptions = E2eAppBase & (
  | {
      /** The app's options, or a function that makes them when the suite starts (each restart reuses them). */
      weft: WeftOptions | (() => WeftOptions);
      make?: undefined;
    }
  | {
      /** Options for `make`, which fills in the rest (the demo's views and layout). */
      weft: Partial<WeftOptions> | (() => Partial<WeftOptions>);
      /** Makes the app from its options (e.g. the demo's `createDemo`); default `createWeft`. */
      make: (options: Partial<WeftOptions>) => WeftApp;
    }
);

/** Options of {@link e2eApp} besides the app's. */
export interface E2eAppBase {
  /** Every page's default timeout, in ms. */
  wait: number;
  /**
   * Whether the fixture takes onError (unless `weft` has its own) and, after the suite,
   * fails it if anything was reported there. Default true; false keeps Weft's default onError.
   */
  serverErrors?: boolean;
  /** Puts a {@link TcpProxy} in front of the app: `base` is the proxy's, `proxy` cuts its links. */
  proxy?: boolean;
  /** Fetches /weft/client.js before the browser starts, so that no page waits for the client's build. */
  warmClient?: boolean;
}

/** Options of one page opened by {@link E2eApp.open}. */
export interface E2eOpenOptions {
  /** Opens the page in a new browser context with these options (default: the browser's default context). */
  context?: BrowserContextOptions;
  /** Runs after the transport is forced and before the page loads: init scripts, routes. */
  setup?: (page: Page) => Promise<unknown>;
  /** The selector that says the page is ready (default: a connected view). */
  ready?: string;
  /** The state `ready` waits for (default "visible"). */
  state?: "attached" | "visible";
}

/** What {@link e2eApp} gives a suite: valid from its before() hook on. */
export interface E2eApp {
  /** The app (the new one after a {@link E2eApp.restart}). */
  readonly app: WeftApp;
  /** Where the app listens. */
  readonly port: number;
  /** Where pages go: the app, or the proxy in front of it. */
  readonly base: string;
  readonly browser: Browser;
  /** The proxy in front of the app, with `proxy: true`. */
  readonly proxy: TcpProxy;
  /** Uncaught errors of every page opened (asserted empty after the suite). */
  readonly pageErrors: string[];
  /** What reached onError (asserted empty after the suite, unless `serverErrors: false`). */
  readonly serverErrors: unknown[];
  /** Opens `target` (a path under `base`, or a URL) over `transport` and waits until it is ready. */
  open(transport: string, target: string, options?: E2eOpenOptions): Promise<Page>;
  /** Closes the app and starts another with the same options on the same port: a server restart. */
  restart(): Promise<void>;
}

/**
 * Cuts the page's links at the proxy, keeps new ones out until the page's view
 * shows it is down, then lets it reconnect and waits until it has rejoined.
 *
 * @example
 * await dropLinks(fx.proxy, page);
 */
export async function dropLinks(proxy: Pick<TcpProxy, "reject" | "cutAll">, page: Page): Promise<void> {
  proxy.reject = /./;
  try {
    assert.ok(proxy.cutAll() > 0, "the proxy had open connections to cut");
    await page.waitForSelector("[weft-view].weft-disconnected", { timeout: 10_000 });
  } finally {
    proxy.reject = undefined;
  }
  await page.waitForSelector("[weft-view].weft-connected", { timeout: 15_000 });
}

/**
 * Registers before/after hooks in the current suite: an app on a free loopback
 * port and a Chromium; after the suite both are closed and no page error (nor,
 * by default, anything reported to onError) may have happened.
 *
 * @example
 * const fx = e2eApp({ weft: { views: { "/board": Board }, secret: SECRET }, wait: 5_000 });
 * it("…", async () => { const page = await fx.open("sse", "/board"); … });
 */
export function e2eApp(options: E2eAppOptions): E2eApp {
  const checkServer = options.serverErrors ?? true;
  const make = options.make ?? ((o: Partial<WeftOptions>) => createWeft(o as WeftOptions));
  let weft: Partial<WeftOptions>;
  const fx = {
    app: undefined as unknown as WeftApp,
    port: 0,
    base: "",
    browser: undefined as unknown as Browser,
    proxy: undefined as unknown as TcpProxy,
    pageErrors: [] as string[],
    serverErrors: [] as unknown[],
    async open(transport: string, target: string, o: E2eOpenOptions = {}): Promise<Page> {
      const page = o.context === undefined ? await fx.browser.newPage() : await (await fx.browser.newContext(o.context)).newPage();
      page.setDefaultTimeout(options.wait);
      page.on("pageerror", (e) => fx.pageErrors.push(String(e)));
      await forceTransport(page, transport);
      await o.setup?.(page);
      await page.goto(/^https?:/.test(target) ? target : fx.base + target);
      await page.waitForSelector(o.ready ?? "[weft-view].weft-connected", { state: o.state ?? "visible" });
      return page;
    },
    async restart(): Promise<void> {
      await fx.app.close();
      fx.app = make(weft);
      await fx.app.listen(fx.port);
    },
  };
  before(async () => {
    const made = typeof options.weft === "function" ? options.weft() : options.weft;
    weft = checkServer ? { onError: (err) => fx.serverErrors.push(err), ...made } : made;
    fx.app = make(weft);
    fx.port = (await fx.app.listen(0)).port;
    fx.base = `http://127.0.0.1:${fx.port}`;
    if (options.proxy === true) {
      fx.proxy = new TcpProxy(fx.port);
      fx.base = await fx.proxy.start();
    }
    if (options.warmClient === true) await (await fetch(`${fx.base}/weft/client.js`)).arrayBuffer();
    fx.browser = await launchBrowser();
  });
  after(async () => {
    await fx.browser?.close();
    await fx.proxy?.close();
    await fx.app?.close();
    assert.deepEqual(fx.pageErrors, [], "no uncaught errors in the page");
    if (checkServer) assert.deepEqual(fx.serverErrors, [], "nothing reported to onError");
  });
  return fx;
}
