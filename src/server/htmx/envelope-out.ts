/**
 * A view session's envelopes other than renders, as htmx messages
 * (docs/htmx.md#what-a-view-sends). Renders and diffs go through the
 * stream's mirror (mirror.ts); everything else is decided here:
 *
 * - push (`ctx.pushEvent`) → JSON `{"weft":"push","event","data"}`; on SSE the event name is the push's name;
 * - error → the error fragment `<div id="{errorId}" hx-swap-oob="true" role="alert" data-code data-event>`;
 *   the next event answered without an error clears it (clearErrorOut, sent by the view stream);
 * - nav (`ctx.patch` / `navigate` / `redirect`) → JSON `{"weft":"nav","kind","to"[,"replace"][,"external"]}`, SSE event "weft-nav";
 * - flash (`ctx.flash`) → JSON `{"weft":"flash","kind","text"}`, SSE event "weft-flash";
 * - announce (`ctx.announce`) → JSON `{"weft":"announce","text","politeness"}`, SSE event "weft-announce";
 * - reply, heartbeat, upload acks → nothing (a page title in a reply is not sent either: htmx has no channel for it).
 *
 * JSON messages never use the top-level keys `content` or `payload`: htmx 4's
 * hx-ws would swap those as HTML.
 */
import { ERRORS, isErrorCode } from "../../protocol/errors.ts";
import { S, type AnnouncePayload, type Envelope, type FlashPayload, type NavPayload } from "../../protocol/messages.ts";
import { escapeHtml } from "../template/escape.ts";
import { errorFragment } from "./fragments.ts";
import type { HtmxOut } from "./out.ts";

/** What the translation needs of its stream. */
export interface OutContext {
  /** The id the error fragment replaces (`htmx.errorId`). */
  readonly errorId: string;
  /** The event name of ref `r`, when the stream sent it. */
  eventOf(r: number | undefined): string | undefined;
}

/**
 * The htmx message for a non-render envelope; undefined for kinds that send nothing.
 *
 * @example
 * envelopeOut({ t: "p", q: 3, e: "saved", d: { id: 1 } }, ctx);
 * // { data: '{"weft":"push","event":"saved","data":{"id":1}}', event: "saved" }
 */
export function envelopeOut(env: Envelope, ctx: OutContext): HtmxOut | undefined {
  switch (env.t) {
    case S.push: return { data: JSON.stringify({ weft: "push", event: env.e ?? "", data: env.d ?? null }), event: env.e };
    case S.error: return errorOut(env, ctx);
    case S.nav: {
      const d = env.d as NavPayload;
      return { data: JSON.stringify({ weft: "nav", kind: d.kind, to: d.to, replace: d.replace, external: d.external }), event: "weft-nav" };
    }
    case S.flash: {
      const d = env.d as FlashPayload;
      return { data: JSON.stringify({ weft: "flash", kind: d.kind, text: d.text }), event: "weft-flash" };
    }
    case S.announce: {
      const d = env.d as AnnouncePayload;
      return { data: JSON.stringify({ weft: "announce", text: d.text, politeness: d.politeness ?? "polite" }), event: "weft-announce" };
    }
    default: return undefined;
  }
}

/**
 * The error fragment of an error envelope (code, message, and the name of
 * the event that caused it when its ref is known); escaping is errorFragment's.
 *
 * @example
 * errorOut({ t: "x", c: "E_INVALID", m: "…", r: 2 }, { errorId: "weft-error", eventOf: () => "add" }).data;
 * // '<div id="weft-error" hx-swap-oob="true" role="alert" data-code="E_INVALID" data-event="add">…</div>'
 */
export function errorOut(env: Envelope, ctx: OutContext): HtmxOut {
  const code = typeof env.c === "string" && isErrorCode(env.c) ? env.c : "E_INTERNAL";
  return { data: errorFragment(ctx.errorId, code, env.m ?? ERRORS[code].message, ctx.eventOf(env.r)) };
}

/**
 * The message that clears the error fragment: the page's empty slot again
 * (`<div id="{errorId}" role="alert"></div>`, id escaped), swapped out of
 * band. A view stream sends it once, with the answer to the first event
 * after a refusal that is answered without an error.
 *
 * @example
 * clearErrorOut("weft-error").data; // '<div id="weft-error" hx-swap-oob="true" role="alert"></div>'
 */
export function clearErrorOut(errorId: string): HtmxOut {
  return { data: `<div id="${escapeHtml(errorId)}" hx-swap-oob="true" role="alert"></div>` };
}
