/**
 * Pattern 3, a chat room over a group: the view at /hx/chat/:room subscribes
 * to topic `chat:<room>` (the same topic, event and payload as the Weft
 * chat at /chat, so both kinds of page share a room); `send` broadcasts, and
 * each message appended to `<ul id="messages">` reaches the page as only the
 * new `<li>` (`hx-swap-oob="beforeend"`), never the whole list.
 * This page carries its CSRF token in a hidden form field (`weft-csrf`).
 */
import { defineView, escapeHtml, html, renderToString, type Template } from "../../../src/index.ts";
import { connLine, ERROR_SLOT, type HtmxPage } from "./page.ts";
import { textField } from "./schema.ts";

/** A room name from a URL: 1–30 lowercase letters, digits or dashes, else "lobby". */
function roomOf(p: string | null | undefined): string {
  return typeof p === "string" && /^[a-z0-9-]{1,30}$/.test(p) ? p : "lobby";
}

/** How many messages a page keeps. */
const KEEP = 50;

interface Message {
  /** This page's element id number: m-<n>. */
  n: number;
  from: string;
  text: string;
}

interface State {
  room: string;
  name: string;
  next: number;
  messages: Message[];
}

/** The `send` payload: `text`, a string of at most 500 characters (hidden fields and headers are not in it). */
const sendSchema = textField("text", 500, "a message is a text of at most 500 characters");

function messages(s: State): Template {
  return html`<ul id="messages" class="chat" aria-label="Messages">${s.messages.map((m) => html`<li id=${`m-${m.n}`}><b>${m.from}</b> ${m.text}</li>`)}</ul>`;
}

/** The htmx view of the page (at /hx/chat/:room). */
export const HxChat = defineView<State>({
  title: "Chat (htmx)",
  mount: (params, ctx) => {
    const room = roomOf(params.room);
    ctx.subscribe(`chat:${room}`);
    return { room, name: `guest-${Math.floor(Math.random() * 9000 + 1000)}`, next: 1, messages: [] };
  },
  events: {
    send: {
      schema: sendSchema,
      run: (s, p, ctx) => {
        const text = p.text.trim();
        if (text !== "") ctx.broadcast(`chat:${s.room}`, "said", { from: s.name, text, id: Date.now() + Math.random() });
      },
    },
  },
  info: {
    said: (s, m) => {
      const msg = m as { from?: unknown; text?: unknown } | null;
      if (typeof msg?.from !== "string" || typeof msg.text !== "string") return s;
      const messages = [...s.messages, { n: s.next, from: msg.from.slice(0, 30), text: msg.text.slice(0, 500) }].slice(-KEEP);
      return { ...s, next: s.next + 1, messages };
    },
  },
  render: (s) => html`<p id="me" class="muted">You are ${s.name} in #${s.room}.</p>${messages(s)}`,
});

export const chatPage: HtmxPage = {
  slug: "chat",
  title: "Chat room",
  summary: "a room over a group: each new message reaches every page as one appended item (beforeend), not the list",
  body: ({ gen, token, query }) => {
    const room = roomOf(query.get("room"));
    return `
<p class="muted">Open this page twice (or beside the Weft chat at <a href="/chat">/chat</a>, room lobby): a message goes to all.
This page sends its CSRF token in a hidden form field.</p>
<div data-live="chat" ${gen.ws(`/weft/htmx/ws/hx/chat/${room}`, token, "field")}>
  ${connLine("chat", `Room ${room}`)}
  <p id="me" class="muted">Joining #${escapeHtml(room)}…</p>
  ${renderToString(messages({ room, name: "", next: 1, messages: [] }))}
  <form id="send" name="send" class="row" ${gen.send} data-reset>
    <input type="hidden" name="weft-csrf" value="${escapeHtml(token)}">
    <label for="text" class="sr-only">Message</label>
    <input id="text" name="text" placeholder="Say something" autocomplete="off" maxlength="500" required>
    <button type="submit">Send</button>
  </form>
  ${ERROR_SLOT}
</div>`;
  },
};
