import { defineView, html } from "../../../src/index.ts";

const demos = [
  ["/projects", "Projects", "a small app: a filtered list of cards, a detail page with its chat, an endless activity log — all live"],
  ["/counter", "Counter", "click, and only the number travels back"],
  ["/network", "Network", "click a counter while cutting the connection and switching WebSocket, SSE and HTTP live: every click counted exactly once, and the bytes each update took"],
  ["/todos", "Todos", "add, toggle, delete: list diffs"],
  ["/signup", "Sign-up form", "validated on every keystroke, caret kept"],
  ["/clock", "Clock", "pushed by the server every second"],
  ["/chat", "Chat", "pub/sub: messages reach every open tab"],
  ["/flaky", "Flaky mount", "a refused join: the view is marked down, retries and recovers"],
  ["/cards", "Cards", "components: each card keeps its own counter and re-renders alone"],
  ["/lounge", "Lounge", "a child view: the chat embedded in a page, with its own session"],
  ["/hooks", "Hooks", "a client hook draws a live chart from pushed data; its button gets a value back from the server"],
  ["/feed", "Feed", "an infinite list on a stream: the page keeps the posts, the server only their count"],
  ["/search", "Search", "cached pure events: a tab or a query seen before shows at once and nothing is sent then; the server is told later"],
  ["/profile", "Profile", "forms: a bound field with a live preview, a confirmed delete, an optimistic like, text that survives a server restart"],
  ["/upload", "Upload", "photos picked or dropped upload in chunks with previews, progress and cancel, and resume where they were after a dropped connection"],
  ["/report", "Run report", "background work: a report runs on the server with a progress bar and Cancel, while the page keeps answering clicks"],
  ["/hot", "Hot reload", "under npm run dev: edit a view or the stylesheet and the open page changes, keeping its state"],
  ["/commands", "JS commands", "every JS command: a dialog (Escape closes it), a panel, tips and a mark changed in the browser with no round trip and kept through the server's redraws, an event for the page's script"],
] as const;

/** The demo's index page. */
export const Index = defineView({
  title: "Weft demo",
  mount: () => ({}),
  render: () => html`
    <h1>Weft demo</h1>
    <p>Live views rendered on the server; the browser sends events and patches what changed.
    The links below and in the header navigate live: each demo mounts over the same connection, with no page load.</p>
    <ul class="demos">
      ${demos.map(([href, name, what]) => html`<li><a href=${href} weft-navigate>${name}</a> — ${what}</li>`)}
    </ul>
    <p><a href="/htmx">htmx pages</a> — the same views and topics serving unmodified htmx 2 and htmx 4 pages
    (progress bars, a timeline, a chat room, JSON status, form validation, a clock over SSE), with no Weft client.</p>`,
});
