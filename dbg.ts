import { launchBrowser } from "./test/support/browser.ts";
import { TcpProxy } from "./test/support/tcp-proxy.ts";
import { startChaosApp } from "./test/e2e/chaos-views.ts";
const CUT = process.env.CUT === "1";
const { app, port } = await startChaosApp();
const proxy = new TcpProxy(port); const base = await proxy.start();
const browser = await launchBrowser();
const page = await (await browser.newContext()).newPage();
page.on("console", (m) => { if (m.type() !== "debug") console.log("console:", m.type(), m.text().slice(0, 300)); });
await page.addInitScript(() => { const w = window as any; w.WEFT_TRANSPORT = "http"; w.got = []; w.errs = []; document.addEventListener("weft:m", (e: any) => w.got.push(e.detail.i)); document.addEventListener("weft:error", (e: any) => w.errs.push(e.detail.code + ":" + e.detail.message)); });
await page.goto(`${base}/chaos`);
await page.waitForSelector("[weft-view].weft-connected");
await page.click("#start");
const driving = page.evaluate(async (n) => { for (let i = 1; i <= n; i++) { const b = document.getElementById("hit")!; b.setAttribute("weft-value-i", String(i)); b.click(); if (i % 5 === 0) await new Promise((r) => setTimeout(r, 25)); } }, 1000);
for (let k = 0; k < 20; k++) {
  await new Promise((r) => setTimeout(r, 1000));
  if (CUT && k < 6) proxy.cutAll();
  const st = await page.evaluate(() => { const w = window as any; const g = w.got as number[]; let bad = 0; g.forEach((x, i) => { if (x !== i + 1) bad++; }); return { applied: document.getElementById("applied")!.textContent, dups: document.getElementById("dups")!.textContent, pushed: document.getElementById("pushed")!.textContent, got: g.length, bad, last: g.slice(-3), errs: w.errs.slice(-5), t: w.weft.transport, cls: document.querySelector("[weft-view]")!.className }; });
  console.log(k, JSON.stringify(st), JSON.stringify(app.stats()));
}
await driving;
await browser.close(); await proxy.close(); await app.close();
