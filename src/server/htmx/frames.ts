/**
 * One WebSocket frame of an unmodified htmx page, read into a Weft event:
 * its name, its payload and the CSRF token it carries (docs/htmx.md).
 *
 * The two generations send (node_modules/htmx-ext-ws/ws.js, htmx4 dist/ext/hx-ws.js):
 * - htmx 2 + ext-ws: `{ …form fields and hx-vals, "HEADERS": { "HX-Request", "HX-Trigger"
 *   (the element's id or null), "HX-Trigger-Name" (its name or null), "HX-Target", "HX-Current-URL",
 *   …hx-headers } }`
 * - htmx 4 hx-ws: `{ …form fields and hx-vals, "headers": { "HX-Request", "HX-Source": "form#f"
 *   (tag, then `#` and the encodeURI'd id when it has one), "HX-Target", "HX-Current-URL" } }`.
 *   htmx 4 does NOT put `hx-headers` into WebSocket messages (its request context is built without
 *   them), so on htmx 4 the CSRF token must come as a field: a hidden `weft-csrf` input or hx-vals.
 *
 * Only the shape is read here; the CSRF comparison (csrf.ts), the allowlist,
 * schemas, rate limits and depth checks are the view stream's and the session's.
 */
import type { ErrorCode } from "../../protocol/errors.ts";
import type { Payload } from "../view.ts";

/** The field that names the event (wins over every header). */
export const EVENT_FIELD = "weft-event";
/** The field that carries the CSRF token (a hidden input or hx-vals). */
export const CSRF_FIELD = "weft-csrf";
/** The header that carries the CSRF token (via `hx-headers`, htmx 2 only). */
export const CSRF_HEADER = "X-Weft-CSRF";
/** Its key in the headers read (names lower-cased). */
const CSRF_HEADER_KEY = CSRF_HEADER.toLowerCase();
/** The longest event name accepted (as the native protocol's `e`). */
const MAX_EVENT_NAME = 256;
/** Top-level keys that are never part of the payload. */
const NOT_PAYLOAD = new Set([EVENT_FIELD, CSRF_FIELD, "HEADERS", "headers"]);

/** An htmx frame, read. */
export interface HtmxFrame {
  /** The event name (not yet checked against the view's `events`). */
  readonly event: string;
  /** Every other top-level field: form fields (strings, string arrays), hx-vals values. */
  readonly payload: Payload;
  /** The CSRF token: field `weft-csrf`, else header `X-Weft-CSRF` (any case); undefined when neither. */
  readonly csrf: string | undefined;
}

/** A frame refused before it names anything: the code and message of the error fragment. */
export interface FrameRefusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Reads one htmx frame (the text of a WebSocket text frame; its size is
 * checked by the caller first). Never throws.
 *
 * The event name is, first found: field `weft-event`, header `HX-Trigger-Name`
 * (htmx 2: the element's `name`), header `HX-Trigger` (htmx 2: its `id`), the
 * id in header `HX-Source` (htmx 4: `form#save` → `save`). None → E_UNKNOWN_EVENT.
 *
 * @example
 * parseFrame('{"title":"milk","HEADERS":{"HX-Trigger":"add","X-Weft-CSRF":"t0k"}}');
 * // { event: "add", payload: { title: "milk" }, csrf: "t0k" }
 * parseFrame('{"title":"milk","weft-csrf":"t0k","headers":{"HX-Source":"form#add"}}');
 * // { event: "add", payload: { title: "milk" }, csrf: "t0k" }
 * parseFrame("hello"); // { code: "E_BAD_FRAME", message: "an htmx frame must be a JSON object …" }
 */
export function parseFrame(text: string): HtmxFrame | FrameRefusal {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return bad("an htmx frame must be a JSON object (ws-send / hx-ws:send sends one); this one is not JSON");
  }
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return bad("an htmx frame must be a JSON object (ws-send / hx-ws:send sends one)");
  const fields = msg as Record<string, unknown>;
  const headers = readHeaders(fields);
  if (typeof headers === "string") return bad(headers);
  const field = own(fields, EVENT_FIELD);
  if (field !== undefined && typeof field !== "string") return bad(`\`${EVENT_FIELD}\` must be one string (one hidden input or hx-vals value)`);
  const csrfField = own(fields, CSRF_FIELD);
  if (csrfField !== undefined && typeof csrfField !== "string") return bad(`\`${CSRF_FIELD}\` must be one string`);
  const event = nonEmpty(field) ?? headers.get("hx-trigger-name") ?? headers.get("hx-trigger") ?? sourceId(headers.get("hx-source"));
  if (event === undefined) {
    return { code: "E_UNKNOWN_EVENT", message: `the frame names no event: add a \`${EVENT_FIELD}\` field (hidden input or hx-vals), or give the sending element a name or id that is one of the view's events` };
  }
  if (event.length > MAX_EVENT_NAME) return bad(`the event name is longer than ${MAX_EVENT_NAME} characters`);
  // Object.fromEntries defines own properties: a "__proto__" key stays data (and the session's payload check drops it).
  const payload = Object.fromEntries(Object.entries(fields).filter(([k]) => !NOT_PAYLOAD.has(k)));
  return { event, payload, csrf: csrfField ?? headers.get(CSRF_HEADER_KEY) };
}

/** True when `r` is a refusal rather than a frame. */
export function isRefusal(r: HtmxFrame | FrameRefusal): r is FrameRefusal {
  return "code" in r;
}

/**
 * The frame's headers (`HEADERS` of htmx 2, `headers` of htmx 4) by lower-case
 * name, string values only (htmx 2 sends null for an element without id or
 * name); a message when they are malformed.
 */
function readHeaders(fields: Record<string, unknown>): Map<string, string> | string {
  const out = new Map<string, string>();
  for (const key of ["HEADERS", "headers"]) {
    const h = own(fields, key);
    if (h === undefined || h === null) continue;
    if (typeof h !== "object" || Array.isArray(h)) return `\`${key}\` must be an object of header names to values`;
    for (const [name, value] of Object.entries(h)) {
      const v = nonEmpty(value);
      if (v === undefined) continue;
      const lower = name.toLowerCase();
      // One header spelled twice (in two cases, or in both objects) with two values: which one counts would be a guess.
      if (out.has(lower) && out.get(lower) !== v) return `header ${name} is given twice with different values`;
      out.set(lower, v);
    }
  }
  return out;
}

/** htmx 4's HX-Source `tag#id` (the id encodeURI'd): the id, or undefined for an element without one. */
function sourceId(source: string | undefined): string | undefined {
  const hash = source?.indexOf("#") ?? -1;
  if (source === undefined || hash < 0) return undefined;
  try {
    return nonEmpty(decodeURI(source.slice(hash + 1)));
  } catch {
    return undefined;
  }
}

function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

function bad(message: string): FrameRefusal {
  return { code: "E_BAD_FRAME", message };
}
