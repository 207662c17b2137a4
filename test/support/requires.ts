/**
 * Tests that need a binary from a Debian package (Chromium, nginx, redis-server)
 * skip loudly where it is missing — except in CI (CI=true), where a missing
 * binary fails the run instead of hiding the tests.
 */
import { existsSync } from "node:fs";

/** Why tests needing `path` cannot run here, or undefined when they can. */
export function missingBinary(path: string, what: string, install: string): string | undefined {
  if (existsSync(path)) return undefined;
  const reason = `${what} not found at ${path} (${install})`;
  if (process.env.CI === "true") throw new Error(`${reason}: these tests must run in CI`);
  console.warn(`\n*** SKIPPING ${what} tests: ${reason} ***\n`);
  return reason;
}
