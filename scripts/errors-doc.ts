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

## Errors about a frame name it

An \`error\` that refuses a client frame carries the frame's view id (\`v\`) and event
ref (\`r\`) whenever they can be read — also when the frame is refused unparsed: for
a frame that is too large or not JSON, the server reads \`"v":N\` and \`"r":N\` from the
top-level members of its first 256 characters (bounded work, nothing of the payload
is mistaken for them). So the browser knows which event was refused: it reports it
(\`weft:error\` with \`detail.ref\`), forgets it (it is not resent) and takes the
loading state (\`weft-loading\`, \`weft-disable-with\`) off its elements. A POST
refused as a whole (\`400\`, \`413\`, \`415\`) applied none of its frames: the client
answers each event in it with that error itself. A join answer also clears every
loading state that no resent event can answer. The page announces the server's
limit (\`data-max-bytes\` on the script tag), so the client refuses itself an event
over it — \`E_TOO_LARGE\` with its ref, nothing sent — and cuts its POST batches to
fit.

\`E_TRANSPORT_OFF\` answers a request to a transport the server does not offer
(\`transports\`, \`useWebSocket: false\`): a WebSocket upgrade of \`/weft/ws\`, or
\`/weft/sse\`, \`/weft/http\`. The client never asks for one: it takes the offer from
the page's script tag (\`data-transports\`) from its first attempt on.

## In development

With the \`dev\` option on (the default unless \`NODE_ENV\` is \`production\`), the
page's script tag carries \`data-dev\` and the client writes every \`weft:error\` to
the browser console (\`console.error\`): \`weft CODE: message (view V, ref R) — hint:
…\`, the hint from a short table in \`src/client/dev-log.ts\`. \`E_UNKNOWN_EVENT\` then
names the view's events with a "did you mean" (\`the view has no handler "incr" — did
you mean "inc"? (its events: inc, dec)\`). In production nothing goes to the console
and an unknown event's error names only the event: the view's handler names stay on
the server.
`;
writeFileSync(new URL("../docs/errors.md", import.meta.url), out);
