/**
 * axe-core on every page of the demo, in Chromium: no violation of its rules
 * (WCAG A and AA, best practices) once the view is live. The pages come from
 * the demo app's own routes (`createDemo().routes`), so a page added there
 * is checked without a change here; a route with parameters is visited at a
 * URL that some parameterless page links to (or one from SAMPLES).
 * Then the states pages reach once used, each checked as it shows: the
 * /commands dialog open, flashes (an error, an info, one kept across a
 * redirect), an announcement made, the todos' refused duplicate (error text,
 * focus back on the field), and an event in flight (/profile's like, the
 * server's answer held back in the page: optimistic look and weft-loading).
 *
 * Over WebSocket only: the rules look at the DOM, which is the same on every
 * transport (the transports move frames, not markup).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createDemo, type DemoApp } from "../../examples/demo/app.ts";
import { expectNoAxeViolations as axe } from "../support/axe.ts";
import { browserSkipReason, forceTransport, launchBrowser } from "../support/browser.ts";

const skip = browserSkipReason();
const T = { timeout: 60_000 };

/** A URL for a route with parameters that no parameterless page links to. */
const SAMPLES: Record<string, string> = {};

/** Which path of `paths` matches `route` ("/projects/:id"). */
function concrete(route: string, paths: Iterable<string>): string | undefined {
  const re = new RegExp(`^${route.split("/").map((s) => (s.startsWith(":") ? "[^/?#]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/")}$`);
  for (const p of paths) if (re.test(p)) return p;
  return undefined;
}

/** The page's switch for holding WebSocket frames (see {@link holdFrames}). */
interface Held { hold(on: boolean): void }

/**
 * Lets the test hold the frames the page receives over WebSocket
 * (`window.hold(true)`) and deliver them later, in order (`hold(false)`): an
 * event stays in flight as long as the test looks at it.
 */
async function holdFrames(page: Page): Promise<void> {
  await page.addInitScript(() => {
    let on = false;
    const held: (() => void)[] = [];
    (window as unknown as Held).hold = (h) => {
      on = h;
      if (!h) for (const f of held.splice(0)) f();
    };
    const d = Object.getOwnPropertyDescriptor(WebSocket.prototype, "onmessage")!;
    Object.defineProperty(WebSocket.prototype, "onmessage", {
      configurable: true,
      get() { return d.get!.call(this); },
      set(fn: ((e: MessageEvent) => void) | null) {
        d.set!.call(this, fn && ((e: MessageEvent) => (on ? held.push(() => fn.call(this, e)) : fn.call(this, e))));
      },
    });
  });
}

// The app is made now, so that its routes name the tests.
const app: DemoApp = createDemo({ secret: "a11y-e2e-secret-0123456789abcdef", redis: undefined });
const plain = app.routes.filter((r) => !r.includes(":"));
const withParams = app.routes.filter((r) => r.includes(":"));

describe("the demo's pages under axe-core in Chromium (websocket)", { skip }, () => {
  let base = "";
  let browser: Browser;
  const pageErrors: string[] = [];
  /** Same-origin paths the parameterless pages link to. */
  const links = new Set<string>();

  before(async () => {
    base = `http://127.0.0.1:${(await app.listen(0)).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await app.close();
    assert.deepEqual(pageErrors, [], "no uncaught errors in the pages");
  });

  /** Opens `path` over WebSocket (`setup` runs before it loads) once every view on it is live. */
  async function open(path: string, setup?: (page: Page) => Promise<void>): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", (e) => pageErrors.push(`${path}: ${String(e)}`));
    await forceTransport(page, "websocket");
    await setup?.(page);
    await page.goto(base + path);
    // Every view on the page is live (a page may hold several, or a child view).
    await page.waitForFunction(() => [...document.querySelectorAll("[weft-view]")].every((v) => v.classList.contains("weft-connected")));
    return page;
  }


  /** Opens `path`, notes the same-origin paths it links to, and asserts that axe finds nothing. */
  async function check(path: string): Promise<void> {
    const page = await open(path);
    const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a as HTMLAnchorElement).href));
    for (const h of hrefs) if (h.startsWith(base + "/")) links.add(new URL(h).pathname);
    try {
      await axe(page, path);
    } finally {
      await page.close();
    }
  }

  for (const path of plain) {
    it(`has no violations on ${path}`, T, () => check(path));
  }

  for (const route of withParams) {
    it(`has no violations on ${route} (at a URL a page links to)`, T, async () => {
      const path = SAMPLES[route] ?? concrete(route, links);
      assert.ok(path !== undefined, `no parameterless demo page links to a URL of ${route}: add one to SAMPLES in test/e2e/a11y.test.ts`);
      await check(path);
    });
  }

  it("covers every route of the demo", () => {
    assert.ok(plain.length > 5 && plain.includes("/"), `the demo's routes: ${app.routes.join(", ")}`);
  });

  // The states a page reaches once used: each is checked as it shows.

  it("has no violations on /commands with the dialog open", T, async () => {
    const page = await open("/commands");
    await page.click("#open-dialog");
    await page.waitForSelector("#dialog", { state: "visible" });
    await page.waitForFunction(() => document.activeElement?.closest("#dialog") != null);
    await axe(page, "/commands, dialog open");
    await page.close();
  });

  it("has no violations on /upload with photos picked (previews, progress bars, Cancel buttons) and saved", T, async () => {
    const page = await open("/upload");
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
    await page.setInputFiles("#photos", [{ name: "one.png", mimeType: "image/png", buffer: png }, { name: "two.txt.png", mimeType: "image/png", buffer: Buffer.from("not a PNG") }]);
    await page.waitForSelector("#entries li:nth-child(2)");
    await page.waitForFunction(() => document.querySelector("#entries li img")?.getAttribute("src")?.startsWith("blob:"));
    await axe(page, "/upload, photos picked");
    await page.click("#save");
    await page.waitForSelector("#saved li");
    await axe(page, "/upload, saved");
    await page.close();
  });

  it("has no violations on /signup with an error flash, then an info flash", T, async () => {
    const page = await open("/signup");
    await page.click("button[type=submit]");
    await page.waitForSelector("[weft-flash] [role=alert]");
    await page.waitForSelector("input[name=name][aria-invalid=true]");
    await axe(page, "/signup, error flash and invalid fields");
    await page.fill("input[name=name]", "Ada");
    await page.fill("input[name=email]", "ada@example.com");
    await page.fill("input[name=password]", "correct horse");
    await page.click("button[type=submit]");
    await page.waitForSelector("[weft-flash] [role=status]");
    await page.waitForSelector("#welcome");
    await axe(page, "/signup, info flash");
    await page.close();
  });

  it("has no violations on /projects with a flash kept across a redirect", T, async () => {
    const page = await open("/signup");
    await page.click("text=Maybe later");
    await page.waitForURL(/\/projects$/);
    await page.waitForSelector("[weft-flash] [role=status]");
    await page.waitForFunction(() => [...document.querySelectorAll("[weft-view]")].every((v) => v.classList.contains("weft-connected")));
    await axe(page, "/projects, flash after a redirect");
    await page.close();
  });

  it("has no violations on /todos once an add is announced", T, async () => {
    const page = await open("/todos");
    await page.fill("input[name=title]", "Water the plants");
    await page.press("input[name=title]", "Enter");
    // The announcer: the last element of <body>, made on first use.
    await page.waitForFunction(() => /Added/.test(document.body.lastElementChild?.textContent ?? ""));
    await axe(page, "/todos, an announcement made");
    await page.close();
  });

  it("has no violations on /todos with the error of a duplicate, focus back on the field", T, async () => {
    const page = await open("/todos");
    await page.fill("input[name=title]", "Try Weft");
    await page.press("input[name=title]", "Enter");
    await page.waitForFunction(() => (document.querySelector("#todo-error")?.textContent ?? "").includes("already"));
    await page.waitForFunction(() => document.activeElement?.getAttribute("name") === "title" && document.activeElement.getAttribute("aria-invalid") === "true");
    await axe(page, "/todos, duplicate refused");
    await page.close();
  });

  it("has no violations on /profile while the like is in flight", T, async () => {
    const page = await open("/profile", holdFrames);
    await page.evaluate(() => (window as unknown as Held).hold(true));
    await page.click("#like");
    // The optimistic look and the loading class, the server's answer held back.
    await page.waitForSelector("#like.weft-loading[aria-pressed=true]");
    try {
      await axe(page, "/profile, like in flight");
    } finally {
      await page.evaluate(() => (window as unknown as Held).hold(false));
    }
    await page.waitForSelector("#like:not(.weft-loading)");
    await page.close();
  });
});
