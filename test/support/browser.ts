/**
 * Real Chromium for the browser tests (Debian's `chromium`, driven by
 * playwright-core). Where it is missing the tests skip loudly — except in CI
 * (CI=true), where a missing browser fails the run.
 */
import { chromium, type Browser, type Page } from "playwright-core";
import { missingBinary } from "./requires.ts";

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
