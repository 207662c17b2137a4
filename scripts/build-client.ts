// Writes dist/weft-client.js (for inspection; the server builds its own copy) and prints its sizes.
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { buildClient } from "../src/server/http/client-bundle.ts";

const code = await buildClient();
mkdirSync("dist", { recursive: true });
writeFileSync("dist/weft-client.js", code);
const gz = gzipSync(code, { level: 9 }).length;
console.log(`dist/weft-client.js: ${code.length} bytes minified, ${gz} bytes gzipped (budget 15360)`);
