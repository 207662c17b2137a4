// Writes the minified browser client to dist/client.js (what the built package
// serves at /weft/client.js) and its development part to dist/client-dev.js
// (served at /weft/client-dev.js to dev pages only), and prints their sizes
// (the client's against its budget).
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { buildClient, CLIENT_BUDGET as BUDGET } from "../src/server/http/client-bundle.ts";

/**
 * Builds the client into `dir`/client.js and `dir`/client-dev.js and returns the client's sizes.
 * @example await writeClient("dist");
 */
export async function writeClient(dir: string): Promise<{ bytes: number; gzipped: number }> {
  const [code, dev] = await Promise.all([buildClient(), buildClient("dev")]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/client.js`, code);
  writeFileSync(`${dir}/client-dev.js`, dev);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`${dir}/client.js: ${code.length} bytes minified, ${gzipped} bytes gzipped (budget ${BUDGET})`);
  console.log(`${dir}/client-dev.js: ${dev.length} bytes minified, ${gzipSync(dev, { level: 9 }).length} bytes gzipped (dev pages only)`);
  return { bytes: code.length, gzipped };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await writeClient("dist");
