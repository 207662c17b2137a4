// Writes the minified browser client to dist/client.js (what the built package
// serves at /weft/client.js) and its development part to dist/client-dev.js
// (served at /weft/client-dev.js to dev pages only) and its MessagePack codec
// to dist/client-msgpack.js (served at /weft/client-msgpack.js to pages of apps
// with the msgpack option), and prints their sizes (the client's against its budget).
import { mkdirSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { buildClient, CLIENT_BUDGET as BUDGET } from "../src/server/http/client-bundle.ts";

/**
 * Builds the client into `dir`/client.js, `dir`/client-dev.js and `dir`/client-msgpack.js and returns the client's sizes.
 * @example await writeClient("dist");
 */
export async function writeClient(dir: string): Promise<{ bytes: number; gzipped: number }> {
  const [code, dev, msgpack] = await Promise.all([buildClient(), buildClient("dev"), buildClient("msgpack")]);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/client.js`, code);
  writeFileSync(`${dir}/client-dev.js`, dev);
  writeFileSync(`${dir}/client-msgpack.js`, msgpack);
  const gzipped = gzipSync(code, { level: 9 }).length;
  console.log(`${dir}/client.js: ${code.length} bytes minified, ${gzipped} bytes gzipped (budget ${BUDGET})`);
  console.log(`${dir}/client-dev.js: ${dev.length} bytes minified, ${gzipSync(dev, { level: 9 }).length} bytes gzipped (dev pages only)`);
  console.log(`${dir}/client-msgpack.js: ${msgpack.length} bytes minified, ${gzipSync(msgpack, { level: 9 }).length} bytes gzipped (pages of apps with msgpack only)`);
  return { bytes: code.length, gzipped };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await writeClient("dist");
