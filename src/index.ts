/**
 * Weft: live, server-rendered UI for TypeScript on Node.js.
 *
 * @example
 * import { createWeft, defineView, html } from "weft-live";
 * const Counter = defineView({
 *   mount: () => ({ count: 0 }),
 *   events: { inc: (s) => ({ count: s.count + 1 }) },
 *   render: (s) => html`<button weft-click="inc">Count: ${s.count}</button>`,
 * });
 * await createWeft({ views: { "/": Counter }, secret: process.env.WEFT_SECRET }).listen(3000);
 */
export { createWeft, type WeftApp, type Next } from "./server/app.ts";
export { attachUpgrade, type UpgradeSource } from "./adapters/node-bridge.ts";
export { defineView } from "./server/view.ts";
export type { ModelSpec } from "./server/model.ts";
export type {
  EventFn, EventHandler, InfoHandler, Json, Params, Payload, SessionData, StandardResult, StandardSchemaV1,
  EventSpec, EventOptions, ValidatedEvent, ViewContext, ViewDefinition, PresenceUpdate, TerminateContext, TerminateReason,
} from "./server/view.ts";
export { html, raw, json, Template, Raw, JsonText, type TemplateValue } from "./server/template/html.ts";
export { keyed, Keyed, KeyedListError, type Key } from "./server/template/keyed.ts";
export {
  JS, JsCommands, MAX_JS_COMMANDS, type JsCommand, type JsTarget, type JsShowOptions, type JsTransitionOptions, type JsDispatchOptions, type JsPushOptions,
} from "./server/js-commands.ts";
export { stream, StreamRef, StreamError, type StreamOptions } from "./server/streams/index.ts";
export { MAX_ANNOUNCE_CHARS, type AnnounceOptions } from "./server/announce.ts";
export { AsyncRunningError, type AsyncFn, type AsyncOptions, type AsyncReport, type AsyncReports, type AsyncStatus, type AsyncTask } from "./server/async/index.ts";
export { MAX_FLASH_CHARS, MAX_FLASHES_PER_KIND, type FlashKind } from "./server/flash.ts";
export type { FlashPayload } from "./protocol/messages.ts";
export { MAX_CACHE_TTL_MS, MAX_CACHE_KEYS, type EventCache } from "./server/event-cache.ts";
export { defineComponent, component, ComponentRef, type ComponentDefinition, type ComponentProps, type ComponentId } from "./server/components/define.ts";
export { ComponentError } from "./server/components/host.ts";
export type { Uploads, UploadEntry, UploadState, UploadOptions, UploadedFile, UploadBudget } from "./server/uploads/types.ts";
export { liveView, LiveViewRef, ChildViewError, type LiveViewOptions } from "./server/child-views/live-view.ts";
export { renderToString } from "./server/template/render-tree.ts";
export { defaultLayout } from "./server/http/page.ts";
export { defaultErrorPage, type ErrorPage, type PageError } from "./server/http/error-page.ts";
export { escapeHtml } from "./server/template/escape.ts";
export { consoleLogger, type Logger, type LogFn } from "./server/logger.ts";
export type { Layout, PageParts, TransportName, WeftOptions } from "./server/options.ts";
export type { HtmxOptions, HtmxTopic, HtmxTopicMessage } from "./server/htmx/options.ts";
export { ERRORS, type ErrorCode } from "./protocol/errors.ts";
export { deny, isDenial, type AuthDenial, type AuthResult } from "./server/security/auth.ts";
export type { Rate } from "./server/security/rate-limit.ts";
export { MemoryPubSub } from "./server/pubsub/memory.ts";
export type { BroadcastMessage, PubSub } from "./server/pubsub/types.ts";
export { MemoryStore } from "./server/store/memory.ts";
export type { SessionSnapshot, SnapshotTimer, Store } from "./server/store/types.ts";
export type { RedisConfig } from "./server/redis/connection.ts";
export { MemoryPresence } from "./server/presence/memory.ts";
export type { Presence, PresenceDiff, PresenceEntry } from "./server/presence/types.ts";
