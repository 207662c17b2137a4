/**
 * Two real node processes on a real Redis behind a real nginx balancing
 * round-robin (no stickiness), driven by Chromium on every transport. A node
 * is killed (SIGKILL), then the other is shut down gracefully: the pages
 * reconnect through nginx to the node left and carry on with their state,
 * and no click is lost or applied twice — also a click whose async handler
 * is still running when its node dies or hands over.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";
import { freePort, Nginx, nginxSkipReason } from "../support/nginx.ts";
import { NodeProcess } from "../support/node-process.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { until } from "../support/until.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason() ?? redisSkipReason() ?? nginxSkipReason();
const SECRET = "cluster-secret-0123456789abcdef";
/** The demo app with a counter whose `slow` handler awaits 1.5 s. */
const SERVER = fileURLToPath(new URL("./cluster-server.ts", import.meta.url));

describe("a cluster of two nodes in Chromium", { skip, timeout: 180_000 }, () => {
  const redis = new RedisServer();
  let nodes: NodeProcess[] = [];
  let nginx: Nginx;
  let lb = "";
  let browser: Browser;
  const pages: { page: Page; transport: string; clicks: number }[] = [];

  before(async () => {
    await redis.start();
    nodes = [new NodeProcess(await freePort(), { REDIS_URL: redis.url, WEFT_SECRET: SECRET }, SERVER), new NodeProcess(await freePort(), { REDIS_URL: redis.url, WEFT_SECRET: SECRET }, SERVER)];
    await Promise.all(nodes.map((n) => n.start()));
    nginx = new Nginx(nodes.map((n) => n.port), { upgrade: true });
    lb = await nginx.start();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await nginx?.stop();
    for (const n of nodes) await n.kill();
    await redis.close();
  });

  const shows = (p: { page: Page; clicks: number }) =>
    p.page.waitForFunction((want) => document.querySelector("#count")?.textContent === String(want), p.clicks, { timeout: 30_000 });

  async function clickAll(times: number): Promise<void> {
    for (let i = 0; i < times; i++) {
      for (const p of pages) {
        await p.page.click("#inc");
        p.clicks++;
      }
    }
  }

  /** Slow handlers started, on every node (each node prints a line when one starts). */
  const slowStarts = () => nodes.reduce((sum, n) => sum + (n.output.match(/slow handler started/g)?.length ?? 0), 0);

  /** Clicks the slow button on every page: its handler is running (1.5 s) when this returns. */
  async function clickSlow(): Promise<void> {
    const before = slowStarts();
    for (const p of pages) {
      await p.page.click("#slow");
      p.clicks++;
    }
    await until(() => slowStarts() >= before + pages.length, 10_000, "every page's slow handler to start on its node");
    assert.equal(slowStarts(), before + pages.length, "one slow handler per click");
  }

  async function sessionsOn(n: NodeProcess): Promise<number> {
    const h = (await (await fetch(`${n.base}/weft/health`)).json()) as { sessions: number };
    return h.sessions;
  }

  it("serves pages on every transport across both nodes", async () => {
    for (const transport of TRANSPORTS) {
      for (let i = 0; i < 2; i++) {
        const page = await (await browser.newContext()).newPage();
        await forceTransport(page, transport);
        await page.goto(`${lb}/counter`);
        await page.waitForSelector("[weft-view].weft-connected");
        pages.push({ page, transport, clicks: 0 });
      }
    }
    await clickAll(5);
    for (const p of pages) await shows(p);
    const counts = await Promise.all(nodes.map(sessionsOn));
    assert.ok(counts.every((c) => c > 0), `sessions on both nodes: ${counts}`);
  });

  it("chat across nodes: messages and who is online reach every tab", async () => {
    const tabs: Page[] = [];
    try {
      for (const transport of TRANSPORTS) {
        const page = await (await browser.newContext()).newPage();
        await forceTransport(page, transport);
        await page.goto(`${lb}/chat?room=e2e`);
        await page.waitForSelector("[weft-view].weft-connected");
        tabs.push(page);
      }
      for (const page of tabs) await page.waitForFunction(() => /Online \(3\)/.test(document.querySelector("#online")?.textContent ?? ""), null, { timeout: 15_000 });
      await tabs[2]!.fill("input[name=text]", "hello from http");
      await tabs[2]!.press("input[name=text]", "Enter");
      for (const page of tabs) await page.waitForFunction(() => document.querySelector("#messages")?.textContent?.includes("hello from http"), null, { timeout: 15_000 });
      await tabs[0]!.context().close();
      // A closed tab leaves at once (its page says farewell), on any transport.
      for (const page of tabs.slice(1)) await page.waitForFunction(() => /Online \(2\)/.test(document.querySelector("#online")?.textContent ?? ""), null, { timeout: 10_000 });
      await tabs[2]!.context().close();
      await tabs[1]!.waitForFunction(() => /Online \(1\)/.test(document.querySelector("#online")?.textContent ?? ""), null, { timeout: 10_000 });
    } finally {
      // A failure here must not leave tabs (and their sessions) for the next test to count.
      await Promise.all(tabs.map((t) => t.context().close().catch(() => {})));
    }
  });

  it("uploads a photo on every transport across both nodes: the chunks reach the node of the page's session", async () => {
    const tabs: Page[] = [];
    try {
      for (const transport of TRANSPORTS) {
        const page = await (await browser.newContext()).newPage();
        await forceTransport(page, transport);
        await page.goto(`${lb}/upload`);
        await page.waitForSelector("[weft-view].weft-connected");
        tabs.push(page);
        // A PNG's signature, then 300 KB: several chunks, each POST (SSE, HTTP) balanced to either node.
        const photo = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300_000, transport.length)]);
        await page.setInputFiles("#photos", [{ name: `${transport}.png`, mimeType: "image/png", buffer: photo }]);
        await page.waitForSelector("#entries li progress[value='100']", { state: "attached", timeout: 30_000 });
        await page.click("#save");
        await page.waitForFunction((n) => document.querySelector("#saved")?.textContent?.includes(`${n}.png — 293 KB`), transport, { timeout: 15_000 });
      }
    } finally {
      // Their sessions must not count in the later tests' totals.
      await Promise.all(tabs.map((t) => t.context().close().catch(() => {})));
    }
  });

  it("a killed node's pages carry on on the other node, no click lost or doubled, not even one whose handler was running", async () => {
    // Node 0 dies while its pages' slow events are in flight: never applied
    // there (nor saved), they are resent to node 1 and applied once.
    await clickSlow();
    await nodes[0]!.kill();
    // Clicks while the pages find their way to the node left are queued and sent once.
    await clickAll(3);
    for (const p of pages) await shows(p);
    await clickAll(2);
    for (const p of pages) await shows(p);
    assert.equal(await sessionsOn(nodes[1]!), pages.length, "every session lives on the node left");
  });

  it("a node shut down gracefully hands its pages over, with the events running in it", async () => {
    await nodes[0]!.start();
    await clickSlow();
    await nodes[1]!.stop();
    await clickAll(3);
    for (const p of pages) await shows(p);
    assert.equal(await sessionsOn(nodes[0]!), pages.length);
    for (const p of pages) {
      assert.equal(await p.page.locator("#count").textContent(), String(p.clicks), `${p.transport} page`);
    }
  });
});
