/**
 * Uploads in Chromium, on every transport: files picked on a `weft-upload`
 * input (or dropped on a `weft-drop-target`) upload in chunks with progress and
 * previews, and the save handler gets byte-identical files; without
 * autoUpload the chunks go when the form is submitted and the submit event
 * follows them; one entry of two is cancelled, before its first chunk or
 * mid-upload (no chunk of it follows the click, its temp file goes, the other
 * uploads whole); a `.png` that is not a PNG shows its error code; and a link
 * cut mid-upload (or a change of transport: SSE → HTTP, WebSocket → SSE)
 * resumes from the last acknowledged byte, so the server's file is the
 * original, byte for byte.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { createDemo } from "../../examples/demo/app.ts";
import { savedPhotosDir } from "../../examples/demo/views/upload.ts";
import { defineView, html, type Uploads, type UploadOptions } from "../../src/index.ts";
import { browserSkipReason, dropLinks, e2eApp } from "../support/browser.ts";
import { until } from "../support/until.ts";
import { keepIn } from "../support/uploads.ts";
import { TRANSPORTS } from "../support/wires.ts";

const skip = browserSkipReason();
const WAIT = 10_000;
const T = { timeout: 60_000 };
const SECRET = "uploads-e2e-secret-0123456789abcdef";
/** The /slow view's chunk size. */
const SLOW_CHUNK = 8_192;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** `n` random bytes that start like a PNG (the server checks the signature only). */
const png = (n: number): Buffer => Buffer.concat([PNG, randomBytes(n - PNG.length)]);

/** What the save handlers consumed, by file name: the bytes of the server's temp file. */
const got = new Map<string, Buffer>();

interface State {
  uploads: Uploads;
  saved: string[];
  submits: number;
}

/** A view with one upload `files` (PNG only), a Save form, and the state shown for the tests. */
function view(o: Partial<UploadOptions>) {
  return defineView<State>({
    uploads: { files: { accept: [".png"], maxBytes: 20_000_000, maxFiles: 3, chunkBytes: 16_384, ...o } },
    mount: () => ({ uploads: {} as Uploads, saved: [], submits: 0 }),
    events: {
      save: async (s, _p, ctx) => {
        const saved = await ctx.consumeUploads("files", keepIn(got));
        return { ...s, saved: [...s.saved, ...saved], submits: s.submits + 1 };
      },
    },
    render: (s) => html`<form weft-submit="save">
      <label>Files <input type="file" id="files" weft-upload="files" multiple></label>
      <div id="drop" weft-drop-target="files">drop here</div>
      <ul id="entries">${(s.uploads.files?.entries ?? []).map((e) => html`<li weft-upload-entry=${e.ref} data-name=${e.name} data-progress=${e.progress} data-done=${String(e.done)} data-errors=${e.errors.join(",")}>
        <img weft-upload-preview=${e.ref} alt="preview"><button type="button" weft-upload-cancel=${e.ref}>Cancel ${e.name}</button></li>`)}</ul>
      <button id="save">Save</button>
    </form><p id="saved">${s.saved.join(",")}</p><p id="submits">${s.submits}</p>`,
  });
}

const uploadDir = mkdtempSync(join(tmpdir(), "weft-e2e-uploads-"));
const views = {
  "/auto": view({ autoUpload: true }),
  "/manual": view({ autoUpload: false }),
  // Big files in small chunks: slow enough to cut the link mid-upload.
  "/slow": view({ autoUpload: true, chunkBytes: SLOW_CHUNK }),
};

type Win = Window & {
  errs: string[];
  chunks: number;
  notJoinedAt?: number;
  /** From chunk `notJoinedAt` until the next join frame (WebSocket): chunks are answered E_NOT_JOINED, not sent. */
  notJoined?: boolean;
  /** Each chunk sent, in order: its transport and its entry's ref (read a moment later on WebSocket, from the frame's head). */
  sent: { via: string; ref?: string }[];
  /** `sent.length` and the entry's progress when a weft-upload-cancel button was clicked (before the client saw the click). */
  cancelAt?: [number, string | null];
};

/**
 * Records the codes of the page's `weft:error` events in `window.errs`, and
 * counts in `window.chunks` the chunks it sends (binary WebSocket frames,
 * POSTs with an entry ref), as the page calls send or fetch, listing them in
 * `window.sent`.
 */
async function watch(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as Win;
    w.errs = [];
    w.chunks = 0;
    w.sent = [];
    // Capture on the window: before the client's own click listener (on the document) stops the entry.
    addEventListener("click", (e) => {
      const b = (e.target as Element).closest?.("[weft-upload-cancel]");
      if (b) w.cancelAt = [w.sent.length, b.closest("[weft-upload-entry]")!.getAttribute("weft-upload-progress")];
    }, true);
    document.addEventListener("weft:error", (e) => w.errs.push((e as CustomEvent<{ code: string }>).detail.code));
    // With `notJoinedAt` set, that chunk is not sent: the server's E_NOT_JOINED answers it instead.
    // (No named functions in here: the page does not have the test build's helpers for them.)
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, d) {
      (w as unknown as { weftSocket: WebSocket }).weftSocket = this;
      if (typeof d !== "string") {
        const c: { via: string; ref?: string } = { via: "websocket" };
        w.sent.push(c);
        void new Blob([d]).slice(0, 256).text().then((t) => (c.ref = /,([A-Za-z0-9_-]{16,64}),/.exec(t)?.[1] ?? "?"));
      }
      // Not joined from that chunk on, as a server is: no chunk reaches it until the page's next join frame
      // (a real server never takes chunk n+1 after refusing n). That chunk is answered E_NOT_JOINED; the window's
      // later chunks, already on their way, are dropped unanswered — the rejoin resumes from the last acked byte.
      if (typeof d === "string" && w.notJoined && /"t":"j"/.test(d)) w.notJoined = false;
      if (typeof d !== "string" && w.notJoined) return void ++w.chunks;
      if (typeof d !== "string" && ++w.chunks === w.notJoinedAt) {
        w.notJoined = true;
        const data = JSON.stringify({ t: "u", v: 1, d: [document.querySelector("[weft-upload-entry]")!.getAttribute("weft-upload-entry"), 0, "E_NOT_JOINED"] });
        return void setTimeout(() => this.onmessage?.(new MessageEvent("message", { data })));
      }
      return send.call(this, d);
    };
    const f = window.fetch;
    window.fetch = async (url, init) => {
      const u = /\/weft\/(\w+)[^#]*[?&]u=([\w-]+)/.exec(String(url));
      if (u) w.sent.push({ via: u[1]!, ref: u[2]! });
      if (/[?&]u=/.test(String(url)) && ++w.chunks === w.notJoinedAt) return new Response(JSON.stringify({ error: { code: "E_NOT_JOINED", message: "not joined" } }), { status: 404 });
      return f(url, init);
    };
  });
}

const chunks = (page: Page) => page.evaluate(() => (window as unknown as Win).chunks);

/** The chunks the page sent (`window.sent`), once each one's ref is known. */
async function sentList(page: Page): Promise<Win["sent"]> {
  await page.waitForFunction(() => (window as unknown as Win).sent.every((c) => c.ref !== undefined));
  return page.evaluate(() => (window as unknown as Win).sent);
}

/** The .part files in the upload directory that are not in `before`. */
const newParts = (before: Set<string>): string[] => readdirSync(uploadDir).filter((f) => !before.has(f) && f.endsWith(".part"));

const file = (name: string, buffer: Buffer) => ({ name, mimeType: "image/png", buffer });

/**
 * A resumed upload sent again only what was in flight when the link went
 * (at most a WebSocket's window of 4 chunks, and a few more for a second cut),
 * not the file from its start.
 */
async function resentFew(page: Page, size: number): Promise<void> {
  const sent = await chunks(page);
  const needed = Math.ceil(size / SLOW_CHUNK);
  assert.ok(sent >= needed && sent <= needed + 8, `${sent} chunks sent for ${needed}`);
}

/** Waits until the entries named `names` are done. */
async function done(page: Page, names: string[], timeout = WAIT): Promise<void> {
  await page.waitForFunction((ns) => ns.every((n) => document.querySelector(`#entries li[data-name="${n}"]`)?.getAttribute("data-done") === "true"), names, { timeout });
}

/** Clicks Save and waits until the page shows `names` saved. */
async function save(page: Page, names: string[]): Promise<void> {
  await page.click("#save");
  await page.waitForFunction((ns) => ns.every((n) => document.getElementById("saved")!.textContent!.split(",").includes(n)), names);
}

/** The save handler got exactly these bytes for each name, and the temp files are gone. */
function sameBytes(files: Record<string, Buffer>): void {
  for (const [name, bytes] of Object.entries(files)) {
    assert.ok(got.has(name), `the server consumed ${name}`);
    assert.equal(got.get(name)!.length, bytes.length, `${name}: as many bytes as sent, none twice`);
    assert.ok(got.get(name)!.equals(bytes), `${name}: byte-identical`);
  }
}

for (const transport of TRANSPORTS) {
  describe(`uploads in Chromium over ${transport}`, { skip }, () => {
    const fx = e2eApp({ weft: { views, secret: SECRET, uploadDir }, wait: WAIT, proxy: true, warmClient: true });

    beforeEach(() => got.clear());

    async function open(path: string): Promise<Page> {
      return fx.open(transport, path, { setup: watch });
    }

    it("uploads picked files in chunks with progress and previews; the save handler gets them byte for byte", T, async () => {
      const page = await open("/auto");
      const a = png(300_000);
      const b = png(50_000);
      await page.setInputFiles("#files", [file("a.png", a), file("b.png", b)]);
      await done(page, ["a.png", "b.png"]);
      // Progress for CSS: the input (its files) and each entry's element.
      await page.waitForFunction(() => document.getElementById("files")!.getAttribute("weft-upload-progress") === "100");
      assert.deepEqual(await page.$$eval("#entries li", (els) => els.map((e) => e.getAttribute("weft-upload-progress"))), ["100", "100"]);
      assert.deepEqual(await page.$$eval("#entries img", (els) => els.map((e) => (e as HTMLImageElement).src.slice(0, 5))), ["blob:", "blob:"]);
      await save(page, ["a.png", "b.png"]);
      sameBytes({ "a.png": a, "b.png": b });
      // Consumed: the entries left the state, their previews were let go, the temp files removed.
      await page.waitForFunction(() => document.querySelectorAll("#entries li").length === 0);
      assert.deepEqual(readdirSync(uploadDir).filter((f) => !f.startsWith(".")), []);
      assert.deepEqual(await page.evaluate(() => (window as unknown as Win).errs), []);
      await page.close();
    });

    it("without autoUpload sends the chunks when the form is submitted, and the submit event after them", T, async () => {
      const page = await open("/manual");
      const a = png(120_000);
      const b = png(40_000);
      await page.setInputFiles("#files", [file("a.png", a), file("b.png", b)]);
      await page.waitForSelector('#entries li[data-name="b.png"]');
      // Chunks sent with the declaration's answer (before its render) would have been seen by now.
      assert.equal(await chunks(page), 0, "nothing sent before the submit");
      assert.deepEqual(await page.$$eval("#entries li", (els) => els.map((e) => e.getAttribute("data-progress"))), ["0", "0"]);
      await save(page, ["a.png", "b.png"]);
      assert.ok((await chunks(page)) >= 2, "the chunks went with the submit");
      assert.equal(await page.textContent("#submits"), "1", "one submit event, after the uploads");
      sameBytes({ "a.png": a, "b.png": b });
      await page.close();
    });

    it("drops files on a weft-drop-target", T, async () => {
      const page = await open("/auto");
      const a = png(70_000);
      await page.evaluate((bytes) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
        const target = document.getElementById("drop")!;
        target.dispatchEvent(new DragEvent("dragover", { bubbles: true, cancelable: true, dataTransfer: dt }));
        target.dispatchEvent(new DragEvent("drop", { bubbles: true, cancelable: true, dataTransfer: dt }));
      }, [...a]);
      await done(page, ["dropped.png"]);
      assert.equal(await page.getAttribute("#drop", "weft-upload-progress"), "100");
      await save(page, ["dropped.png"]);
      sameBytes({ "dropped.png": a });
      await page.close();
    });

    it("cancels one entry of two: the other is saved alone", T, async () => {
      const page = await open("/manual");
      const keep = png(30_000);
      await page.setInputFiles("#files", [file("gone.png", png(30_000)), file("kept.png", keep)]);
      await page.click('#entries li[data-name="gone.png"] button');
      await page.waitForFunction(() => document.querySelectorAll("#entries li").length === 1);
      await save(page, ["kept.png"]);
      assert.deepEqual([...got.keys()], ["kept.png"]);
      sameBytes({ "kept.png": keep });
      await page.close();
    });

    it("shows E_UPLOAD_TYPE in the entry of a .png that is not a PNG, until it is cancelled", T, async () => {
      const page = await open("/auto");
      await page.setInputFiles("#files", [file("fake.png", Buffer.from("GIF89a, or anything but a PNG"))]);
      await page.waitForSelector('#entries li[data-name="fake.png"][data-errors="E_UPLOAD_TYPE"]', { state: "attached" });
      await page.waitForFunction(() => (window as unknown as Win).errs.includes("E_UPLOAD_TYPE"));
      // The failed entry stays, with its error, until it is cancelled.
      await page.click('#entries li[data-name="fake.png"] button');
      await page.waitForFunction(() => document.querySelectorAll("#entries li").length === 0);
      await page.close();
    });

    it("rejoins when the server answers a chunk E_NOT_JOINED, and resumes the upload", T, async () => {
      const page = await open("/auto");
      await page.evaluate(() => ((window as unknown as Win).notJoinedAt = 5));
      const a = png(200_000);
      await page.setInputFiles("#files", [file("a.png", a)]);
      await done(page, ["a.png"]);
      assert.deepEqual(await page.evaluate(() => (window as unknown as Win).errs), ["E_NOT_JOINED"]);
      await save(page, ["a.png"]);
      sameBytes({ "a.png": a });
      await page.close();
    });

    it("cancels an entry mid-upload: no chunk of it is sent after the click, its temp file is removed, the next entry uploads whole", T, async () => {
      const page = await open("/slow");
      const before = new Set(readdirSync(uploadDir));
      const big = png(6_000_000);
      const small = png(100_000);
      await page.setInputFiles("#files", [file("big.png", big), file("small.png", small)]);
      const row = '#entries li[data-name="big.png"]';
      // Entries go one after another: big.png's temp file is the only one until it is done or gone.
      await until(() => newParts(before).length > 0, WAIT, "big.png's temp file");
      const [part] = newParts(before);
      await page.waitForFunction((r) => Number(document.querySelector(r)?.getAttribute("weft-upload-progress")) >= 1, row, { polling: 5 });
      const ref = (await page.getAttribute(row, "weft-upload-entry"))!;
      await page.click(`${row} button`);
      const [at, progress] = (await page.evaluate(() => (window as unknown as Win).cancelAt))!;
      assert.ok(Number(progress) > 0 && Number(progress) < 100, `cancelled mid-upload (at ${progress}%)`);
      await page.waitForSelector(row, { state: "detached" });
      await done(page, ["small.png"]);
      await until(() => !readdirSync(uploadDir).includes(part!), WAIT, "big.png's temp file removed");
      const sent = await sentList(page);
      const ofBig = sent.filter((c) => c.ref === ref).length;
      assert.ok(ofBig > 0 && ofBig < Math.ceil(big.length / SLOW_CHUNK), `${ofBig} chunks of big.png sent`);
      assert.deepEqual(sent.slice(at).filter((c) => c.ref === ref), [], "no chunk of big.png after the click");
      await save(page, ["small.png"]);
      assert.deepEqual([...got.keys()], ["small.png"]);
      sameBytes({ "small.png": small });
      await until(() => newParts(before).length === 0, WAIT, "no temp file left");
      assert.deepEqual(await page.evaluate(() => (window as unknown as Win).errs), [], "a cancel is no error");
      await page.close();
    });

    if (transport === "websocket") {
      it("ignores an ack for a ref it does not hold, reports a malformed one, and uploads on", T, async () => {
        const page = await open("/auto");
        // Frames a hostile or broken server could send, delivered as the socket's own.
        await page.evaluate(() => {
          const ws = (window as unknown as { weftSocket?: WebSocket }).weftSocket;
          for (const data of ['{"t":"u","v":1,"d":["AAAAAAAAAAAAAAAAAAAA",99999999]}', '{"t":"u","v":1,"d":7}', '{"t":"u","v":1,"d":["constructor",1,"E_X"]}']) {
            ws!.onmessage!(new MessageEvent("message", { data }));
          }
        });
        assert.deepEqual(await page.evaluate(() => (window as unknown as Win).errs), ["E_CLIENT_TRANSPORT"]);
        const a = png(50_000);
        await page.setInputFiles("#files", [file("a.png", a)]);
        await done(page, ["a.png"]);
        await save(page, ["a.png"]);
        sameBytes({ "a.png": a });
        await page.close();
      });
    }

    if (transport !== "websocket") {
      it("stops an entry whose chunk POST a proxy answers with its own error page (E_CLIENT_TRANSPORT)", T, async () => {
        const page = await open("/auto");
        let posts = 0;
        await page.route(/[?&]u=/, (r) => (posts++, r.fulfill({ status: 413, contentType: "text/html", body: "<h1>413 Request Entity Too Large</h1>" })));
        await page.setInputFiles("#files", [file("a.png", png(40_000))]);
        await page.waitForFunction(() => (window as unknown as Win).errs.includes("E_CLIENT_TRANSPORT"));
        assert.equal(posts, 1, "nothing more is sent for the entry");
        await page.close();
      });
    }

    it("resumes from the last acknowledged byte after the link is cut mid-upload", T, async () => {
      const page = await open("/slow");
      const big = png(6_000_000);
      await page.setInputFiles("#files", [file("big.png", big)]);
      await page.waitForFunction(() => Number(document.getElementById("files")!.getAttribute("weft-upload-progress")) >= 5, undefined, { polling: 5 });
      await dropLinks(fx.proxy, page);
      const at = Number(await page.getAttribute("#files", "weft-upload-progress"));
      assert.ok(at < 100, `cut mid-upload (at ${at}%)`);
      await done(page, ["big.png"], 60_000);
      await resentFew(page, big.length);
      await save(page, ["big.png"]);
      sameBytes({ "big.png": big });
      await page.close();
    });
  });
}

describe("uploads in Chromium across a change of transport", { skip }, () => {
  const fx = e2eApp({ weft: { views, secret: SECRET, uploadDir }, wait: WAIT, proxy: true, warmClient: true });

  it("resumes on HTTP an upload begun on SSE when the SSE path is cut off", T, async () => {
    got.clear();
    fx.proxy.reject = /upgrade: websocket/i;
    try {
      const page = await fx.open(undefined as unknown as string, "/slow", { setup: watch });
      await page.waitForFunction(() => (window as unknown as { weft: { transport?: string } }).weft.transport === "sse", undefined, { timeout: 15_000 });
      const big = png(4_000_000);
      await page.setInputFiles("#files", [file("big.png", big)]);
      await page.waitForFunction(() => Number(document.getElementById("files")!.getAttribute("weft-upload-progress")) >= 5, undefined, { polling: 5 });
      fx.proxy.reject = /upgrade: websocket|^(GET|POST) \/weft\/sse/im;
      fx.proxy.cutAll();
      await page.waitForFunction(() => (window as unknown as { weft: { transport?: string } }).weft.transport === "http", undefined, { timeout: 15_000 });
      await done(page, ["big.png"], 60_000);
      await resentFew(page, big.length);
      await save(page, ["big.png"]);
      sameBytes({ "big.png": big });
      await page.close();
    } finally {
      fx.proxy.reject = undefined;
    }
  });
});

describe("uploads in Chromium from WebSocket to SSE", { skip }, () => {
  const fx = e2eApp({ weft: { views, secret: SECRET, uploadDir }, wait: WAIT, proxy: true, warmClient: true });

  // A proxy that stops passing WebSocket upgrades: the page reconnects on HTTP (its start transport), and
  // its probe moves it up to SSE; with /weft/http blocked too, the HTTP link fails and SSE follows at once.
  const cases = [
    { how: "WebSocket is cut off (through HTTP, then up to SSE)", reject: /upgrade: websocket/i, paths: ["websocket", "http", "sse"] },
    { how: "WebSocket and HTTP are cut off (straight to SSE)", reject: /upgrade: websocket|^(GET|POST) \/weft\/http/im, paths: ["websocket", "sse"] },
  ];
  for (const { how, reject, paths } of cases) {
    it(`resumes on SSE an upload begun on WebSocket when ${how}, resending only the chunks in flight`, T, async () => {
      got.clear();
      try {
        const page = await fx.open(undefined as unknown as string, "/slow", { setup: watch });
        await page.waitForFunction(() => (window as unknown as { weft: { transport?: string } }).weft.transport === "websocket", undefined, { timeout: 15_000 });
        const big = png(6_000_000);
        await page.setInputFiles("#files", [file("big.png", big)]);
        await page.waitForFunction(() => Number(document.getElementById("files")!.getAttribute("weft-upload-progress")) >= 5, undefined, { polling: 5 });
        fx.proxy.reject = reject;
        assert.ok(fx.proxy.cutAll() > 0);
        await page.waitForFunction(() => (window as unknown as { weft: { transport?: string } }).weft.transport === "sse", undefined, { timeout: 15_000 });
        await done(page, ["big.png"], 60_000);
        await resentFew(page, big.length);
        // The chunks' transports, in order, each run of one counted once: WebSocket, then (HTTP,) then SSE.
        const runs = (await sentList(page)).map((c) => c.via).filter((v, i, a) => v !== a[i - 1]);
        assert.equal(runs[0], "websocket");
        assert.equal(runs.at(-1), "sse");
        assert.deepEqual(runs, paths.filter((p) => runs.includes(p)), `chunks went on ${runs.join(", ")}`);
        await save(page, ["big.png"]);
        sameBytes({ "big.png": big });
        await page.close();
      } finally {
        fx.proxy.reject = undefined;
      }
    });
  }
});

describe("the demo's upload page in Chromium", { skip }, () => {
  const fx = e2eApp({ weft: { secret: SECRET, redis: undefined, uploadDir }, make: createDemo, wait: WAIT });

  it("saves a photo named ../../etc/passwd.png under a name it chooses, byte for byte, and lists it", T, async () => {
    const page = await fx.open("websocket", "/upload");
    const photo = png(30_000);
    await page.setInputFiles("#photos", [file("../../etc/passwd.png", photo)]);
    await page.waitForSelector("#entries li progress[value='100']", { state: "attached" });
    const dir = await savedPhotosDir();
    const before = new Set(await readdir(dir));
    await page.click("#save");
    await page.waitForSelector("#saved li");
    assert.match(await page.textContent("#saved li") ?? "", /passwd\.png — 29 KB/);
    const added = (await readdir(dir)).filter((f) => !before.has(f));
    assert.equal(added.length, 1);
    assert.match(added[0]!, /^[0-9a-f-]{36}$/, "a name the demo chose");
    assert.ok((await readFile(join(dir, added[0]!))).equals(photo));
    await page.close();
  });
});
