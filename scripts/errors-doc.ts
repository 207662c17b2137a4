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

## A view that is down

A view is *down* while the server refuses its join, or while its link has been
lost for longer than a grace of 5 seconds. Its root then carries two attributes,
for CSS:

- \`weft-error\` (empty), and
- \`weft-error-code\`: why — the code the join was refused with (\`E_MOUNT\`,
  \`E_FORBIDDEN\`, …), or \`E_CLIENT_TRANSPORT\` for a lost link.

Both go as soon as a join is answered. A shorter blip of the link shows only the
\`weft-disconnected\` class. A failed handler or render (\`E_HANDLER\`, \`E_RENDER\`)
does not make a view down: it keeps its last good state and stays live.

\`\`\`css
/* A view that is down: dimmed, outlined, and a line that says so. */
[weft-view][weft-error] { opacity: .6; outline: 2px dashed #c0392b; outline-offset: 4px; }
[weft-view][weft-error]::before { content: "Reconnecting…"; display: block; color: #c0392b; }
[weft-view][weft-error-code="E_FORBIDDEN"]::before { content: "You are no longer allowed here: reload the page."; }
\`\`\`

What the page does about a refused join depends on its code:

| refused with | what the view does |
| --- | --- |
| \`E_MOUNT\`, \`E_RATE_LIMIT\`, \`E_TOO_MANY_VIEWS\`, \`E_INTERNAL\` (passing) | retries the join with backoff |
| \`E_BAD_TOKEN\`, \`E_UNKNOWN_VIEW\`, \`E_UNAUTHORIZED\`, \`E_FORBIDDEN\` (final) | ends: no retry, events ignored |
| \`E_TOKEN_EXPIRED\` | reloads the page once (then ends, as a final refusal) |
| any other code | stays marked, no retry (the same join would be refused again); the next reconnect of the link tries once more |

Over SSE and HTTP a new link whose first request is refused for the view token
it carries (\`403 E_TOKEN_EXPIRED\`, \`E_BAD_TOKEN\`, \`E_LINK_TOKEN\`, before any join)
counts as a refused join of the view that gave the token, with the same outcome
as above, and no new link is opened with that token
([transports](transports.md#how-a-link-starts)).

The backoff: the *n*-th retry waits a random time between half and all of
min(30 s, 1 s × 2ⁿ) — 0.5–1 s first, then 1–2 s, 2–4 s, … up to 15–30 s — so a
restarting backend is not hammered and pages refused together do not all come
back in the same instant. At most 10 retries per outage (about two and a half
minutes); a join answer resets the count. No retry runs while the link is down:
the page joins every view when its link reopens. A refusal is reported
(\`weft:error\`, and the console in development) once per outage, not once per
retry.

An event made while a view is down (a click, a submit) is **queued, not
refused**: it waits in the page — its element keeps \`weft-loading\` and a
\`weft-disable-with\` label — and goes out once, after the join answer, in
order; the server applies it exactly once, like an event resent after a
reconnect. A join refused for a passing reason usually lasts a second, and a
click the user made in that second should count. Bounds: 500 waiting events per
view (beyond, new ones are refused with \`E_CLIENT_TRANSPORT\`), and the retries
above. When the retries run out the view gives up: the waiting events are
dropped with one \`weft:error\` (the refusal's code, saying how many), their
elements are given back, and each new event is refused with a \`weft:error\`
("the view is down") until a join is answered. A view refused for good ignores
events; its root keeps \`weft-error\`.

A page's first join takes over the mount that rendered the page, so \`E_MOUNT\`
on a join means a mount run afresh: the server restarted, the session outlived
its grace (\`sessionGraceMs\`), or the page joined after \`joinTimeoutMs\`. The
demo's \`/flaky\` view fails its first such mount, to show the hooks (restart the
demo server with a fixed \`WEFT_SECRET\` while the page is open).

## In development

With the \`dev\` option on (the default unless \`NODE_ENV\` is \`production\`), the
page's script tag carries \`data-dev\` and the page loads the client's development
part (\`/weft/client-dev.js\`, apart so that production pages do not carry it),
which writes every \`weft:error\` to the browser console (\`console.error\`): \`weft CODE: message (view V, ref R) — hint:
…\`, the hint from a short table in \`src/client/dev-log.ts\`. \`E_UNKNOWN_EVENT\` then
names the view's events with a "did you mean" (\`the view has no handler "incr" — did
you mean "inc"? (its events: inc, dec)\`). In production nothing goes to the console
and an unknown event's error names only the event: the view's handler names stay on
the server. Likewise \`E_RENDER\` in development ends with the render error's own
message (a keyed list's duplicate keys, a component's duplicate ids: \`the view failed
to render; …: duplicate key "a" in one render …\`); in production it is the code's text
alone.
`;
writeFileSync(new URL("../docs/errors.md", import.meta.url), out);
