/**
 * A refused join retries, in real Chromium over every transport: a view whose
 * live mount throws once is refused with E_MOUNT, its root shows weft-error
 * (weft-error-code="E_MOUNT"), the view retries by itself and recovers, the
 * marks go, and a click made while it was down is applied exactly once.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser } from "playwright-core";
import { createWeft, defineView, html, type WeftApp } from "../../src/index.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const T = { timeout: 20_000 };
const WAIT = 8_000;
/** How long a page's mount waits for its join here: short, so that the tests' joins mount live. */
const JOIN_TIMEOUT_MS = 200;

/** Per run (one per transport): live mounts so far, the gate the second one waits at, events applied. */
interface Run {
  mounts: number;
  open: () => void;
  gate: Promise<void>;
  applied: number;
}
const runs = new Map<string, Run>();

function run(name: string): Run {
  let r = runs.get(name);
  if (r === undefined) {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    runs.set(name, (r = { mounts: 0, open, gate, applied: 0 }));
  }
  return r;
}

/**
 * The page's mount works; the first live mount throws (E_MOUNT); the next
 * waits until the test lets it finish, so the view is down for as long as
 * the test needs to click.
 */
const Flaky = defineView<{ n: number }>({
  mount: async (params, ctx) => {
    if (!ctx.connected) return { n: 0 };
    const r = run(String(params.run));
    if (++r.mounts === 1) throw new Error("the backend is not ready yet");
    await r.gate;
    return { n: 0 };
  },
  events: {
    inc: (s, _p, ctx) => {
      run(String(ctx.params.run)).applied++;
      return { n: s.n + 1 };
    },
  },
  render: (s) => html`<button id="inc" weft-click="inc">+</button> <b id="n">${s.n}</b>`,
});

type Win = Window & { errors?: string[] };

describe("a refused join retries and recovers", { skip }, () => {
  let browser: Browser;
  let app: WeftApp;
  let server: Server;
  let base: string;
  const serverErrors: string[] = [];

  before(async () => {
    app = createWeft({
      views: { "/flaky/:run": Flaky },
      secret: "join-retry-e2e-secret-0123456789abcdef",
      joinTimeoutMs: JOIN_TIMEOUT_MS,
      onError: (_err, where) => serverErrors.push(where),
    });
    server = createServer(app.handler).on("upgrade", app.upgrade);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await (await fetch(`${base}/weft/client.js`)).arrayBuffer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  for (const transport of TRANSPORTS) {
    it(`shows weft-error while E_MOUNT refuses the join, retries, recovers and applies a click made meanwhile once, over ${transport}`, T, async () => {
      const page = await browser.newPage();
      page.setDefaultTimeout(WAIT);
      await forceTransport(page, transport);
      await page.addInitScript(() => {
        const w = window as Win;
        w.errors = [];
        document.addEventListener("weft:error", (e) => w.errors!.push((e as CustomEvent<{ code: string }>).detail.code));
      });
      // The client starts after the page's mount has expired, so its join mounts live.
      await page.route("**/weft/client.js*", async (route) => {
        await sleep(3 * JOIN_TIMEOUT_MS);
        await route.continue();
      });
      const r = run(transport);
      await page.goto(`${base}/flaky/${transport}`);

      await page.waitForSelector('[weft-view][weft-error][weft-error-code="E_MOUNT"]');
      assert.equal(r.mounts >= 1, true);
      // Down: the click waits in the page (its button shows it is in flight).
      await page.click("#inc");
      assert.equal(await page.getAttribute("[weft-view]", "weft-error-code"), "E_MOUNT");
      assert.equal(r.applied, 0, "an event reached a view that had not joined");
      r.open();

      await page.waitForSelector("[weft-view].weft-connected:not([weft-error]):not([weft-error-code])");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "1");
      assert.equal(r.mounts, 2, "the view did not join on its first retry after the gate opened");
      // A second click comes back as 2: the first was applied once, not resent.
      await page.click("#inc");
      await page.waitForFunction(() => document.querySelector("#n")?.textContent === "2");
      assert.equal(r.applied, 2);
      assert.equal(await page.evaluate(() => document.querySelector("#inc")!.classList.contains("weft-loading")), false);
      // One outage, reported once, however often it was retried.
      assert.deepEqual(await page.evaluate(() => (window as Win).errors), ["E_MOUNT"]);
      await page.close();
    });
  }

  it("logged each failed mount on the server", () => {
    assert.ok(serverErrors.length >= TRANSPORTS.length && serverErrors.every((w) => w.startsWith("mount of")), String(serverErrors));
  });
});
