/**
 * Pattern 4, a JSON message handled by page script: topic "status" is a
 * JSON topic (`json: true`), so each broadcast reaches the page's socket as
 * `{"weft":"broadcast","topic":"status","event":…,"data":…}`, which htmx
 * swaps nothing for (no top-level `content`/`payload`) and hands to the
 * page's `htmx:wsAfterMessage` (htmx 2) / `htmx:ws:after:message:incoming`
 * (htmx 4) listener (client.ts), which sets `#status-text`. The form below
 * announces a status through the view at /hx/status (ctx.broadcast); a job
 * or a webhook would call app.broadcast("status", "update", {text, level}).
 */
import { defineView, html, type StandardSchemaV1, type HtmxTopic } from "../../../src/index.ts";
import { connLine, ERROR_SLOT, type HtmxPage } from "./page.ts";

/** The last status announced through this process's status view: a page that connects starts from it. */
let lastStatus: { text: string; level: string } = { text: "no status yet", level: "none" };

/** The topic "status": JSON to the page; on connect, the last status (`{"weft":"current",…}`). */
export const statusTopic: HtmxTopic = { json: true, current: () => lastStatus };

const LEVELS = ["ok", "degraded", "down"] as const;
type Level = (typeof LEVELS)[number];

/** The `announce` payload: a text of 1–120 characters and a level. */
const announceSchema: StandardSchemaV1<unknown, { text: string; level: Level }> = {
  "~standard": {
    version: 1,
    vendor: "demo",
    validate: (v) => {
      const p = v as { text?: unknown; level?: unknown } | null;
      const text = typeof p?.text === "string" ? p.text.trim() : "";
      if (text === "" || text.length > 120) return { issues: [{ message: "a status is a text of 1 to 120 characters" }] };
      if (!LEVELS.includes(p?.level as Level)) return { issues: [{ message: "level is ok, degraded or down" }] };
      return { value: { text, level: p!.level as Level } };
    },
  },
};

/** The view behind the page's form (at /hx/status): it broadcasts the status. */
export const HxStatus = defineView<{ sent: number }>({
  title: "Status (htmx)",
  mount: () => ({ sent: 0 }),
  events: {
    announce: {
      schema: announceSchema,
      run: (s, p, ctx) => {
        lastStatus = { text: p.text, level: p.level };
        ctx.broadcast("status", "update", lastStatus);
        return { sent: s.sent + 1 };
      },
    },
  },
  render: (s) => html`<p id="sent" class="muted">${s.sent === 0 ? "" : `You announced ${s.sent} ${s.sent === 1 ? "status" : "statuses"}.`}</p>`,
});

export const statusPage: HtmxPage = {
  slug: "status",
  title: "JSON status",
  summary: "a JSON topic: htmx swaps nothing, the page's own script reads the message and shows the status",
  body: ({ gen, token }) => `
<p class="muted">The status below comes as JSON over the topic's socket and is set by the page's script, not swapped by htmx.</p>
<div class="panel" data-live="status" ${gen.ws("/weft/htmx/topic/status", token, "attributes")}>
  ${connLine("status", "Status socket")}
  <p>Status: <strong id="status-text" data-level="none">no status yet</strong></p>
</div>
<div data-live="announce" ${gen.ws("/weft/htmx/ws/hx/status", token, "attributes")}>
  ${connLine("announce", "Form socket")}
  <form id="announce" name="announce" ${gen.send} data-reset>
    <label class="field" for="status-input">New status</label>
    <input id="status-input" name="text" maxlength="120" required>
    <label class="field" for="status-level">Level</label>
    <select id="status-level" name="level"><option value="ok">ok</option><option value="degraded">degraded</option><option value="down">down</option></select>
    <p><button type="submit">Announce</button></p>
  </form>
  <p id="sent" class="muted"></p>
  ${ERROR_SLOT}
</div>`,
};
