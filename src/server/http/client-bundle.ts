/**
 * The browser client, served at /weft/client.js, kept in memory with its gzip
 * form and a content hash for the ETag; beside it its development part
 * (/weft/client-dev.js: the console log of `weft:error`s with hints), which
 * only pages of a server with the `dev` option load, so that the client every
 * page loads does not carry it.
 *
 * Where it comes from depends on how the server runs:
 * - from the built package (`dist/`, plain `node`): the prebuilt, minified
 *   `dist/client.js` and `dist/client-dev.js` that `npm run build` wrote next to `dist/index.js`; no
 *   bundler is needed at run time (esbuild is a devDependency);
 * - from the TypeScript sources (under tsx, in this repository): built once per
 *   process with esbuild from `src/client/`, so in development it can never be
 *   stale.
 */
import { createHash } from "node:crypto";
import type { Plugin } from "esbuild";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

/** One file of the client as served. */
export interface ClientFile {
  readonly code: Buffer;
  readonly gzip: Buffer;
}

/** The bundle as served. */
export interface ClientBundle extends ClientFile {
  /** Content hash of both files: the ETag and the `?v=` of either script URL. */
  readonly hash: string;
  /** The development part, served at {@link CLIENT_DEV_PATH}. */
  readonly dev: ClientFile;
  /** The MessagePack codec, served at {@link CLIENT_MSGPACK_PATH}. */
  readonly msgpack: ClientFile;
}

/** Where the development part is served; a page links it only with the `dev` option. */
export const CLIENT_DEV_PATH = "/weft/client-dev.js";

/**
 * Where the MessagePack codec (src/client/msgpack.ts: msgpackr's encoder and
 * decoder) is served; a page links it, before the client, only when the app
 * has the `msgpack` option, so the client every page loads does not carry it.
 */
export const CLIENT_MSGPACK_PATH = "/weft/client-msgpack.js";

/**
 * The size budget of the browser client, gzipped (level 9), in bytes: 15 KB.
 * `npm run build` prints the figure against it; a test fails above it.
 */
export const CLIENT_BUDGET = 15_360;

/**
 * Property names the client bundle shortens (esbuild `mangleProps`): private
 * members and internal fields of the client's own objects (View, LiveSocket,
 * Negotiator, Prober, Rendered, the link transports, view-retry's
 * outage, the event cache, the morph extensions) and the options the client
 * passes to morphdom, which the bundle holds too. An explicit list, never a
 * pattern, so that a name added elsewhere is never caught by accident. A name belongs here only if, in the whole
 * bundle (morphdom included), it is never a DOM or Web API member, a wire or
 * JSON key, an event's `detail` field, a key of history state or storage, a
 * member of an object a page script writes or reads (`window.weft`,
 * `window.Weft`, hooks), or read by a string (`x["name"]`, `"name" in x`).
 * Every access is then renamed alike, so the objects work as before.
 * client-bundle.test.ts checks that none of these names is left in the bundle.
 */
export const MANGLED_PROPS: readonly string[] = [
  // view.ts (View), link-seq.ts (LinkSeq.answered), negotiate.ts (Negotiator.failed), dom-patch.ts (Loading.settle)
  "answered", "retire", "patchTo", "onLive", "isDead", "isJoined", "linkToken", "joined", "failed", "settle",
  // view-retry.ts (the outage of a view)
  "gaveUp", "linkDown",
  // negotiate.ts (Negotiator) and probe.ts (Prober)
  "probeDelay", "probeFailed", "worked", "better", "schedule",
  // transports/types.ts (Transport, TransportFactory: only Weft's own transports are in the bundle)
  "onOpen", "onMessage", "onClose", "openMs",
  // rendered.ts (Rendered), view.ts (View), live-socket.ts (LiveSocket)
  "hasTree", "full", "replies", "receive", "tick", "views", "scan", "wake",
  "viewOf", "transportName", "probingName", "current",
  // negotiate.ts (Negotiator and its options, from index.ts), probe.ts (Prober), bindings.ts (a binding's timer state)
  "forced", "offered", "restart", "timer", "fire",
  // transports: link-seq.ts (LinkSeq, its held frames), every transport (Transport.farewell: only Weft's own transports)
  "seen", "broken", "fillers", "sent", "farewell",
  // uploads: the transports' and the live socket's sendChunk (uploads.ts)
  "sendChunk",
  // limits.ts, event-cache.ts (owe), rendered.ts (snap), dom-patch.ts (loading locks; the morph extensions of morphExts)
  "maxBytes", "hit", "owe", "snap", "morph", "added", "removed",
  // morphdom's options: dom-patch.ts and streams.ts call it, nothing else does
  "getNodeKey", "onNodeAdded", "onBeforeElUpdated", "onBeforeElChildrenUpdated", "childrenOnly",
];

/**
 * Paths of morphdom the client never takes, which the build drops: a target
 * given as an HTML string (parsed with a `<template>`, a Range or a `<body>`:
 * every call passes an element, dom-patch.ts, streams.ts; dom-patch.ts's
 * `morphdom` type takes elements only), a target node that is a node of the
 * page (`isSameNode`: the target is always a tree parsed afresh), virtual-DOM
 * targets (`actualize`), nodes that are not elements (both nodes of every
 * call are), and six options the client never passes. Each replacement must
 * match morphdom's code exactly, or the build fails (a new morphdom version
 * is checked again, not trimmed blindly).
 */
const MORPHDOM_TRIM: readonly (readonly [from: string, to: string])[] = [
  ["typeof toNode === 'string'", "false"],
  ["var HAS_TEMPLATE_SUPPORT = !!doc && 'content' in doc.createElement('template');", "var HAS_TEMPLATE_SUPPORT = true;"],
  ["var HAS_RANGE_SUPPORT = !!doc && doc.createRange && 'createContextualFragment' in doc.createRange();", "var HAS_RANGE_SUPPORT = false;"],
  // The same path's variables (a `var` outlives its dead branch).
  ["var toNodeHtml = toNode;", ""],
  ["var toNodeBody = toNode;", ""],
  ["var bodyElement = toNode.querySelector('body');", ""],
  // Two trees of distinct nodes (the target is always parsed afresh): a node of one is never one of the other.
  ["if (curToNodeChild.isSameNode && curToNodeChild.isSameNode(curFromNodeChild)) {", "if (false) {"],
  ["if (toNode.isSameNode && toNode.isSameNode(morphedNode)) {", "if (false) {"],
  // `actualize` is for virtual-DOM targets; a DOM node has none.
  ["if (curToNodeChild.actualize) {", "if (false) {"],
  ["if (morphedNode.actualize) {", "if (false) {"],
  // Both nodes are always elements (a view root and its new copy, a stream item and its new HTML's root element).
  ["if (toNode.nodeType === DOCUMENT_FRAGMENT_NODE || fromNode.nodeType === DOCUMENT_FRAGMENT_NODE) {", "if (false) {"],
  ["} else if (toNode.nodeType === DOCUMENT_FRAGMENT_NODE$1) {", "} else if (false) {"],
  ["if (toNodeType === ELEMENT_NODE) {", "if (true) {"],
  ["} else if (morphedNodeType === TEXT_NODE || morphedNodeType === COMMENT_NODE) {", "} else if (false) {"],
  // The node's type need not be tested before walking its children either: a text or comment node has none.
  ["if (node.nodeType === ELEMENT_NODE || node.nodeType === DOCUMENT_FRAGMENT_NODE$1) {", "{"],
  ["if (node.nodeType === ELEMENT_NODE) {", "{"],
  ["var morphedNodeType = morphedNode.nodeType;", ""],
  ["var toNodeType = toNode.nodeType;", ""],
  ["if (morphedNodeType === ELEMENT_NODE) {", "if (true) {"],
  // Both trees are parsed by the page's own document (the target is always a fresh parse, never a virtual
  // DOM): a tag name reads alike in both, so two names that differ only in case are different elements.
  ["fromCodeStart = fromNodeName.charCodeAt(0);", ""],
  ["toCodeStart = toNodeName.charCodeAt(0);", ""],
  ["if (fromCodeStart <= 90 && toCodeStart >= 97) {", "if (false) {"],
  ["} else if (toCodeStart <= 90 && fromCodeStart >= 97) {", "} else if (false) {"],
  // The client runs in a page: there is a document.
  ["var doc = typeof document === 'undefined' ? undefined : document;", "var doc = document;"],
  // onBeforeElUpdated answers true or false (its type says so; dom-patch.ts's does), never a replacement element.
  ["} else if (beforeUpdateResult instanceof HTMLElement) {", "} else if (false) {"],
  // Options the client never passes (dom-patch.ts's `morphdom` type leaves them out): morphdom's defaults, inline.
  ["var onBeforeNodeAdded = options.onBeforeNodeAdded || noop;", ""],
  ["var onBeforeNodeDiscarded = options.onBeforeNodeDiscarded || noop;", ""],
  ["var skipFromChildren = options.skipFromChildren || noop;", ""],
  ["var addChild = options.addChild || function(parent, child){ return parent.appendChild(child); };", ""],
  ["if (onBeforeNodeDiscarded(node) === false) {", "if (false) {"],
  ["var skipFrom = skipFromChildren(fromEl, toEl);", ""],
  ["while (!skipFrom && curFromNodeChild) {", "while (curFromNodeChild) {"],
  ["if(!skipFrom){ addChild(fromEl, matchingFromEl); }", "fromEl.appendChild(matchingFromEl);"],
  ["var onBeforeNodeAddedResult = onBeforeNodeAdded(curToNodeChild);", ""],
  ["if (onBeforeNodeAddedResult !== false) {", "{"],
  ["if (onBeforeNodeAddedResult) {", "if (false) {"],
  ["addChild(fromEl, curToNodeChild);", "fromEl.appendChild(curToNodeChild);"],
  // Two more options no call passes: `onElUpdated` and `onNodeDiscarded` (morphdom's default, a noop, is
  // all they ever were), their calls dropped; one of those sits in the branch for a "to node" put in the
  // place of the "from node", which needs an element turned into text (gone above).
  ["var onElUpdated = options.onElUpdated || noop;", ""],
  ["onElUpdated(fromEl);", ""],
  ["var onNodeDiscarded = options.onNodeDiscarded || noop;", ""],
  ["onNodeDiscarded(curChild);", ""],
  ["onNodeDiscarded(node);", ""],
  ["onNodeDiscarded(fromNode);\n            morphedNode = moveChildren(", "morphedNode = moveChildren("],
  ["if (morphedNode === toNode) {\n      // The \"to node\" was not compatible with the \"from node\" so we had to\n      // toss out the \"from node\" and use the \"to node\"\n      onNodeDiscarded(fromNode);\n    } else {", "{"],
];

/**
 * Applies {@link MORPHDOM_TRIM} to the source of morphdom's ES module; throws
 * when a piece is not there exactly once.
 * @example const trimmed = trimMorphdom(readFileSync("node_modules/morphdom/dist/morphdom-esm.js", "utf8"));
 */
export function trimMorphdom(code: string): string {
  for (const [from, to] of MORPHDOM_TRIM) {
    const parts = code.split(from);
    if (parts.length !== 2) throw new Error(`weft-live: the client build expects \`${from}\` once in morphdom (client-bundle.ts MORPHDOM_TRIM)`);
    code = parts.join(to);
  }
  return code;
}

/** The esbuild plugin that builds morphdom's ES module through {@link trimMorphdom}. */
const morphdomPlugin: Plugin = {
  name: "weft-trim-morphdom",
  setup(build) {
    build.onLoad({ filter: /[\\/]morphdom[\\/]dist[\\/]morphdom-esm\.js$/ }, async ({ path }) => ({ contents: trimMorphdom(await readFile(path, "utf8")), loader: "js" }));
  },
};

/**
 * msgpackr's decoder builds a faster reader for its "records" extension with
 * `new Function` (a page's CSP may forbid it, and the client never evaluates
 * code). Weft never sends records, but the text would be in the codec: the
 * build points that call at an undefined name, as msgpackr's own no-eval
 * build does — the call would throw, and msgpackr falls back to its plain
 * reader. The build fails if the call is not there exactly once.
 */
const noEvalPlugin: Plugin = {
  name: "weft-msgpackr-no-eval",
  setup(build) {
    build.onLoad({ filter: /[\\/]msgpackr[\\/]unpack\.js$/ }, async ({ path }) => {
      const parts = (await readFile(path, "utf8")).split("new Function(");
      if (parts.length !== 2) throw new Error("weft-live: the client build expects `new Function(` once in msgpackr/unpack.js (client-bundle.ts noEvalPlugin)");
      return { contents: parts.join("new BlockedFunction("), loader: "js" };
    });
  },
};

/** The client's entry among the sources (src/client/index.ts). */
const ENTRY = fileURLToPath(new URL("../../client/index.ts", import.meta.url));
/** The development part's entry (src/client/dev.ts). */
const DEV_ENTRY = fileURLToPath(new URL("../../client/dev.ts", import.meta.url));
/** The MessagePack codec's entry (src/client/msgpack.ts). */
const MSGPACK_ENTRY = fileURLToPath(new URL("../../client/msgpack.ts", import.meta.url));
/** The prebuilt bundle in the built package: dist/server/http/ → dist/client.js. */
const PREBUILT = fileURLToPath(new URL("../../client.js", import.meta.url));
/** The prebuilt development part: dist/client-dev.js. */
const PREBUILT_DEV = fileURLToPath(new URL("../../client-dev.js", import.meta.url));
/** The prebuilt MessagePack codec: dist/client-msgpack.js. */
const PREBUILT_MSGPACK = fileURLToPath(new URL("../../client-msgpack.js", import.meta.url));
/** True when this module runs as TypeScript source (tsx), false when built to dist/. */
const FROM_SOURCES = import.meta.url.endsWith(".ts");

let bundle: Promise<ClientBundle> | undefined;

/**
 * Loads (once) and returns the client bundle.
 * @example const { hash } = await clientBundle(); // the `?v=` of /weft/client.js
 */
export function clientBundle(): Promise<ClientBundle> {
  bundle ??= load().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

async function load(): Promise<ClientBundle> {
  const [main, dev, packed] = FROM_SOURCES
    ? await Promise.all([buildClient(), buildClient("dev"), buildClient("msgpack")])
    : await Promise.all([readPrebuilt(PREBUILT), readPrebuilt(PREBUILT_DEV), readPrebuilt(PREBUILT_MSGPACK)]);
  const code = Buffer.from(main);
  const devCode = Buffer.from(dev);
  const msgpackCode = Buffer.from(packed);
  // One hash for the three: a page links them with it, so none can be cached stale.
  const hash = createHash("sha256").update(code).update("\0").update(devCode).update("\0").update(msgpackCode).digest("base64url").slice(0, 16);
  const file = (c: Buffer): ClientFile => ({ code: c, gzip: gzipSync(c, { level: 9 }) });
  return { ...file(code), hash, dev: file(devCode), msgpack: file(msgpackCode) };
}

async function readPrebuilt(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    // A package built without its client (a broken build or a partial copy of dist/).
    throw new Error(`weft-live: the prebuilt browser client is missing at ${path}; rebuild the package (npm run build)`, { cause: err });
  }
}

/**
 * Bundles and minifies the client (or, with `"dev"`, its development part; with
 * `"msgpack"`, its MessagePack codec) from its sources with esbuild, then minifies it again with terser (both
 * devDependencies: only the build and development from sources call this).
 * @example writeFileSync("dist/client.js", await buildClient());
 */
export async function buildClient(part: "main" | "dev" | "msgpack" = "main"): Promise<string> {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    entryPoints: [part === "dev" ? DEV_ENTRY : part === "msgpack" ? MSGPACK_ENTRY : ENTRY],
    bundle: true,
    minify: true,
    format: "iife",
    // Browsers of 2020 on (Chrome/Edge 80, Firefox 74, Safari 13.1): `?.` and `??` stay as written.
    target: "es2020",
    // Class fields become assignments in the constructor instead of defineProperty
    // helpers (the client's classes have no subclasses or accessors to tell the two apart).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    write: false,
    legalComments: "none",
    // Only the client's own: the codec is msgpackr's code, whose property names are its own, and the
    // development part's names are read by pages (`weft.sim()`'s settings, its events' details).
    ...(part === "main" ? { mangleProps: new RegExp(`^(?:${MANGLED_PROPS.join("|")})$`) } : {}),
    plugins: [morphdomPlugin, noEvalPlugin],
  });
  // A second pass with terser (a devDependency too): its compressor folds what
  // esbuild leaves, and its names for the local variables (the most frequent
  // letters first) gzip better than esbuild's — about 600 bytes gzipped less,
  // for the same code. Property names are left as esbuild's mangleProps made them.
  const { minify } = await import("terser");
  // `sequences: false`: statements stay statements instead of being joined with commas, which
  // leaves more repeated runs for gzip (20 bytes less gzipped, a few more minified).
  const min = await minify((out.outputFiles[0] as { text: string }).text, { ecma: 2020, compress: { sequences: false }, mangle: true, format: { ecma: 2020 } });
  return min.code as string;
}
