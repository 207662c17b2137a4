// Writes the minified browser client to dist/client.js (what the built package
// serves at /weft/client.js) and prints its sizes against the budget.
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { buildClient, CLIENT_BUDGET as BUDGET } from "../src/server/http/client-bundle.ts";

/**
 * Builds the client into `dir`/client.js and returns its sizes.
 * @example await writeClient("dist");
 */
export async function writeClient(dir: string): Promise<{ bytes: number; gzipped: number }> {
  const code = await buildClient();
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/client.js`, code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`${dir}/client.js: ${code.length} bytes minified, ${gzipped} bytes gzipped (budget ${BUDGET})`);
  return { bytes: code.length, gzipped };
}

if (import.meta.url === `file://${process.argv[1]}`) await writeClient("dist");
