/**
 * Uploads in Chromium across a change of node, on every transport: two nodes
 * on one Redis with one uploadDir behind a proxy; the page's links are cut
 * mid-upload and it comes back through the other node, which takes the
 * session over, adopts the temp file and lets the page go on from its last
 * acknowledged byte: the saved file is the original, byte for byte, and no
 * temp file is left.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { createWeft, defineView, html, type Uploads, type WeftApp } from "../../src/index.ts";
import { browserSkipReason, dropLinks, forceTransport, launchBrowser } from "../support/browser.ts";
import { RedisServer, redisSkipReason } from "../support/redis.ts";
import { TcpProxy } from "../support/tcp-proxy.ts";
import { until } from "../support/until.ts";
import { keepIn } from "../support/uploads.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason() ?? redisSkipReason();
const SECRET = "uploads-nodes-secret-0123456789abcdef";
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** What the save handler consumed, by file name (on whichever node). */
const got = new Map<string, Buffer>();

const Slow = defineView({
  // Big files in small chunks: slow enough to cut the link mid-upload.
  uploads: { files: { accept: [".png"], maxBytes: 20_000_000, maxFiles: 1, chunkBytes: 8_192, autoUpload: true } },
  mount: () => ({ uploads: {} as Uploads, saved: [] as string[] }),
  events: {
    save: async (s, _p, ctx) => {
      const saved = await ctx.consumeUploads("files", keepIn(got));
      return { ...s, saved: [...s.saved, ...saved] };
    },
  },
  render: (s) => html`<form weft-submit="save">
      <label>Files <input type="file" id="files" weft-upload="files"></label>
      <ul id="entries">${(s.uploads.files?.entries ?? []).map((e) => html`<li data-done=${String(e.done)} data-errors=${e.errors.join(",")}>${e.name}</li>`)}</ul>
      <button id="save">Save</button>
    </form><p id="saved">${s.saved.join(",")}</p>`,
});

describe("uploads in Chromium across a change of node (a shared uploadDir)", { skip, timeout: 120_000 }, () => {
  const redis = new RedisServer();
  const uploadDir = mkdtempSync(join(tmpdir(), "weft-e2e-nodes-"));
  const apps: WeftApp[] = [];
  const ports: number[] = [];
  const errors: unknown[] = [];
  let proxy: TcpProxy;
  let browser: Browser;
  const files = () => (existsSync(uploadDir) ? readdirSync(uploadDir) : []);

  before(async () => {
    await redis.start();
    for (let i = 0; i < 2; i++) {
      const app = createWeft({ views: { "/slow": Slow }, secret: SECRET, redis: redis.url, uploadDir, onError: (e, where) => errors.push(`${where}: ${String(e)}`) });
      apps.push(app);
      ports.push((await app.listen(0, "127.0.0.1")).port);
    }
    // Both on Redis before the tests (what a node reports while it connects is not the tests').
    await until(async () => (await Promise.all(ports.map(async (p) => ((await (await fetch(`http://127.0.0.1:${p}/weft/health`)).json()) as { backend?: { redis?: string } }).backend?.redis === "up"))).every(Boolean), 5000, "every node on Redis");
    errors.length = 0;
    proxy = new TcpProxy(ports[0]!);
    await proxy.start();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    for (const a of apps) await a.close();
    await redis.close();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  for (const transport of TRANSPORTS) {
    it(`goes on on the other node from the last acknowledged byte (${transport})`, async () => {
      got.clear();
      proxy.targetPort = ports[0]!;
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (e) => pageErrors.push(String(e)));
      page.setDefaultTimeout(15_000);
      try {
        await forceTransport(page, transport);
        await page.goto(`http://127.0.0.1:${proxy.port}/slow`);
        await page.waitForSelector("[weft-view].weft-connected");
        const handed = apps[0]!.stats().cluster!.handedOver;
        const big = Buffer.concat([PNG, randomBytes(6_000_000 - PNG.length)]);
        await page.setInputFiles("#files", [{ name: "big.png", mimeType: "image/png", buffer: big }]);
        await page.waitForFunction(() => Number(document.getElementById("files")!.getAttribute("weft-upload-progress")) >= 5, undefined, { polling: 5 });
        // The balancer sends the page's next connections to the other node.
        proxy.targetPort = ports[1]!;
        await dropLinks(proxy, page);
        const at = Number(await page.getAttribute("#files", "weft-upload-progress"));
        assert.ok(at < 100, `cut mid-upload (at ${at}%)`);
        await page.waitForSelector("#entries li[data-done='true']", { state: "attached", timeout: 60_000 });
        assert.equal(await page.getAttribute("#entries li", "data-errors"), "");
        await page.click("#save");
        await page.waitForFunction(() => document.getElementById("saved")?.textContent === "big.png");
        assert.ok(got.get("big.png")?.equals(big), "the saved file is the original, byte for byte");
        // The session was handed over to the other node.
        assert.equal(apps[0]!.stats().cluster!.handedOver, handed + 1);
        await until(() => files().length === 0, 10_000, "no temp file left");
        assert.deepEqual(pageErrors, []);
        assert.deepEqual(errors, [], "nothing reported to onError");
      } finally {
        await page.close();
      }
    });
  }
});
