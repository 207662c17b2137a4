import { defineView, html, type PresenceUpdate } from "../../../src/index.ts";

interface Message {
  id: number;
  from: string;
  text: string;
}

interface State {
  room: string;
  name: string;
  messages: Message[];
  /** Who has this room open, in any tab, on any node. */
  online: string[];
}

const KEEP = 50;

/**
 * A chat room: messages reach every tab (and, with Redis, every node) through
 * pub/sub; who is online comes from presence.
 */
export const Chat = defineView<State>({
  title: "Chat",
  mount: (params, ctx) => {
    // Embedded as a child view (see lounge.ts), the room comes from liveView's session option.
    const room = String(params.room ?? ctx.session.room ?? "lobby").slice(0, 40);
    const name = `guest-${Math.floor(Math.random() * 9000 + 1000)}`;
    ctx.subscribe(`chat:${room}`);
    ctx.track(`chat:${room}`, { name });
    return { room, name, messages: [], online: [] };
  },
  events: {
    say: (s, p, ctx) => {
      const text = String(p.text ?? "").trim().slice(0, 500);
      if (text !== "") ctx.broadcast(`chat:${s.room}`, "said", { from: s.name, text, id: Date.now() + Math.random() });
    },
    rename: (s, p, ctx) => {
      const name = String(p.name ?? "").trim().slice(0, 30) || s.name;
      ctx.track(`chat:${s.room}`, { name });
      return { ...s, name };
    },
  },
  info: {
    said: (s, m, ctx) => {
      const msg = m as Message;
      // Screen readers hear what others say (what one says oneself is already known).
      if (msg.from !== s.name) ctx.announce(`${msg.from}: ${msg.text}`);
      return { ...s, messages: [...s.messages, msg].slice(-KEEP) };
    },
    presence: (s, update) => {
      const names = (update as PresenceUpdate).list.map((e) => String((e.meta as { name?: unknown } | null)?.name ?? "?"));
      return { ...s, online: names.sort() };
    },
  },
  render: (s) => html`
    <h1>Chat <small class="muted">#${s.room}</small></h1>
    <form weft-change="rename" class="row"><label>You are <input name="name" value=${s.name} maxlength="30" autocomplete="off"></label></form>
    <p class="muted" id="online">Online (${s.online.length}): ${s.online.join(", ")}</p>
    <ul class="chat" id="messages">${s.messages.map((m) => html`<li><b>${m.from}</b> ${m.text}</li>`)}</ul>
    <form weft-submit="say" class="row">
      <input name="text" placeholder="Say something" autocomplete="off" maxlength="500">
      <button type="submit">Send</button>
    </form>
    <p class="muted">Open this page in two tabs: messages go to both.</p>`,
});
