/**
 * Pattern 2, a timeline that gains a step per message: topic "timeline" over
 * SSE (/weft/htmx/topic/timeline). Each broadcast `step {id, text}` is
 * rendered as one `<li>` and sent with an id: to htmx 2 (a plain
 * EventSource) as SSE event "step", appended by `sse-swap="step"
 * hx-swap="beforeend"`; to htmx 4 (its request says `HX-Request: true`)
 * unnamed, appended by `hx-swap="beforeend"` on the hx-sse:connect list.
 * A dropped stream reconnects with Last-Event-ID and gets the steps it
 * missed from the topic's log. Steps come from any page's "Add a step"
 * button (the view at /hx/timeline broadcasts) or from app.broadcast.
 */
import { defineView, html, type Template, type HtmxTopic } from "../../../src/index.ts";
import { connLine, ERROR_SLOT, type HtmxPage } from "./page.ts";

/** One step as the topic renders it. */
function step(id: string, text: string): Template {
  return html`<li id=${`step-${id}`}>${text}</li>`;
}

/** The topic "timeline": a broadcast `step {id, text}` (id: 1–40 letters, digits, dashes) becomes one item. */
export const timelineTopic: HtmxTopic = {
  // What a page gets when it (re)connects and the topic's log cannot replay what it missed (or on its first connect):
  // since when it follows. It comes as an unnamed event, swapped out of band.
  current: () => html`<span id="timeline-since" hx-swap-oob="true">Following since ${new Date().toISOString().slice(11, 19)} UTC.</span>`,
  render: ({ name, payload }) => {
    const p = payload as { id?: unknown; text?: unknown } | null;
    if (name !== "step" || p === null || typeof p !== "object") return undefined;
    if (typeof p.id !== "string" || !/^[a-z0-9-]{1,40}$/i.test(p.id) || typeof p.text !== "string") return undefined;
    return step(p.id, p.text.slice(0, 200));
  },
};

/** The view behind the page's button (at /hx/timeline): it broadcasts a step. */
export const HxTimeline = defineView<{ added: number }>({
  title: "Timeline (htmx)",
  mount: () => ({ added: 0 }),
  events: {
    step: (s, _p, ctx) => {
      const added = s.added + 1;
      const at = new Date().toISOString().slice(11, 19);
      ctx.broadcast("timeline", "step", { id: `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`, text: `Step added at ${at} UTC` });
      return { added };
    },
  },
  render: (s) => html`<p id="added" class="muted">You added ${s.added} ${s.added === 1 ? "step" : "steps"} from this page.</p>`,
});

export const timelinePage: HtmxPage = {
  slug: "timeline",
  title: "Timeline",
  summary: "a topic over SSE gains one step per broadcast; a dropped stream gets what it missed (Last-Event-ID)",
  body: ({ gen, token }) => {
    const url = "/weft/htmx/topic/timeline";
    // htmx 2: unnamed events (the topic's current) to sse-swap="message" (OOB only), "step" appended to the list.
    // htmx 4: every HTML event comes unnamed and is swapped into the hx-sse:connect list (beforeend): a step is
    // appended, the current (OOB only) goes to #timeline-since and leaves the list alone. No page script.
    const box = gen.n === 2 ? ` ${gen.sse(url)}` : "";
    const list = gen.n === 2 ? `sse-swap="step" hx-swap="beforeend"` : `hx-sse:connect="${url}" hx-swap="beforeend"`;
    const stream = `<div data-live="timeline"${box}>
  ${connLine("timeline", "Timeline stream")}
  <p class="muted"><span id="timeline-since"></span></p>
  <ol id="steps" class="steps" ${list} aria-label="Timeline"></ol>
</div>`;
    return `
<p class="muted">Every page on this timeline gets each new step (one SSE event each). Add one here, or open the page twice.</p>
<div data-live="adder" ${gen.ws("/weft/htmx/ws/hx/timeline", token, "attributes")}>
  ${connLine("adder", "Button socket")}
  <button id="step" name="step" type="button" ${gen.send}>Add a step</button>
  <p id="added" class="muted">You added 0 steps from this page.</p>
  ${ERROR_SLOT}
</div>
${stream}`;
  },
};
