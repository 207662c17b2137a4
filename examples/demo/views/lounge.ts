import { defineView, html, liveView } from "../../../src/index.ts";
import { Chat } from "./chat.ts";

/**
 * A page with the chat embedded as a child view (`liveView`): the chat has
 * its own session and events; the page's counter re-renders without touching
 * it (messages, your draft and focus stay); hiding the chat ends its session.
 */
export const Lounge = defineView({
  title: "Lounge",
  mount: () => ({ visits: 0, chat: true }),
  events: {
    visit: (s) => ({ ...s, visits: s.visits + 1 }),
    toggle: (s) => ({ ...s, chat: !s.chat }),
  },
  render: (s) => html`
    <h1>Lounge</h1>
    <div class="row">
      <button weft-click="visit" id="visit">Visits: ${s.visits}</button>
      <button weft-click="toggle" class="secondary">${s.chat ? "Hide" : "Show"} the chat</button>
    </div>
    <p class="muted">The chat below is a child view: type a message, then click Visits — your text stays.</p>
    ${s.chat ? liveView(Chat, { id: "lounge-chat", session: { room: "lounge" } }) : html`<p class="muted">The chat's session ended.</p>`}`,
});
