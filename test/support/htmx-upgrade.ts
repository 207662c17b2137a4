/**
 * An htmx WebSocket through a host adapter: the upgrade must reach Weft even
 * when the server has other `'upgrade'` listeners.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket from "ws";
import { defineView, html } from "../../src/index.ts";
import { within } from "./until.ts";

/** A view an htmx page follows: one id'd element. */
export const HtmxCount = defineView({
  mount: () => ({ n: 0 }),
  events: { inc: (s: { n: number }) => ({ n: s.n + 1 }) },
  render: (s: { n: number }) => html`<main><p id="count">${s.n}</p></main>`,
});


/** Opens `/weft/htmx/ws/count` on `base` and checks it gets the full fragments. */
export async function assertHtmxUpgrade(base: string): Promise<void> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/weft/htmx/ws/count`);
  ws.on("error", () => {});
  try {
    const [first] = (await within(once(ws, "message"), 5000, "the htmx socket's full fragments")) as [Buffer];
    assert.match(String(first), /<p(?=[^>]*\sid="count")(?=[^>]*\shx-swap-oob="true")[^>]*>0<\/p>/);
  } finally {
    // Also when the upgrade went unanswered: the server then holds a socket nobody serves.
    ws.terminate();
  }
}
