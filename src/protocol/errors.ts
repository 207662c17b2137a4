/**
 * The one error registry. Every rejection Weft makes — on the wire, over HTTP or
 * in the browser — uses one of these codes. Codes are stable and never reused;
 * docs/errors.md is kept equal to this table by a test.
 */
export interface ErrorSpec {
  /** Human-readable default message. */
  readonly message: string;
  /** HTTP status when the error answers a request. */
  readonly status: number;
  /** WebSocket close code when the error ends the connection, else 0. */
  readonly close: number;
}

export const ERRORS = {
  E_BAD_FRAME: { message: "the frame is not a valid Weft message (JSON object with a known kind)", status: 400, close: 0 },
  E_TOO_LARGE: { message: "the message is larger than the server accepts", status: 413, close: 0 },
  E_UNKNOWN_VIEW: { message: "no view is registered at that path", status: 404, close: 0 },
  E_BAD_TOKEN: { message: "the view token is missing, malformed or its signature is wrong", status: 403, close: 0 },
  E_TOKEN_EXPIRED: { message: "the view token has expired; reload the page", status: 403, close: 0 },
  E_NOT_JOINED: { message: "that view id has not joined on this connection", status: 409, close: 0 },
  E_UNKNOWN_EVENT: { message: "the view has no handler for that event", status: 400, close: 0 },
  E_UNKNOWN_TARGET: { message: "the event's target component does not exist in the view (removed, or a forged weft-target)", status: 400, close: 0 },
  E_UNKNOWN_FIELD: { message: "the view has no bindable field of that name (weft-model names a field not in the view's model list)", status: 400, close: 0 },
  E_INVALID: { message: "the event payload does not match the handler's schema", status: 422, close: 0 },
  E_HANDLER: { message: "the event handler failed; the view keeps its last good state", status: 500, close: 0 },
  E_RENDER: { message: "the view failed to render; the view keeps its last good state", status: 500, close: 0 },
  E_MOUNT: { message: "the view failed to mount", status: 500, close: 0 },
  E_TOO_MANY_VIEWS: { message: "too many views joined on one connection", status: 429, close: 0 },
  E_HEARTBEAT: { message: "no heartbeat from the peer within two intervals", status: 408, close: 4008 },
  E_SHUTDOWN: { message: "the server is shutting down; reconnect", status: 503, close: 4503 },
  E_SLOW_READER: { message: "the client fell more than the allowed backlog behind what the server sent; reconnect", status: 0, close: 4009 },
  E_UNKNOWN_LINK: { message: "no link with that id: open a new one and rejoin", status: 404, close: 0 },
  E_LINK_EXPIRED: { message: "the link has expired: open a new one and rejoin", status: 410, close: 0 },
  E_BAD_LINK: { message: "the link id is missing or malformed (16–64 characters of [A-Za-z0-9_-])", status: 400, close: 0 },
  E_CONTENT_TYPE: { message: "the request body must be application/json", status: 415, close: 0 },
  E_METHOD: { message: "that method is not allowed here", status: 405, close: 0 },
  E_ORIGIN: { message: "the request's Origin is not allowed (see allowedOrigins)", status: 403, close: 0 },
  E_TLS_REQUIRED: { message: "this server only accepts HTTPS/WSS (requireTLS)", status: 403, close: 0 },
  E_UNAUTHORIZED: { message: "not signed in: authorize() denied the request", status: 401, close: 0 },
  E_FORBIDDEN: { message: "not allowed: the session may not use this view", status: 403, close: 0 },
  E_RATE_LIMIT: { message: "too many messages: slow down", status: 429, close: 4429 },
  E_TOO_MANY_CONNECTIONS: { message: "too many connections from this address", status: 429, close: 0 },
  E_BAD_URL: { message: "the request target is not a valid URL", status: 400, close: 0 },
  E_NODE_GONE: { message: "the node that held this link stopped answering: open a new link and rejoin", status: 503, close: 0 },
  E_NAV_TARGET: { message: "the navigation target is not a same-origin path (or, with { external: true }, an http(s) URL)", status: 400, close: 0 },
  E_LINK_TOKEN: { message: "a new SSE or HTTP link must carry a view token of a rendered page (x-weft-token header) on its first request", status: 403, close: 0 },
  E_SERVER_BUSY: { message: "the server holds as many connections as it accepts (maxConnections); retry later", status: 503, close: 0 },
  E_SHARED_KEY: { message: "this server answers only requests that carry its shared key (X-Weft-Key header; sharedKey)", status: 401, close: 0 },
  E_URI_TOO_LONG: { message: "the page's query (with its session data) is too long for a view token (8 KiB): shorten the URL", status: 414, close: 0 },
  E_ENDPOINT_TOKEN: { message: "this endpoint needs its token: Authorization: Bearer <token> (the health or metrics option)", status: 401, close: 0 },
  E_TRANSPORT_OFF: { message: "that transport is turned off on this server (the transports option); the page's script tag lists the ones it offers", status: 404, close: 0 },
  E_TIMEOUT: { message: "the handler did not finish within its time limit (handlerTimeoutMs); the view keeps its last good state", status: 504, close: 0 },
  E_BUSY: { message: "the view has too much work queued (maxQueuedPerSession); the event was not applied: retry later", status: 503, close: 0 },
  E_UPLOAD_UNKNOWN: { message: "no upload entry with that ref in this view (never declared, finished, cancelled, or another session's)", status: 404, close: 0 },
  E_UPLOAD_ORDER: { message: "the upload chunk does not start at the next byte the server expects", status: 409, close: 0 },
  E_UPLOAD_CHUNK: { message: "the upload chunk is larger than the upload's chunkBytes", status: 413, close: 0 },
  E_UPLOAD_TOO_LARGE: { message: "the file is larger than the upload accepts (maxBytes) or than it was declared", status: 413, close: 0 },
  E_UPLOAD_TYPE: { message: "the file's type is not one the upload accepts (by name, declared type and content)", status: 415, close: 0 },
  E_UPLOAD_FILES: { message: "more files than the upload accepts (maxFiles)", status: 400, close: 0 },
  E_UPLOAD_BUDGET: { message: "the server's disk budget for uploads (per session or per node) is used up; retry later", status: 507, close: 0 },
  E_UPLOAD_IDLE: { message: "the upload stalled (no chunk within the idle timeout) and was dropped", status: 408, close: 0 },
  E_UPLOAD_CANCELLED: { message: "the upload entry was cancelled", status: 410, close: 0 },
  E_HOT_RELOAD: { message: "development hot reload: a changed module failed to load; the old code keeps running", status: 500, close: 0 },
  E_HTMX_CSRF: { message: "the htmx frame's CSRF token is missing or wrong (a weft-csrf field or X-Weft-CSRF header with the token of app.htmxToken); load the page through app.htmxToken", status: 403, close: 0 },
  E_HTMX_TOPIC: { message: "htmx clients may not subscribe to that topic (the htmx.topics option)", status: 404, close: 0 },
  E_INTERNAL: { message: "internal error", status: 500, close: 0 },
  E_CLIENT_TRANSPORT: { message: "the browser could not reach the server", status: 0, close: 0 },
  E_CLIENT_PATCH: { message: "the browser could not apply an update; it rejoins", status: 0, close: 0 },
  E_CLIENT_JS: { message: "a JS command list is not valid (not JSON, not at most 64 [name, object] pairs, an unknown command) and nothing of it ran, or one of its commands failed (a selector that does not parse, a refused attribute) and was skipped", status: 0, close: 0 },
  E_TEST_SELECTOR: { message: "weft-live/testing: the selector is outside the supported subset (tag, #id, .class, [attr], [attr=value], descendant and > combinators, comma lists)", status: 0, close: 0 },
  E_TEST_NO_MATCH: { message: "weft-live/testing: no element of the rendered view matches the selector", status: 0, close: 0 },
  E_TEST_NO_BINDING: { message: "weft-live/testing: the element carries no weft-* binding for that action (weft-click on it or an ancestor; weft-submit on the form)", status: 0, close: 0 },
  E_TEST_FIELD: { message: "weft-live/testing: the form has no control with that name", status: 0, close: 0 },
  E_TEST_TIMEOUT: { message: "weft-live/testing: the view's work did not finish in time (an async handler that never settles?)", status: 0, close: 0 },
  E_TEST_NOT_MOUNTED: { message: "weft-live/testing: the view is not mounted (it redirected at mount, or was unmounted)", status: 0, close: 0 },
} as const satisfies Record<string, ErrorSpec>;

/** Every error code. */
export type ErrorCode = keyof typeof ERRORS;

/** True when `code` is a registered error code. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERRORS, code);
}
