/**
 * Hostile values in every template context, in a real browser: a page built
 * from many call sites (each value refused, or rendered) is loaded in
 * Chromium from a loopback server; nothing may run (every payload calls
 * `__hit`), and every URL the browser resolves from the page's attributes
 * must be relative, http(s), mailto, tel, ftp, sms or about:.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { html, raw, renderToString, type Template, type TemplateValue } from "../../src/index.ts";
import { browserSkipReason, launchBrowser } from "../support/browser.ts";

const skip = browserSkipReason();

/** A fresh call site from its statics, one value for every hole. */
function site(parts: string[]): (v: TemplateValue) => Template {
  const strings = Object.assign([...parts], { raw: [...parts] }) as unknown as TemplateStringsArray;
  return (v) => html(strings, ...parts.slice(1).map(() => v));
}

const SITES = [
  ["<", ">"], ["<p", ">"], ["<p></", ">"], ["<p ", ">x</p>"], ["<p ", "=1>x</p>"], ["<p x", ">x</p>"],
  ["<!-- ", " -->"], ["<!--", ">-->"], ["<!-- -", "> -->"], ["<!", ">"], ["<?", ">"],
  ["<p>", "</p>"], [`<p title="`, `">x</p>`], ["<p title=", ">x</p>"], ["<input value=", ">"],
  [`<a href="`, `">x</a>`], [`<a href=" `, `">x</a>`], [`<a href="java`, `">x</a>`], [`<a href="&`, `">x</a>`], [`<a href="&#`, `">x</a>`],
  [`<iframe src="`, `"></iframe>`], [`<iframe src="\n`, `"></iframe>`], [`<iframe src="java`, `"></iframe>`], ["<iframe src=", "></iframe>"],
  [`<object data=" `, `"></object>`], [`<embed src="java`, `">`], [`<img srcset="/a.png 1x, `, ` 2x">`],
  [`<form action=" `, `"><button>x</button></form>`], [`<button form="f" formaction="java`, `">x</button>`],
  // An hour's delay: the URL is checked, the page is not left during the test.
  [`<meta http-equiv="refresh" content="3600;url=`, `">`], [`<svg><a xlink:href="java`, `"><text>x</text></a></svg>`],
  ["<script>var a = ", ";</script>"], ["<style>", "</style>"], ["<textarea>", "</textarea>"], ["<title>", "</title>"],
  ["<noscript>", "</noscript>"], ["<svg><style>", "</style></svg>"], [`<textarea><a href="`, `"></textarea>`],
  ["<template><p>", "</p></template>"], [`<p onclick="`, `">x</p>`], ["<iframe srcdoc=", "></iframe>"],
].map(site);

const VALUES: TemplateValue[] = [
  "img src=x onerror=__hit(1)", "--><img src=x onerror=__hit(2)>", "</script><img src=x onerror=__hit(3)>", "1;__hit(4)//",
  "javascript:__hit(5)", " javascript:__hit(6)", "script:__hit(7)", "#106;avascript:__hit(8)", "32;javascript:__hit(9)",
  "x onmouseover=__hit(10) autofocus onfocus=__hit(11)", "</textarea><img src=x onerror=__hit(12)>", "</title><img src=x onerror=__hit(13)>",
  "</style><img src=x onerror=__hit(14)>", "<img src=x onerror=__hit(15)>", "data:text/html,<script>parent.__hit(16)</script>",
  "-", "", "<svg onload=__hit(17)>", "}*{background:url(javascript:__hit(18))}", "--!><img src=x onerror=__hit(19)>",
];

function page(): { html: string; rendered: number; refused: number } {
  let body = "";
  let rendered = 0;
  let refused = 0;
  for (const make of SITES) {
    for (const v of VALUES) {
      try {
        body += `<div>${renderToString(make(v))}</div>\n`;
        rendered++;
      } catch (err) {
        if (!(err instanceof TypeError)) throw err;
        refused++;
      }
    }
  }
  // The positive control: the same payload through raw() runs, so a silent page means the others did not.
  body += renderToString(html`<div>${raw(`<img src=x onerror="__hit('control')">`)}</div>`);
  // Relative URLs (the neutral `#weft-unsafe-url` too) resolve away from the page: no frame loads the page again.
  return { html: `<!doctype html><meta charset="utf-8"><base href="/nowhere/"><title>t</title><body>${body}</body>`, rendered, refused };
}

describe("hostile template values in Chromium", { skip }, () => {
  let server: Server;
  let base: string;
  let browser: Browser;
  const built = page();

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === "/") res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(built.html);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  it("runs none of them and resolves every URL attribute to a safe scheme", async () => {
    assert.ok(built.rendered > 200 && built.refused > 200, `${built.rendered} rendered, ${built.refused} refused`);
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { __hits: unknown[]; __hit: (x: unknown) => void };
      w.__hits = [];
      w.__hit = (x) => { w.__hits.push(x); };
    });
    await page.goto(`${base}/`, { waitUntil: "load" });
    // Let iframes, objects and a meta refresh have their turn.
    await page.waitForTimeout(500);
    const hits = await page.evaluate(() => (window as unknown as { __hits: unknown[] }).__hits);
    assert.deepEqual(hits, ["control"], `at ${page.url()}`);
    assert.equal(new URL(page.url()).pathname, "/", "no refresh navigated away");
    const unsafe = await page.evaluate(() => {
      const bad: string[] = [];
      const safe = new Set(["http:", "https:", "mailto:", "tel:", "ftp:", "sms:", "about:"]);
      for (const el of Array.from(document.querySelectorAll("*"))) {
        for (const name of ["href", "src", "action", "formaction", "data", "poster", "xlink:href"]) {
          const v = el.getAttribute(name);
          if (v === null) continue;
          const protocol = new URL(v, document.baseURI).protocol;
          if (!safe.has(protocol)) bad.push(`<${el.tagName.toLowerCase()} ${name}="${v}"> → ${protocol}`);
        }
      }
      return bad;
    });
    assert.deepEqual(unsafe, []);
    await page.close();
  });
});
