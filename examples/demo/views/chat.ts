import { defineView, html } from "../../../src/index.ts";

interface Message {
  id: number;
  from: string;
  text: string;
}

interface State {
  room: string;
  name: string;
  messages: Message[];
}

const KEEP = 50;

/** A chat room: messages reach every tab (and, with Redis, every node) through pub/sub. */
export const Chat = defineView<State>({
  title: "Chat",
  mount: (params, ctx) => {
    const room = (params.room ?? "lobby").slice(0, 40);
    ctx.subscribe(`chat:${room}`);
    return { room, name: `guest-${Math.floor(Math.random() * 9000 + 1000)}`, messages: [] };
  },
  events: {
    say: (s, p, ctx) => {
      const text = String(p.text ?? "").trim().slice(0, 500);
      if (text !== "") ctx.broadcast(`chat:${s.room}`, "said", { from: s.name, text, id: Date.now() + Math.random() });
    },
    rename: (s, p) => ({ ...s, name: String(p.name ?? "").trim().slice(0, 30) || s.name }),
  },
  info: {
    said: (s, m) => {
      const msg = m as Message;
      return { ...s, messages: [...s.messages, msg].slice(-KEEP) };
    },
  },
  render: (s) => html`
    <h1>Chat <small class="muted">#${s.room}</small></h1>
    <form weft-change="rename" class="row"><label>You are <input name="name" value=${s.name} maxlength="30" autocomplete="off"></label></form>
    <ul class="chat" id="messages">${s.messages.map((m) => html`<li><b>${m.from}</b> ${m.text}</li>`)}</ul>
    <form weft-submit="say" class="row">
      <input name="text" placeholder="Say something" autocomplete="off" maxlength="500">
      <button type="submit">Send</button>
    </form>
    <p class="muted">Open this page in two tabs: messages go to both.</p>`,
});
