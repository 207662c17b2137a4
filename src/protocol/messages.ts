/**
 * The Weft wire protocol, defined once and imported by both the server and the
 * browser client. Nothing else in the code base spells a wire key.
 *
 * Every frame is one JSON object (the envelope). Keys are one letter because the
 * envelope travels with every update: a counter increment is ~35 bytes down.
 *
 * Invariants:
 * - every server → client message carries `q` (its seq, per view session,
 *   starting at 1 and increasing by one), so a client can resume from the last
 *   seq it saw and the server can replay from its bounded outbox;
 * - every client event carries `r` (its ref, per view session, increasing), so
 *   the server applies each event once and acknowledges it with that ref.
 *
 * The constant tables (`C`, `S`, `ATTR`, `CLASS`, `HEADERS`, `PATHS`) are string
 * enums, not `as const` objects: the client's build (esbuild) puts each member's
 * string where it is used and leaves the table out, where an object would travel
 * whole in the bundle, every key with it. Both read the same (`ATTR.view`).
 */

/** Message kinds, client → server. */
export enum C {
  /** Join (or rejoin) a view: `d` is {@link JoinPayload}. */
  join = "j",
  /** An event for a view handler: `e` is the name, `d` the payload, `r` the ref. */
  event = "e",
  /** The client has applied every message up to `q` (lets the server trim its outbox). */
  ack = "a",
  /** The client leaves a view (the element was removed or the page is unloading). */
  leave = "l",
  /** Heartbeat: the server answers with a heartbeat, proving the link is alive. */
  heartbeat = "h",
  /**
   * A live patch of a joined view (`weft-patch`, back/forward): `d` is
   * {@link PatchPayload}, `r` a ref in the view's event sequence — applied
   * once and in order with its events, answered like one.
   */
  patch = "p",
  /**
   * A live navigation (`weft-navigate`, back/forward): mounts the view at
   * `d.u` as view `v` on this link, authorized as a page load of that URL;
   * `d` is {@link NavigatePayload}. Answered like a join.
   */
  navigate = "n",
  /**
   * Declares files chosen for an upload (`weft-upload`, docs/uploads.md): `e`
   * is the upload's name, `d` a list of {@link UploadDeclaration}, `r` a ref
   * in the view's event sequence — applied once, answered like an event.
   */
  upload = "u",
  /** Cancels one upload entry: `e` the upload's name, `d` the entry's ref; `r` a ref, answered like an event. */
  uploadCancel = "c",
  /**
   * An upload chunk inside an encoding that carries bytes (MessagePack):
   * `d` is `[entryRef, offset, bytes]`. With JSON on WebSocket a chunk is a
   * binary frame instead ({@link encodeChunkHeader}); on SSE and HTTP an
   * `application/octet-stream` POST to the link's path with `u` (entry ref),
   * `o` (offset) and `v` (view id) in the query.
   */
  chunk = "k",
}

/** Message kinds, server → client. */
export enum S {
  /** A full rendered tree `d` ({@link RenderedTree}), with new statics in `s`. */
  rendered = "f",
  /**
   * A diff `d` against the client's tree, with new statics in `s`. The most
   * frequent message, so its kind is implied: an envelope without `t` is a diff
   * (see {@link kindOf}).
   */
  diff = "d",
  /** A server-pushed event `e` with payload `d` (ctx.pushEvent). */
  push = "p",
  /** Navigation `d` ({@link NavPayload}). */
  nav = "n",
  /** An error: `c` is the code, `m` the message, `r` the event ref when one caused it. */
  error = "x",
  /**
   * Acknowledges event ref `r` when its handling changed nothing on screen;
   * or carries a changed page title `h` alone (then `r` only when an event caused it).
   */
  reply = "r",
  /** An aria-live announcement (`ctx.announce`): `d` is {@link AnnouncePayload}. */
  announce = "a",
  /** A flash message (`ctx.flash`): `d` is {@link FlashPayload}. */
  flash = "m",
  /** Heartbeat answer. Carries no seq: it is not part of the view's message stream. */
  heartbeat = "h",
  /**
   * Acknowledges an upload chunk on WebSocket (no seq: not part of the view's
   * message stream): `d` is `[entryRef, bytesReceived]`, or
   * `[entryRef, bytesReceived, code]` when the chunk was refused (the entry
   * is then gone, its temp data removed). On SSE and HTTP the chunk's POST
   * answer carries the same: `{ "o": bytesReceived }`, or an error body.
   */
  uploadAck = "u",
}

/** The kind of a server envelope (a diff's `t` is omitted on the wire). */
export function kindOf(env: Envelope): string {
  return env.t ?? S.diff;
}

export type ClientKind = `${C}`;
export type ServerKind = `${S}`;

/**
 * The envelope keys. Kept here so that both sides agree and nothing else spells
 * them: `t` kind, `v` view id (client-chosen, multiplexes views on one link),
 * `q` seq, `r` event ref, `e` event name, `d` data, `s` statics, `c` error code,
 * `m` error message, `k` a fresh token (join answers), `h` the page title,
 * `p` component trees (server → client), `g` an event's target component,
 * `o` stream operations (server → client).
 */
export interface Envelope {
  /** Message kind ({@link C} or {@link S}); omitted for diffs. */
  t?: string;
  /** View id on the page, chosen by the client at join. */
  v?: number;
  /** Server seq (server → client), or last seq seen (client ack, an event with `w`). */
  q?: number;
  /** Client event ref. */
  r?: number;
  /** Event name (client event, server push). */
  e?: string;
  /** Data: payload, tree or diff. */
  d?: unknown;
  /** Statics new to this view session: fingerprint id → static strings. */
  s?: Record<string, string[]>;
  /** Error code. */
  c?: string;
  /** Error message. */
  m?: string;
  /** A refreshed view token (sent with the join answer). */
  k?: string;
  /**
   * The page title (`document.title`), on a full render, diff or reply of a
   * view whose `title` is a function of its state: on every full render, and
   * on a diff or reply when the title changed. Only the page's outermost view
   * root applies it.
   */
  h?: string;
  /**
   * Components (`component()` in a template; docs/components.md), server →
   * client: component id → its tree. On a full render, every component's full
   * tree; on a diff, a diff of each component that changed (a full tree for a
   * new one) and `null` for each one that went. A diff frame may carry `p`
   * without `d`: a component's own event re-renders that component only.
   * Statics are shared with the view (`s`).
   */
  p?: ComponentParts;
  /**
   * Client → server, on an event: the id of the component whose handler runs
   * (`weft-target`, or the closest `weft-component` root); absent: the view.
   */
  g?: string;
  /**
   * Stream operations (`ctx.stream`; docs/streams.md), server → client, on a
   * full render or a diff: applied in order after the morph. See {@link StreamOp}.
   */
  o?: StreamOp[];
  /**
   * Client → server, on an event: a `weft-model` binding — `e` names the
   * state field, `d` is `{ value }` (docs/client.md). Absent on other events.
   */
  b?: 1;
  /**
   * Server → client, on a join answer's full render: the session was mounted
   * afresh (no state was kept for it), so `weft-recover` forms send their values.
   */
  n?: 1;
  /**
   * Server → client, on the answer (diff, reply) to event ref `r`: the value
   * the handler gave `ctx.reply(value)` (a hook's `pushEvent` promise resolves with it).
   */
  y?: unknown;
  /**
   * Server → client, on a join answer: the view's cacheable events
   * (`cache` on a handler): event name → [ttlMs, key fields].
   */
  z?: Record<string, [number, string[]]>;
  /**
   * Client → server, on an event answered from the client's cache: the hash of
   * the view's HTML the client showed after it (protocol/hash.ts: FNV-1a, a
   * signed 32-bit integer), optionally with `q`, the seq the server must
   * answer it at; the server sends a reply instead of the diff when its own
   * page hashes the same (docs/client.md, server/event-cache.ts).
   */
  w?: number;
  /**
   * Server → client, on a join answer of a view that declares uploads: upload
   * name → {@link UploadConfig} (what the client needs to pick, check and send files).
   */
  u?: Record<string, UploadConfig>;
}

/** One file of a {@link C.upload} frame: `[entryRef, name, type, size]`; the ref is client-chosen, 16–64 of `[A-Za-z0-9_-]`. */
export type UploadDeclaration = [ref: string, name: string, type: string, size: number];

/** An upload's settings as a page learns them: `[chunkBytes, autoUpload (1|0), maxBytes, maxFiles, accept]`. */
export type UploadConfig = [chunkBytes: number, auto: 0 | 1, maxBytes: number, maxFiles: number, accept: string[]];

/**
 * One operation on a stream container (the element marked `weft-stream="NAME"`),
 * whose children the morph leaves alone:
 * - `[name]` empties it (reset; also the first op for each stream of a full render);
 * - `[name, domId]` removes the child with that id;
 * - `[name, domId, at, html, limit?]` inserts the item's HTML (one root element,
 *   given the id `domId`) at index `at` (-1: the end; past the end: the end), or
 *   morphs the child that has that id already, where it stands; then, with a
 *   `limit`, removes children beyond it: the last ones for a positive limit, the
 *   first ones for a negative one (keeps `|limit|`).
 */
/** `d` of an announce message. */
export interface AnnouncePayload {
  /** The text to read out. */
  text: string;
  /** "polite" (default) waits for the reader to be idle; "assertive" interrupts. */
  politeness?: "polite" | "assertive";
}

/** `d` of a flash message. */
export interface FlashPayload {
  /** "info" or "error". */
  kind: "info" | "error";
  /** The text shown (as text, never HTML). */
  text: string;
}

export type StreamOp = [name: string, domId?: string, at?: number, html?: string, limit?: number];

/** `p` of an envelope: component id → tree, diff, or `null` for a removed component. */
export type ComponentParts = { [id: string]: TreeDiff | null };

/** `d` of a join. */
export interface JoinPayload {
  /** The signed view token from the server-rendered page. */
  k: string;
  /** Last seq the client applied, on a rejoin; absent on a first join. */
  q?: number;
  /** The page URL (for navigation-aware views). */
  u?: string;
}

/** `d` of a patch: the same-origin path with query the view moves to. */
export interface PatchPayload {
  /** The URL, e.g. "/todos?page=2". */
  u: string;
}

/** `d` of a navigate. */
export interface NavigatePayload {
  /** A view token of the page (the view being replaced): proves the page came from this app. */
  k: string;
  /** The same-origin path with query to mount the view of, e.g. "/todos/42". */
  u: string;
  /** The id of the view it replaces on the page: its session ends (terminate reason "navigate"). */
  f?: number;
}

/** `d` of a nav message. */
export interface NavPayload {
  /** Target URL. */
  to: string;
  /**
   * "patch" keeps the view and updates the URL (its handleParams has run on
   * the server); "navigate" mounts the view of `to` over the same link, with
   * no page load; "redirect" loads the page.
   */
  kind: "patch" | "navigate" | "redirect";
  /** Replace the history entry instead of pushing one. */
  replace?: boolean;
  /** The app allowed another origin (`{ external: true }`); else the client follows same-origin targets only. */
  external?: boolean;
}

/**
 * A rendered tree, as it travels.
 *
 * - a string is escaped HTML, inserted as is;
 * - `{ s, d }` is a template: `s` the fingerprint id of its statics (sent once
 *   per view session in an envelope's `s` table), `d` its dynamic slots;
 *   the HTML is statics[0] + d[0] + statics[1] + … + statics[n];
 * - `{ l }` is a list (an array in the template), items one after another;
 * - `{ c }` is a component: its tree travels apart, in the envelope's `p` map
 *   under the id `c`, so that an event of the component re-renders and sends
 *   that component only; the HTML is the component's, with a
 *   `weft-component="ID"` attribute added to its root element.
 *
 * A diff mirrors it: a string or a node with `s` or `l` replaces the slot; an
 * object with only numeric keys patches the template's changed slots; `{ n, u }`
 * patches a list: `n` its new length, `u` the changed or added items by index;
 * `{ o, u }` rebuilds a keyed list ({@link KeyedDiff}).
 */
export type RenderedTree = string | TemplateNode | ListNode | ComponentNode;

/** A component's place in a tree: its tree is in the envelope's `p` map under `c`. */
export interface ComponentNode {
  /** The component's id (`component(Def, { id })`). */
  c: string;
}

/** A template instance on the wire. */
export interface TemplateNode {
  /** Statics fingerprint id. */
  s: number;
  /** Dynamic slots. */
  d: RenderedTree[];
}

/** A list on the wire. */
export interface ListNode {
  /** Items. */
  l: RenderedTree[];
}

/** A diff of a template's slots: slot index → slot diff. */
export type SlotsDiff = { [slot: string]: TreeDiff };

/** A diff of a list. */
export interface ListDiff {
  /** New length. */
  n: number;
  /** Changed or new items: index → item diff (a full item when the index is new). */
  u?: { [index: string]: TreeDiff };
}

/**
 * A keyed list's new order (`keyed()` in a template), when items were
 * inserted, deleted or moved. `o` lists runs that, one after another, make
 * the new items: `[from, count]` takes `count` items of the old list from
 * index `from` on; a number `k` stands for `k` new items, whose full trees
 * are in `u`. Then `u` applies, by new index, the full new items and the
 * changes to kept ones. Each old item is taken at most once; old items not
 * taken are gone. Deleting the first of 1,000 items is `{"o":[[1,999]]}`;
 * moving item 500 to the front `{"o":[[500,1],[0,500],[501,499]]}`.
 * A keyed list whose order did not change is patched by a {@link ListDiff}.
 */
export interface KeyedDiff {
  /** Runs: `[from, count]` old items, or `k` new items (in `u`). */
  o: (number | [number, number])[];
  /** Full new items and changes to kept items, by new index. */
  u?: { [index: string]: TreeDiff };
}

/** A diff of a tree position. */
export type TreeDiff = RenderedTree | SlotsDiff | ListDiff | KeyedDiff;

/** Attribute names the browser client reads. */
export enum ATTR {
  /** On a view root: the view path. */
  view = "weft-view",
  /** On a view root: the signed join token. */
  token = "weft-token",
  /** On a view root while the view is down (join refused, link lost): a CSS hook (docs/errors.md). */
  error = "weft-error",
  /** On a view root beside `weft-error`: the code of why the view is down. */
  errorCode = "weft-error-code",
  click = "weft-click",
  submit = "weft-submit",
  change = "weft-change",
  input = "weft-input",
  keydown = "weft-keydown",
  keyup = "weft-keyup",
  focus = "weft-focus",
  blur = "weft-blur",
  key = "weft-key",
  debounce = "weft-debounce",
  throttle = "weft-throttle",
  valuePrefix = "weft-value-",
  disableWith = "weft-disable-with",
  /** Children of this element keep what the client put there (third-party widgets). */
  ignore = "weft-ignore",
  /** On a link or button: a live patch to this URL (the same view; its handleParams runs). */
  patch = "weft-patch",
  /** On a link or button: a live navigation to this URL (another view, no page load). */
  navigate = "weft-navigate",
  /** On an element with a binding: the id of the component its event goes to ("" for the view). */
  target = "weft-target",
  /** On a stream's container (`stream()` in its start tag): the stream's name; the morph leaves its children to the stream's ops. */
  stream = "weft-stream",
  /** Added by the client to a component's root element: its id; events inside go to it. */
  component = "weft-component",
  /** On an element in a view: the name of its client hook in `window.Weft.hooks` (hooks.ts, docs/client.md). */
  hook = "weft-hook",
  /** On the page's flash slot (outside view roots): the client shows `ctx.flash` messages in it (docs/client.md). */
  flash = "weft-flash",
  /** On a control: the state field it is bound to (two-way; the view's `model` lists it). */
  model = "weft-model",
  /** On an element with a binding: a question the user confirms before anything is sent. */
  confirm = "weft-confirm",
  /** On an element with a binding: `weft-optimistic-class`, `-text`, `-aria-*`, `-data-*` show a change at once while its event is in flight. */
  optimisticPrefix = "weft-optimistic-",
  /** On a form: the event its values are sent in when the server mounted the view afresh (default "recover"). */
  recover = "weft-recover",
  /** On an element: it takes focus when a patch, a stream insert or a live navigation makes it appear (docs/client.md, a11y). */
  focusAfter = "weft-focus-after",
  /**
   * On <body> or a view root: the link going down and the view being live
   * again are announced to screen readers; the value may give both texts,
   * "lost|back" (default "Connection lost. Reconnecting…|Reconnected.").
   */
  announceConnection = "weft-announce-connection",
  /** On a file input in a view: the name of the view's upload its files are declared for (docs/uploads.md). */
  upload = "weft-upload",
  /** On an element in a view: files dropped on it are declared for this upload, as a `weft-upload` input's. */
  dropTarget = "weft-drop-target",
  /** On an <img>: the ref of an upload entry; the client shows that file (images only) from the browser's copy. */
  uploadPreview = "weft-upload-preview",
  /** On an element: the ref of an upload entry; the client sets `weft-upload-progress` on it as chunks are acknowledged. */
  uploadEntry = "weft-upload-entry",
  /** Set by the client (0–100) on a `weft-upload` input or drop target (its latest files) and on `weft-upload-entry` elements, for CSS. */
  uploadProgress = "weft-upload-progress",
  /** On a button: the ref of an upload entry; a click stops its chunks and cancels it on the server. */
  uploadCancel = "weft-upload-cancel",
}

/** Classes the client sets. */
export enum CLASS {
  loading = "weft-loading",
  connected = "weft-connected",
  disconnected = "weft-disconnected",
}

/**
 * Request headers of the link protocol (docs/transports.md), lower case as
 * Node reads them.
 */
export enum HEADERS {
  /**
   * The first request of a new SSE or HTTP link carries a view token of the
   * page here: a link is made only for a page the server rendered (a bare
   * request with a fresh link id makes nothing). A header, not a query
   * parameter, so the token stays out of proxy and access logs.
   */
  token = "x-weft-token",
  /** The app's `sharedKey`, sent by a gateway or service client on every request (pages, upgrades, links). */
  key = "x-weft-key",
}

/** Paths the server answers under. */
export enum PATHS {
  /** The client bundle. */
  client = "/weft/client.js",
  /** The WebSocket endpoint. */
  socket = "/weft/ws",
  /** SSE: GET stream, POST client frames (docs/transports.md). */
  sse = "/weft/sse",
  /** HTTP: GET long-poll, POST client frames answered with their results. */
  http = "/weft/http",
  /** Health: JSON status, uptime, sessions and connections per transport. */
  health = "/weft/health",
  /** Metrics in the Prometheus text format. */
  metrics = "/weft/metrics",
}

/**
 * The WebSocket subprotocol of MessagePack frames (docs/transports.md#messagepack):
 * offered by a page that loaded the codec (/weft/client-msgpack.js), chosen by a server
 * with the `msgpack` option. On such a socket every frame is one envelope
 * packed as MessagePack, in a binary message; the keys and values are the
 * JSON envelope's, and an upload chunk is the envelope {@link C.chunk}.
 */
export const MSGPACK_PROTOCOL = "weft.msgpack";

/**
 * The WebSocket subprotocol of JSON frames, which the codec offers after
 * {@link MSGPACK_PROTOCOL}: a server without the `msgpack` option chooses it,
 * because a browser fails a handshake that offered subprotocols and got none
 * back. A socket that offers neither gets none (JSON, as always).
 */
export const JSON_PROTOCOL = "weft.json";

/**
 * An upload chunk as a binary WebSocket frame (JSON encoding): one byte `n`,
 * then `n` bytes of ASCII `v,ref,offset` (view id, entry ref, the chunk's
 * first byte in the file), then the chunk's bytes.
 *
 * @example
 * const frame = encodeChunkHeader(1, "q5mF0Jm3tUeZ2c8x", 0, bytes); // → Uint8Array
 */
export function encodeChunkHeader(v: number, ref: string, offset: number, bytes: Uint8Array): Uint8Array {
  const head = `${v},${ref},${offset}`;
  const out = new Uint8Array(1 + head.length + bytes.length);
  out[0] = head.length;
  for (let i = 0; i < head.length; i++) out[1 + i] = head.charCodeAt(i);
  out.set(bytes, 1 + head.length);
  return out;
}

/** A binary chunk frame read back: undefined when its head is malformed. */
export interface ChunkFrame {
  v: number;
  ref: string;
  offset: number;
  bytes: Uint8Array;
}

const CHUNK_HEAD = /^(\d{1,10}),([A-Za-z0-9_-]{16,64}),(\d{1,16})$/;

/**
 * Reads a frame made by {@link encodeChunkHeader}; undefined when its head is
 * not `v,ref,offset` (ids as the protocol allows them).
 *
 * @example
 * decodeChunkFrame(encodeChunkHeader(1, "q5mF0Jm3tUeZ2c8x", 0, new Uint8Array(2)))?.offset; // 0
 */
export function decodeChunkFrame(frame: Uint8Array): ChunkFrame | undefined {
  const n = frame[0];
  if (n === undefined || frame.length < 1 + n) return undefined;
  let head = "";
  for (let i = 1; i <= n; i++) head += String.fromCharCode(frame[i]!);
  const m = CHUNK_HEAD.exec(head);
  if (m === null) return undefined;
  const v = Number(m[1]);
  const offset = Number(m[3]);
  if (v > 2 ** 31 - 1 || !Number.isSafeInteger(offset)) return undefined;
  return { v, ref: m[2]!, offset, bytes: frame.subarray(1 + n) };
}
