// Regenerates docs/errors.md from the error registry (src/protocol/errors.ts).
// A unit test fails when the two differ: run `npm run docs:errors` after adding a code.
import { writeFileSync } from "node:fs";
import { ERRORS } from "../src/protocol/errors.ts";

let out = `# Error codes

Every rejection Weft makes uses one of these codes: in an \`error\` message on the wire
(\`{"t":"x","c":CODE,"m":message}\`), in a JSON body \`{"error":{"code","message"}}\` over
HTTP (or, for a page request from a browser, an HTML error page showing the code —
see [error pages](getting-started.md#error-pages)), or in a \`weft:error\` DOM event in
the browser. Codes are stable and never
reused. This table is generated from \`src/protocol/errors.ts\` (\`npm run docs:errors\`)
and a test keeps the two equal.

| code | HTTP status | close code | meaning |
| --- | --- | --- | --- |
`;
for (const [code, s] of Object.entries(ERRORS)) out += `| \`${code}\` | ${s.status || "—"} | ${s.close || "—"} | ${s.message} |\n`;
out += `
Close codes 4000–4999 are Weft's own; 1009 (message too big) comes from the WebSocket
layer for a frame over the hard cap (16 × \`maxMessageBytes\`, at least 1 MiB). A frame
between \`maxMessageBytes\` and the hard cap gets \`E_TOO_LARGE\` and the socket stays open.
`;
writeFileSync(new URL("../docs/errors.md", import.meta.url), out);
