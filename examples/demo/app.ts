import { createWeft, type WeftApp, type WeftOptions } from "../../src/index.ts";
import { layout } from "./layout.ts";
import { withAssets } from "./assets.ts";
import { HTMX_OPTIONS, HTMX_VIEWS, withHtmxPages } from "./htmx/index.ts";
import { CardsPage } from "./views/cards.ts";
import { Chat } from "./views/chat.ts";
import { Clock } from "./views/clock.ts";
import { Commands } from "./views/commands.ts";
import { Counter } from "./views/counter.ts";
import { Feed } from "./views/feed.ts";
import { Flaky } from "./views/flaky.ts";
import { Hooks } from "./views/hooks.ts";
import { Hot } from "./views/hot.ts";
import { Index } from "./views/index.ts";
import { Lounge } from "./views/lounge.ts";
import { Network } from "./views/network.ts";
import { ProjectPage } from "./views/project.ts";
import { Profile } from "./views/profile.ts";
import { Projects } from "./views/projects.ts";
import { Report } from "./views/report.ts";
import { Search } from "./views/search.ts";
import { Signup } from "./views/signup.ts";
import { Todos } from "./views/todos.ts";
import { Upload } from "./views/upload.ts";

/**
 * The demo app: a Weft app and its view paths (`routes`, as in `views`: the accessibility test visits each;
 * the views of the htmx pages are left out: their pages are /htmx/2/… and /htmx/4/…, test/e2e/htmx-a11y.test.ts).
 */
export type DemoApp = WeftApp & { readonly routes: readonly string[] };

/** The demo app, also used by the end-to-end tests. */
export function createDemo(options: Partial<WeftOptions> = {}): DemoApp {
  const o: WeftOptions = {
    views: { "/": Index, "/counter": Counter, "/todos": Todos, "/signup": Signup, "/clock": Clock, "/chat": Chat, "/flaky": Flaky, "/cards": CardsPage, "/lounge": Lounge, "/feed": Feed, "/hooks": Hooks, "/projects": Projects, "/projects/:id": ProjectPage, "/profile": Profile, "/search": Search, "/commands": Commands, "/report": Report, "/upload": Upload, "/hot": Hot, "/network": Network, ...HTMX_VIEWS },
    // The htmx pages (/htmx): unmodified htmx 2 and htmx 4 pages on these views and topics (examples/demo/htmx/);
    // not when the caller gives its own views.
    ...(options.views === undefined ? { htmx: HTMX_OPTIONS } : {}),
    secret: process.env.WEFT_SECRET,
    // Several nodes share sessions and broadcasts through Redis (npm run demo:cluster).
    redis: process.env.REDIS_URL || undefined,
    // WEFT_MSGPACK=1 npm start: MessagePack frames on WebSocket (docs/transports.md#messagepack).
    msgpack: process.env.WEFT_MSGPACK === "1",
    layout,
    ...options,
  };
  // /demo.css is served beside the app (assets.ts).
  return Object.assign(withAssets(withHtmxPages(createWeft(o))), { routes: Object.keys(o.views).filter((r) => !Object.hasOwn(HTMX_VIEWS, r)) });
}
