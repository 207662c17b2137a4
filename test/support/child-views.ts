/** Views for the child-view tests: a parent counter that embeds a chat child (integration and e2e). */
import { defineView, html, liveView, type TerminateReason, type ViewDefinition } from "../../src/index.ts";

/** What a test app records and switches. */
export interface ChildApp {
  /** Every child terminate: [id-ish room, reason]. */
  readonly ended: [string, TerminateReason][];
  /** Mounts of the chat child. */
  mounts: number;
  readonly views: Record<string, ViewDefinition<never>>;
}

interface ParentState { count: number; show: boolean; dup: boolean; faulty: boolean }
interface ChatState { room: string; lines: string[]; n: number }

/** A fresh set of views: "/parent" embeds "/chat" (id "chat"), optionally "/faulty" (a mount that throws). */
export function childApp(): ChildApp {
  const app: ChildApp = { ended: [], mounts: 0, views: {} };
  const Chat = defineView<ChatState>({
    mount: (_p, ctx) => {
      app.mounts++;
      return { room: String(ctx.session.room ?? "?"), lines: [], n: 0 };
    },
    events: {
      bump: (s) => ({ ...s, n: s.n + 1 }),
      say: (s, p) => ({ ...s, lines: [...s.lines, String(p.text ?? "")] }),
      boom: () => {
        throw new Error("the chat's handler failed");
      },
    },
    render: (s) => html`<div class="chat"><p class="room">room ${s.room}</p><ul>${s.lines.map((l) => html`<li>${l}</li>`)}</ul><form weft-submit="say"><input name="text" id="chat-text"><button>send</button></form><button class="bump" weft-click="bump">n ${s.n}</button><button class="boom" weft-click="boom">boom</button></div>`,
    terminate: (reason, s) => {
      app.ended.push([s.room, reason]);
    },
  });
  const Faulty = defineView({
    mount: () => {
      throw new Error("the faulty child's mount failed");
    },
    render: () => html`<p>never</p>`,
  });
  const Parent = defineView<ParentState>({
    mount: () => ({ count: 0, show: true, dup: false, faulty: false }),
    events: {
      inc: (s) => ({ ...s, count: s.count + 1 }),
      toggle: (s) => ({ ...s, show: !s.show }),
      dup: (s) => ({ ...s, dup: true }),
      faulty: (s) => ({ ...s, faulty: !s.faulty }),
    },
    render: (s) => html`<main><button class="inc" weft-click="inc">parent ${s.count}</button><button class="toggle" weft-click="toggle">toggle</button>${s.show ? liveView(Chat, { id: "chat", session: { room: "lobby" } }) : null}${s.dup ? liveView(Chat, { id: "chat" }) : null}${s.faulty ? liveView(Faulty, { id: "faulty" }) : null}</main>`,
  });
  const FaultyPage = defineView<ParentState>({
    mount: () => ({ count: 0, show: true, dup: false, faulty: true }),
    events: { inc: (s) => ({ ...s, count: s.count + 1 }) },
    render: Parent.render,
  });
  Object.assign(app.views, { "/parent": Parent, "/chat": Chat, "/faulty": Faulty, "/faulty-page": FaultyPage });
  return app;
}

/** The token of the child root with DOM id `id` in a page's HTML. */
export function childToken(html: string, id: string): string {
  return new RegExp(`<div id="${id}" weft-view="[^"]*" weft-token="([^"]+)"`).exec(html)?.[1] ?? "";
}
