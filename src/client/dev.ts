/**
 * The development part of the client (served at /weft/client-dev.js), loaded
 * apart from the client so that production pages do not carry it: a page of a
 * server with the `dev` option links it before the client, and from then on
 * every `weft:error` is also written to the console (dev-log.ts), the
 * development warnings are on (a hook name with no hook, a bad JS command
 * list: dev-warnings.ts), a hot reload's CSS change re-fetches the page's
 * stylesheets (dev-css.ts), and the page has the devtools (docs/devtools.md):
 * the network simulator `weft.sim` (devtools/sim.ts, which wraps the page's
 * WebSocket, EventSource and fetch before the client uses them), the wire log
 * (devtools/wire.ts) with a `weft:frame` event per frame, and the overlay
 * (devtools/overlay.ts, Alt+Shift+W).
 */
import { swapCssOnPush } from "./dev-css.ts";
import { logErrors } from "./dev-log.ts";
import { warnInDev } from "./dev-warnings.ts";
import { installDevtools } from "./devtools/index.ts";

logErrors(document);
warnInDev(document);
swapCssOnPush(document);
installDevtools(window);
